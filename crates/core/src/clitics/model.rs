//! The clitic model file: format, loading and the run-time decision.
//!
//! A model holds what the trainer learned from a news corpus:
//! - the decision for every frequent word (`word → stack × 16 + enclitic`),
//!   so a known word costs one hash lookup;
//! - for unknown words, how much each stem and lemma-like key was used in the
//!   corpus and how often a letter next to a clitic position was a clitic,
//!   so their candidates can be scored the way the trainer scored rare words.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! MAGIC (15 bytes "KHABAR-CLITICS\n") | format version u32 | payload length u32
//! payload:
//!   params:      u32 n, n × f32
//!   words:       table of u16   (u32 n, n × u64 key sorted, n × value)
//!   stems:       table of u8    (quantized ln(1 + mass) × 16)
//!   lemmas:      table of u8
//!   prefix ctx:  table of i8    (log-odds × 16)
//!   suffix ctx:  table of i8
//!   manifest:    u32 n, n bytes of UTF-8 (how the model was made)
//! checksum u64 = xxh3-64 of the payload, seeded with KEY_SEED
//! ```
//!
//! Keys are seeded xxh3 hashes of the segmentation-form bytes, so the file
//! does not spell out the vocabulary and lookups cost one hash.

use super::grammar::{Analysis, NoEvidence, STACKS, candidates, enclitic, lemma_key, stem_keys};
use crate::Error;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// First bytes of every clitic model file.
pub const MAGIC: &[u8; 15] = b"KHABAR-CLITICS\n";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Seed of the xxh3 hashes used as keys and checksum.
pub(crate) const KEY_SEED: u64 = 0x6b68_6162_6172_0001;

/// The hash key of a string.
#[inline]
pub(crate) fn key_of(s: &[u8]) -> u64 {
    let h = xxh3_64_with_seed(s, KEY_SEED);
    if h == 0 { 1 } else { h }
}

/// Key of a context: the clitic, a separator that is not a letter, the neighbours.
pub(crate) fn ctx_key(clitic: &str, sep: u8, neighbours: &str) -> u64 {
    let mut buf = [0u8; 32];
    let c = clitic.as_bytes();
    let n = neighbours.as_bytes();
    if c.len() + 1 + n.len() > buf.len() {
        let mut v = Vec::with_capacity(c.len() + 1 + n.len());
        v.extend_from_slice(c);
        v.push(sep);
        v.extend_from_slice(n);
        return key_of(&v);
    }
    buf[..c.len()].copy_from_slice(c);
    buf[c.len()] = sep;
    buf[c.len() + 1..c.len() + 1 + n.len()].copy_from_slice(n);
    key_of(&buf[..c.len() + 1 + n.len()])
}

/// Up to two characters of `word` after its first character (the neighbours of
/// an outer proclitic).
pub(crate) fn after_first(word: &str) -> &str {
    let mut it = word.char_indices().skip(1);
    let Some((a, _)) = it.next() else { return "" };
    let end = it.nth(1).map_or(word.len(), |(i, _)| i);
    &word[a..end]
}

/// Up to two characters before the last `enc_len` bytes of `word`.
pub(crate) fn before_suffix(word: &str, enc_len: usize) -> &str {
    let end = word.len().saturating_sub(enc_len);
    let head = &word[..end];
    let mut it = head.char_indices().rev();
    let start = match (it.next(), it.next()) {
        (Some(_), Some((i, _))) => i,
        (Some((i, _)), None) => i,
        _ => end,
    };
    &word[start..end]
}

/// Quantizes a corpus mass for storage.
pub(crate) fn quantize_mass(m: f64) -> u8 {
    (16.0 * (1.0 + m.max(0.0)).ln()).round().clamp(0.0, 255.0) as u8
}

fn dequantize_mass(q: u8) -> f64 {
    (f64::from(q) / 16.0).exp() - 1.0
}

/// Quantizes a log-odds for storage.
pub(crate) fn quantize_logodds(v: f64) -> i8 {
    (v * 16.0).round().clamp(-127.0, 127.0) as i8
}

