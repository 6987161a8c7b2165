//! Feature extraction: from a sentence of normalized tokens to hashed features.
//!
//! Every feature is a template number plus one to three values, mixed into a
//! `u64`; the model stores weights per hash. Strings (the token, its bare and
//! lexical forms, affixes, character n-grams) are hashed once per token with
//! seeded xxh3 ([`str_hash`]) and then combined by integer mixing, so a token
//! costs a few string hashes, not one per feature. The feature schema is
//! everything in this file: changing a template, the seeds, the clitic
//! stripping or the shape classes changes what a model means, so
//! [`FEATURE_SCHEMA`] must be bumped and models retrained (the loader refuses a
//! model with another schema).
//!
//! Features depend only on the search-normalized form of each token (from
//! `khabar-core`'s [`Normalizer`](khabar_core::Normalizer)) and on this
//! crate's own clitic stripping, never on the core's clitic segmenter: the
//! segmenter is allowed to improve without silently changing what a trained
//! model sees.

use crate::doc::{Evidence, count_bucket, share_bucket};
use crate::knn::{Neighbors, Votes};
use crate::lexicon::{
    CorpusTags, GazMark, Gazetteer, Lexicon, NO_CLUSTER, STRING_SEED, TagCounts, str_hash,
};

/// Version of the feature schema; stored in every model.
pub const FEATURE_SCHEMA: u32 = 4;

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

/// Coarse character class of a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
enum Shape {
    /// Empty.
    #[default]
    Empty,
    /// Arabic letters only.
    Arabic,
    /// Latin (or other non-Arabic) letters only.
    Latin,
    /// Digits only.
    Digits,
    /// Digits and punctuation.
    DigitsPunct,
    /// A quotation mark.
    Quote,
    /// A bracket.
    Bracket,
    /// Other punctuation.
    Punct,
    /// Arabic letters and punctuation.
    ArabicPunct,
    /// Arabic letters and Latin letters or digits.
    ArabicMixed,
    /// Anything else.
    Other,
}

