//! The learner: a first-order linear-chain CRF trained by L-BFGS with an L2
//! penalty, over the same hashed features and the same constrained
//! transitions the decoder uses.
//!
//! Why a CRF after the perceptron: maximizing the conditional likelihood with
//! a Gaussian prior spreads weight over *all* the features that predict a tag
//! (context, clusters, affixes) instead of the few that first separate the
//! training data, which is what unseen names need; on the dev cut it is worth
//! several F1 points over the averaged perceptron (see `docs/NER.md`).
//!
//! Determinism: the forward–backward pass runs in parallel per sentence but
//! only writes per-sentence results; the gradient is then summed in sentence
//! order on one thread, so the same data give the same bits on any number of
//! threads.

use crate::perceptron::TrainSentence;
use crate::tags::{Label, N_LABELS};
use rayon::prelude::*;

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct CrfOptions {
    /// L2 coefficient: the objective adds `c2 · ‖w‖²` (CRFsuite's convention).
    pub c2: f64,
    /// Upper bound on L-BFGS iterations.
    pub max_iterations: usize,
    /// Number of correction pairs L-BFGS keeps.
    pub memory: usize,
    /// Stop when the objective improved by less than this share over `period` iterations.
    pub epsilon: f64,
    /// See `epsilon`.
    pub period: usize,
}

impl Default for CrfOptions {
    fn default() -> Self {
        CrfOptions {
            c2: 0.1,
            max_iterations: 300,
            memory: 10,
            epsilon: 1e-5,
            period: 10,
        }
    }
}

/// Index of transition `prev → cur` in the parameter vector (after the
/// emissions); `prev = N_LABELS` is the sentence start.
#[inline]
fn tix(n_em: usize, prev: usize, cur: usize) -> usize {
    n_em + prev * N_LABELS + cur
}

/// True if the transition is allowed (the others are fixed at minus infinity).
fn allowed(prev: usize, cur: usize) -> bool {
    let p = if prev == N_LABELS {
        None
    } else {
        Some(Label(prev as u8))
    };
    Label(cur as u8).may_follow(p)
}

/// What one sentence contributes: its negative log-likelihood, per-token tag
/// marginals and summed transition marginals.
struct SentenceStats {
    nll: f64,
    node: Vec<[f64; N_LABELS]>,
    edge: [[f64; N_LABELS]; N_LABELS + 1],
}

/// Forward–backward for one sentence under parameters `w`.
fn sentence_stats(
    s: &TrainSentence,
    w: &[f64],
    n_em: usize,
    texp: &[[f64; N_LABELS]],
) -> SentenceStats {
    let n = s.gold.len();
    let mut edge = [[0f64; N_LABELS]; N_LABELS + 1];
    if n == 0 {
        return SentenceStats {
            nll: 0.0,
            node: Vec::new(),
            edge,
        };
    }
    // Emission scores, then exp(score - max) per token.
    let mut em = vec![[0f64; N_LABELS]; n];
    for (i, e) in em.iter_mut().enumerate() {
        for &f in &s.feats[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
            let row = &w[f as usize * N_LABELS..(f as usize + 1) * N_LABELS];
            for (o, x) in e.iter_mut().zip(row) {
                *o += *x;
            }
        }
    }
    let mut gold_score = 0.0;
    for (i, e) in em.iter().enumerate() {
        let g = s.gold[i].index();
        let p = if i == 0 {
            N_LABELS
        } else {
            s.gold[i - 1].index()
        };
        gold_score += e[g] + w[tix(n_em, p, g)];
    }
    let mut log_z = 0.0;
    let mut ex = vec![[0f64; N_LABELS]; n];
    for i in 0..n {
        let m = em[i].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        log_z += m;
        for y in 0..N_LABELS {
            ex[i][y] = (em[i][y] - m).exp();
        }
    }
    // Scaled forward.
    let mut alpha = vec![[0f64; N_LABELS]; n];
    let mut scale = vec![0f64; n];
    for i in 0..n {
        let mut sum = 0.0;
        for y in 0..N_LABELS {
            let v = if i == 0 {
                texp[N_LABELS][y]
            } else {
                (0..N_LABELS).map(|p| alpha[i - 1][p] * texp[p][y]).sum()
            } * ex[i][y];
            alpha[i][y] = v;
            sum += v;
        }
        // A sum of zero cannot happen: O may follow anything and has a finite score.
        let sum = if sum > 0.0 { sum } else { f64::MIN_POSITIVE };
        for v in alpha[i].iter_mut() {
            *v /= sum;
        }
        scale[i] = sum;
        log_z += sum.ln();
    }
    // The sentence must end on a label that closes every entity.
    let mut end_sum = 0.0;
    let mut end = [0f64; N_LABELS];
    for (y, e) in end.iter_mut().enumerate() {
        if Label(y as u8).may_end() {
            *e = 1.0;
            end_sum += alpha[n - 1][y];
        }
    }
    let end_sum = if end_sum > 0.0 {
        end_sum
    } else {
        f64::MIN_POSITIVE
    };
    log_z += end_sum.ln();
    // Scaled backward.
    let mut beta = vec![[0f64; N_LABELS]; n];
    beta[n - 1] = end.map(|e| e / end_sum);
    for i in (0..n - 1).rev() {
        let mut nb = [0f64; N_LABELS];
        for (p, b) in nb.iter_mut().enumerate() {
            let mut v = 0.0;
            for y in 0..N_LABELS {
                v += texp[p][y] * ex[i + 1][y] * beta[i + 1][y];
            }
            *b = v / scale[i + 1];
        }
        beta[i] = nb;
    }
    let mut node = vec![[0f64; N_LABELS]; n];
    for i in 0..n {
        for y in 0..N_LABELS {
            node[i][y] = alpha[i][y] * beta[i][y];
        }
        if i == 0 {
            for y in 0..N_LABELS {
                edge[N_LABELS][y] += node[0][y];
            }
        } else {
            for p in 0..N_LABELS {
                let a = alpha[i - 1][p] / scale[i];
                if a == 0.0 {
                    continue;
                }
                for y in 0..N_LABELS {
                    edge[p][y] += a * texp[p][y] * ex[i][y] * beta[i][y];
                }
            }
        }
    }
    SentenceStats {
        nll: log_z - gold_score,
        node,
        edge,
    }
}

