//! MinHash fingerprints of documents, for near-duplicate search with LSH.
//!
//! A document becomes the set of its *shingles*: runs of `shingle_words`
//! consecutive search-normalized content words (see [`crate::words`]), so
//! «إعادة» and «اعادة» shingle alike. Each word is hashed once with seeded
//! xxh3; a shingle's hash is seeded xxh3 over the little-endian bytes of its
//! word hashes. Nothing depends on the platform, the run or a random state:
//! the same text and seed give the same fingerprint everywhere (golden values
//! are pinned by tests).
//!
//! The signature is **one-permutation MinHash with optimal densification**
//! (Li, Owen & Zhang 2012; Shrivastava 2017): the 64-bit shingle hash picks
//! one of `num_hashes` bins from its high 32 bits and competes for that bin's
//! minimum with its low 32 bits. Each bin of two signatures agrees with
//! probability equal to the Jaccard similarity of the two shingle sets, like
//! `num_hashes` independent permutations would, but a document costs one hash
//! per shingle instead of `num_hashes`. Empty bins (short documents) borrow
//! the value of the first non-empty bin along a probe sequence that depends
//! only on the bin index and the seed, so two documents borrow alike.
//!
//! LSH splits the signature into `bands` bands of `rows` rows and hashes each
//! band to a key (seeded xxh3 again); two documents become *candidates* when
//! one band key agrees, which happens with probability `1 - (1 - s^rows)^bands`
//! for Jaccard `s`. Candidates are then verified on the exact shingle sets,
//! which a [`Fingerprint`] keeps as sorted 32-bit shingle hashes.

use crate::words::{NormWords, WordScratch};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The seed of khabar's published fingerprints. Changing it changes every signature.
pub const DEFAULT_SEED: u64 = 0x6b68_6162_6172_0001; // "khabar", version 1

/// Most rows per band (more would make near-identical documents rare candidates anyway).
pub const MAX_ROWS: usize = 64;

/// How fingerprints are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinHashParams {
    /// Signature length (bins). 128 by default.
    pub num_hashes: usize,
    /// LSH bands; must divide `num_hashes`.
    pub bands: usize,
    /// Words per shingle (3 by default).
    pub shingle_words: usize,
    /// Master seed; every hash function is derived from it.
    pub seed: u64,
}

impl Default for MinHashParams {
    fn default() -> Self {
        MinHashParams {
            num_hashes: 128,
            bands: 16,
            shingle_words: 3,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters that cannot work.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ParamsError {
    /// `num_hashes` must be 1..=4096.
    #[error("num_hashes must be between 1 and 4096, not {0}")]
    NumHashes(usize),
    /// `bands` must be at least 1 and divide `num_hashes`.
    #[error("bands ({bands}) must be at least 1 and divide num_hashes ({num_hashes})")]
    Bands {
        /// Bands asked for.
        bands: usize,
        /// Signature length.
        num_hashes: usize,
    },
    /// At most 64 rows per band.
    #[error("rows per band (num_hashes / bands) must be at most 64, not {0}")]
    Rows(usize),
    /// `shingle_words` must be 1..=16.
    #[error("shingle_words must be between 1 and 16, not {0}")]
    ShingleWords(usize),
    /// A similarity threshold outside (0, 1].
    #[error("threshold must be in (0, 1], not {0}")]
    Threshold(f64),
}

impl MinHashParams {
    /// Rows per band.
    pub fn rows(&self) -> usize {
        self.num_hashes / self.bands.max(1)
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// A [`ParamsError`] naming the bad parameter.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if self.num_hashes == 0 || self.num_hashes > 4096 {
            return Err(ParamsError::NumHashes(self.num_hashes));
        }
        if self.bands == 0 || !self.num_hashes.is_multiple_of(self.bands) {
            return Err(ParamsError::Bands {
                bands: self.bands,
                num_hashes: self.num_hashes,
            });
        }
        if self.rows() > MAX_ROWS {
            return Err(ParamsError::Rows(self.rows()));
        }
        if self.shingle_words == 0 || self.shingle_words > 16 {
            return Err(ParamsError::ShingleWords(self.shingle_words));
        }
        Ok(())
    }

    /// Probability that two documents of Jaccard similarity `s` share at least one band.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        let r = self.rows() as i32;
        1.0 - (1.0 - s.clamp(0.0, 1.0).powi(r)).powi(self.bands as i32)
    }

    /// The similarity where the candidate curve is steepest, `(1/bands)^(1/rows)`:
    /// pairs well above it are almost always found, pairs well below rarely compared.
    pub fn lsh_threshold(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows() as f64)
    }
}