impl Shape {
    fn of(norm: &str) -> Shape {
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
            (false, false, false, false) => Shape::Empty,
            (true, false, false, false) => Shape::Arabic,
            (false, true, false, false) => Shape::Latin,
            (false, false, true, false) => Shape::Digits,
            (false, false, true, true) => Shape::DigitsPunct,
            (false, false, false, true) => {
                if norm.chars().any(|c| matches!(c, '"' | '\'' | '«' | '»')) {
                    Shape::Quote
                } else if norm.chars().any(|c| matches!(c, '(' | ')' | '[' | ']')) {
                    Shape::Bracket
                } else {
                    Shape::Punct
                }
            }
            (true, _, _, true) => Shape::ArabicPunct,
            (true, _, _, _) => Shape::ArabicMixed,
            _ => Shape::Other,
        }
    }

    /// Has letters: a token document consistency and character n-grams look at.
    fn is_word(self) -> bool {
        matches!(
            self,
            Shape::Arabic | Shape::Latin | Shape::ArabicMixed | Shape::ArabicPunct
        )
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

/// A share `part / whole` in five buckets: < 5 %, < 20 %, < 50 %, < 80 %, more.
fn share5(part: u32, whole: u32) -> u8 {
    let r = part as f64 / whole.max(1) as f64;
    match r {
        r if r < 0.05 => 0,
        r if r < 0.2 => 1,
        r if r < 0.5 => 2,
        r if r < 0.8 => 3,
        _ => 4,
    }
}

/// True for a bare form that looks like a relational («nisba») adjective:
/// «…ي» or «…يه» (search-normalized «…ية»), at least 4 letters.
fn nisba(bare: &str) -> bool {
    let n = bare.chars().count();
    n >= 4 && (bare.ends_with('ي') || bare.ends_with("يه")) && !bare.ends_with("يي")
}

/// Words that announce a name nearby, by bare form (clitics and «ال» off,
/// search-normalized): a small, general lexicon of Arabic news usage, given to
/// the model as features (it learns how far to trust them), never as rules.
const TRIGGERS: &[(u8, &[&str])] = &[
    // 1: titles and roles before a person.
    (
        1,
        &[
            "رئيس",
            "وزير",
            "وزيره",
            "شيخ",
            "سيد",
            "سيده",
            "دكتور",
            "دكتوره",
            "امام",
            "ملك",
            "ملكه",
            "امير",
            "اميره",
            "استاذ",
            "مهندس",
            "لواء",
            "عميد",
            "عقيد",
            "جنرال",
            "مشير",
            "نائب",
            "سفير",
            "مستشار",
            "قاضي",
            "بابا",
            "حاج",
            "فنان",
            "فنانه",
            "لاعب",
            "مدرب",
            "كاتب",
            "شاعر",
            "روائي",
            "مخرج",
            "مطرب",
            "مطربه",
            "ممثل",
            "ممثله",
            "نجم",
            "نجمه",
            "حارس",
            "مهاجم",
            "مدافع",
            "ناطق",
            "متحدث",
            "زعيم",
            "قائد",
            "مرشد",
            "خليفه",
            "محامي",
            "صحفي",
            "بروفيسور",
            "سلطان",
            "مراسل",
            "مدير",
            "امين",
            "عاهل",
            "مبعوث",
            "منسق",
            "محافظ",
            "حاكم",
            "عضو",
            "زميل",
            "مواطن",
            "ابن",
            "بنت",
            "شقيق",
            "شقيقه",
            "زوج",
            "زوجه",
            "والد",
            "والده",
        ],
    ),
    // 2: verbs of saying (a speaker follows).
    (
        2,
        &[
            "قال",
            "قالت",
            "اكد",
            "اكدت",
            "اضاف",
            "اضافت",
            "اوضح",
            "اوضحت",
            "صرح",
            "صرحت",
            "اعلن",
            "اعلنت",
            "ذكر",
            "ذكرت",
            "اشار",
            "اشارت",
            "اعتبر",
            "اعتبرت",
            "راي",
            "يري",
            "يقول",
            "تقول",
            "اعرب",
            "اعربت",
            "شدد",
            "شددت",
            "طالب",
            "طالبت",
            "دعا",
            "دعت",
            "نفي",
            "نفت",
            "كشف",
            "كشفت",
            "ناشد",
            "ناشدت",
            "التقي",
            "استقبل",
            "استقبلت",
        ],
    ),
    // 3: heads of organization names.
    (
        3,
        &[
            "وزاره",
            "شركه",
            "حزب",
            "جامعه",
            "مجلس",
            "منظمه",
            "وكاله",
            "نادي",
            "بنك",
            "مصرف",
            "جيش",
            "هيئه",
            "مؤسسه",
            "اتحاد",
            "جمعيه",
            "حركه",
            "جبهه",
            "لجنه",
            "صحيفه",
            "قناه",
            "محطه",
            "فريق",
            "منتخب",
            "مجموعه",
            "مركز",
            "معهد",
            "اكاديميه",
            "برلمان",
            "محكمه",
            "مكتب",
            "تنظيم",
            "ائتلاف",
            "تحالف",
            "كتله",
            "صندوق",
            "مجمع",
            "دائره",
            "سلطه",
            "قوات",
            "شرطه",
            "بورصه",
            "مجله",
            "اذاعه",
            "تلفزيون",
        ],
    ),
    // 4: place cues.
    (
        4,
        &[
            "مدينه",
            "محافظه",
            "عاصمه",
            "اقليم",
            "ولايه",
            "منطقه",
            "بلده",
            "قريه",
            "جزيره",
            "جزر",
            "نهر",
            "بحر",
            "جبل",
            "مخيم",
            "حي",
            "شارع",
            "ميناء",
            "مطار",
            "دوله",
            "جمهوريه",
            "مملكه",
            "اماره",
            "ضاحيه",
            "بلدات",
            "مدن",
            "قضاء",
            "ريف",
            "صحراء",
            "خليج",
            "شمال",
            "جنوب",
            "شرق",
            "غرب",
            "وسط",
            "قرب",
            "عاصمتها",
        ],
    ),
    // 5: cues of other names (works, events, products).
    (
        5,
        &[
            "برنامج",
            "مسلسل",
            "فيلم",
            "كتاب",
            "روايه",
            "جائزه",
            "بطوله",
            "كاس",
            "دوري",
            "مهرجان",
            "سياره",
            "طراز",
            "مسرحيه",
            "اغنيه",
            "البوم",
            "عمليه",
            "مؤتمر",
            "قمه",
            "معرض",
            "عنوان",
            "بعنوان",
            "مشروع",
            "اتفاقيه",
            "اتفاق",
            "خطه",
            "صاروخ",
            "طائره",
        ],
    ),
];

/// Trigger class of a bare form (0 = none); a linear scan of a few hundred
/// short strings is cheap next to the rest, but a map is built once.
fn trigger_class(bare_hash: u64) -> u8 {
    use std::sync::OnceLock;
    static MAP: OnceLock<crate::perceptron::FeatureMap<u8>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut m = crate::perceptron::FeatureMap::default();
        for &(class, words) in TRIGGERS {
            for w in words {
                m.entry(str_hash(w)).or_insert(class);
            }
        }
        m
    });
    map.get(&bare_hash).copied().unwrap_or(0)
}

