//! Clitic segmentation: «وبالكرملين» → و + ب + ال + كرملين.
//!
//! Input is one Arabic word in segmentation form (see
//! [`crate::analysis::SEGMENTATION_PROFILE`]: harakat, tatweel and invisible
//! marks removed, alef forms folded, but ة and ى kept because they tell a
//! feminine noun from a pronoun suffix). Output is a list of [`Piece`]s that
//! tile the word: proclitics, one stem, at most one enclitic.

use serde::{Deserialize, Serialize};

/// The role of a segment of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentKind {
    /// و ف ب ك ل س ال before the stem.
    Proclitic,
    /// The stem (the word without its clitics).
    Stem,
    /// A pronoun suffix: ه ها هما هم هن ك كما كم كن ي ني نا.
    Enclitic,
}

/// One segment of a word: a byte range of the segmentation-form word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// First byte in the word.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// Its role.
    pub kind: SegmentKind,
    /// The underlying form when the surface lost letters: the article «ال» written
    /// as «ل» after the preposition «ل» («للمرة» → ل + ال + مرة).
    pub restored: Option<&'static str>,
}

/// Splits Arabic words into clitics and stem.
#[derive(Clone, Debug, Default)]
pub struct CliticSegmenter {
    _private: (),
}

/// Words that start with letters that look like clitics but are not segmented.
const UNSEGMENTED: &[&str] = &[
    "الله",
    "الذي",
    "التي",
    "الذين",
    "اللذان",
    "اللتان",
    "اللذين",
    "اللتين",
    "اللاتي",
    "اللواتي",
    "اللائي",
    "الا",
    "الى",
    "الي",
    "الان",
    "اللهم",
    "ليس",
    "لكن",
    "لكي",
    "لدى",
    "لدي",
    "لماذا",
    "لما",
    "لقد",
    "لن",
    "لم",
    "لا",
    "له",
    "لها",
    "لهم",
    "بل",
    "بين",
    "بعد",
    "بعض",
    "كل",
    "كان",
    "كانت",
    "كما",
    "كيف",
    "فقط",
    "فوق",
    "في",
    "فيه",
    "فيها",
    "وفق",
    "وسط",
    "وزير",
    "وزارة",
    "وكالة",
    "ولاية",
    "وقت",
    "واحد",
    "واحدة",
];

impl CliticSegmenter {
    /// The built-in segmenter.
    pub fn new() -> CliticSegmenter {
        CliticSegmenter { _private: () }
    }

    /// Segments `word` (segmentation form), appending the pieces to `out` in order.
    /// The pieces always tile the word exactly; a word with no clitics is one stem piece.
    pub fn segment(&self, word: &str, out: &mut Vec<Piece>) {
        let start_len = out.len();
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let n = chars.len();
        if n == 0 {
            return;
        }
        if UNSEGMENTED.contains(&word) || n < 3 {
            out.push(Piece {
                start: 0,
                end: word.len() as u32,
                kind: SegmentKind::Stem,
                restored: None,
            });
            return;
        }
        let at = |k: usize| chars.get(k).map(|&(_, c)| c);
        let off = |k: usize| if k < n { chars[k].0 } else { word.len() } as u32;
        let mut k = 0usize;
        // Conjunction و/ف, only before another proclitic here (a bare و+stem needs a lexicon).
        let conj = matches!(at(0), Some('و' | 'ف'));
        let rest_has_al = |k: usize| at(k) == Some('ا') && at(k + 1) == Some('ل') && n >= k + 4;
        let rest_has_prep_al = |k: usize| matches!(at(k), Some('ب' | 'ك')) && rest_has_al(k + 1);
        let rest_has_lil = |k: usize| at(k) == Some('ل') && at(k + 1) == Some('ل') && n >= k + 4;
        if conj && (rest_has_al(1) || rest_has_prep_al(1) || rest_has_lil(1)) {
            out.push(Piece {
                start: off(0),
                end: off(1),
                kind: SegmentKind::Proclitic,
                restored: None,
            });
            k = 1;
        }
        if rest_has_prep_al(k) {
            out.push(Piece {
                start: off(k),
                end: off(k + 1),
                kind: SegmentKind::Proclitic,
                restored: None,
            });
            k += 1;
        }
        if rest_has_lil(k) && !UNSEGMENTED.contains(&&word[off(k) as usize..]) {
            out.push(Piece {
                start: off(k),
                end: off(k + 1),
                kind: SegmentKind::Proclitic,
                restored: None,
            });
            out.push(Piece {
                start: off(k + 1),
                end: off(k + 2),
                kind: SegmentKind::Proclitic,
                restored: Some("ال"),
            });
            k += 2;
        } else if rest_has_al(k) && !UNSEGMENTED.contains(&&word[off(k) as usize..]) {
            out.push(Piece {
                start: off(k),
                end: off(k + 2),
                kind: SegmentKind::Proclitic,
                restored: None,
            });
            k += 2;
        }
        out.push(Piece {
            start: off(k),
            end: word.len() as u32,
            kind: SegmentKind::Stem,
            restored: None,
        });
        debug_assert!(out[start_len..].windows(2).all(|w| w[0].end == w[1].start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(w: &str) -> String {
        let mut v = Vec::new();
        CliticSegmenter::new().segment(w, &mut v);
        v.iter()
            .map(|p| p.restored.unwrap_or(&w[p.start as usize..p.end as usize]))
            .collect::<Vec<_>>()
            .join("+")
    }

    #[test]
    fn baseline_segments() {
        assert_eq!(seg("الكرملين"), "ال+كرملين");
        assert_eq!(seg("وبالكرملين"), "و+ب+ال+كرملين");
        assert_eq!(seg("للمره"), "ل+ال+مره");
        assert_eq!(seg("بوتين"), "بوتين");
        assert_eq!(seg("بريطانيا"), "بريطانيا");
        assert_eq!(seg("الله"), "الله");
        assert_eq!(seg("والتي"), "و+التي");
    }
}
