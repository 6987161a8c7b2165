//! The learner: a first-order averaged structured perceptron (Collins 2002)
//! with constrained Viterbi decoding.
//!
//! Why not a CRF: the perceptron trains in seconds on 2 cores, is exactly
//! reproducible (integer-valued updates, a seeded shuffle), and decodes with
//! the same Viterbi a CRF would use. Scores are turned into per-tag marginals
//! with forward–backward only to report a confidence per entity.

use crate::tags::{Label, N_LABELS};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already uniform 64-bit hashes: passes them through.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by feature hashes.
pub type FeatureMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Transition scores: row `prev` (`N_LABELS` = sentence start), column `cur`.
pub type Transitions = [[f32; N_LABELS]; N_LABELS + 1];

/// The serialized weights: features sorted by hash.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightsData {
    /// Feature hashes, sorted ascending.
    pub features: Vec<u64>,
    /// `features.len() * N_LABELS` emission weights, row per feature.
    pub emission: Vec<f32>,
    /// `(N_LABELS + 1) * N_LABELS` transition weights.
    pub transition: Vec<f32>,
}

/// Run-time weights.
#[derive(Clone, Debug)]
pub struct Weights {
    index: FeatureMap<u32>,
    emission: Vec<f32>,
    transition: Transitions,
}

const NEG: f32 = -1.0e30;

impl Weights {
    /// Builds the run-time tables; `None` if the arrays do not fit together.
    pub fn new(data: &WeightsData) -> Option<Weights> {
        if data.emission.len() != data.features.len() * N_LABELS
            || data.transition.len() != (N_LABELS + 1) * N_LABELS
        {
            return None;
        }
        let mut index = FeatureMap::default();
        index.reserve(data.features.len());
        for (i, &f) in data.features.iter().enumerate() {
            index.insert(f, i as u32);
        }
        let mut transition = [[0.0; N_LABELS]; N_LABELS + 1];
        for (p, row) in transition.iter_mut().enumerate() {
            row.copy_from_slice(&data.transition[p * N_LABELS..(p + 1) * N_LABELS]);
        }
        Some(Weights {
            index,
            emission: data.emission.clone(),
            transition,
        })
    }

    /// Number of features with weights.
    pub fn n_features(&self) -> usize {
        self.index.len()
    }

    /// Adds the emission scores of `features` to `out` (one per tag).
    #[inline]
    pub fn score(&self, features: &[u64], out: &mut [f32; N_LABELS]) {
        *out = [0.0; N_LABELS];
        for f in features {
            if let Some(&r) = self.index.get(f) {
                let row = &self.emission[r as usize * N_LABELS..(r as usize + 1) * N_LABELS];
                for (o, w) in out.iter_mut().zip(row) {
                    *o += *w;
                }
            }
        }
    }

    /// Adds the emission scores of `features` to `out` without clearing it.
    #[inline]
    pub fn add_score(&self, features: &[u64], out: &mut [f32; N_LABELS]) {
        for f in features {
            if let Some(&r) = self.index.get(f) {
                let row = &self.emission[r as usize * N_LABELS..(r as usize + 1) * N_LABELS];
                for (o, w) in out.iter_mut().zip(row) {
                    *o += *w;
                }
            }
        }
    }

    /// The transition table.
    pub fn transitions(&self) -> &Transitions {
        &self.transition
    }
}

/// Masks impossible transitions (`I-X` not after `B-X`/`I-X`) with a large negative score.
pub fn constrained(t: &Transitions) -> Transitions {
    let mut c = *t;
    for (p, row) in c.iter_mut().enumerate() {
        let prev = if p == N_LABELS {
            None
        } else {
            Some(Label(p as u8))
        };
        for (y, v) in row.iter_mut().enumerate() {
            if !Label(y as u8).may_follow(prev) {
                *v = NEG;
            }
        }
    }
    c
}