/// Hash of a value that is not a string (small numbers, flags).
#[inline]
fn num(v: u64) -> u64 {
    v.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5bd1_e995
}

/// Mixes a template and up to three value hashes into a feature hash.
#[inline]
fn mix(t: u8, a: u64, b: u64, c: u64) -> u64 {
    let mut h = STRING_SEED ^ (t as u64).wrapping_mul(0xA076_1D64_78BD_642F);
    h = (h ^ a).wrapping_mul(0xE703_7ED1_A0B4_28DB);
    h ^= h >> 29;
    h = (h ^ b).wrapping_mul(0x8EBC_6AF0_9C88_C6E3);
    h ^= h >> 32;
    h = (h ^ c).wrapping_mul(0x5899_65CC_7537_4CC3);
    h ^= h >> 29;
    h = h.wrapping_mul(0x1D8E_4E27_C47D_124F);
    h ^ (h >> 32)
}

/// Hashes standing for "before the sentence" and "after it".
const BOS: u64 = 0x0b05_0b05_0b05_0b05;
const EOS: u64 = 0x0e05_0e05_0e05_0e05;

/// Longest quotation (in tokens) that gets quotation features.
const MAX_QUOTE: usize = 10;

/// Character n-grams of a word's bare form that become features (n = 3, with
/// word-boundary marks), at most this many per token.
const MAX_NGRAMS: usize = 8;

/// What the extractor knows about one token.
#[derive(Clone, Copy, Debug, Default)]
struct TokInfo {
    norm: u64,
    bare: u64,
    prefix: u64,
    lex: u64,
    /// Suffixes of the bare form of 1..=4 characters (0 = too short).
    suf: [u64; 4],
    /// Prefixes of the bare form of 2..=4 characters (index 0 unused).
    pre: [u64; 4],
    chars: u8,
    shape: Shape,
    cluster: u32,
    freq: u8,
    nisba: bool,
    gaz: GazMark,
    boot: GazMark,
    roles_gaz: u8,
    roles_boot: u8,
    /// How the unlabeled news tagged this form (zero if never inside a name).
    corpus: TagCounts,
    /// The same by a context-only model.
    context: TagCounts,
    /// Occurrences in texts where the form was tagged as a name ([`Resources::doc_tags`]).
    doc: TagCounts,
    /// Majority corpus type if at least half of its occurrences, else 255.
    corpus_major: u8,
    /// Place inside a short quotation (0 = not inside) and the opening mark's index.
    quote: (u8, u32),
    /// Range of this token's character n-gram hashes in the scratch buffer.
    ngrams: (u32, u32),
    /// Trigger class of the bare form ([`TRIGGERS`]).
    trigger: u8,
    /// Votes of the nearest known names ([`crate::knn`]), if the word has a vector.
    votes: Option<Votes>,
    /// Collocation bucket of this token and the next ([`crate::collocations`]); 99 at the end.
    next_link: u8,
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
    info: Vec<TokInfo>,
    lex_tmp: String,
    lex_hashes: Vec<u64>,
    marks: Vec<GazMark>,
    ngrams: Vec<u64>,
    chars: Vec<char>,
}