/// A read-only hash table from keys to 16-bit values (open addressing). Each
/// slot packs a 48-bit fingerprint of the key (its high bits) with the value,
/// so a lookup touches one cache line; the low bits of the key pick the slot.
/// A fingerprint collision with an unknown key (odds 2⁻⁴⁸ per stored key) can
/// only yield a value, never a crash: word decisions are checked against the word.
#[derive(Clone, Debug, Default)]
pub(crate) struct PackedTable {
    slots: Vec<u64>,
    mask: usize,
    len: usize,
}

impl PackedTable {
    /// A table of `pairs` (keys unique) at most two-thirds full.
    pub fn from_pairs(pairs: impl ExactSizeIterator<Item = (u64, u16)>) -> PackedTable {
        let n = pairs.len();
        let cap = (n + n / 2).next_power_of_two().max(2);
        let mut slots = vec![0u64; cap];
        let mask = cap - 1;
        for (k, v) in pairs {
            let fp = fingerprint(k);
            let mut i = (k as usize) & mask;
            while slots[i] != 0 && slots[i] >> 16 != fp {
                i = (i + 1) & mask;
            }
            slots[i] = (fp << 16) | u64::from(v);
        }
        PackedTable {
            slots,
            mask,
            len: n,
        }
    }

    #[inline]
    pub fn get(&self, k: u64) -> Option<u16> {
        let fp = fingerprint(k);
        let mut i = (k as usize) & self.mask;
        loop {
            let s = *self.slots.get(i)?;
            if s == 0 {
                return None;
            }
            if s >> 16 == fp {
                return Some(s as u16);
            }
            i = (i + 1) & self.mask;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

/// The 48 bits of a key a [`PackedTable`] keeps (never 0, which marks an empty slot).
#[inline]
pub(crate) fn fingerprint(k: u64) -> u64 {
    let fp = k >> 16;
    if fp == 0 { 1 } else { fp }
}

/// Bit of a stored word decision marking one of the most frequent words, which
/// also go to a small table that stays in cache.
pub(crate) const HOT_WORD: u16 = 0x8000;

/// Numbers the run-time decision needs besides the tables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Params {
    /// Weight of the stem evidence against the context log-odds.
    pub gamma: f64,
    /// Smoothing added to the evidence before the logarithm.
    pub eps: f64,
    /// Weight of the lemma-key mass in a stem's evidence.
    pub lam: f64,
    /// Prior of the article for unknown words.
    pub art_bias: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            gamma: 1.0,
            eps: 0.5,
            lam: 0.18,
            art_bias: 3.0,
        }
    }
}

impl Params {
    fn to_vec(self) -> Vec<f32> {
        vec![
            self.gamma as f32,
            self.eps as f32,
            self.lam as f32,
            self.art_bias as f32,
        ]
    }

    fn from_slice(v: &[f32]) -> Params {
        let d = Params::default();
        let g = |i: usize, dv: f64| v.get(i).map_or(dv, |&x| f64::from(x));
        Params {
            gamma: g(0, d.gamma),
            eps: g(1, d.eps),
            lam: g(2, d.lam),
            art_bias: g(3, d.art_bias),
        }
    }
}

/// A loaded clitic model.
#[derive(Clone, Debug, Default)]
pub(crate) struct Model {
    pub params: Params,
    /// Decisions of the most frequent words (a subset of `words`).
    pub hot_words: PackedTable,
    pub words: PackedTable,
    pub stems: PackedTable,
    pub lemmas: PackedTable,
    pub prefix_ctx: PackedTable,
    pub suffix_ctx: PackedTable,
    pub manifest: String,
}

/// Everything a model file holds, in sorted order, ready to be written.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModelData {
    pub params: Params,
    pub words: Vec<(u64, u16)>,
    pub stems: Vec<(u64, u8)>,
    pub lemmas: Vec<(u64, u8)>,
    pub prefix_ctx: Vec<(u64, i8)>,
    pub suffix_ctx: Vec<(u64, i8)>,
    pub manifest: String,
}

