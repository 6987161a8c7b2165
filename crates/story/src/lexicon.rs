//! Word lists compiled into the crate: stop words, speech cues and a table of
//! document frequencies from Arabic news.
//!
//! Every list is a sorted text file under `data/`, in search-normalized form
//! (أ إ آ → ا, ى → ي, ة → ه, no harakat), read once and searched by binary
//! search. A test checks each file for order and duplicates, so a new entry
//! in the wrong place fails the build's tests rather than silently missing.

use std::sync::OnceLock;

const STOP_WORDS: &str = include_str!("../data/stopwords.ar.txt");
const SPEECH_CUES: &str = include_str!("../data/speech-cues.ar.txt");
const DOC_FREQ: &str = include_str!("../data/docfreq.ant.tsv");

/// Is `norm` (a search-normalized word) a stop word?
pub fn is_stop_word(norm: &str) -> bool {
    stop_words().binary_search(&norm).is_ok()
}

fn stop_words() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| data_lines(STOP_WORDS).collect())
}

/// Lines of a data file without comments and blank lines.
fn data_lines(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// How a speech cue introduces what was said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CueKind {
    /// A finite verb: قال، أضافت، يقول.
    Verb,
    /// An active participle after a main clause: قائلا، مضيفا، مشيرا.
    Participle,
    /// A verbal noun after «نقل … عن X»: قوله، القول.
    Masdar,
    /// A source preposition: بحسب، وفق، حسبما، نقلا.
    Attribution,
}

/// A speech cue: its lemma (the search-normalized past tense, e.g. «قال») and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cue {
    /// Search-normalized lemma shared by every form: «قالت», «يقول», «قائلا» → «قال».
    pub lemma: &'static str,
    /// How it introduces speech.
    pub kind: CueKind,
}

/// The cue whose form is `norm` (search-normalized, without a leading conjunction).
pub fn speech_cue(norm: &str) -> Option<Cue> {
    let list = speech_cues();
    list.binary_search_by(|(f, _)| (*f).cmp(norm))
        .ok()
        .map(|i| list[i].1)
}

