//! Names by their neighbours: which types the nearest known names of a word
//! have in the embedding space.
//!
//! A word never seen in the labelled data may still sit among known first
//! names, clubs or cities in the skip-gram space ([`crate::embed`]) learned
//! from unlabeled news. For every word with a vector, the `k` most similar
//! words that were mostly names in the labelled data (the word itself
//! excluded) vote for their types, weighted by similarity; the model gets the
//! vote shares and the best similarity as features and learns how far to
//! trust them. Computed once in training and stored in the model.
//!
//! Deterministic: every word's neighbours are computed independently, ties
//! broken by row order.

use crate::clusters::WordVectors;
use crate::lexicon::str_hash;
use crate::perceptron::FeatureMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Vote shares of the four types and the best similarity, each 0..=100.
pub type Votes = [u8; 5];

/// Serialized neighbour votes, sorted by form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighborData {
    /// `(lexical form, votes)`.
    pub entries: Vec<(String, Votes)>,
}

/// Run-time lookup of [`NeighborData`], keyed by [`str_hash`].
#[derive(Clone, Debug, Default)]
pub struct Neighbors {
    map: FeatureMap<Votes>,
}

impl Neighbors {
    /// Builds the map.
    pub fn new(data: &NeighborData) -> Neighbors {
        Neighbors {
            map: data
                .entries
                .iter()
                .map(|(f, v)| (str_hash(f), *v))
                .collect(),
        }
    }

    /// Votes for a lexical form given its [`str_hash`].
    #[inline]
    pub fn get_hashed(&self, hash: u64) -> Option<&Votes> {
        self.map.get(&hash)
    }
}

/// Neighbour votes for every word of `vectors`. `names` maps lexical forms to
/// their counts as `[O, PER, LOC, ORG, MISC]` in labelled data; forms that
/// were inside a name at least half of the time are the voters.
pub fn neighbor_votes(
    vectors: &WordVectors,
    names: &std::collections::HashMap<String, [u32; 5]>,
    k: usize,
) -> NeighborData {
    let d = vectors.dims;
    if d == 0 || k == 0 {
        return NeighborData::default();
    }
    // Voters: rows of forms that are mostly names, with their type shares.
    let mut voters: Vec<(usize, [f32; 4])> = Vec::new();
    for (row, form) in vectors.forms.iter().enumerate() {
        let Some(c) = names.get(form) else {
            continue;
        };
        let named: u32 = c[1..].iter().sum();
        if named == 0 || named * 2 < c.iter().sum::<u32>() {
            continue;
        }
        let mut share = [0f32; 4];
        for t in 0..4 {
            share[t] = c[t + 1] as f32 / named as f32;
        }
        voters.push((row, share));
    }
    if voters.is_empty() {
        return NeighborData::default();
    }
    let voter_vecs: Vec<f32> = voters
        .iter()
        .flat_map(|&(r, _)| vectors.row(r).iter().copied())
        .collect();
    let entries: Vec<(String, Votes)> = (0..vectors.forms.len())
        .into_par_iter()
        .map(|row| {
            let v = vectors.row(row);
            // Top k by similarity (a small sorted list; ties keep the earlier voter).
            let mut top: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
            for (j, &(vr, _)) in voters.iter().enumerate() {
                if vr == row {
                    continue;
                }
                let w = &voter_vecs[j * d..(j + 1) * d];
                let sim: f32 = v.iter().zip(w).map(|(a, b)| a * b).sum();
                if top.len() == k && sim <= top[k - 1].0 {
                    continue;
                }
                let pos = top.partition_point(|&(s, _)| s >= sim);
                top.insert(pos, (sim, j));
                top.truncate(k);
            }
            let mut votes = [0f32; 4];
            let mut weight = 0f32;
            for &(sim, j) in &top {
                let w = sim.max(0.0);
                weight += w;
                for (v, x) in votes.iter_mut().zip(&voters[j].1) {
                    *v += w * x;
                }
            }
            let mut out = [0u8; 5];
            if weight > 0.0 {
                for t in 0..4 {
                    out[t] = (100.0 * votes[t] / weight).round().clamp(0.0, 100.0) as u8;
                }
            }
            out[4] = (100.0 * top.first().map_or(0.0, |t| t.0))
                .round()
                .clamp(0.0, 100.0) as u8;
            (vectors.forms[row].clone(), out)
        })
        .collect();
    let mut entries = entries;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    NeighborData { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseen_words_take_the_types_of_their_neighbours() {
        // Rows: two known cities, one known person, an unseen word near the cities.
        let vectors = WordVectors {
            forms: vec!["حلب".into(), "حمص".into(), "بوتين".into(), "طرطوس".into()],
            dims: 2,
            data: vec![1.0, 0.0, 0.96, 0.28, 0.0, 1.0, 0.99, 0.14],
        };
        let mut names = std::collections::HashMap::new();
        names.insert("حلب".to_string(), [0, 0, 5, 0, 0]);
        names.insert("حمص".to_string(), [1, 0, 3, 0, 0]);
        names.insert("بوتين".to_string(), [0, 7, 0, 0, 0]);
        let d = neighbor_votes(&vectors, &names, 2);
        assert_eq!(d, neighbor_votes(&vectors, &names, 2));
        let tartus = d.entries.iter().find(|e| e.0 == "طرطوس").unwrap().1;
        assert!(tartus[1] > 90, "{tartus:?}");
        assert!(tartus[4] > 95);
        // A known word does not vote for itself.
        let putin = d.entries.iter().find(|e| e.0 == "بوتين").unwrap().1;
        assert!(putin[0] < 50, "{putin:?}");
    }
}
