//! What the tagger knows about words beyond the labelled data: word clusters
//! and frequencies learned from unlabeled news, and gazetteers of entity names.
//!
//! Both are plain sorted lists in the model file and hash maps at run time.
//! Lookups use the *lexical form* of a token (see [`Lexicon::lex_form`]):
//! its search-normalized form with conjunction/preposition proclitics
//! removed when the unlabeled news says the shorter word is the real one
//! («وبوتين» → «بوتين», but «وليد» stays «وليد»), and «لل» restored to «ال».

use crate::tags::EntityType;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// No cluster for this word.
pub const NO_CLUSTER: u32 = u32::MAX;

/// One word of the unlabeled vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LexWord {
    /// Search-normalized form, as it appears in text (clitics attached).
    pub form: String,
    /// How often it occurs in the unlabeled corpus.
    pub count: u32,
    /// Hierarchical cluster `top << 16 | mid << 8 | leaf`, or [`NO_CLUSTER`].
    pub cluster: u32,
}

/// The serialized lexicon: the vocabulary sorted by form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LexiconData {
    /// Words sorted by `form`.
    pub words: Vec<LexWord>,
}

/// The run-time lexicon.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    map: HashMap<String, (u32, u32)>,
}

/// Proclitic strings that may be removed for the lexical form, with what replaces them.
/// Longest first; each needs at least `min` letters left.
const STRIPS: &[(&str, &str, usize)] = &[
    ("وبال", "ال", 2),
    ("وكال", "ال", 2),
    ("وال", "ال", 2),
    ("فال", "ال", 2),
    ("بال", "ال", 2),
    ("كال", "ال", 2),
    ("ولل", "ال", 2),
    ("فلل", "ال", 2),
    ("لل", "ال", 2),
    ("وب", "", 3),
    ("ول", "", 3),
    ("وك", "", 3),
    ("فب", "", 3),
    ("فل", "", 3),
    ("و", "", 3),
    ("ف", "", 3),
    ("ب", "", 3),
    ("ل", "", 3),
    ("ك", "", 3),
];

impl Lexicon {
    /// Builds the run-time maps.
    pub fn new(data: &LexiconData) -> Lexicon {
        let map = data
            .words
            .iter()
            .map(|w| (w.form.clone(), (w.count, w.cluster)))
            .collect();
        Lexicon { map }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if the lexicon has no words.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Corpus count of a search-normalized word (0 if unknown).
    pub fn count(&self, form: &str) -> u32 {
        self.map.get(form).map_or(0, |v| v.0)
    }

    /// Cluster of a search-normalized word.
    pub fn cluster(&self, form: &str) -> u32 {
        self.map.get(form).map_or(NO_CLUSTER, |v| v.1)
    }

    /// The lexical form of a search-normalized word, written into `out`.
    ///
    /// «ال» after a conjunction or preposition is always kept and «لل» becomes
    /// «ال» (a written article is certain). A bare conjunction or preposition
    /// (و ف ب ل ك and their pairs) is removed only when the remainder is
    /// clearly the more frequent word in the unlabeled news: at least 5
    /// occurrences and more than twice as many as the whole word. Without a
    /// lexicon, only the article cases apply.
    pub fn lex_form(&self, norm: &str, out: &mut String) {
        out.clear();
        let full = self.count(norm);
        for &(pre, repl, min) in STRIPS {
            let Some(rest) = norm.strip_prefix(pre) else {
                continue;
            };
            if rest.chars().count() < min {
                continue;
            }
            if !repl.is_empty() {
                if rest.starts_with("ال") && pre.ends_with("لل") {
                    // «للال…» is not «لل» + article; leave it.
                    continue;
                }
                out.push_str(repl);
                out.push_str(rest);
                return;
            }
            let c = self.count(rest);
            if c >= 5 && c > full.saturating_mul(2) {
                out.push_str(rest);
                return;
            }
        }
        out.push_str(norm);
    }
}

/// A list of entity names (sequences of lexical forms) with their types.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GazetteerData {
    /// `(name, type mask)`; the name is lexical forms joined by single spaces;
    /// bit `t` of the mask is set if the name was seen as [`EntityType::ALL`]`[t]`.
    pub entries: Vec<(String, u8)>,
}

impl GazetteerData {
    /// Builds the list from `(name, type)` pairs (duplicates merge their masks),
    /// sorted by name.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, EntityType)>) -> GazetteerData {
        let mut m: std::collections::BTreeMap<String, u8> = Default::default();
        for (name, ty) in pairs {
            if name.is_empty() {
                continue;
            }
            *m.entry(name).or_default() |= 1 << ty.index();
        }
        GazetteerData {
            entries: m.into_iter().collect(),
        }
    }
}