impl Scratch {
    /// [`str_hash`]es of the lexical forms of the last extracted sentence.
    pub fn lex_hashes(&self) -> &[u64] {
        &self.lex_hashes
    }

    /// Whether each token of the last extracted sentence is a word (has letters),
    /// the tokens document consistency looks at.
    pub fn words(&self) -> impl Iterator<Item = bool> + '_ {
        self.info.iter().map(|t| t.shape.is_word())
    }
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
    /// How a model tagged each word across the unlabeled news.
    pub corpus_tags: &'a CorpusTags,
    /// How a context-only model tagged each word across the unlabeled news.
    pub context_tags: &'a CorpusTags,
    /// How often each word sat in a text where it was tagged (anywhere) as a name.
    pub doc_tags: &'a CorpusTags,
    /// How strongly adjacent words stick together in the unlabeled news.
    pub collocations: &'a crate::collocations::Collocations,
    /// Types of the nearest known names in the embedding space.
    pub neighbors: &'a Neighbors,
}

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

/// Fills the per-token information of a sentence.
fn token_info(res: Resources<'_>, norms: &[&str], scratch: &mut Scratch) {
    let Scratch {
        info,
        lex_tmp,
        lex_hashes,
        marks,
        ngrams,
        chars,
    } = scratch;
    info.clear();
    lex_hashes.clear();
    ngrams.clear();
    for &n in norms {
        let (p, b) = bare_split(n);
        res.lexicon.lex_form(n, lex_tmp);
        let lex = str_hash(lex_tmp);
        let norm = str_hash(n);
        let (count, cluster) = res.lexicon.get_hashed(lex);
        let cluster = if cluster == NO_CLUSTER {
            res.lexicon.get_hashed(norm).1
        } else {
            cluster
        };
        // «^bare$»: the marks give the character n-grams word edges.
        chars.clear();
        chars.push('^');
        chars.extend(b.chars());
        chars.push('$');
        let nb = chars.len() - 2;
        let mut suf = [0u64; 4];
        let mut pre = [0u64; 4];
        // Byte offset in `b` of its `k`-th character.
        let boundary = |k: usize| -> usize { chars[1..=k].iter().map(|c| c.len_utf8()).sum() };
        for k in 1..=4usize {
            if nb > k {
                suf[k - 1] = str_hash(&b[boundary(nb - k)..]);
                if k >= 2 {
                    pre[k - 1] = str_hash(&b[..boundary(k)]);
                }
            }
        }
        let shape = Shape::of(n);
        let start = ngrams.len() as u32;
        if shape.is_word() && nb >= 2 {
            // Trigrams, spread evenly over the word if it has more than MAX_NGRAMS.
            let total = chars.len() - 2;
            let step = total.div_ceil(MAX_NGRAMS).max(1);
            let mut buf = [0u8; 16];
            for k in (0..total).step_by(step) {
                let mut len = 0;
                for c in &chars[k..k + 3] {
                    len += c.encode_utf8(&mut buf[len..]).len();
                }
                ngrams.push(xxhash_rust::xxh3::xxh3_64_with_seed(
                    &buf[..len],
                    STRING_SEED ^ 3,
                ));
            }
        }
        let corpus = res.corpus_tags.get_hashed(lex).copied().unwrap_or_default();
        let context = res
            .context_tags
            .get_hashed(lex)
            .copied()
            .unwrap_or_default();
        let doc = res.doc_tags.get_hashed(lex).copied().unwrap_or_default();
        let (major, &mc) = corpus
            .typed
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .unwrap_or((0, &0));
        lex_hashes.push(lex);
        info.push(TokInfo {
            norm,
            bare: str_hash(b),
            trigger: trigger_class(str_hash(b)),
            votes: res.neighbors.get_hashed(lex).copied(),
            prefix: str_hash(p),
            lex,
            suf,
            pre,
            chars: nb.min(12) as u8,
            shape,
            cluster,
            freq: freq_bucket(count),
            nisba: nisba(b),
            roles_gaz: res.gazetteer.token_roles_hashed(lex),
            roles_boot: res.bootstrap.token_roles_hashed(lex),
            corpus,
            context,
            doc,
            corpus_major: if mc > 0 && mc * 2 >= corpus.total {
                major as u8
            } else {
                255
            },
            ngrams: (start, ngrams.len() as u32),
            ..Default::default()
        });
    }
    res.gazetteer.mark(lex_hashes, marks);
    for (t, m) in info.iter_mut().zip(marks.iter()) {
        t.gaz = *m;
    }
    res.bootstrap.mark(lex_hashes, marks);
    for (t, m) in info.iter_mut().zip(marks.iter()) {
        t.boot = *m;
    }
    for k in 0..info.len() {
        info[k].next_link = match info.get(k + 1) {
            Some(next) => res.collocations.bucket(info[k].norm, next.norm),
            None => 99,
        };
    }
    quote_spans(norms, info);
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
    token_info(res, norms, scratch);
    let info = &scratch.info;
    let ngrams = &scratch.ngrams;
    let SentenceFeatures { hashes, offsets } = out;
    hashes.clear();
    offsets.clear();
    let at = |i: isize| -> Option<&TokInfo> { if i < 0 { None } else { info.get(i as usize) } };
    let word = |i: isize| at(i).map_or(if i < 0 { BOS } else { EOS }, |t| t.norm);
    let bare = |i: isize| at(i).map_or(if i < 0 { BOS } else { EOS }, |t| t.bare);
    let shp = |i: isize| at(i).map_or(if i < 0 { 98 } else { 99 }, |t| t.shape as u64);
    let cl = |i: isize| at(i).map_or(NO_CLUSTER - 1, |t| t.cluster);
    let gz = |i: isize| at(i).map_or(GazMark::default(), |t| t.gaz);
    let major = |i: isize| at(i).map_or(254, |t| t.corpus_major);
    let isn = |i: isize| at(i).is_some_and(|t| t.nisba) as u64;
    for (i, t) in info.iter().enumerate() {
        offsets.push(hashes.len() as u32);
        let mut h = |t: u8, a: u64, b: u64, c: u64| hashes.push(mix(t, a, b, c));
        let ii = i as isize;
        let keep = !drop_identity.get(i).copied().unwrap_or(false);
        h(0, 0, 0, 0);
        if keep {
            h(1, t.norm, 0, 0);
            h(2, t.bare, 0, 0);
            h(3, t.lex, 0, 0);
            h(18, word(ii - 1), t.norm, 0);
            h(19, t.norm, word(ii + 1), 0);
            h(34, bare(ii - 1), t.bare, 0);
        }
        h(4, t.prefix, 0, 0);
        for (k, tmpl) in [(0usize, 5u8), (1, 6), (2, 7), (3, 40)] {
            if t.suf[k] != 0 {
                h(tmpl, t.suf[k], 0, 0);
            }
        }
        for (k, tmpl) in [(1usize, 8u8), (2, 9), (3, 41)] {
            if t.pre[k] != 0 {
                h(tmpl, t.pre[k], 0, 0);
            }
        }
        for &g in &ngrams[t.ngrams.0 as usize..t.ngrams.1 as usize] {
            h(70, g, 0, 0);
        }
        h(10, t.shape as u64, 0, 0);
        h(11, t.chars as u64, 0, 0);
        h(12, word(ii - 1), 0, 0);
        h(13, word(ii + 1), 0, 0);
        h(14, word(ii - 2), 0, 0);
        h(15, word(ii + 2), 0, 0);
        h(16, bare(ii - 1), 0, 0);
        h(17, bare(ii + 1), 0, 0);
        h(20, shp(ii - 1), t.shape as u64, shp(ii + 1));
        // Word clusters at each depth of the hierarchy, and of the neighbours.
        let c = t.cluster;
        if c != NO_CLUSTER {
            for (k, tmpl) in [(1u32, 21u8), (2, 22), (3, 23), (4, 42)] {
                h(tmpl, num((c >> (32 - 8 * k)) as u64), 0, 0);
            }
        } else {
            h(21, 0xdead, 0, 0);
        }
        let top2 = |c: u32| num((c >> 16) as u64);
        h(24, top2(cl(ii - 1)), 0, 0);
        h(25, top2(cl(ii + 1)), 0, 0);
        h(26, num((cl(ii - 1) >> 8) as u64), top2(c), 0);
        h(27, top2(c), num((cl(ii + 1) >> 8) as u64), 0);
        h(35, bare(ii - 1), top2(c), 0);
        h(28, t.freq as u64, 0, 0);
        h(29, t.prefix, t.freq as u64, 0);
        // Gazetteers: type and position of the match covering this token.
        for (tmpl, m) in [(30u8, t.gaz), (31, t.boot)] {
            for ty in 0..4u64 {
                if m.mask & (1 << ty) != 0 {
                    let pos = if m.single {
                        1
                    } else if m.begin {
                        2
                    } else {
                        3
                    };
                    h(tmpl, ty, pos, 0);
                }
            }
        }
        for (tmpl, m) in [(32u8, gz(ii - 1)), (33, gz(ii + 1))] {
            if m.mask != 0 {
                h(tmpl, m.mask as u64, m.begin as u64, 0);
            }
        }
        // Which roles the word plays inside known names (first name, family name…).
        for (tmpl, roles) in [(36u8, t.roles_gaz), (37, t.roles_boot)] {
            if roles != 0 {
                h(tmpl, roles as u64, 0, 0);
                for bit in 0..8u64 {
                    if roles & (1 << bit) != 0 {
                        h(tmpl + 2, bit, 0, 0);
                    }
                }
            }
        }
        // How the unlabeled news tagged this form (and its neighbours).
        for (base, ct) in [(50u8, t.corpus), (61, t.context), (84, t.doc)] {
            let typed: u32 = ct.typed.iter().sum();
            if typed > 0 {
                let mut best = (0usize, 0u32);
                for ty in 0..4 {
                    let k = ct.typed[ty];
                    if k > 0 {
                        h(base, ty as u64, share5(k, ct.total) as u64, 0);
                        if k > best.1 {
                            best = (ty, k);
                        }
                    }
                }
                let role = u64::from(ct.begins[best.0] * 2 >= best.1);
                h(
                    base + 1,
                    best.0 as u64,
                    share5(best.1, ct.total) as u64,
                    freq_bucket(ct.total) as u64,
                );
                h(base + 2, best.0 as u64, role, 0);
            } else if t.freq > 0 {
                h(base + 3, t.freq as u64, 0, 0);
            }
        }
        h(54, major(ii - 1) as u64, t.corpus_major as u64, 0);
        h(55, t.corpus_major as u64, major(ii + 1) as u64, 0);
        // Head noun + relational adjective («البنك التجاري», «الاتحاد الافريقي»):
        // generalizes over the adjective, which is often new.
        h(56, t.bare, isn(ii + 1), 0);
        h(57, bare(ii - 1), isn(ii), 0);
        h(58, isn(ii - 1), isn(ii), isn(ii + 1));
        // A conjunction/preposition clitic after a name: new name or not («عنان وصبري»).
        h(59, t.prefix, major(ii - 1) as u64, 0);
        h(60, t.prefix, num((cl(ii - 1) >> 24) as u64), 0);
        // …and seen from the name before it: does the next word start a new one?
        let pfx = |i: isize| at(i).map_or(if i < 0 { BOS } else { EOS }, |t| t.prefix);
        h(76, pfx(ii + 1), 0, 0);
        h(77, pfx(ii + 1), major(ii + 1) as u64, t.corpus_major as u64);
        h(78, pfx(ii - 1), 0, 0);
        // Collocations: how sticky the links to the previous and next words are.
        let lp = at(ii - 1).map_or(99, |x| x.next_link as u64);
        let ln = t.next_link as u64;
        h(88, lp, 0, 0);
        h(89, ln, 0, 0);
        h(90, lp, ln, 0);
        h(91, lp, t.shape as u64, shp(ii - 1));
        // The types of the nearest known names in the embedding space.
        if let Some(v) = t.votes {
            let sim = (v[4] / 20).min(4) as u64;
            let (best, &bs) = v[..4]
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                .unwrap_or((0, &0));
            h(80, best as u64, (bs / 20).min(4) as u64, sim);
            for (ty, &share) in v[..4].iter().enumerate() {
                if share >= 20 {
                    h(81, ty as u64, (share / 20).min(4) as u64, 0);
                }
            }
            h(82, sim, 0, 0);
        } else {
            h(82, 99, 0, 0);
        }
        // Trigger words: this one, the nearest within three before, the next one.
        if t.trigger != 0 {
            h(73, t.trigger as u64, 0, 0);
        }
        for d in 1..=3isize {
            if let Some(x) = at(ii - d)
                && x.trigger != 0
            {
                h(72, x.trigger as u64, d as u64, 0);
                h(75, x.trigger as u64, t.cluster.wrapping_shr(24) as u64, 0);
                break;
            }
        }
        if let Some(x) = at(ii + 1)
            && x.trigger != 0
        {
            h(74, x.trigger as u64, 0, 0);
        }
        // Inside a short quotation: titles, brands, newspapers («الشرق الأوسط»).
        let (qpos, open) = t.quote;
        if qpos != 0 {
            h(43, qpos as u64, 0, 0);
            h(44, bare(open as isize - 1), 0, 0);
            h(45, bare(open as isize - 1), qpos as u64, 0);
        }
    }
    offsets.push(hashes.len() as u32);
}