trait Scalar: Copy + Default {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
}

impl Scalar for u16 {
    const SIZE: usize = 2;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        u16::from_le_bytes([b[0], b[1]])
    }
}

impl Scalar for u8 {
    const SIZE: usize = 1;
    fn put(self, out: &mut Vec<u8>) {
        out.push(self);
    }
    fn get(b: &[u8]) -> Self {
        b[0]
    }
}

impl Scalar for i8 {
    const SIZE: usize = 1;
    fn put(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
    fn get(b: &[u8]) -> Self {
        b[0] as i8
    }
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_le_bytes());
}

fn put_table<V: Scalar>(out: &mut Vec<u8>, pairs: &[(u64, V)]) {
    put_u32(out, pairs.len());
    for (k, _) in pairs {
        out.extend_from_slice(&k.to_le_bytes());
    }
    for (_, v) in pairs {
        v.put(out);
    }
}

/// A cursor over the payload that reports where it ran out.
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        if self.b.len() < n {
            return Err(Error::ModelCorrupt { what });
        }
        let (a, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(a)
    }

    fn u32(&mut self, what: &'static str) -> Result<usize, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn table<V: Scalar>(&mut self, what: &'static str) -> Result<Vec<(u64, V)>, Error> {
        let n = self.u32(what)?;
        let keys = self.take(n.checked_mul(8).ok_or(Error::ModelCorrupt { what })?, what)?;
        let vals = self.take(
            n.checked_mul(V::SIZE).ok_or(Error::ModelCorrupt { what })?,
            what,
        )?;
        let mut out = Vec::with_capacity(n);
        let mut prev = 0u64;
        for i in 0..n {
            let k = u64::from_le_bytes(keys[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
            // Keys are sorted and never 0: anything else is a damaged file.
            if k == 0 || (i > 0 && k <= prev) {
                return Err(Error::ModelCorrupt { what });
            }
            prev = k;
            out.push((k, V::get(&vals[i * V::SIZE..])));
        }
        Ok(out)
    }
}

impl ModelData {
    /// The model file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        let params = self.params.to_vec();
        put_u32(&mut payload, params.len());
        for p in params {
            payload.extend_from_slice(&p.to_le_bytes());
        }
        put_table(&mut payload, &self.words);
        put_table(&mut payload, &self.stems);
        put_table(&mut payload, &self.lemmas);
        put_table(&mut payload, &self.prefix_ctx);
        put_table(&mut payload, &self.suffix_ctx);
        put_u32(&mut payload, self.manifest.len());
        payload.extend_from_slice(self.manifest.as_bytes());
        let mut out = Vec::with_capacity(payload.len() + 40);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        put_u32(&mut out, payload.len());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&xxh3_64_with_seed(&payload, KEY_SEED).to_le_bytes());
        out
    }

    /// Parses model file bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelData, Error> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::ModelMagic);
        }
        let mut r = Reader {
            b: &bytes[MAGIC.len()..],
        };
        let version = r.u32("header")? as u32;
        if version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let len = r.u32("header")?;
        let payload = r.take(len, "payload")?;
        let sum = r.take(8, "checksum")?;
        if u64::from_le_bytes(sum.try_into().unwrap_or([0; 8]))
            != xxh3_64_with_seed(payload, KEY_SEED)
        {
            return Err(Error::ModelCorrupt { what: "checksum" });
        }
        let mut r = Reader { b: payload };
        let n = r.u32("params")?;
        let raw = r.take(
            n.checked_mul(4)
                .ok_or(Error::ModelCorrupt { what: "params" })?,
            "params",
        )?;
        let params: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let words = r.table::<u16>("words")?;
        let stems = r.table::<u8>("stems")?;
        let lemmas = r.table::<u8>("lemmas")?;
        let prefix_ctx = r.table::<i8>("prefix context")?;
        let suffix_ctx = r.table::<i8>("suffix context")?;
        let n = r.u32("manifest")?;
        let manifest = std::str::from_utf8(r.take(n, "manifest")?)
            .map_err(|_| Error::ModelCorrupt { what: "manifest" })?
            .to_string();
        Ok(ModelData {
            params: Params::from_slice(&params),
            words,
            stems,
            lemmas,
            prefix_ctx,
            suffix_ctx,
            manifest,
        })
    }

    /// The run-time model.
    pub fn build(&self) -> Model {
        Model {
            params: self.params,
            hot_words: PackedTable::from_pairs(
                self.words
                    .iter()
                    .filter(|(_, v)| v & HOT_WORD != 0)
                    .map(|&(k, v)| (k, v & !HOT_WORD))
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
            words: PackedTable::from_pairs(self.words.iter().map(|&(k, v)| (k, v & !HOT_WORD))),
            stems: PackedTable::from_pairs(self.stems.iter().map(|&(k, v)| (k, u16::from(v)))),
            lemmas: PackedTable::from_pairs(self.lemmas.iter().map(|&(k, v)| (k, u16::from(v)))),
            prefix_ctx: PackedTable::from_pairs(
                self.prefix_ctx
                    .iter()
                    .map(|&(k, v)| (k, u16::from(v as u8))),
            ),
            suffix_ctx: PackedTable::from_pairs(
                self.suffix_ctx
                    .iter()
                    .map(|&(k, v)| (k, u16::from(v as u8))),
            ),
            manifest: self.manifest.clone(),
        }
    }
}