/// The run-time gazetteer: names and every proper prefix of a name (so a
/// longest match can stop early).
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    names: HashMap<String, u8>,
    /// Per token of any name: bit `2t` if it starts a name of type `t`, bit `2t + 1` if it
    /// continues one.
    tokens: HashMap<String, u8>,
    prefixes: std::collections::HashSet<String>,
    max_tokens: usize,
}

/// Where a token lies in a gazetteer match: its type mask and whether it starts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GazMark {
    /// Type mask of the match (0 = no match).
    pub mask: u8,
    /// True for the first token of the match.
    pub begin: bool,
    /// True if the match is one token long.
    pub single: bool,
}

impl Gazetteer {
    /// Builds the run-time maps.
    pub fn new(data: &GazetteerData) -> Gazetteer {
        let mut g = Gazetteer::default();
        for (name, mask) in &data.entries {
            let toks: Vec<&str> = name.split(' ').collect();
            g.max_tokens = g.max_tokens.max(toks.len());
            for (k, t) in toks.iter().enumerate() {
                let mut bits = 0u8;
                for ty in 0..4 {
                    if mask & (1 << ty) != 0 {
                        bits |= 1 << (2 * ty + u8::from(k > 0));
                    }
                }
                *g.tokens.entry((*t).to_string()).or_default() |= bits;
            }
            for k in 1..toks.len() {
                g.prefixes.insert(toks[..k].join(" "));
            }
            *g.names.entry(name.clone()).or_default() |= *mask;
        }
        g
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True if there are no names.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Type mask of one name (0 if absent).
    pub fn lookup(&self, name: &str) -> u8 {
        self.names.get(name).copied().unwrap_or(0)
    }

    /// Where a lexical form occurs inside names (see the `tokens` field).
    pub fn token_roles(&self, lex: &str) -> u8 {
        self.tokens.get(lex).copied().unwrap_or(0)
    }

    /// Greedy longest matches, left to right, over a sentence of lexical forms.
    pub fn mark(&self, lex: &[&str], out: &mut Vec<GazMark>) {
        out.clear();
        out.resize(lex.len(), GazMark::default());
        if self.names.is_empty() {
            return;
        }
        let mut key = String::new();
        let mut i = 0;
        while i < lex.len() {
            key.clear();
            let mut best: Option<(usize, u8)> = None;
            let mut j = i;
            while j < lex.len() && j - i < self.max_tokens {
                if j > i {
                    key.push(' ');
                }
                key.push_str(lex[j]);
                j += 1;
                if let Some(&m) = self.names.get(key.as_str()) {
                    best = Some((j, m));
                }
                if !self.prefixes.contains(key.as_str()) {
                    break;
                }
            }
            match best {
                Some((end, mask)) => {
                    for (k, m) in out[i..end].iter_mut().enumerate() {
                        *m = GazMark {
                            mask,
                            begin: k == 0,
                            single: end - i == 1,
                        };
                    }
                    i = end;
                }
                None => i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        let words = [
            ("بوتين", 500),
            ("وبوتين", 20),
            ("وليد", 300),
            ("ليد", 2),
            ("بريطانيا", 400),
            ("ريطانيا", 0),
        ];
        let mut words: Vec<LexWord> = words
            .iter()
            .map(|&(f, c)| LexWord {
                form: f.into(),
                count: c,
                cluster: NO_CLUSTER,
            })
            .collect();
        words.sort_by(|a, b| a.form.cmp(&b.form));
        Lexicon::new(&LexiconData { words })
    }

    #[test]
    fn lexical_forms_strip_only_real_clitics() {
        let lx = lexicon();
        let mut s = String::new();
        for (w, want) in [
            ("وبوتين", "بوتين"),
            ("وليد", "وليد"),
            ("بريطانيا", "بريطانيا"),
            ("والكرملين", "الكرملين"),
            ("للكرملين", "الكرملين"),
            ("بالاسد", "الاسد"),
            ("الاسد", "الاسد"),
            ("لبنان", "لبنان"),
        ] {
            lx.lex_form(w, &mut s);
            assert_eq!(s, want, "{w}");
        }
    }

    #[test]
    fn gazetteer_longest_match() {
        let g = Gazetteer::new(&GazetteerData::from_pairs([
            ("بشار الاسد".to_string(), EntityType::Per),
            ("الاسد".to_string(), EntityType::Per),
            ("حلب".to_string(), EntityType::Loc),
        ]));
        let mut out = Vec::new();
        g.mark(&["الرئيس", "بشار", "الاسد", "في", "حلب"], &mut out);
        assert_eq!(out[0].mask, 0);
        assert!(out[1].begin && !out[1].single && out[1].mask == 1);
        assert!(!out[2].begin && out[2].mask == 1);
        assert_eq!(out[3].mask, 0);
        assert!(out[4].single && out[4].mask == 2);
    }
}
