//! A name list lookup, as an [`EntityTagger`] for tests and for users with their own lists.
//!
//! **This is not named-entity recognition.** It marks exactly the names it is given
//! (one `surface<TAB>label<TAB>key` per line), matched on search-normalized words with a
//! leading «و»/«ب»/«ل»/«ك»/«ف» allowed on the first word («لبوتين», «وبوتين»), longest
//! match first. The digest takes any [`EntityTagger`]; the `khabar` facade passes the
//! statistical tagger of `khabar-ner` once it is merged.

use crate::Mention;
use crate::digest::EntityTagger;
use crate::lexicon::DocFreq;
use crate::terms::strip_leading_clitics;
use khabar_core::{Analysis, Normalizer, Profile, Span, TokenKind};

/// One name of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    words: Vec<String>,
    label: String,
    key: String,
}

/// A list of names to mark in text. See the module docs: a lookup, not NER.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    entries: Vec<Entry>,
}

/// A line of a gazetteer file that is not `surface<TAB>label<TAB>key`.
#[derive(Debug, thiserror::Error)]
#[error("gazetteer line {line}: expected surface<TAB>label<TAB>key, got {text:?}")]
pub struct GazetteerError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
}

impl Gazetteer {
    /// Parses `surface<TAB>label<TAB>key` lines; blank lines and `#` comments are skipped.
    ///
    /// # Errors
    /// [`GazetteerError`] for a line without three tab-separated fields.
    pub fn parse(tsv: &str) -> Result<Gazetteer, GazetteerError> {
        let norm = Normalizer::new(Profile::SEARCH);
        let mut entries = Vec::new();
        for (i, line) in tsv.lines().enumerate() {
            let l = line.trim_end();
            if l.trim().is_empty() || l.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 3 || f.iter().any(|x| x.trim().is_empty()) {
                return Err(GazetteerError {
                    line: i + 1,
                    text: l.to_string(),
                });
            }
            let words: Vec<String> = norm
                .normalize(f[0].trim())
                .split_whitespace()
                .map(String::from)
                .collect();
            entries.push(Entry {
                words,
                label: f[1].trim().to_string(),
                key: f[2].trim().to_string(),
            });
        }
        // Longest names first, so «فلاديمير بوتين» wins over «بوتين».
        entries.sort_by(|a, b| {
            b.words
                .len()
                .cmp(&a.words.len())
                .then(a.words.cmp(&b.words))
        });
        Ok(Gazetteer { entries })
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl EntityTagger for Gazetteer {
    fn tag(&self, text: &str, analysis: &Analysis) -> Vec<Mention> {
        let df = DocFreq::builtin();
        let toks = &analysis.tokens;
        let norms: Vec<&str> = toks.iter().map(|t| analysis.norm(t)).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let mut matched = None;
            if toks[i].kind == TokenKind::Word {
                for e in &self.entries {
                    let n = e.words.len();
                    if i + n > toks.len() {
                        continue;
                    }
                    let first = norms[i];
                    let bare = strip_leading_clitics(first, df, false);
                    let first_ok = first == e.words[0]
                        || bare == e.words[0]
                        || first
                            .strip_prefix(['و', 'ف', 'ب', 'ل', 'ك'])
                            .is_some_and(|r| r == e.words[0]);
                    if first_ok && (1..n).all(|k| norms[i + k] == e.words[k]) {
                        matched = Some((e, n, first.len() - e.words[0].len()));
                        break;
                    }
                }
            }
            match matched {
                Some((e, n, clitic_bytes)) => {
                    let start =
                        toks[i].span.start + clitic_prefix_len(text, toks[i].span, clitic_bytes);
                    out.push(Mention {
                        span: Span::new(start, toks[i + n - 1].span.end),
                        label: e.label.clone(),
                        key: e.key.clone(),
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// Bytes of the surface taken by the first `norm_bytes` bytes of its normalized form
/// (a clitic letter and any marks on it).
fn clitic_prefix_len(text: &str, span: Span, norm_bytes: usize) -> u32 {
    if norm_bytes == 0 {
        return 0;
    }
    let surface = span.slice(text);
    let letters = norm_bytes / 'و'.len_utf8();
    let mut seen = 0;
    for (i, c) in surface.char_indices() {
        if khabar_core::chars::class(c) == khabar_core::chars::CharClass::ArabicLetter {
            if seen == letters {
                return i as u32;
            }
            seen += 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;

    #[test]
    fn marks_listed_names_with_clitics_longest_first() {
        let g = Gazetteer::parse(
            "# test list\nبوتين\tPER\tبوتين\nفلاديمير بوتين\tPER\tبوتين\nالكرملين\tORG\tالكرملين\n",
        )
        .unwrap();
        assert_eq!(g.len(), 3);
        let text = "قال فلاديمير بوتين إن لبوتين رأيا وأكد الكرملين.";
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let m = g.tag(text, &a);
        let s: Vec<&str> = m.iter().map(|m| m.span.slice(text)).collect();
        assert_eq!(s, ["فلاديمير بوتين", "بوتين", "الكرملين"]);
        assert!(m.iter().take(2).all(|m| m.key == "بوتين"));
    }

    #[test]
    fn bad_lines_are_errors() {
        let e = Gazetteer::parse("بوتين\tPER\n").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
