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

/// What near-duplicate search keeps of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// The shingle set: 32-bit shingle hashes, sorted, without repeats (exact verification).
    pub shingles: Vec<u32>,
    /// The MinHash signature (`num_hashes` values); empty for a document without words.
    pub signature: Vec<u32>,
    /// Content words in the document.
    pub words: u32,
}

impl Fingerprint {
    /// True when the document had no content words (it can match nothing).
    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty()
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
    key_bytes: Vec<u8>,
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

    /// The fingerprint of a text.
    pub fn fingerprint(&self, text: &str, scratch: &mut FingerprintScratch) -> Fingerprint {
        let mut hashes = std::mem::take(&mut scratch.word_hashes);
        hashes.clear();
        NormWords.for_each(text, &mut scratch.words, &mut |w| {
            hashes.push(self.word_hash(w))
        });
        let fp = self.fingerprint_word_hashes(&hashes, scratch);
        scratch.word_hashes = hashes;
        fp
    }

    /// The fingerprint of a document given as the hashes of its words ([`Self::word_hash`]).
    pub fn fingerprint_word_hashes(
        &self,
        word_hashes: &[u64],
        scratch: &mut FingerprintScratch,
    ) -> Fingerprint {
        let k = self.params.shingle_words;
        let n = word_hashes.len();
        if n == 0 {
            return Fingerprint::default();
        }
        let bins = self.params.num_hashes;
        let mut signature = vec![u32::MAX; bins];
        let mut filled = vec![false; bins];
        let mut shingles = Vec::with_capacity(n.saturating_sub(k) + 1);
        let bytes = &mut scratch.key_bytes;
        let mut add = |h: u64| {
            let bin = (((h >> 32) * bins as u64) >> 32) as usize;
            let v = h as u32;
            signature[bin] = signature[bin].min(v);
            filled[bin] = true;
            shingles.push(v);
        };
        // A document shorter than one shingle is one shingle of all its words.
        let windows = if n >= k { n - k + 1 } else { 1 };
        let width = k.min(n);
        for w in 0..windows {
            bytes.clear();
            for h in &word_hashes[w..w + width] {
                bytes.extend_from_slice(&h.to_le_bytes());
            }
            add(xxh3_64_with_seed(bytes, self.shingle_seed));
        }
        self.densify(&mut signature, &filled);
        shingles.sort_unstable();
        shingles.dedup();
        Fingerprint {
            shingles,
            signature,
            words: n.min(u32::MAX as usize) as u32,
        }
    }

    /// Optimal densification: an empty bin takes the value of the first filled bin
    /// on its own seeded probe sequence (the same sequence for every document).
    fn densify(&self, signature: &mut [u32], filled: &[bool]) {
        let bins = signature.len();
        if filled.iter().all(|&f| f) || !filled.iter().any(|&f| f) {
            return;
        }
        let original: Vec<u32> = signature.to_vec();
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
        let mut buf = Vec::with_capacity(rows * 4);
        for (band, chunk) in signature.chunks_exact(rows).enumerate() {
            buf.clear();
            for v in chunk {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            out.push(xxh3_64_with_seed(
                &buf,
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
        let p = fp(SAMPLE);
        assert_eq!(p.words, 18);
        assert_eq!(p.shingles.len(), 16);
        assert_eq!(
            &p.shingles[..4],
            &[259105961, 509539886, 536564144, 642196797]
        );
        assert_eq!(
            &p.signature[..8],
            &[
                4259955559, 706240633, 1576938308, 2106956426, 3291793012, 3260899266, 2779795456,
                536564144
            ]
        );
        let mut keys = Vec::new();
        f.band_keys(&p.signature, &mut keys);
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

    #[test]
    fn signature_estimates_jaccard() {
        // Two long synthetic documents sharing about half their shingles.
        let words: Vec<String> = (0..2000).map(|i| format!("كلمة{i}")).collect();
        let a = words[..1200].join(" ");
        let b = words[400..1600].join(" ");
        let (fa, fb) = (fp(&a), fp(&b));
        let exact = jaccard(&fa.shingles, &fb.shingles);
        assert!((exact - 0.5).abs() < 0.01, "{exact}");
        let est = estimate(&fa.signature, &fb.signature);
        assert!(
            (est - exact).abs() < 0.15,
            "estimate {est} vs exact {exact}"
        );
        // Identical texts: identical signatures; disjoint texts: (almost) nothing equal.
        assert_eq!(estimate(&fa.signature, &fp(&a).signature), 1.0);
        let c = words[1600..].join(" ");
        assert!(estimate(&fa.signature, &fp(&c).signature) < 0.1);
    }

    #[test]
    fn short_and_empty_documents() {
        let e = fp("  ... ؟ ");
        assert!(e.is_empty() && e.signature.is_empty());
        let one = fp("حلب");
        assert_eq!(one.shingles.len(), 1);
        // Densified: every bin carries the one shingle's value.
        assert!(one.signature.iter().all(|&v| v == one.shingles[0]));
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
