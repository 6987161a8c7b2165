//! Feature extraction: from a sentence of normalized tokens to hashed features.
//!
//! Every feature is a template number plus one or more strings, hashed with
//! seeded xxh3 into a `u64`; the model stores weights per hash. The feature
//! schema is everything in this file: changing a template, the seed, the
//! clitic stripping or the shape classes changes what a model means, so
//! [`FEATURE_SCHEMA`] must be bumped and models retrained (the loader refuses a
//! model with another schema).
//!
//! Features depend only on the search-normalized form of each token (from
//! `khabar-core`'s [`Normalizer`](khabar_core::Normalizer)) and on this
//! crate's own clitic stripping, never on the core's clitic segmenter: the
//! segmenter is allowed to improve without silently changing what a trained
//! model sees.

use crate::lexicon::{GazMark, Gazetteer, Lexicon, NO_CLUSTER};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Version of the feature schema; stored in every model.
pub const FEATURE_SCHEMA: u32 = 1;

/// Seed of the feature hash.
const SEED: u64 = 0x6b68_6162_6172_6e72; // "khabarnr"

/// Separator between the strings of one feature.
const SEP: u8 = 0x1f;

/// Proclitic sequences removed for the bare form, longest first (search-normalized).
/// The bare form is for generalization only («والكرملين» → «كرملين»); the
/// lexical form ([`Lexicon::lex_form`]) is the one used for lookups and keys.
const BARE_PREFIXES: &[(&str, usize)] = &[
    ("وبال", 2),
    ("وكال", 2),
    ("وال", 2),
    ("فال", 2),
    ("بال", 2),
    ("كال", 2),
    ("ولل", 2),
    ("فلل", 2),
    ("لل", 2),
    ("ال", 2),
    ("و", 3),
    ("ف", 3),
];

/// Splits a search-normalized word into (proclitics, bare form).
pub fn bare_split(norm: &str) -> (&str, &str) {
    for &(p, min) in BARE_PREFIXES {
        if let Some(rest) = norm.strip_prefix(p)
            && rest.chars().count() >= min
        {
            return (p, rest);
        }
    }
    ("", norm)
}

/// Coarse character class of a token: Arabic letters, Latin letters, digits, punctuation, mixed.
fn shape(norm: &str) -> &'static str {
    let (mut ar, mut lat, mut dig, mut other) = (false, false, false, false);
    for c in norm.chars() {
        match c {
            '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' => {
                ar = true
            }
            'a'..='z' | 'A'..='Z' => lat = true,
            '0'..='9' => dig = true,
            _ if c.is_alphabetic() => lat = true,
            _ => other = true,
        }
    }
    match (ar, lat, dig, other) {
        (false, false, false, _) if norm.is_empty() => "E",
        (true, false, false, false) => "A",
        (false, true, false, false) => "L",
        (false, false, true, false) => "D",
        (false, false, true, true) => "DP",
        (false, false, false, true) => {
            if norm.chars().any(|c| matches!(c, '"' | '\'' | '«' | '»')) {
                "Q"
            } else if norm.chars().any(|c| matches!(c, '(' | ')' | '[' | ']')) {
                "B"
            } else {
                "P"
            }
        }
        (true, _, _, true) => "AP",
        (true, _, _, _) => "AX",
        _ => "X",
    }
}

/// Frequency bucket of a count: 0, 1, 2-3, 4-7, … (log2), capped.
fn freq_bucket(c: u32) -> u8 {
    if c == 0 {
        0
    } else {
        (33 - c.leading_zeros()).min(16) as u8
    }
}

/// What the extractor needs to know about one token.
#[derive(Clone, Copy, Debug, Default)]
struct TokInfo {
    norm: (u32, u32),
    bare: (u32, u32),
    prefix: (u32, u32),
    lex: (u32, u32),
    shape: &'static str,
    cluster: u32,
    freq: u8,
    gaz: GazMark,
    boot: GazMark,
}