/// Document-consistency features ([`crate::doc`]) of one sentence, given the
/// evidence for each of its tokens; tokens without evidence get none.
pub fn extract_doc(ev: &[Evidence], out: &mut SentenceFeatures) {
    out.hashes.clear();
    out.offsets.clear();
    for e in ev {
        out.offsets.push(out.hashes.len() as u32);
        if e.others == 0 {
            continue;
        }
        let typed: u16 = e.typed.iter().sum();
        let mut h = |t: u8, a: u64, b: u64| out.hashes.push(mix(t, a, b, 0));
        h(46, count_bucket(e.others) as u64, (typed > 0) as u64);
        for t in 0..4 {
            let n = e.typed[t];
            if n == 0 {
                continue;
            }
            h(47, t as u64, share_bucket(n, e.others) as u64);
            h(48, t as u64, count_bucket(n) as u64);
            h(49, t as u64, u64::from(e.begins[t] * 2 >= n));
        }
    }
    out.offsets.push(out.hashes.len() as u32);
}

/// True for a token made only of quotation marks (after search normalization
/// every typographic quote is `"` or `'`; ANERcorp also writes `''`).
fn is_quote(norm: &str) -> bool {
    !norm.is_empty() && norm.chars().all(|c| c == '"' || c == '\'')
}

