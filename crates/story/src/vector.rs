//! Sparse term vectors for comparing sentences: TF-IDF weights over a per-batch vocabulary.
//!
//! Term ids are assigned in order of first appearance, so the same input always gives
//! the same ids and every sum is taken in the same order: results are byte-identical
//! from run to run.

use crate::lexicon::DocFreq;
use crate::terms::Prepared;
use std::collections::BTreeMap;

/// A sparse vector: `(term id, weight)` pairs sorted by id, no duplicates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseVec {
    entries: Vec<(u32, f64)>,
}

impl SparseVec {
    /// Builds a vector from unsorted pairs, adding the weights of repeated ids.
    pub fn from_pairs(mut pairs: Vec<(u32, f64)>) -> SparseVec {
        pairs.sort_by_key(|p| p.0);
        let mut entries: Vec<(u32, f64)> = Vec::with_capacity(pairs.len());
        for (id, w) in pairs {
            match entries.last_mut() {
                Some(last) if last.0 == id => last.1 += w,
                _ => entries.push((id, w)),
            }
        }
        SparseVec { entries }
    }

    /// The `(id, weight)` pairs, sorted by id.
    pub fn entries(&self) -> &[(u32, f64)] {
        &self.entries
    }

    /// True when the vector has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Euclidean norm.
    pub fn norm(&self) -> f64 {
        self.entries.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt()
    }

    /// Sum of the weights.
    pub fn mass(&self) -> f64 {
        self.entries.iter().map(|e| e.1).sum()
    }

    /// Dot product. A short vector against a long one (a sentence against a centroid)
    /// looks its ids up instead of walking both lists.
    pub fn dot(&self, other: &SparseVec) -> f64 {
        let (mut a, mut b) = (&self.entries, &other.entries);
        if a.len() > b.len() {
            std::mem::swap(&mut a, &mut b);
        }
        if a.len() * 16 < b.len() {
            return a
                .iter()
                .map(|&(id, w)| {
                    b.binary_search_by_key(&id, |e| e.0)
                        .map_or(0.0, |k| w * b[k].1)
                })
                .sum();
        }
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// Cosine similarity (0 for empty vectors).
    pub fn cosine(&self, other: &SparseVec) -> f64 {
        let d = self.norm() * other.norm();
        if d == 0.0 { 0.0 } else { self.dot(other) / d }
    }

    /// Weighted overlap: the mass both vectors share (`Σ min(a, b)`).
    pub fn min_overlap(&self, other: &SparseVec) -> f64 {
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += a[i].1.min(b[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// `Σ scale · v` over `(v, scale)` pairs, sorting once (summing many vectors one by
    /// one with [`SparseVec::add_scaled`] would be quadratic).
    pub fn sum<'v>(items: impl IntoIterator<Item = (&'v SparseVec, f64)>) -> SparseVec {
        let mut pairs = Vec::new();
        for (v, scale) in items {
            pairs.extend(v.entries.iter().map(|&(id, w)| (id, w * scale)));
        }
        SparseVec::from_pairs(pairs)
    }

    /// `self += other * scale`, by a linear merge of the two sorted lists.
    pub fn add_scaled(&mut self, other: &SparseVec, scale: f64) {
        let a = std::mem::take(&mut self.entries);
        let b = &other.entries;
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if j == b.len() || (i < a.len() && a[i].0 < b[j].0) {
                out.push(a[i]);
                i += 1;
            } else if i == a.len() || b[j].0 < a[i].0 {
                out.push((b[j].0, b[j].1 * scale));
                j += 1;
            } else {
                out.push((a[i].0, a[i].1 + b[j].1 * scale));
                i += 1;
                j += 1;
            }
        }
        self.entries = out;
    }
}

/// Term ids for a batch of texts, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    ids: BTreeMap<String, u32>,
    terms: Vec<String>,
}

impl Vocabulary {
    /// The id of `term`, assigning the next one if it is new.
    pub fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.ids.insert(term.to_string(), id);
        self.terms.push(term.to_string());
        id
    }

    /// The term with id `id`.
    pub fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", String::as_str)
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when no term was seen.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// TF-IDF vector of the content terms of tokens `range` of `doc`, with IDF from `df`.
/// `weight(token index)` scales each token (1.0 for plain content; lower for the
/// reporting frame of a quote).
pub fn tfidf(
    doc: &Prepared,
    range: std::ops::Range<usize>,
    vocab: &mut Vocabulary,
    df: &DocFreq,
    weight: impl Fn(usize) -> f64,
) -> SparseVec {
    let mut pairs = Vec::new();
    for k in range {
        let t = &doc.views[k].term;
        if t.is_empty() {
            continue;
        }
        let w = weight(k);
        if w <= 0.0 {
            continue;
        }
        pairs.push((vocab.id(t), df.idf(t) * w));
    }
    SparseVec::from_pairs(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_algebra() {
        let a = SparseVec::from_pairs(vec![(3, 1.0), (1, 2.0), (3, 1.0)]);
        assert_eq!(a.entries(), &[(1, 2.0), (3, 2.0)]);
        let b = SparseVec::from_pairs(vec![(3, 1.0), (4, 5.0)]);
        assert_eq!(a.dot(&b), 2.0);
        assert_eq!(a.min_overlap(&b), 1.0);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-12);
        assert_eq!(a.cosine(&SparseVec::default()), 0.0);
        let mut c = a.clone();
        c.add_scaled(&b, 2.0);
        assert_eq!(c.entries(), &[(1, 2.0), (3, 4.0), (4, 10.0)]);
        assert_eq!(SparseVec::sum([(&a, 1.0), (&b, 2.0)]), c);
    }

    #[test]
    fn vocabulary_ids_follow_first_appearance() {
        let mut v = Vocabulary::default();
        assert_eq!(v.id("ب"), 0);
        assert_eq!(v.id("ا"), 1);
        assert_eq!(v.id("ب"), 0);
        assert_eq!(v.term(1), "ا");
        assert_eq!(v.len(), 2);
    }
}