/// True if the word may have a clitic: it starts with a proclitic letter
/// (و ف ب ك ل س, or ا of the article) or ends with the last letter of an
/// enclitic (ه ا م ن ك ي). Checked on bytes: all these letters are two bytes.
#[inline]
pub(crate) fn may_have_clitic(word: &str) -> bool {
    let b = word.as_bytes();
    let n = b.len();
    if n < 2 {
        return false;
    }
    let first = matches!(
        (b[0], b[1]),
        (0xD9, 0x88 | 0x81 | 0x83 | 0x84) | (0xD8, 0xA8 | 0xB3 | 0xA7)
    );
    let last = matches!(
        (b[n - 2], b[n - 1]),
        (0xD9, 0x87 | 0x85 | 0x86 | 0x83 | 0x8A) | (0xD8, 0xA7)
    );
    first || last
}

impl Model {
    /// The analysis of `word` (segmentation form): the stored decision, or
    /// `unknown()` (normally [`Model::analyze_unknown`]) for a word not stored.
    #[inline]
    pub fn analyze(&self, word: &str, unknown: impl FnOnce() -> Analysis) -> Analysis {
        if !may_have_clitic(word) {
            return Analysis::unsplit(word);
        }
        if let Some(code) = self.lookup(key_of(word.as_bytes()))
            && let Some(a) = Analysis::from_code(word, code)
        {
            return a;
        }
        unknown()
    }

    /// The stored decision for a word key: the small table of frequent words first.
    #[inline]
    pub fn lookup(&self, k: u64) -> Option<u16> {
        self.hot_words.get(k).or_else(|| self.words.get(k))
    }

