//! Clitic segmentation: «وبالكرملين» → و + ب + ال + كرملين.
//!
//! Input is one Arabic word in segmentation form (see
//! [`crate::analysis::SEGMENTATION_PROFILE`]: harakat, tatweel and invisible
//! marks removed, alef forms folded, but ة and ى kept because they tell a
//! feminine noun from a pronoun suffix). Output is a list of [`Piece`]s that
//! tile the word: proclitics (و ف ب ك ل س ال, in their valid stacks), one
//! stem, at most one pronoun enclitic (ه ها هما هم هن ك كما كم كن ي ني نا).
//!
//! The decisions come from a model learned from unlabeled news (see
//! `docs/CLITICS.md` and `khabar train segmenter`): for a known word, one hash
//! lookup; for an unknown word, its candidate analyses scored with how much the
//! corpus used each candidate stem and how often the letters next to a clitic
//! position were a clitic. The default model is embedded in the binary.

mod grammar;
mod model;
pub mod train;

use crate::Error;
use grammar::{Analysis, STACKS};
use model::{Model, ModelData};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

pub use model::{FORMAT_VERSION, MAGIC};

/// The default model, trained on the ANT multi-source news corpus (2018-03 to
/// 2018-05) with `khabar train segmenter`.
pub static EMBEDDED_MODEL: &[u8] = include_bytes!("../../data/clitics.khabar");

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

/// Splits Arabic words into clitics and stem. Cheap to clone (the model is shared).
#[derive(Clone)]
pub struct CliticSegmenter {
    model: Arc<Model>,
}

impl std::fmt::Debug for CliticSegmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliticSegmenter")
            .field("known_words", &self.model.words.len())
            .field("stems", &self.model.stems.len())
            .finish()
    }
}

impl Default for CliticSegmenter {
    fn default() -> Self {
        CliticSegmenter::new()
    }
}

thread_local! {
    static CANDIDATES: std::cell::RefCell<Vec<Analysis>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl CliticSegmenter {
    /// The segmenter with the embedded model.
    pub fn new() -> CliticSegmenter {
        static EMBEDDED: OnceLock<Arc<Model>> = OnceLock::new();
        let model = EMBEDDED.get_or_init(|| {
            // The embedded bytes are checked by a test; an empty model (rules and
            // function words only) is the fallback rather than a panic.
            Arc::new(
                ModelData::from_bytes(EMBEDDED_MODEL)
                    .map(|d| d.build())
                    .unwrap_or_default(),
            )
        });
        CliticSegmenter {
            model: Arc::clone(model),
        }
    }

    /// A segmenter with a model file made by `khabar train segmenter`.
    ///
    /// # Errors
    /// [`Error::ModelMagic`] if the bytes are not a clitic model,
    /// [`Error::ModelVersion`] if it was written by an incompatible version, and
    /// [`Error::ModelCorrupt`] if it is truncated or damaged.
    pub fn from_bytes(bytes: &[u8]) -> Result<CliticSegmenter, Error> {
        Ok(CliticSegmenter {
            model: Arc::new(ModelData::from_bytes(bytes)?.build()),
        })
    }

    /// How the model was made (corpus, vocabulary, parameters), as written by the trainer.
    pub fn manifest(&self) -> &str {
        &self.model.manifest
    }

    /// Number of words whose segmentation the model stores.
    pub fn known_words(&self) -> usize {
        self.model.words.len()
    }

    /// Segments `word` (segmentation form), appending the pieces to `out` in order.
    /// The pieces always tile the word exactly; a word with no clitics is one stem piece.
    pub fn segment(&self, word: &str, out: &mut Vec<Piece>) {
        if word.is_empty() {
            return;
        }
        let a = self.analyze_word(word);
        for_each_piece(word, &a, |p| out.push(p));
    }

    fn analyze_unknown(&self, word: &str) -> Analysis {
        CANDIDATES.with(|c| match c.try_borrow_mut() {
            Ok(mut c) => self.model.analyze_unknown(word, &mut c),
            Err(_) => self.model.analyze_unknown(word, &mut Vec::new()),
        })
    }

    /// The analysis of a non-empty word (segmentation form).
    #[inline]
    pub(crate) fn analyze_word(&self, word: &str) -> Analysis {
        self.model.analyze(word, || self.analyze_unknown(word))
    }
}

/// Calls `f` with the pieces of analysis `a` of `word`, in order. Words longer
/// than the analysis can address (64 KiB) are one stem.
#[inline]
pub(crate) fn for_each_piece(word: &str, a: &Analysis, mut f: impl FnMut(Piece)) {
    if word.len() > u16::MAX as usize {
        f(Piece {
            start: 0,
            end: word.len() as u32,
            kind: SegmentKind::Stem,
            restored: None,
        });
        return;
    }
    let mut pos = 0u32;
    for p in STACKS[a.stack as usize].pieces {
        let end = pos + p.surface.len() as u32;
        f(Piece {
            start: pos,
            end,
            kind: SegmentKind::Proclitic,
            restored: p.restored,
        });
        pos = end;
    }
    let stem_end = u32::from(a.stem_end).max(pos);
    let has_enclitic = a.enc != 0 && (stem_end as usize) < word.len();
    f(Piece {
        start: pos,
        end: if has_enclitic {
            stem_end
        } else {
            word.len() as u32
        },
        kind: SegmentKind::Stem,
        restored: None,
    });
    if has_enclitic {
        f(Piece {
            start: stem_end,
            end: word.len() as u32,
            kind: SegmentKind::Enclitic,
            restored: None,
        });
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
    fn embedded_model_loads() {
        let data = ModelData::from_bytes(EMBEDDED_MODEL).expect("embedded model loads");
        assert!(data.words.len() > 10_000, "{} words", data.words.len());
        assert!(CliticSegmenter::new().known_words() > 10_000);
        assert!(
            CliticSegmenter::new()
                .manifest()
                .contains("ant_multisource")
        );
    }

    #[test]
    fn rejects_what_is_not_a_model() {
        assert!(matches!(
            CliticSegmenter::from_bytes(b"hello"),
            Err(Error::ModelMagic)
        ));
    }

    #[test]
    fn news_words() {
        assert_eq!(seg("الكرملين"), "ال+كرملين");
        assert_eq!(seg("وبالكرملين"), "و+ب+ال+كرملين");
        assert_eq!(seg("للمرة"), "ل+ال+مرة");
        assert_eq!(seg("بوتين"), "بوتين");
        assert_eq!(seg("بريطانيا"), "بريطانيا");
        assert_eq!(seg("الله"), "الله");
        assert_eq!(seg("والتي"), "و+التي");
        assert_eq!(seg("اليه"), "الي+ه");
        assert_eq!(seg("عليه"), "علي+ه");
        assert_eq!(seg("وقال"), "و+قال");
        assert_eq!(seg("وزير"), "وزير");
        assert_eq!(seg("كما"), "كما");
        assert_eq!(seg("بين"), "بين");
        assert_eq!(seg("حكومته"), "حكومت+ه");
        assert_eq!(seg("وسيقام"), "و+س+يقام");
        assert_eq!(seg("لها"), "ل+ها");
        assert_eq!(seg("مدرسة"), "مدرسة");
    }
}