/// The regularized objective and its gradient at `w`.
fn objective(data: &[TrainSentence], w: &[f64], n_em: usize, c2: f64, grad: &mut [f64]) -> f64 {
    let mut texp = [[0f64; N_LABELS]; N_LABELS + 1];
    for (p, row) in texp.iter_mut().enumerate() {
        for (y, v) in row.iter_mut().enumerate() {
            *v = if allowed(p, y) {
                w[tix(n_em, p, y)].exp()
            } else {
                0.0
            };
        }
    }
    let stats: Vec<SentenceStats> = data
        .par_iter()
        .with_min_len(16)
        .map(|s| sentence_stats(s, w, n_em, &texp))
        .collect();
    grad.iter_mut().for_each(|g| *g = 0.0);
    let mut f = 0.0;
    for (s, st) in data.iter().zip(&stats) {
        f += st.nll;
        for i in 0..s.gold.len() {
            let g = s.gold[i].index();
            let marg = &st.node[i];
            for &feat in &s.feats[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
                let row = &mut grad[feat as usize * N_LABELS..(feat as usize + 1) * N_LABELS];
                for (r, m) in row.iter_mut().zip(marg) {
                    *r += m;
                }
                row[g] -= 1.0;
            }
            let p = if i == 0 {
                N_LABELS
            } else {
                s.gold[i - 1].index()
            };
            grad[tix(n_em, p, g)] -= 1.0;
        }
        for p in 0..=N_LABELS {
            for y in 0..N_LABELS {
                grad[tix(n_em, p, y)] += st.edge[p][y];
            }
        }
    }
    // Parameters of forbidden transitions stay at zero (they are never used).
    for p in 0..=N_LABELS {
        for y in 0..N_LABELS {
            if !allowed(p, y) {
                grad[tix(n_em, p, y)] = 0.0;
            }
        }
    }
    let mut norm2 = 0.0;
    for (g, x) in grad.iter_mut().zip(w) {
        norm2 += x * x;
        *g += 2.0 * c2 * x;
    }
    f + c2 * norm2
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Trains CRF weights over `n_features` dense features. Returns emission weights
/// (`n_features * N_LABELS`, row per feature) and transition weights
/// (`(N_LABELS + 1) * N_LABELS`), ready for [`crate::perceptron::pack`].
/// `log` gets one line every few iterations.
pub fn train(
    data: &[TrainSentence],
    n_features: usize,
    opt: &CrfOptions,
    log: &mut dyn FnMut(&str),
) -> (Vec<f32>, Vec<f32>) {
    let n_em = n_features * N_LABELS;
    let dim = n_em + (N_LABELS + 1) * N_LABELS;
    let mut x = vec![0f64; dim];
    let mut g = vec![0f64; dim];
    let mut f = objective(data, &x, n_em, opt.c2, &mut g);
    let m = opt.memory.max(1);
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut rho_hist: Vec<f64> = Vec::with_capacity(m);
    let mut history = vec![f];
    let mut d = vec![0f64; dim];
    let mut x_new = vec![0f64; dim];
    let mut g_new = vec![0f64; dim];
    for it in 1..=opt.max_iterations {
        // Two-loop recursion: d = -H g.
        d.copy_from_slice(&g);
        let k = s_hist.len();
        let mut alpha = vec![0f64; k];
        for j in (0..k).rev() {
            alpha[j] = rho_hist[j] * dot(&s_hist[j], &d);
            for (di, yi) in d.iter_mut().zip(&y_hist[j]) {
                *di -= alpha[j] * yi;
            }
        }
        if k > 0 {
            let gamma = dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]);
            d.iter_mut().for_each(|v| *v *= gamma);
        }
        for j in 0..k {
            let beta = rho_hist[j] * dot(&y_hist[j], &d);
            for (di, si) in d.iter_mut().zip(&s_hist[j]) {
                *di += (alpha[j] - beta) * si;
            }
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut gd = dot(&g, &d);
        if gd >= 0.0 {
            // Not a descent direction (should not happen): restart from the gradient.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            for (di, gi) in d.iter_mut().zip(&g) {
                *di = -gi;
            }
            gd = dot(&g, &d);
        }
        let mut step = if s_hist.is_empty() {
            1.0 / dot(&g, &g).sqrt().max(1e-12)
        } else {
            1.0
        };
        // Backtracking line search with the Armijo condition.
        let mut f_new;
        let mut tries = 0;
        loop {
            for ((xn, xi), di) in x_new.iter_mut().zip(&x).zip(&d) {
                *xn = xi + step * di;
            }
            f_new = objective(data, &x_new, n_em, opt.c2, &mut g_new);
            tries += 1;
            if f_new <= f + 1e-4 * step * gd || tries >= 20 {
                break;
            }
            step *= 0.5;
        }
        if f_new > f {
            log(&format!(
                "crf: line search failed at iteration {it}; stopping"
            ));
            break;
        }
        // Correction pair.
        let mut s_vec = if s_hist.len() == m {
            y_hist.remove(0);
            rho_hist.remove(0);
            s_hist.remove(0)
        } else {
            vec![0f64; dim]
        };
        let mut y_vec = vec![0f64; dim];
        for i in 0..dim {
            s_vec[i] = x_new[i] - x[i];
            y_vec[i] = g_new[i] - g[i];
        }
        let sy = dot(&s_vec, &y_vec);
        if sy > 1e-12 {
            rho_hist.push(1.0 / sy);
            s_hist.push(s_vec);
            y_hist.push(y_vec);
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        f = f_new;
        history.push(f);
        if it % 10 == 0 || it == 1 {
            log(&format!(
                "crf iteration {it}: objective {f:.2}, |g| {:.3}, step {step:.3}",
                dot(&g, &g).sqrt()
            ));
        }
        if history.len() > opt.period {
            let old = history[history.len() - 1 - opt.period];
            if (old - f) / f.abs().max(1e-12) < opt.epsilon {
                log(&format!(
                    "crf: converged after {it} iterations (objective {f:.2})"
                ));
                break;
            }
        }
    }
    let em: Vec<f32> = x[..n_em].iter().map(|&v| v as f32).collect();
    let tr: Vec<f32> = x[n_em..].iter().map(|&v| v as f32).collect();
    (em, tr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perceptron::{Weights, pack};

    fn toy() -> Vec<TrainSentence> {
        let b = Label(5); // B-LOC
        let i = Label(7); // L-LOC
        let u = Label(8); // U-LOC
        // Feature 0 = "capital" word, 1 = other word, 2 = "after a capital".
        (0..30)
            .map(|k| match k % 3 {
                0 => TrainSentence {
                    feats: vec![0, 1],
                    offsets: vec![0, 1, 2],
                    gold: vec![u, Label::O],
                },
                1 => TrainSentence {
                    feats: vec![1, 0],
                    offsets: vec![0, 1, 2],
                    gold: vec![Label::O, u],
                },
                _ => TrainSentence {
                    feats: vec![0, 0, 2, 1],
                    offsets: vec![0, 1, 3, 4],
                    gold: vec![b, i, Label::O],
                },
            })
            .collect()
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = toy();
        let n_em = 3 * N_LABELS;
        let dim = n_em + (N_LABELS + 1) * N_LABELS;
        let mut w: Vec<f64> = (0..dim)
            .map(|k| ((k * 37 % 11) as f64 - 5.0) / 10.0)
            .collect();
        for p in 0..=N_LABELS {
            for y in 0..N_LABELS {
                if !allowed(p, y) {
                    w[tix(n_em, p, y)] = 0.0;
                }
            }
        }
        let mut g = vec![0.0; dim];
        let f = objective(&data, &w, n_em, 0.1, &mut g);
        let mut g2 = vec![0.0; dim];
        for k in [0, 3, 10, n_em + 1, n_em + N_LABELS * N_LABELS + 3] {
            let h = 1e-6;
            let mut w2 = w.clone();
            w2[k] += h;
            let f2 = objective(&data, &w2, n_em, 0.1, &mut g2);
            let num = (f2 - f) / h;
            assert!(
                (num - g[k]).abs() < 1e-3 * (1.0 + num.abs()),
                "{k}: {num} vs {}",
                g[k]
            );
        }
    }

    #[test]
    fn learns_a_toy_language_deterministically() {
        let data = toy();
        let opt = CrfOptions {
            c2: 0.01,
            ..Default::default()
        };
        let (em, tr) = train(&data, 3, &opt, &mut |_| {});
        let (em2, tr2) = train(&data, 3, &opt, &mut |_| {});
        assert_eq!(em, em2);
        assert_eq!(tr, tr2);
        let w = Weights::new(&pack(&[10, 11, 12], &em, &tr)).unwrap();
        let mut s = [0f32; N_LABELS];
        let u = Label(8); // U-LOC, as in `toy`
        w.score(&[10], &mut s);
        assert!(s[u.index()] > s[0]);
        w.score(&[11], &mut s);
        assert!(s[0] > s[u.index()]);
    }
}