    /// The decision for a word the corpus did not decide: the candidate with the
    /// best context log-odds plus stem evidence.
    pub fn analyze_unknown(&self, word: &str, scratch: &mut Vec<Analysis>) -> Analysis {
        candidates(word, &NoEvidence, scratch);
        if scratch.len() == 1 {
            return scratch[0];
        }
        let p = &self.params;
        let mut best: Option<(f64, Analysis)> = None;
        for a in scratch.iter() {
            let s = if a.is_unsplit() {
                p.gamma * (self.evidence(word) + p.eps).ln()
            } else {
                let mut s = 0.0;
                let st = &STACKS[a.stack as usize];
                if let Some(x) = st.outer_letter() {
                    let mut b = [0u8; 4];
                    let k = ctx_key(x.encode_utf8(&mut b), 0, after_first(word));
                    s += self
                        .prefix_ctx
                        .get(k)
                        .map_or(0.0, |v| f64::from(v as u8 as i8) / 16.0);
                }
                if a.enc != 0 {
                    let e = enclitic(a.enc);
                    let k = ctx_key(e, 1, before_suffix(word, e.len()));
                    s += self
                        .suffix_ctx
                        .get(k)
                        .map_or(0.0, |v| f64::from(v as u8 as i8) / 16.0);
                }
                let mut ev: f64 = 0.0;
                stem_keys(a, word, |k| ev = ev.max(self.evidence(k)));
                s += p.gamma * (ev + p.eps).ln();
                if st.has_article() {
                    s += p.art_bias;
                }
                s
            };
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, *a));
            }
        }
        best.map_or(Analysis::unsplit(word), |(_, a)| a)
    }

    /// How much the corpus used `stem` as a stem, its lemma-like key included.
    fn evidence(&self, stem: &str) -> f64 {
        let m = self
            .stems
            .get(key_of(stem.as_bytes()))
            .map_or(0.0, |q| dequantize_mass(q as u8));
        let l = self
            .lemmas
            .get(key_of(lemma_key(stem).as_bytes()))
            .map_or(0.0, |q| dequantize_mass(q as u8));
        m + self.params.lam * l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clitic_letters() {
        assert!(may_have_clitic("والد"));
        assert!(may_have_clitic("كتابه"));
        assert!(may_have_clitic("انتم"));
        assert!(!may_have_clitic("قرر"));
        assert!(!may_have_clitic(""));
    }

    #[test]
    fn neighbours() {
        assert_eq!(after_first("وبالكرملين"), "با");
        assert_eq!(after_first("وب"), "ب");
        assert_eq!(after_first("و"), "");
        assert_eq!(before_suffix("كتابه", 2), "اب");
        assert_eq!(before_suffix("به", 2), "ب");
        assert_eq!(before_suffix("ه", 2), "");
    }

    #[test]
    fn round_trip_and_typed_errors() {
        let data = ModelData {
            params: Params::default(),
            words: vec![
                (0x1234_5678_9abc_0005, 3),
                (0x2234_5678_9abc_0009, 17 | HOT_WORD),
            ],
            stems: vec![(7, 200)],
            lemmas: vec![],
            prefix_ctx: vec![(11, -3)],
            suffix_ctx: vec![(12, 4)],
            manifest: "test".into(),
        };
        let bytes = data.to_bytes();
        let back = ModelData::from_bytes(&bytes).unwrap();
        assert_eq!(back.words, data.words);
        assert_eq!(back.prefix_ctx, data.prefix_ctx);
        assert_eq!(back.manifest, "test");
        let m = back.build();
        assert_eq!(m.words.get(0x2234_5678_9abc_0009), Some(17));
        assert_eq!(m.hot_words.get(0x2234_5678_9abc_0009), Some(17));
        assert_eq!(m.hot_words.get(0x1234_5678_9abc_0005), None);
        assert_eq!(m.prefix_ctx.get(11).map(|v| v as u8 as i8), Some(-3));
        assert_eq!(m.words.get(0x1234_5678_9abc_0005), Some(3));
        assert_eq!(m.words.get(0x3234_5678_9abc_0005), None);

        assert!(matches!(
            ModelData::from_bytes(b"not a model at all"),
            Err(Error::ModelMagic)
        ));
        let mut v2 = bytes.clone();
        v2[MAGIC.len()] = 99;
        assert!(matches!(
            ModelData::from_bytes(&v2),
            Err(Error::ModelVersion { found: 99, .. })
        ));
        let mut bad = bytes.clone();
        let n = bad.len();
        bad[n - 12] ^= 1;
        assert!(matches!(
            ModelData::from_bytes(&bad),
            Err(Error::ModelCorrupt { .. })
        ));
        assert!(matches!(
            ModelData::from_bytes(&bytes[..bytes.len() - 3]),
            Err(Error::ModelCorrupt { .. })
        ));
    }
}