/// Best tag sequence for emission scores `em` (`n * N_LABELS`) under transitions `tr`
/// (already [`constrained`]). Ties go to the lower tag index, so decoding is deterministic.
pub fn viterbi(em: &[[f32; N_LABELS]], tr: &Transitions, out: &mut Vec<Label>) {
    out.clear();
    let n = em.len();
    if n == 0 {
        return;
    }
    thread_local! {
        static BACK: std::cell::RefCell<Vec<[u8; N_LABELS]>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BACK.with(|b| {
        let mut back = b.borrow_mut();
        back.clear();
        back.resize(n, [0u8; N_LABELS]);
        let mut delta = [0f32; N_LABELS];
        for y in 0..N_LABELS {
            delta[y] = tr[N_LABELS][y] + em[0][y];
        }
        for i in 1..n {
            let mut next = [0f32; N_LABELS];
            for y in 0..N_LABELS {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0u8;
                for p in 0..N_LABELS {
                    let v = delta[p] + tr[p][y];
                    if v > best {
                        best = v;
                        arg = p as u8;
                    }
                }
                next[y] = best + em[i][y];
                back[i][y] = arg;
            }
            delta = next;
        }
        let mut y = 0usize;
        let mut best = f32::NEG_INFINITY;
        for (k, &v) in delta.iter().enumerate() {
            if v > best && Label(k as u8).may_end() {
                best = v;
                y = k;
            }
        }
        out.resize(n, Label::O);
        for i in (0..n).rev() {
            out[i] = Label(y as u8);
            y = back[i][y] as usize;
        }
    });
}

/// Per-token marginal probability of each tag, treating scores as log-potentials
/// (scaled forward–backward). Used only as a confidence.
pub fn marginals(em: &[[f32; N_LABELS]], tr: &Transitions) -> Vec<[f32; N_LABELS]> {
    let n = em.len();
    if n == 0 {
        return Vec::new();
    }
    // exp(transition - max): every path has one transition per token, so the
    // shift cancels in the normalization (clamping instead would change which
    // paths are likely when averaged weights grow large).
    let tmax = tr
        .iter()
        .flatten()
        .copied()
        .filter(|&t| t > NEG / 2.0)
        .fold(f32::NEG_INFINITY, f32::max);
    let mut texp = [[0f64; N_LABELS]; N_LABELS + 1];
    for (p, row) in texp.iter_mut().enumerate() {
        for (y, v) in row.iter_mut().enumerate() {
            *v = if tr[p][y] <= NEG / 2.0 {
                0.0
            } else {
                f64::from(tr[p][y] - tmax).exp()
            };
        }
    }
    // exp(emission - max) per token; the max cancels in the normalization.
    let mut ex = vec![[0f64; N_LABELS]; n];
    for (e, x) in em.iter().zip(ex.iter_mut()) {
        let m = e.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        for (v, s) in x.iter_mut().zip(e) {
            *v = f64::from(s - m).exp();
        }
    }
    let mut alpha = vec![[0f64; N_LABELS]; n];
    let mut scale = vec![1f64; n];
    for i in 0..n {
        let mut sum = 0.0;
        for y in 0..N_LABELS {
            let v = if i == 0 {
                texp[N_LABELS][y]
            } else {
                let mut a = 0.0;
                for p in 0..N_LABELS {
                    a += alpha[i - 1][p] * texp[p][y];
                }
                a
            } * ex[i][y];
            alpha[i][y] = v;
            sum += v;
        }
        let sum = if sum > 0.0 && sum.is_finite() {
            sum
        } else {
            1.0
        };
        for v in alpha[i].iter_mut() {
            *v /= sum;
        }
        scale[i] = sum;
    }
    let mut out = vec![[0f32; N_LABELS]; n];
    let mut beta = [0f64; N_LABELS];
    for (y, b) in beta.iter_mut().enumerate() {
        if Label(y as u8).may_end() {
            *b = 1.0;
        }
    }
    for i in (0..n).rev() {
        let mut z = 0.0;
        for y in 0..N_LABELS {
            z += alpha[i][y] * beta[y];
        }
        if z > 0.0 {
            for (y, v) in out[i].iter_mut().enumerate() {
                *v = (alpha[i][y] * beta[y] / z) as f32;
            }
        }
        if i > 0 {
            let mut nb = [0f64; N_LABELS];
            for (p, b) in nb.iter_mut().enumerate() {
                let mut v = 0.0;
                for y in 0..N_LABELS {
                    v += texp[p][y] * ex[i][y] * beta[y];
                }
                *b = v / scale[i];
            }
            beta = nb;
        }
    }
    out
}

/// A deterministic pseudo-random generator (SplitMix64) for shuffling.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// One training sentence with interned features.
pub struct TrainSentence {
    /// Dense feature ids per token (`offsets` as in [`SentenceFeatures`](crate::features::SentenceFeatures)).
    pub feats: Vec<u32>,
    /// Start of each token's features, plus the end.
    pub offsets: Vec<u32>,
    /// Gold labels.
    pub gold: Vec<Label>,
}

/// Averaged-perceptron training state over dense feature ids.
pub struct Trainer {
    n_features: usize,
    w: Vec<f64>,
    acc: Vec<f64>,
    tw: Vec<f64>,
    tacc: Vec<f64>,
    step: f64,
}

impl Trainer {
    /// A trainer for `n_features` dense features.
    pub fn new(n_features: usize) -> Trainer {
        Trainer {
            n_features,
            w: vec![0.0; n_features * N_LABELS],
            acc: vec![0.0; n_features * N_LABELS],
            tw: vec![0.0; (N_LABELS + 1) * N_LABELS],
            tacc: vec![0.0; (N_LABELS + 1) * N_LABELS],
            step: 1.0,
        }
    }

    fn decode(
        &self,
        s: &TrainSentence,
        tr: &Transitions,
        em: &mut Vec<[f32; N_LABELS]>,
        out: &mut Vec<Label>,
    ) {
        let n = s.gold.len();
        em.clear();
        em.resize(n, [0.0; N_LABELS]);
        for (i, e) in em.iter_mut().enumerate() {
            for &f in &s.feats[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
                let row = &self.w[f as usize * N_LABELS..(f as usize + 1) * N_LABELS];
                for (o, w) in e.iter_mut().zip(row) {
                    *o += *w as f32;
                }
            }
        }
        viterbi(em, tr, out);
    }

    fn current_transitions(&self) -> Transitions {
        let mut t = [[0f32; N_LABELS]; N_LABELS + 1];
        for (p, row) in t.iter_mut().enumerate() {
            for (y, v) in row.iter_mut().enumerate() {
                *v = self.tw[p * N_LABELS + y] as f32;
            }
        }
        constrained(&t)
    }

    /// One pass over `data` in the given order; returns the number of sentences with an error.
    pub fn epoch(&mut self, data: &[TrainSentence], order: &[usize]) -> usize {
        let mut em = Vec::new();
        let mut pred = Vec::new();
        let mut errors = 0;
        for &k in order {
            let s = &data[k];
            let tr = self.current_transitions();
            self.decode(s, &tr, &mut em, &mut pred);
            if pred != s.gold {
                errors += 1;
                let c = self.step;
                for i in 0..s.gold.len() {
                    let (g, p) = (s.gold[i].index(), pred[i].index());
                    if g != p {
                        for &f in &s.feats[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
                            let base = f as usize * N_LABELS;
                            self.w[base + g] += 1.0;
                            self.acc[base + g] += c;
                            self.w[base + p] -= 1.0;
                            self.acc[base + p] -= c;
                        }
                    }
                    let gp = if i == 0 {
                        N_LABELS
                    } else {
                        s.gold[i - 1].index()
                    };
                    let pp = if i == 0 {
                        N_LABELS
                    } else {
                        pred[i - 1].index()
                    };
                    if (gp, g) != (pp, p) {
                        self.tw[gp * N_LABELS + g] += 1.0;
                        self.tacc[gp * N_LABELS + g] += c;
                        self.tw[pp * N_LABELS + p] -= 1.0;
                        self.tacc[pp * N_LABELS + p] -= c;
                    }
                }
            }
            self.step += 1.0;
        }
        errors
    }

    /// The averaged weights (`w - acc / step`), for dense feature ids.
    pub fn averaged(&self) -> (Vec<f32>, Vec<f32>) {
        let avg = |w: &[f64], a: &[f64]| -> Vec<f32> {
            w.iter()
                .zip(a)
                .map(|(w, a)| (w - a / self.step) as f32)
                .collect()
        };
        (avg(&self.w, &self.acc), avg(&self.tw, &self.tacc))
    }

    /// Number of dense features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }
}

/// Packs averaged dense weights into [`WeightsData`], keyed by hash and sorted,
/// dropping features whose weights are all (near) zero.
pub fn pack(hashes: &[u64], emission: &[f32], transition: &[f32]) -> WeightsData {
    let mut rows: Vec<(u64, usize)> = hashes
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            emission[i * N_LABELS..(i + 1) * N_LABELS]
                .iter()
                .any(|w| w.abs() > 1e-4)
        })
        .map(|(i, &h)| (h, i))
        .collect();
    rows.sort_unstable();
    let mut data = WeightsData {
        features: Vec::with_capacity(rows.len()),
        emission: Vec::with_capacity(rows.len() * N_LABELS),
        transition: transition.to_vec(),
    };
    for (h, i) in rows {
        data.features.push(h);
        data.emission
            .extend_from_slice(&emission[i * N_LABELS..(i + 1) * N_LABELS]);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str) -> Label {
        (0..N_LABELS as u8)
            .map(Label)
            .find(|l| l.as_str() == name)
            .unwrap()
    }

    #[test]
    fn viterbi_respects_constraints() {
        // Emissions prefer I-PERS at the start and B-PERS at the end, neither allowed.
        let mut em = vec![[0f32; N_LABELS]; 2];
        em[0][label("I-PERS").index()] = 5.0;
        em[0][label("U-PERS").index()] = 1.0;
        em[1][label("B-LOC").index()] = 3.0;
        em[1][0] = 1.0;
        let tr = constrained(&[[0.0; N_LABELS]; N_LABELS + 1]);
        let mut out = Vec::new();
        viterbi(&em, &tr, &mut out);
        assert_eq!(out[0].as_str(), "U-PERS");
        assert_eq!(out[1], Label::O);
        let m = marginals(&em, &tr);
        for row in &m {
            let s: f32 = row.iter().sum();
            assert!((s - 1.0).abs() < 1e-3);
        }
        assert!(m[0][label("I-PERS").index()] < 1e-6);
        assert!(m[1][label("B-LOC").index()] < 1e-6);
    }

    #[test]
    fn perceptron_learns_a_toy_language() {
        // Feature 0 = "capital", 1 = "other"; tags B-LOC for capitals.
        let b = label("U-LOC");
        let data: Vec<TrainSentence> = (0..20)
            .map(|k| TrainSentence {
                feats: vec![(k % 2) as u32, 1 - (k % 2) as u32],
                offsets: vec![0, 1, 2],
                gold: if k % 2 == 0 {
                    vec![b, Label::O]
                } else {
                    vec![Label::O, b]
                },
            })
            .collect();
        let mut t = Trainer::new(2);
        let order: Vec<usize> = (0..data.len()).collect();
        for _ in 0..3 {
            t.epoch(&data, &order);
        }
        assert_eq!(t.epoch(&data, &order), 0);
        let (em, tr) = t.averaged();
        let packed = pack(&[11, 7], &em, &tr);
        assert_eq!(packed.features, vec![7, 11]);
        let w = Weights::new(&packed).unwrap();
        let mut s = [0f32; N_LABELS];
        w.score(&[11], &mut s);
        assert!(s[b.index()] > s[0]);
    }

    #[test]
    fn shuffle_is_seeded() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        SplitMix64::new(7).shuffle(&mut a);
        SplitMix64::new(7).shuffle(&mut b);
        assert_eq!(a, b);
        let mut c: Vec<u32> = (0..50).collect();
        SplitMix64::new(8).shuffle(&mut c);
        assert_ne!(a, c);
    }
}