/// Marks each token's place inside a short quotation (`quote.0`: 0 = not
/// inside, 1 only token, 2 first, 3 last, 4 middle; `quote.1`: index of the
/// opening mark). Quotation marks pair up left to right within the sentence.
fn quote_spans(norms: &[&str], info: &mut [TokInfo]) {
    let mut open: Option<usize> = None;
    for (b, n) in norms.iter().enumerate() {
        if !is_quote(n) {
            continue;
        }
        let Some(a) = open.take() else {
            open = Some(b);
            continue;
        };
        if b - a < 2 || b - a - 1 > MAX_QUOTE {
            continue;
        }
        for (k, t) in info[a + 1..b].iter_mut().enumerate() {
            let i = a + 1 + k;
            let pos = if b - a == 2 {
                1
            } else if i == a + 1 {
                2
            } else if i == b - 1 {
                3
            } else {
                4
            };
            t.quote = (pos, a as u32);
        }
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

    fn with_res(f: impl FnOnce(Resources<'_>)) {
        let lx = Lexicon::new(&LexiconData::default());
        let g = Gazetteer::new(&GazetteerData::default());
        let ct = CorpusTags::default();
        let nb = Neighbors::default();
        let co = crate::collocations::Collocations::default();
        f(Resources {
            lexicon: &lx,
            gazetteer: &g,
            bootstrap: &g,
            corpus_tags: &ct,
            context_tags: &ct,
            doc_tags: &ct,
            collocations: &co,
            neighbors: &nb,
        })
    }

    #[test]
    fn features_are_deterministic_and_per_token() {
        with_res(|res| {
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
        });
    }

    #[test]
    fn dropout_removes_only_identity_features() {
        with_res(|res| {
            let mut sc = Scratch::default();
            let mut a = SentenceFeatures::default();
            let mut b = SentenceFeatures::default();
            extract(res, &["قال", "فولكسفاغن"], &mut sc, &mut a);
            extract_with_dropout(res, &["قال", "فولكسفاغن"], &mut sc, &mut b, &[false, true]);
            assert_eq!(a.of(0), b.of(0));
            assert_eq!(a.of(1).len(), b.of(1).len() + 6);
            assert!(b.of(1).iter().all(|h| a.of(1).contains(h)));
        });
    }

    #[test]
    fn quotations() {
        let norms = ["برنامج", "\"", "الناس", "وانا", "\"", "و", "''", "x", "''"];
        let mut info = vec![TokInfo::default(); norms.len()];
        quote_spans(&norms, &mut info);
        assert_eq!(info[0].quote, (0, 0));
        assert_eq!(info[2].quote, (2, 1));
        assert_eq!(info[3].quote, (3, 1));
        assert_eq!(info[5].quote, (0, 0));
        assert_eq!(info[7].quote, (1, 6));
        let norms = ["\"", "a", "b"];
        let mut info = vec![TokInfo::default(); norms.len()];
        quote_spans(&norms, &mut info);
        assert!(info.iter().all(|x| x.quote.0 == 0));
    }

    #[test]
    fn shapes() {
        assert_eq!(Shape::of("بوتين"), Shape::Arabic);
        assert_eq!(Shape::of("2011"), Shape::Digits);
        assert_eq!(Shape::of("\""), Shape::Quote);
        assert_eq!(Shape::of("(د"), Shape::ArabicPunct);
        assert_eq!(Shape::of("cnn"), Shape::Latin);
        assert_eq!(Shape::of(""), Shape::Empty);
    }

    #[test]
    fn relational_adjectives() {
        assert!(nisba("تجاري"));
        assert!(nisba("افريقيه"));
        assert!(!nisba("بنك"));
        assert!(!nisba("علي"));
    }
}
