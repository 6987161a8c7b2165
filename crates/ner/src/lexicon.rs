//! What the tagger knows about words beyond the labelled data: word clusters
//! and frequencies learned from unlabeled news, and gazetteers of entity names.
//!
//! Both are plain sorted lists in the model file and hash maps at run time.
//! Lookups use the *lexical form* of a token (see [`Lexicon::lex_form`]):
//! its search-normalized form with conjunction/preposition proclitics
//! removed when the unlabeled news says the shorter word is the real one
//! («وبوتين» → «بوتين», but «وليد» stays «وليد»), and «لل» restored to «ال».

use crate::perceptron::FeatureMap;
use crate::tags::EntityType;
use serde::{Deserialize, Serialize};

/// Seed of the string hashes that key the run-time maps (and the features).
pub const STRING_SEED: u64 = 0x6b68_6162_6172_6e72; // "khabarnr"

/// The 64-bit hash of a string under which the run-time maps store it.
#[inline]
pub fn str_hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(s.as_bytes(), STRING_SEED)
}

/// Hash of a token sequence, one token hash at a time (start from [`SEQ_START`]).
#[inline]
pub fn seq_hash(prev: u64, token: u64) -> u64 {
    let mut h = (prev ^ token).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 32;
    h = h.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    h ^ (h >> 32)
}

/// Start value of [`seq_hash`].
pub const SEQ_START: u64 = 0x243F_6A88_85A3_08D3;

/// The hash of a name written as tokens joined by single spaces.
pub fn name_hash(name: &str) -> u64 {
    name.split(' ')
        .fold(SEQ_START, |h, t| seq_hash(h, str_hash(t)))
}

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

impl LexiconData {
    /// Serialized form (postcard), e.g. to cache clusters between training runs.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads [`LexiconData::to_bytes`] output; `None` if it does not decode.
    pub fn from_bytes(bytes: &[u8]) -> Option<LexiconData> {
        postcard::from_bytes(bytes).ok()
    }
}

/// The run-time lexicon, keyed by [`str_hash`] of the form.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    map: FeatureMap<(u32, u32)>,
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
            .map(|w| (str_hash(&w.form), (w.count, w.cluster)))
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
        self.map.get(&str_hash(form)).map_or(0, |v| v.0)
    }

    /// Count and cluster of a form given its [`str_hash`].
    #[inline]
    pub fn get_hashed(&self, hash: u64) -> (u32, u32) {
        self.map.get(&hash).copied().unwrap_or((0, NO_CLUSTER))
    }

    /// Cluster of a search-normalized word.
    pub fn cluster(&self, form: &str) -> u32 {
        self.map.get(&str_hash(form)).map_or(NO_CLUSTER, |v| v.1)
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

/// How the words of an unlabeled corpus were tagged by a model: per lexical
/// form, its occurrences and how many of them were inside an entity of each type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCounts {
    /// Occurrences of the form.
    pub total: u32,
    /// Occurrences inside an entity of each type ([`EntityType::ALL`] order).
    pub typed: [u32; 4],
    /// Of those, how many began their entity.
    pub begins: [u32; 4],
}

impl TagCounts {
    /// Counts one occurrence tagged `tag`.
    pub fn add(&mut self, tag: crate::tags::Tag) {
        self.total += 1;
        if let Some(ty) = tag.entity_type() {
            self.typed[ty.index()] += 1;
            if tag.is_begin() {
                self.begins[ty.index()] += 1;
            }
        }
    }

    /// Adds another tally.
    pub fn merge(&mut self, o: &TagCounts) {
        self.total += o.total;
        for t in 0..4 {
            self.typed[t] += o.typed[t];
            self.begins[t] += o.begins[t];
        }
    }
}

/// Serialized [`CorpusTags`]: forms that were tagged as part of an entity at
/// least once, sorted by form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusTagsData {
    /// `(lexical form, counts)`, sorted by form.
    pub entries: Vec<(String, TagCounts)>,
}

