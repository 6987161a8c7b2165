//! Word embeddings from unlabeled news: skip-gram with negative sampling
//! (Mikolov et al. 2013), trained deterministically on one thread.
//!
//! The tagger does not use the vectors directly: [`crate::clusters`] turns
//! them into a hierarchy of word classes, whose prefixes are features. Words
//! that occur in the same contexts («قال الرئيس X إن») land in the same
//! classes, which is what lets the model recognize a name it never saw
//! labelled.
//!
//! Determinism: one thread, a seeded SplitMix64 for the dynamic window,
//! subsampling and negative samples, and the corpus in its given order.

use crate::perceptron::SplitMix64;

/// Settings of [`train_sgns`].
#[derive(Clone, Debug)]
pub struct EmbedOptions {
    /// Vector size.
    pub dims: usize,
    /// Maximum distance of a context word (the actual window is drawn in `1..=window`).
    pub window: usize,
    /// Negative samples per positive pair.
    pub negative: usize,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Subsampling threshold of frequent words (word2vec's `-sample`).
    pub sample: f64,
    /// Starting learning rate (decays linearly to 1/10000 of it).
    pub learning_rate: f32,
    /// Structured skip-gram (Ling et al. 2015): one output vector per relative
    /// position, so word order counts and classes follow syntax more than topic.
    pub structured: bool,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            dims: 100,
            window: 2,
            negative: 5,
            epochs: 5,
            sample: 1e-4,
            learning_rate: 0.025,
            structured: true,
            seed: 1,
        }
    }
}

/// Size of the table negatives are drawn from.
const TABLE: usize = 1 << 22;