fn speech_cues() -> &'static [(&'static str, Cue)] {
    static LIST: OnceLock<Vec<(&'static str, Cue)>> = OnceLock::new();
    LIST.get_or_init(|| {
        data_lines(SPEECH_CUES)
            .filter_map(|l| {
                let mut it = l.split('\t');
                let form = it.next()?;
                let lemma = it.next()?;
                let kind = match it.next()? {
                    "verb" => CueKind::Verb,
                    "participle" => CueKind::Participle,
                    "masdar" => CueKind::Masdar,
                    "attribution" => CueKind::Attribution,
                    _ => return None,
                };
                Some((form, Cue { lemma, kind }))
            })
            .collect()
    })
}

/// Document frequencies of words and terms in Arabic news (ANT corpus,
/// March–May 2018, 15,109 articles; see `data/README.md`).
///
/// Two tables in one file: `f` rows count search-normalized clitic-stem forms
/// (used to decide whether a leading «و», «ب», «ل» is a clitic), `t` rows count
/// content terms (used for IDF weights). Words seen in fewer than a handful of
/// documents are left out; [`DocFreq::df`] returns 0 for them.
#[derive(Debug)]
pub struct DocFreq {
    docs: u32,
    min_df: u32,
    forms: Vec<(&'static str, u32)>,
    terms: Vec<(&'static str, u32)>,
}

impl DocFreq {
    /// The table compiled into the crate.
    pub fn builtin() -> &'static DocFreq {
        static TABLE: OnceLock<DocFreq> = OnceLock::new();
        TABLE.get_or_init(|| DocFreq::parse(DOC_FREQ))
    }

    /// Parses a table in the `data/docfreq.ant.tsv` format (`n<TAB>docs`, `m<TAB>min df`, then
    /// `f<TAB>form<TAB>df` and `t<TAB>term<TAB>df` rows, each kind sorted).
    pub fn parse(text: &'static str) -> DocFreq {
        let mut t = DocFreq {
            docs: 1,
            min_df: 1,
            forms: Vec::new(),
            terms: Vec::new(),
        };
        for l in data_lines(text) {
            let mut it = l.split('\t');
            match (it.next(), it.next(), it.next()) {
                (Some("n"), Some(n), None) => t.docs = n.parse().unwrap_or(1).max(1),
                (Some("m"), Some(n), None) => t.min_df = n.parse().unwrap_or(1).max(1),
                (Some("f"), Some(w), Some(n)) => t.forms.push((w, n.parse().unwrap_or(0))),
                (Some("t"), Some(w), Some(n)) => t.terms.push((w, n.parse().unwrap_or(0))),
                _ => {}
            }
        }
        // Binary search needs order; a hand-edited table out of order still works.
        t.forms.sort_unstable();
        t.terms.sort_unstable();
        t
    }

    /// Number of documents the table was counted over.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Documents containing the clitic-stem form `form` (0 if rare or unknown).
    pub fn form_df(&self, form: &str) -> u32 {
        lookup(&self.forms, form)
    }

    /// Documents containing the term `term` (0 if rare or unknown).
    pub fn term_df(&self, term: &str) -> u32 {
        lookup(&self.terms, term)
    }

    /// Smoothed inverse document frequency of a term: `ln((N + 1) / (df + 1))`.
    /// Terms left out of the table (rarer than its threshold) count as a quarter of it.
    pub fn idf(&self, term: &str) -> f64 {
        let df = match self.term_df(term) {
            0 => (self.min_df / 4).max(1),
            n => n,
        } as f64;
        ((self.docs as f64 + 1.0) / (df + 1.0)).ln()
    }
}

fn lookup(list: &[(&'static str, u32)], key: &str) -> u32 {
    list.binary_search_by(|(w, _)| (*w).cmp(key))
        .map(|i| list[i].1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::{Normalizer, Profile};

    fn check_sorted_unique(name: &str, keys: &[&str]) {
        for w in keys.windows(2) {
            assert!(
                w[0] < w[1],
                "{name}: {:?} must come before {:?} (sorted, no duplicates)",
                w[1],
                w[0]
            );
        }
    }

    #[test]
    fn stop_words_are_sorted_unique_and_normalized() {
        let list = stop_words();
        assert!(list.len() > 200);
        check_sorted_unique("stopwords.ar.txt", list);
        let n = Normalizer::new(Profile::SEARCH);
        for w in list {
            assert_eq!(
                n.normalize(w),
                *w,
                "stop word {w:?} is not search-normalized"
            );
        }
        assert!(is_stop_word("الذي"));
        assert!(is_stop_word("ان"));
        assert!(!is_stop_word("حلب"));
    }

    #[test]
    fn speech_cues_are_sorted_unique_and_normalized() {
        let list = speech_cues();
        let forms: Vec<&str> = list.iter().map(|(f, _)| *f).collect();
        check_sorted_unique("speech-cues.ar.txt", &forms);
        let n = Normalizer::new(Profile::SEARCH);
        for (f, c) in list {
            assert_eq!(n.normalize(f), *f);
            assert_eq!(n.normalize(c.lemma), c.lemma);
        }
        assert_eq!(speech_cue("قالت").map(|c| c.lemma), Some("قال"));
        assert_eq!(speech_cue("يقول").map(|c| c.lemma), Some("قال"));
        assert_eq!(
            speech_cue("قائلا").map(|c| c.kind),
            Some(CueKind::Participle)
        );
        assert_eq!(speech_cue("اضافت").map(|c| c.lemma), Some("اضاف"));
        assert_eq!(
            speech_cue("بحسب").map(|c| c.kind),
            Some(CueKind::Attribution)
        );
        assert_eq!(speech_cue("حلب"), None);
    }

    #[test]
    fn doc_freq_table_is_sorted_and_plausible() {
        let t = DocFreq::builtin();
        assert!(t.docs() > 10_000);
        let forms: Vec<&str> = t.forms.iter().map(|(f, _)| *f).collect();
        let terms: Vec<&str> = t.terms.iter().map(|(f, _)| *f).collect();
        check_sorted_unique("docfreq forms", &forms);
        check_sorted_unique("docfreq terms", &terms);
        // «قال» is in most articles, «طرطوس» in few.
        assert!(t.form_df("قال") > t.form_df("طرطوس"));
        assert!(t.idf("طرطوس") > t.idf("قال"));
    }
}