/// Run-time lookup of [`CorpusTagsData`], keyed by [`str_hash`].
#[derive(Clone, Debug, Default)]
pub struct CorpusTags {
    map: FeatureMap<TagCounts>,
}

impl CorpusTags {
    /// Builds the map.
    pub fn new(data: &CorpusTagsData) -> CorpusTags {
        CorpusTags {
            map: data
                .entries
                .iter()
                .map(|(f, c)| (str_hash(f), *c))
                .collect(),
        }
    }

    /// Counts of a lexical form (`None` if it was never inside an entity).
    pub fn get(&self, lex: &str) -> Option<&TagCounts> {
        self.map.get(&str_hash(lex))
    }

    /// Counts of a lexical form given its [`str_hash`].
    #[inline]
    pub fn get_hashed(&self, hash: u64) -> Option<&TagCounts> {
        self.map.get(&hash)
    }

    /// Number of forms.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
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
/// longest match can stop early), all keyed by hashes of lexical forms.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    names: FeatureMap<u8>,
    /// Per token of any name: bit `2t` if it starts a name of type `t`, bit `2t + 1` if it
    /// continues one.
    tokens: FeatureMap<u8>,
    prefixes: FeatureMap<()>,
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
            let toks: Vec<u64> = name.split(' ').map(str_hash).collect();
            g.max_tokens = g.max_tokens.max(toks.len());
            let mut h = SEQ_START;
            for (k, &t) in toks.iter().enumerate() {
                let mut bits = 0u8;
                for ty in 0..4 {
                    if mask & (1 << ty) != 0 {
                        bits |= 1 << (2 * ty + u8::from(k > 0));
                    }
                }
                *g.tokens.entry(t).or_default() |= bits;
                h = seq_hash(h, t);
                if k + 1 < toks.len() {
                    g.prefixes.insert(h, ());
                }
            }
            *g.names.entry(h).or_default() |= *mask;
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

    /// Type mask of one name, tokens joined by single spaces (0 if absent).
    pub fn lookup(&self, name: &str) -> u8 {
        self.names.get(&name_hash(name)).copied().unwrap_or(0)
    }

    /// Where a lexical form occurs inside names (see the `tokens` field).
    pub fn token_roles(&self, lex: &str) -> u8 {
        self.token_roles_hashed(str_hash(lex))
    }

    /// [`Gazetteer::token_roles`] of a form given its [`str_hash`].
    #[inline]
    pub fn token_roles_hashed(&self, hash: u64) -> u8 {
        self.tokens.get(&hash).copied().unwrap_or(0)
    }

    /// Greedy longest matches, left to right, over a sentence of lexical forms
    /// given by their [`str_hash`]es.
    pub fn mark(&self, lex: &[u64], out: &mut Vec<GazMark>) {
        out.clear();
        out.resize(lex.len(), GazMark::default());
        if self.names.is_empty() {
            return;
        }
        let mut i = 0;
        while i < lex.len() {
            let mut best: Option<(usize, u8)> = None;
            let mut h = SEQ_START;
            let mut j = i;
            while j < lex.len() && j - i < self.max_tokens {
                h = seq_hash(h, lex[j]);
                j += 1;
                if let Some(&m) = self.names.get(&h) {
                    best = Some((j, m));
                }
                if !self.prefixes.contains_key(&h) {
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
        let toks: Vec<u64> = ["الرئيس", "بشار", "الاسد", "في", "حلب"]
            .iter()
            .map(|t| str_hash(t))
            .collect();
        g.mark(&toks, &mut out);
        assert_eq!(g.lookup("بشار الاسد"), 1);
        assert_eq!(g.lookup("بشار"), 0);
        assert_eq!(out[0].mask, 0);
        assert!(out[1].begin && !out[1].single && out[1].mask == 1);
        assert!(!out[2].begin && out[2].mask == 1);
        assert_eq!(out[3].mask, 0);
        assert!(out[4].single && out[4].mask == 2);
    }
}