/// Trains vectors for a vocabulary of `counts.len()` words over `sentences`
/// (word ids into that vocabulary; `u32::MAX` marks a word outside it, which
/// is skipped). Returns `counts.len() * dims` floats, row per word.
pub fn train_sgns(
    sentences: &[Vec<u32>],
    counts: &[u32],
    opt: &EmbedOptions,
    log: &mut dyn FnMut(&str),
) -> Vec<f32> {
    let v = counts.len();
    let d = opt.dims;
    if v == 0 || d == 0 {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(opt.seed ^ 0x5347_4e53);
    let mut input: Vec<f32> = (0..v * d)
        .map(|_| ((rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) / d as f32)
        .collect();
    let slots = if opt.structured {
        2 * opt.window.max(1)
    } else {
        1
    };
    let mut output = vec![0f32; slots * v * d];
    // Unigram^0.75 table for negatives.
    let pow: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(0.75)).collect();
    let total_pow: f64 = pow.iter().sum();
    let mut table = Vec::with_capacity(TABLE);
    let mut acc = 0f64;
    let mut w = 0usize;
    for k in 0..TABLE {
        let target = (k as f64 + 0.5) / TABLE as f64 * total_pow;
        while w + 1 < v && acc + pow[w] < target {
            acc += pow[w];
            w += 1;
        }
        table.push(w as u32);
    }
    // Keep probabilities of subsampling.
    let total: f64 = counts.iter().map(|&c| c as f64).sum();
    let keep: Vec<f64> = counts
        .iter()
        .map(|&c| {
            let f = c as f64 / total;
            if opt.sample <= 0.0 || f <= 0.0 {
                1.0
            } else {
                ((f / opt.sample).sqrt() + 1.0) * opt.sample / f
            }
        })
        .collect();
    let words_per_epoch: usize = sentences
        .iter()
        .map(|s| s.iter().filter(|&&i| i != u32::MAX).count())
        .sum();
    let planned = (words_per_epoch * opt.epochs).max(1) as f64;
    let mut seen = 0usize;
    let mut grad = vec![0f32; d];
    let mut kept: Vec<u32> = Vec::new();
    for epoch in 0..opt.epochs {
        let mut loss_sum = 0f64;
        let mut pairs = 0u64;
        for s in sentences {
            kept.clear();
            for &id in s {
                if id == u32::MAX {
                    continue;
                }
                seen += 1;
                let p = keep[id as usize];
                if p >= 1.0 || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p {
                    kept.push(id);
                }
            }
            let lr = opt.learning_rate * (1.0 - seen as f32 / planned as f32).max(1e-4);
            for (i, &center) in kept.iter().enumerate() {
                let b = 1 + rng.below(opt.window.max(1));
                let lo = i.saturating_sub(b);
                let hi = (i + b + 1).min(kept.len());
                for (j, &ctx) in kept[lo..hi].iter().enumerate() {
                    if lo + j == i {
                        continue;
                    }
                    // Output vectors of this relative position (structured) or shared.
                    let slot = if opt.structured {
                        let w = opt.window.max(1);
                        if lo + j < i {
                            w - (i - lo - j)
                        } else {
                            w + (lo + j - i) - 1
                        }
                    } else {
                        0
                    };
                    let base = slot * v * d;
                    // Predict `center` from `ctx` (word2vec's skip-gram update order).
                    let cin = ctx as usize * d;
                    grad.iter_mut().for_each(|g| *g = 0.0);
                    for k in 0..=opt.negative {
                        let (target, label) = if k == 0 {
                            (center, 1.0f32)
                        } else {
                            let t = table[rng.below(TABLE)];
                            if t == center {
                                continue;
                            }
                            (t, 0.0)
                        };
                        let tout = base + target as usize * d;
                        let dotp: f32 = input[cin..cin + d]
                            .iter()
                            .zip(&output[tout..tout + d])
                            .map(|(a, b)| a * b)
                            .sum();
                        let sig = 1.0 / (1.0 + (-dotp.clamp(-8.0, 8.0)).exp());
                        if k == 0 {
                            loss_sum -= (sig.max(1e-7) as f64).ln();
                            pairs += 1;
                        }
                        let g = (label - sig) * lr;
                        for q in 0..d {
                            grad[q] += g * output[tout + q];
                            output[tout + q] += g * input[cin + q];
                        }
                    }
                    for (x, g) in input[cin..cin + d].iter_mut().zip(&grad) {
                        *x += g;
                    }
                }
            }
        }
        log(&format!(
            "embeddings epoch {}: {} pairs, mean positive loss {:.4}",
            epoch + 1,
            pairs,
            loss_sum / pairs.max(1) as f64
        ));
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(v: &[f32], d: usize, a: usize, b: usize) -> f32 {
        let x = &v[a * d..(a + 1) * d];
        let y = &v[b * d..(b + 1) * d];
        let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
        let nx: f32 = x.iter().map(|p| p * p).sum::<f32>().sqrt();
        let ny: f32 = y.iter().map(|p| p * p).sum::<f32>().sqrt();
        dot / (nx * ny)
    }

    #[test]
    fn words_in_the_same_contexts_get_close_vectors() {
        // 0,1 = cities; 2,3 = people; 4 = "in", 5 = "said", 6, 7 = what follows each.
        let mut sents = Vec::new();
        for k in 0..600u32 {
            let city = k % 2;
            let person = 2 + (k / 2) % 2;
            sents.push(vec![5, person, 6, 8 + k % 2, 4, city, 7]);
        }
        let mut counts = vec![0u32; 10];
        for s in &sents {
            for &i in s {
                counts[i as usize] += 1;
            }
        }
        let opt = EmbedOptions {
            dims: 16,
            window: 1,
            epochs: 10,
            sample: 0.0,
            ..Default::default()
        };
        let v = train_sgns(&sents, &counts, &opt, &mut |_| {});
        assert_eq!(v, train_sgns(&sents, &counts, &opt, &mut |_| {}));
        let d = 16;
        assert!(cos(&v, d, 0, 1) > cos(&v, d, 0, 2));
        assert!(cos(&v, d, 2, 3) > cos(&v, d, 2, 1));
    }
}