/// The features of a sentence: hashes of token `i` are
/// `hashes[offsets[i] as usize..offsets[i + 1] as usize]`.
#[derive(Clone, Debug, Default)]
pub struct SentenceFeatures {
    /// All feature hashes, token after token.
    pub hashes: Vec<u64>,
    /// Start of each token's features, plus the end.
    pub offsets: Vec<u32>,
}

impl SentenceFeatures {
    /// Features of token `i`.
    pub fn of(&self, i: usize) -> &[u64] {
        &self.hashes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True for an empty sentence.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reusable buffers for extraction (one per thread).
#[derive(Default)]
pub struct Scratch {
    arena: String,
    info: Vec<TokInfo>,
    lex_tmp: String,
    marks: Vec<GazMark>,
    key: Vec<u8>,
}

/// The knowledge features are computed from.
#[derive(Clone, Copy)]
pub struct Resources<'a> {
    /// Word clusters and counts.
    pub lexicon: &'a Lexicon,
    /// Names from the labelled training data.
    pub gazetteer: &'a Gazetteer,
    /// Names bootstrapped from unlabeled news.
    pub bootstrap: &'a Gazetteer,
}

const BOS: &str = "<s>";
const EOS: &str = "</s>";

/// The lexical forms of a sentence of search-normalized tokens (for keys and gazetteers).
pub fn lex_forms(lexicon: &Lexicon, norms: &[&str]) -> Vec<String> {
    let mut s = String::new();
    norms
        .iter()
        .map(|n| {
            lexicon.lex_form(n, &mut s);
            s.clone()
        })
        .collect()
}

/// Extracts features for one sentence of search-normalized tokens into `out`.
pub fn extract(
    res: Resources<'_>,
    norms: &[&str],
    scratch: &mut Scratch,
    out: &mut SentenceFeatures,
) {
    extract_with_dropout(res, norms, scratch, out, &[]);
}

/// [`extract`], leaving out the identity features of the token itself (its
/// form, bare form, lexical form and the bigrams with them) for the tokens
/// where `drop_identity` is true. Training drops them for a seeded share of
/// tokens so the model also learns from context, clusters and affixes, which
/// is all it has for names it never saw.
pub fn extract_with_dropout(
    res: Resources<'_>,
    norms: &[&str],
    scratch: &mut Scratch,
    out: &mut SentenceFeatures,
    drop_identity: &[bool],
) {
    out.hashes.clear();
    out.offsets.clear();
    let Scratch {
        arena,
        info,
        lex_tmp,
        marks,
        key,
    } = scratch;
    arena.clear();
    info.clear();
    let push = |arena: &mut String, s: &str| -> (u32, u32) {
        let a = arena.len() as u32;
        arena.push_str(s);
        (a, arena.len() as u32)
    };
    for &n in norms {
        let norm = push(arena, n);
        let (p, b) = bare_split(n);
        let prefix = push(arena, p);
        let bare = push(arena, b);
        res.lexicon.lex_form(n, lex_tmp);
        let lex = push(arena, lex_tmp);
        let cluster = res.lexicon.cluster(lex_tmp);
        let cluster = if cluster == NO_CLUSTER {
            res.lexicon.cluster(n)
        } else {
            cluster
        };
        info.push(TokInfo {
            norm,
            bare,
            prefix,
            lex,
            shape: shape(n),
            cluster,
            freq: freq_bucket(res.lexicon.count(lex_tmp)),
            ..Default::default()
        });
    }
    {
        let lex: Vec<&str> = info
            .iter()
            .map(|t| &arena[t.lex.0 as usize..t.lex.1 as usize])
            .collect();
        res.gazetteer.mark(&lex, marks);
        for (t, m) in info.iter_mut().zip(marks.iter()) {
            t.gaz = *m;
        }
        res.bootstrap.mark(&lex, marks);
        for (t, m) in info.iter_mut().zip(marks.iter()) {
            t.boot = *m;
        }
    }
    let n = info.len();
    let s = |r: (u32, u32)| &arena[r.0 as usize..r.1 as usize];
    let word = |i: isize| -> &str {
        if i < 0 {
            BOS
        } else if i as usize >= n {
            EOS
        } else {
            s(info[i as usize].norm)
        }
    };
    let bare = |i: isize| -> &str {
        if i < 0 {
            BOS
        } else if i as usize >= n {
            EOS
        } else {
            s(info[i as usize].bare)
        }
    };
    let shp = |i: isize| -> &str {
        if i < 0 {
            BOS
        } else if i as usize >= n {
            EOS
        } else {
            info[i as usize].shape
        }
    };
    let cl = |i: isize| -> u32 {
        if i < 0 || i as usize >= n {
            NO_CLUSTER - 1
        } else {
            info[i as usize].cluster
        }
    };
    let gz = |i: isize| -> GazMark {
        if i < 0 || i as usize >= n {
            GazMark::default()
        } else {
            info[i as usize].gaz
        }
    };
    let SentenceFeatures { hashes, offsets } = out;
    let mut fh = FeatureHasher { key, hashes };
    #[allow(clippy::needless_range_loop)] // `i` also indexes neighbours through closures
    for i in 0..n {
        offsets.push(fh.hashes.len() as u32);
        let mut h = |t: u8, parts: &[&[u8]]| fh.push(t, parts);
        let ii = i as isize;
        let t = info[i];
        let w = s(t.norm);
        let b = s(t.bare);
        let p = s(t.prefix);
        let lx = s(t.lex);
        let keep = !drop_identity.get(i).copied().unwrap_or(false);
        h(0, &[]);
        if keep {
            h(1, &[w.as_bytes()]);
            h(2, &[b.as_bytes()]);
            h(3, &[lx.as_bytes()]);
            h(18, &[word(ii - 1).as_bytes(), w.as_bytes()]);
            h(19, &[w.as_bytes(), word(ii + 1).as_bytes()]);
            h(34, &[word(ii - 1).as_bytes(), b.as_bytes()]);
        }
        h(4, &[p.as_bytes()]);
        let bc: Vec<(usize, char)> = b.char_indices().collect();
        let nb = bc.len();
        for (k, tmpl) in [(1usize, 5u8), (2, 6), (3, 7)] {
            if nb > k {
                h(tmpl, &[&b.as_bytes()[bc[nb - k].0..]]);
            }
        }
        for (k, tmpl) in [(2usize, 8u8), (3, 9)] {
            if nb > k {
                h(tmpl, &[&b.as_bytes()[..bc[k].0]]);
            }
        }
        h(10, &[t.shape.as_bytes()]);
        h(11, &[&[nb.min(12) as u8]]);
        h(12, &[word(ii - 1).as_bytes()]);
        h(13, &[word(ii + 1).as_bytes()]);
        h(14, &[word(ii - 2).as_bytes()]);
        h(15, &[word(ii + 2).as_bytes()]);
        h(16, &[bare(ii - 1).as_bytes()]);
        h(17, &[bare(ii + 1).as_bytes()]);
        h(
            20,
            &[
                shp(ii - 1).as_bytes(),
                t.shape.as_bytes(),
                shp(ii + 1).as_bytes(),
            ],
        );
        // Word clusters at three depths of the hierarchy, and of the neighbours.
        let c = t.cluster;
        if c != NO_CLUSTER {
            h(21, &[&(c >> 16).to_le_bytes()]);
            h(22, &[&(c >> 8).to_le_bytes()]);
            h(23, &[&c.to_le_bytes()]);
        } else {
            h(21, &[b"none"]);
        }
        h(24, &[&(cl(ii - 1) >> 8).to_le_bytes()]);
        h(25, &[&(cl(ii + 1) >> 8).to_le_bytes()]);
        h(26, &[&cl(ii - 1).to_le_bytes(), &(c >> 8).to_le_bytes()]);
        h(27, &[&(c >> 8).to_le_bytes(), &cl(ii + 1).to_le_bytes()]);
        h(28, &[&[t.freq]]);
        h(29, &[p.as_bytes(), &[t.freq]]);
        // Gazetteers: type and position of the match covering this token.
        for (tmpl, m) in [(30u8, t.gaz), (31, t.boot)] {
            for ty in 0..4u8 {
                if m.mask & (1 << ty) != 0 {
                    let pos = if m.single {
                        b'U'
                    } else if m.begin {
                        b'B'
                    } else {
                        b'I'
                    };
                    h(tmpl, &[&[ty, pos]]);
                }
            }
        }
        for (tmpl, m) in [(32u8, gz(ii - 1)), (33, gz(ii + 1))] {
            if m.mask != 0 {
                h(tmpl, &[&[m.mask, m.begin as u8]]);
            }
        }
        // Which roles the word plays inside known names (first name, family name…).
        for (tmpl, g) in [(36u8, res.gazetteer), (37, res.bootstrap)] {
            let roles = g.token_roles(lx);
            if roles != 0 {
                h(tmpl, &[&[roles]]);
                for bit in 0..8u8 {
                    if roles & (1 << bit) != 0 {
                        h(tmpl + 2, &[&[bit]]);
                    }
                }
            }
        }
        if nb > 4 {
            h(40, &[&b.as_bytes()[bc[nb - 4].0..]]);
            h(41, &[&b.as_bytes()[..bc[4].0]]);
        }
        h(35, &[bare(ii - 1).as_bytes(), &(c >> 8).to_le_bytes()]);
    }
    offsets.push(fh.hashes.len() as u32);
}

/// Hashes template + parts into the feature list.
struct FeatureHasher<'a> {
    key: &'a mut Vec<u8>,
    hashes: &'a mut Vec<u64>,
}