/// What near-duplicate search keeps of a document: its LSH band keys and its
/// shingles (for exact verification). The shingle list is turned into a sorted
/// set only when a candidate pair has to be verified, since most documents
/// never are.
#[derive(Clone, Debug, Default)]
pub struct Fingerprint {
    shingles: Vec<u32>,
    sorted: bool,
    /// One LSH key per band; empty for a document without words.
    pub bands: Vec<u64>,
    /// Content words in the document.
    pub words: u32,
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        let set = |f: &Fingerprint| {
            let mut s = f.shingles.clone();
            s.sort_unstable();
            s.dedup();
            s
        };
        self.bands == other.bands && self.words == other.words && set(self) == set(other)
    }
}

impl Fingerprint {
    /// True when the document had no content words (it can match nothing).
    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty()
    }

    /// The shingle set: 32-bit shingle hashes, sorted, without repeats.
    pub fn shingle_set(&mut self) -> &[u32] {
        if !self.sorted {
            self.shingles.sort_unstable();
            self.shingles.dedup();
            self.shingles.shrink_to_fit();
            self.sorted = true;
        }
        &self.shingles
    }

    /// Exact Jaccard similarity of the two shingle sets.
    pub fn jaccard(&mut self, other: &mut Fingerprint) -> f64 {
        jaccard(self.shingle_set(), other.shingle_set())
    }

    /// Bytes this fingerprint holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.shingles.capacity() * 4 + self.bands.capacity() * 8
    }
}

/// Makes [`Fingerprint`]s. Build once, share across threads.
#[derive(Clone, Debug)]
pub struct Fingerprinter {
    params: MinHashParams,
    word_seed: u64,
    shingle_seed: u64,
    densify_seed: u64,
    band_seed: u64,
}

/// Per-thread buffers of a [`Fingerprinter`].
#[derive(Default)]
pub struct FingerprintScratch {
    words: WordScratch,
    word_hashes: Vec<u64>,
    signature: Vec<u32>,
    filled: Vec<bool>,
    original: Vec<u32>,
}

fn derive(seed: u64, what: &[u8]) -> u64 {
    xxh3_64_with_seed(what, seed)
}

