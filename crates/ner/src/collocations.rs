//! Collocations: how strongly two neighbouring words stick together in the
//! unlabeled news.
//!
//! The words of a multiword name recur together («المفوضية العليا المستقلة
//! للانتخابات», «كوريا الشمالية»), while a name's edge usually falls between
//! words that meet by chance. For every pair of adjacent search-normalized
//! forms seen often enough, the model stores a bucket of their pointwise
//! mutual information; the features tell the tagger how sticky the links to
//! the previous and the next word are, and it learns what that means for
//! where names begin and end.

use crate::clusters::{BREAK, Corpus};
use crate::lexicon::str_hash;
use crate::perceptron::FeatureMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Pairs seen fewer times are not stored.
pub const MIN_PAIR_COUNT: u32 = 3;

/// Serialized collocations: `(pair key, bucket)`, sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollocationData {
    /// Pair keys ([`pair_key`]) and their PMI buckets (1..=[`MAX_BUCKET`]).
    pub entries: Vec<(u64, u8)>,
}

/// Highest bucket.
pub const MAX_BUCKET: u8 = 8;

/// Key of an adjacent pair, from the [`str_hash`]es of the two forms.
#[inline]
pub fn pair_key(a: u64, b: u64) -> u64 {
    let h = (a ^ 0x636f_6c6c).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.rotate_left(31);
    h.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ (h >> 32)
}

/// PMI bucket: < 1 is not stored; then one bucket per unit of natural-log PMI, capped.
fn bucket(pmi: f64) -> u8 {
    if pmi < 1.0 {
        0
    } else {
        (pmi.floor() as u8).min(MAX_BUCKET)
    }
}

impl CollocationData {
    /// Counts adjacent pairs within sentences of `corpus`.
    pub fn from_corpus(corpus: &Corpus) -> CollocationData {
        let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
        let mut n = 0u64;
        for w in corpus.ids.windows(2) {
            if w[0] != BREAK {
                n += 1;
            }
            if w[0] == BREAK || w[1] == BREAK {
                continue;
            }
            *pairs.entry((w[0], w[1])).or_default() += 1;
        }
        let n = n.max(1) as f64;
        let hashes: Vec<u64> = corpus.forms.iter().map(|f| str_hash(f)).collect();
        let mut entries: Vec<(u64, u8)> = pairs
            .into_iter()
            .filter(|&(_, c)| c >= MIN_PAIR_COUNT)
            .filter_map(|((a, b), c)| {
                let (ca, cb) = (corpus.counts[a as usize], corpus.counts[b as usize]);
                let pmi = (c as f64 * n / (ca as f64 * cb as f64)).ln();
                let k = bucket(pmi);
                (k > 0).then(|| (pair_key(hashes[a as usize], hashes[b as usize]), k))
            })
            .collect();
        entries.sort_unstable();
        entries.dedup_by_key(|e| e.0);
        CollocationData { entries }
    }
}

/// Run-time lookup of [`CollocationData`].
#[derive(Clone, Debug, Default)]
pub struct Collocations {
    map: FeatureMap<u8>,
}

impl Collocations {
    /// Builds the map.
    pub fn new(data: &CollocationData) -> Collocations {
        Collocations {
            map: data.entries.iter().copied().collect(),
        }
    }

    /// Bucket of the pair of forms with these [`str_hash`]es (0 = not a collocation).
    #[inline]
    pub fn bucket(&self, a: u64, b: u64) -> u8 {
        self.map.get(&pair_key(a, b)).copied().unwrap_or(0)
    }

    /// Number of stored pairs.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if none is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticky_pairs_get_high_buckets_and_chance_pairs_none() {
        let mut c = Corpus::default();
        let analyzer = khabar_core::TextAnalyzer::default_analyzer();
        let mut a = khabar_core::Analysis::default();
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("كوريا الشمالية تعلن. كلمة{} في الخبر. ", i % 7));
        }
        c.add_text(&analyzer, &text, &mut a);
        let d = CollocationData::from_corpus(&c);
        let m = Collocations::new(&d);
        let h = |s: &str| str_hash(s);
        assert!(m.bucket(h("كوريا"), h("الشماليه")) >= 1);
        // Order matters, and unseen pairs have no bucket.
        assert_eq!(m.bucket(h("الشماليه"), h("كوريا")), 0);
        assert_eq!(m.bucket(h("الخبر"), h("كوريا")), 0);
    }
}