impl FeatureHasher<'_> {
    #[inline]
    fn push(&mut self, t: u8, parts: &[&[u8]]) {
        self.key.clear();
        self.key.push(t);
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                self.key.push(SEP);
            }
            self.key.extend_from_slice(p);
        }
        self.hashes.push(xxh3_64_with_seed(self.key, SEED));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{GazetteerData, LexiconData};

    #[test]
    fn bare_forms() {
        assert_eq!(bare_split("والكرملين"), ("وال", "كرملين"));
        assert_eq!(bare_split("بوتين"), ("", "بوتين"));
        assert_eq!(bare_split("وبوتين"), ("و", "بوتين"));
        assert_eq!(bare_split("حلب"), ("", "حلب"));
        assert_eq!(bare_split("ال"), ("", "ال"));
    }

    #[test]
    fn features_are_deterministic_and_per_token() {
        let lx = Lexicon::new(&LexiconData::default());
        let g = Gazetteer::new(&GazetteerData::default());
        let res = Resources {
            lexicon: &lx,
            gazetteer: &g,
            bootstrap: &g,
        };
        let mut sc = Scratch::default();
        let mut a = SentenceFeatures::default();
        let mut b = SentenceFeatures::default();
        extract(res, &["قال", "بوتين", "."], &mut sc, &mut a);
        extract(res, &["قال", "بوتين", "."], &mut sc, &mut b);
        assert_eq!(a.hashes, b.hashes);
        assert_eq!(a.len(), 3);
        // The same word in another context shares its word feature but not all.
        extract(res, &["بوتين"], &mut sc, &mut b);
        assert!(a.of(1).contains(&b.of(0)[1]));
        assert_ne!(a.of(1), b.of(0));
        extract(res, &[], &mut sc, &mut b);
        assert!(b.is_empty());
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("بوتين"), "A");
        assert_eq!(shape("2011"), "D");
        assert_eq!(shape("\""), "Q");
        assert_eq!(shape("(د"), "AP");
        assert_eq!(shape("cnn"), "L");
    }
}