impl Fingerprinter {
    /// A fingerprinter with checked parameters.
    ///
    /// # Errors
    /// A [`ParamsError`] if the parameters cannot work.
    pub fn new(params: MinHashParams) -> Result<Fingerprinter, ParamsError> {
        params.validate()?;
        Ok(Fingerprinter {
            params,
            word_seed: derive(params.seed, b"word"),
            shingle_seed: derive(params.seed, b"shingle"),
            densify_seed: derive(params.seed, b"densify"),
            band_seed: derive(params.seed, b"band"),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &MinHashParams {
        &self.params
    }

    /// Seeded hash of one normalized word.
    #[inline]
    pub fn word_hash(&self, word: &[u8]) -> u64 {
        xxh3_64_with_seed(word, self.word_seed)
    }

    /// Hashes the normalized content words of `text` into `scratch` and returns them.
    fn hash_words(&self, text: &str, scratch: &mut FingerprintScratch) -> Vec<u64> {
        let mut hashes = std::mem::take(&mut scratch.word_hashes);
        hashes.clear();
        NormWords.map_into(text, &mut scratch.words, &mut hashes, |w| self.word_hash(w));
        hashes
    }

    /// The fingerprint of a text.
    pub fn fingerprint(&self, text: &str, scratch: &mut FingerprintScratch) -> Fingerprint {
        let hashes = self.hash_words(text, scratch);
        let fp = self.fingerprint_word_hashes(&hashes, scratch);
        scratch.word_hashes = hashes;
        fp
    }

    /// The MinHash signature of a text (`num_hashes` values; empty without words),
    /// for inspection and similarity estimates; dedup itself only needs the band keys.
    pub fn signature(&self, text: &str, scratch: &mut FingerprintScratch) -> Vec<u32> {
        let hashes = self.hash_words(text, scratch);
        let mut shingles = Vec::new();
        let filled = self.sketch(&hashes, scratch, &mut shingles);
        scratch.word_hashes = hashes;
        if filled {
            scratch.signature.clone()
        } else {
            Vec::new()
        }
    }

    /// The fingerprint of a document given as the hashes of its words ([`Self::word_hash`]).
    pub fn fingerprint_word_hashes(
        &self,
        word_hashes: &[u64],
        scratch: &mut FingerprintScratch,
    ) -> Fingerprint {
        let mut shingles = Vec::new();
        if !self.sketch(word_hashes, scratch, &mut shingles) {
            return Fingerprint::default();
        }
        let mut bands = Vec::with_capacity(self.params.bands);
        self.band_keys(&scratch.signature, &mut bands);
        Fingerprint {
            shingles,
            sorted: false,
            bands,
            words: word_hashes.len().min(u32::MAX as usize) as u32,
        }
    }

    /// Shingles the word hashes into `shingles` and leaves the densified signature in
    /// `scratch.signature`. Returns false for a document without words.
    fn sketch(
        &self,
        word_hashes: &[u64],
        scratch: &mut FingerprintScratch,
        shingles: &mut Vec<u32>,
    ) -> bool {
        let k = self.params.shingle_words;
        let n = word_hashes.len();
        if n == 0 {
            return false;
        }
        let bins = self.params.num_hashes;
        let signature = &mut scratch.signature;
        let filled = &mut scratch.filled;
        signature.clear();
        signature.resize(bins, u32::MAX);
        filled.clear();
        filled.resize(bins, false);
        // A document shorter than one shingle is one shingle of all its words.
        let windows = if n >= k { n - k + 1 } else { 1 };
        let width = k.min(n);
        shingles.reserve_exact(windows);
        let mut key = [0u8; 8 * 16];
        for w in 0..windows {
            for (j, h) in word_hashes[w..w + width].iter().enumerate() {
                key[8 * j..8 * j + 8].copy_from_slice(&h.to_le_bytes());
            }
            let h = xxh3_64_with_seed(&key[..8 * width], self.shingle_seed);
            let bin = (((h >> 32) * bins as u64) >> 32) as usize;
            let v = h as u32;
            signature[bin] = signature[bin].min(v);
            filled[bin] = true;
            shingles.push(v);
        }
        self.densify(signature, filled, &mut scratch.original);
        true
    }

    /// Optimal densification: an empty bin takes the value of the first filled bin
    /// on its own seeded probe sequence (the same sequence for every document).
    fn densify(&self, signature: &mut [u32], filled: &[bool], original: &mut Vec<u32>) {
        let bins = signature.len();
        if filled.iter().all(|&f| f) {
            return;
        }
        original.clear();
        original.extend_from_slice(signature);
        for i in 0..bins {
            if filled[i] {
                continue;
            }
            let mut found = None;
            for attempt in 0..(8 * bins as u64) {
                let key = ((i as u64) << 32) | attempt;
                let h = xxh3_64_with_seed(&key.to_le_bytes(), self.densify_seed);
                let j = (((h >> 32) * bins as u64) >> 32) as usize;
                if filled[j] {
                    found = Some(j);
                    break;
                }
            }
            // Practically never reached: the next filled bin going up, cyclically.
            let j = found.unwrap_or_else(|| {
                (1..bins)
                    .map(|d| (i + d) % bins)
                    .find(|&j| filled[j])
                    .unwrap_or(i)
            });
            signature[i] = original[j];
        }
    }

    /// The LSH band keys of a signature (one per band), appended to `out`.
    pub fn band_keys(&self, signature: &[u32], out: &mut Vec<u64>) {
        let rows = self.params.rows();
        let mut buf = [0u8; 4 * MAX_ROWS];
        for (band, chunk) in signature.chunks_exact(rows).enumerate() {
            for (j, v) in chunk.iter().enumerate() {
                buf[4 * j..4 * j + 4].copy_from_slice(&v.to_le_bytes());
            }
            out.push(xxh3_64_with_seed(
                &buf[..4 * rows],
                self.band_seed.wrapping_add(band as u64),
            ));
        }
    }
}

/// Exact Jaccard similarity of two sorted sets without repeats (0 when both are empty).
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Size of the intersection of two sorted sets without repeats.
pub fn intersection_size(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity estimated from two signatures (fraction of equal bins).
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(text: &str) -> Fingerprint {
        Fingerprinter::new(MinHashParams::default())
            .unwrap()
            .fingerprint(text, &mut FingerprintScratch::default())
    }

    const SAMPLE: &str = "قال الرئيس الروسي فلاديمير بوتين إن تحرير حلب خطوة مهمة جدا نحو إعادة الوضع إلى طبيعته في سوريا";

    #[test]
    fn golden_values_pin_the_hash_family() {
        // If this fails, every stored signature changes: bump DEFAULT_SEED's version instead.
        let f = Fingerprinter::new(MinHashParams::default()).unwrap();
        assert_eq!(f.word_hash("حلب".as_bytes()), 0x947c_489d_6e74_d666);
        let mut p = fp(SAMPLE);
        assert_eq!(p.words, 18);
        assert_eq!(p.shingle_set().len(), 16);
        assert_eq!(
            &p.shingle_set()[..4],
            &[259105961, 509539886, 536564144, 642196797]
        );
        let signature = f.signature(SAMPLE, &mut FingerprintScratch::default());
        assert_eq!(
            &signature[..8],
            &[
                4259955559, 706240633, 1576938308, 2106956426, 3291793012, 3260899266, 2779795456,
                536564144
            ]
        );
        let keys = &p.bands;
        assert_eq!(keys.len(), 16);
        assert_eq!(keys[0], 0x2a7e_cd29_474c_79d6);
        assert_eq!(keys[15], 0x37f7_14aa_14be_54c3);
    }

    #[test]
    fn normalization_makes_spelling_variants_identical() {
        let a = fp("أعلن الكرملين إعادة فتح السفارة في دمشق اليوم");
        let b = fp("اعلن الكرملين اعادة فتح السفارة في دمشق اليوم");
        let c = fp("اعلنَ الكرملينُ اعادة فتــح السفارة، في دمشق اليوم.");
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    fn sig(text: &str) -> Vec<u32> {
        Fingerprinter::new(MinHashParams::default())
            .unwrap()
            .signature(text, &mut FingerprintScratch::default())
    }

    #[test]
    fn signature_estimates_jaccard() {
        // Two long synthetic documents sharing about half their shingles.
        let words: Vec<String> = (0..2000).map(|i| format!("كلمة{i}")).collect();
        let a = words[..1200].join(" ");
        let b = words[400..1600].join(" ");
        let exact = fp(&a).jaccard(&mut fp(&b));
        assert!((exact - 0.5).abs() < 0.01, "{exact}");
        let est = estimate(&sig(&a), &sig(&b));
        assert!(
            (est - exact).abs() < 0.15,
            "estimate {est} vs exact {exact}"
        );
        // Identical texts: identical signatures; disjoint texts: (almost) nothing equal.
        assert_eq!(estimate(&sig(&a), &sig(&a)), 1.0);
        let c = words[1600..].join(" ");
        assert!(estimate(&sig(&a), &sig(&c)) < 0.1);
    }

    #[test]
    fn short_documents_are_densified() {
        // 20 shingles in 128 bins: most bins borrow, yet estimates stay sensible.
        let letters: Vec<char> = "ابتثجحخدذرسشصضطظعغفق".chars().collect();
        let words: Vec<String> = (0..22)
            .map(|i| format!("كلمة{}{}", letters[i / 20], letters[i % 20]))
            .collect();
        let a = sig(&words.join(" "));
        assert_eq!(a.len(), 128);
        let distinct: std::collections::BTreeSet<u32> = a.iter().copied().collect();
        assert!(distinct.len() <= 20);
        let b = sig(&words[..21].join(" "));
        let est = estimate(&a, &b);
        assert!(est > 0.75, "{est}");
    }

    #[test]
    fn short_and_empty_documents() {
        let e = fp("  ... ؟ ");
        assert!(e.is_empty() && e.bands.is_empty() && sig("  ... ؟ ").is_empty());
        let mut one = fp("حلب");
        assert_eq!(one.shingle_set().len(), 1);
        // Densified: every bin carries the one shingle's value.
        let v = one.shingle_set()[0];
        assert!(sig("حلب").iter().all(|&x| x == v));
        assert_eq!(fp("حلب"), one);
    }

    #[test]
    fn params_are_checked() {
        let bad = MinHashParams {
            bands: 7,
            ..MinHashParams::default()
        };
        assert!(matches!(
            Fingerprinter::new(bad),
            Err(ParamsError::Bands { .. })
        ));
        let p = MinHashParams::default();
        assert_eq!(p.rows(), 8);
        assert!((p.lsh_threshold() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-9);
        assert!(p.candidate_probability(0.9) > 0.99);
        assert!(p.candidate_probability(0.3) < 0.01);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(intersection_size(&[1, 5, 9], &[5, 9, 10, 11]), 2);
    }
}
