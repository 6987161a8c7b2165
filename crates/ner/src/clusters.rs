//! Word clusters learned from unlabeled news, deterministically.
//!
//! Brown clustering proper is O(V·C²) and takes hours on 2 cores; this is a
//! distributional stand-in that gives the same kind of feature (a hierarchy
//! of word classes) in seconds:
//!
//! 1. Count each frequent word's left and right neighbours among the most
//!    frequent context words (plus "other").
//! 2. Weight by positive PMI and project to a few dense dimensions with a
//!    seeded random ±1 projection; normalize to unit length.
//! 3. Spherical k-means, three levels deep (`16 × 8 × 8` leaves by default):
//!    the path `top.mid.leaf` is the cluster, and each prefix is a feature.
//!
//! Every step is deterministic: vocabulary order is (count desc, form asc),
//! the projection and the k-means++ seeding come from a seeded SplitMix64,
//! and the parallel assignment step only computes per-word results.

use crate::embed::{EmbedOptions, train_sgns};
use crate::lexicon::{LexWord, Lexicon, LexiconData, NO_CLUSTER};
use crate::perceptron::SplitMix64;
use khabar_core::{Analysis, TextAnalyzer};
use rayon::prelude::*;
use std::collections::HashMap;

/// Sentence break in [`Corpus::ids`].
pub const BREAK: u32 = u32::MAX;

/// An unlabeled corpus as interned, search-normalized tokens.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    /// Distinct forms, in order of first occurrence.
    pub forms: Vec<String>,
    /// Occurrences per form.
    pub counts: Vec<u32>,
    /// The token stream; [`BREAK`] between sentences.
    pub ids: Vec<u32>,
    /// Where each text added by [`Corpus::add_text`] starts in [`Corpus::ids`].
    pub doc_starts: Vec<u32>,
    index: HashMap<String, u32>,
}

impl Corpus {
    /// Adds one text (analyzed with the text core; sentences from its splitter).
    pub fn add_text(&mut self, analyzer: &TextAnalyzer, text: &str, analysis: &mut Analysis) {
        self.doc_starts.push(self.ids.len() as u32);
        for r in khabar_core::chunk::chunk_ranges(text, crate::CHUNK_BYTES) {
            if analyzer.analyze_into(&text[r], analysis).is_err() {
                continue;
            }
            for s in &analysis.sentences {
                for t in analysis.tokens_of(s) {
                    let n = analysis.norm(t);
                    let id = match self.index.get(n) {
                        Some(&id) => id,
                        None => {
                            let id = self.forms.len() as u32;
                            self.forms.push(n.to_string());
                            self.counts.push(0);
                            self.index.insert(n.to_string(), id);
                            id
                        }
                    };
                    self.counts[id as usize] += 1;
                    self.ids.push(id);
                }
                self.ids.push(BREAK);
            }
        }
    }

    /// Number of tokens.
    pub fn n_tokens(&self) -> usize {
        self.ids.len() - self.ids.iter().filter(|&&i| i == BREAK).count()
    }

    /// The sentences, as slices of ids.
    pub fn sentences(&self) -> impl Iterator<Item = &[u32]> {
        self.ids.split(|&i| i == BREAK).filter(|s| !s.is_empty())
    }

    /// The texts, each as a slice of ids (sentences separated by [`BREAK`]);
    /// all of the stream is one text if none was added through [`Corpus::add_text`].
    pub fn documents(&self) -> Vec<&[u32]> {
        if self.doc_starts.is_empty() {
            return vec![&self.ids[..]];
        }
        let mut out = Vec::with_capacity(self.doc_starts.len());
        for (k, &start) in self.doc_starts.iter().enumerate() {
            let end = self
                .doc_starts
                .get(k + 1)
                .map_or(self.ids.len(), |&e| e as usize);
            out.push(&self.ids[start as usize..end]);
        }
        out
    }
}

/// How word vectors are made before clustering.
#[derive(Clone, Debug)]
pub enum VectorMethod {
    /// PPMI of left/right neighbours, random ±1 projection (fast, weak).
    Ppmi {
        /// How many of the most frequent words serve as context features.
        contexts: usize,
        /// Dimensions of the random projection.
        dims: usize,
    },
    /// Skip-gram with negative sampling over lexical forms ([`crate::embed`]).
    Sgns(EmbedOptions),
}

/// Settings of [`train_clusters`].
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// How many of the most frequent words get a cluster.
    pub vocab: usize,
    /// Minimum count to be clustered or kept in the lexicon.
    pub min_count: u32,
    /// How the vectors are made.
    pub method: VectorMethod,
    /// Branching at each level of the hierarchy (at most 4 levels, each < 256).
    pub branching: Vec<usize>,
    /// k-means iterations per level.
    pub iterations: usize,
    /// Seed of the vectors and the k-means++ seeding.
    pub seed: u64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            vocab: 60_000,
            min_count: 3,
            method: VectorMethod::Sgns(EmbedOptions::default()),
            branching: vec![16, 8, 8],
            iterations: 12,
            seed: 1,
        }
    }
}

/// Unit-length word vectors of the clustered forms (row per form).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WordVectors {
    /// The forms, in row order.
    pub forms: Vec<String>,
    /// Vector size.
    pub dims: usize,
    /// `forms.len() * dims` floats.
    pub data: Vec<f32>,
}

impl WordVectors {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dims..(i + 1) * self.dims]
    }
}

/// What [`train_clusters_logged`] learns: the lexicon and the vectors behind it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Clustering {
    /// Words with counts and clusters (goes into the model).
    pub lexicon: LexiconData,
    /// The vectors (used in training only).
    pub vectors: WordVectors,
}

impl Clustering {
    /// Serialized form (postcard), to cache between training runs.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads [`Clustering::to_bytes`] output; `None` if it does not decode.
    pub fn from_bytes(bytes: &[u8]) -> Option<Clustering> {
        postcard::from_bytes(bytes).ok()
    }
}

/// Learns clusters and returns the lexicon (every word with at least
/// `min_count` occurrences, with its count; the `vocab` most frequent with a cluster).
pub fn train_clusters(corpus: &Corpus, opt: &ClusterOptions) -> LexiconData {
    train_clusters_logged(corpus, opt, &mut |_| {}).lexicon
}

/// Vocabulary order: count descending, then form ascending.
fn by_count<'a>(
    counts: &'a [u32],
    forms: &'a [String],
) -> impl Fn(&u32, &u32) -> std::cmp::Ordering + 'a {
    move |&a, &b| {
        counts[b as usize]
            .cmp(&counts[a as usize])
            .then_with(|| forms[a as usize].cmp(&forms[b as usize]))
    }
}

/// [`train_clusters`], reporting progress to `log`.
pub fn train_clusters_logged(
    corpus: &Corpus,
    opt: &ClusterOptions,
    log: &mut dyn FnMut(&str),
) -> Clustering {
    let mut order: Vec<u32> = (0..corpus.forms.len() as u32)
        .filter(|&i| corpus.counts[i as usize] >= opt.min_count)
        .collect();
    order.sort_by(by_count(&corpus.counts, &corpus.forms));
    // Clustered units and their vectors.
    let (unit_forms, vectors): (Vec<String>, Vec<Vec<f32>>) = match &opt.method {
        VectorMethod::Ppmi { contexts, dims } => {
            let nv = order.len().min(opt.vocab);
            let v = ppmi_vectors(corpus, &order[..nv], &order, *contexts, *dims, opt.seed);
            (
                order[..nv]
                    .iter()
                    .map(|&i| corpus.forms[i as usize].clone())
                    .collect(),
                v,
            )
        }
        VectorMethod::Sgns(e) => sgns_vectors(corpus, &order, opt, e, log),
    };
    let nv = unit_forms.len();
    // Hierarchical spherical k-means.
    let mut path = vec![0u32; nv];
    let all: Vec<usize> = (0..nv).collect();
    let mut groups: Vec<(Vec<usize>, u32)> = vec![(all, 0)];
    let levels = opt.branching.len().min(4);
    for (level, &k) in opt.branching[..levels].iter().enumerate() {
        let k = k.clamp(1, 255);
        let mut next = Vec::new();
        for (members, prefix) in groups {
            let assign = kmeans(
                &vectors,
                &members,
                k,
                opt.iterations,
                opt.seed ^ prefix as u64 ^ (level as u64) << 40,
            );
            let mut parts: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (&m, &a) in members.iter().zip(&assign) {
                parts[a].push(m);
            }
            for (a, part) in parts.into_iter().enumerate() {
                let p = (prefix << 8) | a as u32;
                for &m in &part {
                    path[m] = p;
                }
                if !part.is_empty() {
                    next.push((part, p));
                }
            }
        }
        groups = next;
    }
    // Left-align paths so the top level is always the highest byte.
    let shift = 8 * (4 - levels) as u32;
    let mut cluster_of: HashMap<&str, u32> = HashMap::with_capacity(nv);
    for (f, &p) in unit_forms.iter().zip(&path) {
        cluster_of.insert(f.as_str(), if shift >= 32 { 0 } else { p << shift });
    }
    let mut words: Vec<LexWord> = order
        .iter()
        .map(|&id| {
            let form = &corpus.forms[id as usize];
            LexWord {
                form: form.clone(),
                count: corpus.counts[id as usize],
                cluster: cluster_of.remove(form.as_str()).unwrap_or(NO_CLUSTER),
            }
        })
        .collect();
    // Clustered lexical forms that are not frequent forms of their own.
    for (f, c) in cluster_of {
        let count = corpus
            .index
            .get(f)
            .map_or(0, |&i| corpus.counts[i as usize]);
        words.push(LexWord {
            form: f.to_string(),
            count,
            cluster: c,
        });
    }
    words.sort_by(|a, b| a.form.cmp(&b.form));
    let dims = vectors.first().map_or(0, |v| v.len());
    Clustering {
        lexicon: LexiconData { words },
        vectors: WordVectors {
            forms: unit_forms,
            dims,
            data: vectors.into_iter().flatten().collect(),
        },
    }
}

/// SGNS vectors of lexical forms: the corpus is rewritten in lexical forms
/// (clitics off, decided by the corpus counts of the forms), and the `vocab`
/// most frequent of them with at least `min_count` occurrences get vectors.
fn sgns_vectors(
    corpus: &Corpus,
    order: &[u32],
    opt: &ClusterOptions,
    e: &EmbedOptions,
    log: &mut dyn FnMut(&str),
) -> (Vec<String>, Vec<Vec<f32>>) {
    let counts_only = LexiconData {
        words: order
            .iter()
            .map(|&id| LexWord {
                form: corpus.forms[id as usize].clone(),
                count: corpus.counts[id as usize],
                cluster: NO_CLUSTER,
            })
            .collect(),
    };
    let lexicon = Lexicon::new(&counts_only);
    let mut lex_forms: Vec<String> = Vec::new();
    let mut lex_index: HashMap<String, u32> = HashMap::new();
    let mut form_to_lex = vec![0u32; corpus.forms.len()];
    let mut s = String::new();
    for (id, f) in corpus.forms.iter().enumerate() {
        lexicon.lex_form(f, &mut s);
        let lid = match lex_index.get(s.as_str()) {
            Some(&l) => l,
            None => {
                let l = lex_forms.len() as u32;
                lex_forms.push(s.clone());
                lex_index.insert(s.clone(), l);
                l
            }
        };
        form_to_lex[id] = lid;
    }
    let mut lex_counts = vec![0u32; lex_forms.len()];
    for (id, &c) in corpus.counts.iter().enumerate() {
        lex_counts[form_to_lex[id] as usize] += c;
    }
    let mut lorder: Vec<u32> = (0..lex_forms.len() as u32)
        .filter(|&l| lex_counts[l as usize] >= opt.min_count)
        .collect();
    lorder.sort_by(by_count(&lex_counts, &lex_forms));
    lorder.truncate(opt.vocab);
    let mut row = vec![u32::MAX; lex_forms.len()];
    for (r, &l) in lorder.iter().enumerate() {
        row[l as usize] = r as u32;
    }
    let sentences: Vec<Vec<u32>> = corpus
        .sentences()
        .map(|ids| {
            ids.iter()
                .map(|&i| row[form_to_lex[i as usize] as usize])
                .collect()
        })
        .collect();
    let counts: Vec<u32> = lorder.iter().map(|&l| lex_counts[l as usize]).collect();
    log(&format!(
        "embeddings: {} lexical forms, {} dimensions",
        counts.len(),
        e.dims
    ));
    let flat = train_sgns(&sentences, &counts, e, log);
    let d = e.dims;
    let vectors = (0..counts.len())
        .map(|r| {
            let mut v = flat[r * d..(r + 1) * d].to_vec();
            normalize(&mut v);
            v
        })
        .collect();
    (
        lorder
            .iter()
            .map(|&l| lex_forms[l as usize].clone())
            .collect(),
        vectors,
    )
}

/// PPMI of left/right neighbours among the `nc` most frequent words, randomly projected.
fn ppmi_vectors(
    corpus: &Corpus,
    units: &[u32],
    order: &[u32],
    contexts: usize,
    d: usize,
    seed: u64,
) -> Vec<Vec<f32>> {
    let nv = units.len();
    let nc = order.len().min(contexts);
    let mut vrow = vec![u32::MAX; corpus.forms.len()];
    for (r, &id) in units.iter().enumerate() {
        vrow[id as usize] = r as u32;
    }
    let mut ccol = vec![nc as u32; corpus.forms.len()];
    for (c, &id) in order[..nc].iter().enumerate() {
        ccol[id as usize] = c as u32;
    }
    // Left contexts are columns 0..=nc, right contexts nc+1..=2nc+1; BREAK is "other".
    let width = 2 * (nc + 1);
    let mut counts: Vec<HashMap<u32, u32>> = vec![HashMap::new(); nv];
    let ids = &corpus.ids;
    for (k, &id) in ids.iter().enumerate() {
        if id == BREAK {
            continue;
        }
        let r = vrow[id as usize];
        if r == u32::MAX {
            continue;
        }
        let left = if k > 0 && ids[k - 1] != BREAK {
            ccol[ids[k - 1] as usize]
        } else {
            nc as u32
        };
        let right = if k + 1 < ids.len() && ids[k + 1] != BREAK {
            ccol[ids[k + 1] as usize]
        } else {
            nc as u32
        };
        *counts[r as usize].entry(left).or_default() += 1;
        *counts[r as usize].entry(nc as u32 + 1 + right).or_default() += 1;
    }
    let mut col = vec![0f64; width];
    let mut total = 0f64;
    for m in &counts {
        let mut cells: Vec<(u32, u32)> = m.iter().map(|(&c, &v)| (c, v)).collect();
        cells.sort_unstable();
        for (c, v) in cells {
            col[c as usize] += v as f64;
            total += v as f64;
        }
    }
    let mut rng = SplitMix64::new(seed);
    let proj: Vec<f32> = (0..width * d)
        .map(|_| if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 })
        .collect();
    counts
        .par_iter()
        .map(|m| {
            let row_total: f64 = m.values().map(|&v| v as f64).sum();
            let mut cells: Vec<(u32, u32)> = m.iter().map(|(&c, &v)| (c, v)).collect();
            cells.sort_unstable();
            let mut v = vec![0f32; d];
            for (c, n) in cells {
                let pmi = ((n as f64 * total) / (row_total * col[c as usize])).ln();
                if pmi > 0.0 {
                    let p = &proj[c as usize * d..(c as usize + 1) * d];
                    for (x, s) in v.iter_mut().zip(p) {
                        *x += pmi as f32 * s;
                    }
                }
            }
            normalize(&mut v);
            v
        })
        .collect()
}

fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        for x in v.iter_mut() {
            *x /= n;
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Spherical k-means over `members` (indices into `vectors`); returns the cluster of each member.
fn kmeans(
    vectors: &[Vec<f32>],
    members: &[usize],
    k: usize,
    iterations: usize,
    seed: u64,
) -> Vec<usize> {
    let n = members.len();
    if n <= k {
        return (0..n).collect();
    }
    let d = vectors[members[0]].len();
    // k-means++ seeding (deterministic).
    let mut rng = SplitMix64::new(seed);
    let mut centers: Vec<Vec<f32>> = vec![vectors[members[rng.below(n)]].clone()];
    let mut best = vec![f32::INFINITY; n];
    while centers.len() < k {
        let c = centers.last().cloned().unwrap_or_default();
        let mut sum = 0f64;
        for (i, &m) in members.iter().enumerate() {
            let dist = (1.0 - dot(&vectors[m], &c)).max(0.0);
            if dist < best[i] {
                best[i] = dist;
            }
            sum += best[i] as f64;
        }
        let pick = if sum <= 0.0 {
            rng.below(n)
        } else {
            let target = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * sum;
            let mut acc = 0f64;
            let mut p = n - 1;
            for (i, &b) in best.iter().enumerate() {
                acc += b as f64;
                if acc >= target {
                    p = i;
                    break;
                }
            }
            p
        };
        centers.push(vectors[members[pick]].clone());
    }
    let mut assign = vec![0usize; n];
    for _ in 0..iterations {
        let new: Vec<usize> = members
            .par_iter()
            .map(|&m| {
                let mut bi = 0;
                let mut bv = f32::NEG_INFINITY;
                for (j, c) in centers.iter().enumerate() {
                    let v = dot(&vectors[m], c);
                    if v > bv {
                        bv = v;
                        bi = j;
                    }
                }
                bi
            })
            .collect();
        let changed = new != assign;
        assign = new;
        let mut sums = vec![vec![0f32; d]; k];
        let mut sizes = vec![0usize; k];
        for (&m, &a) in members.iter().zip(&assign) {
            sizes[a] += 1;
            for (s, x) in sums[a].iter_mut().zip(&vectors[m]) {
                *s += x;
            }
        }
        for (j, s) in sums.into_iter().enumerate() {
            if sizes[j] > 0 {
                let mut s = s;
                normalize(&mut s);
                centers[j] = s;
            }
        }
        if !changed {
            break;
        }
    }
    assign
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_the_texts_added() {
        let analyzer = TextAnalyzer::default_analyzer();
        let mut a = Analysis::default();
        let mut c = Corpus::default();
        assert_eq!(c.documents().len(), 1, "no text: the (empty) stream is one");
        c.add_text(&analyzer, "قال ترامب. وصل ماكرون.", &mut a);
        c.add_text(&analyzer, "", &mut a);
        c.add_text(&analyzer, "حلب مدينة.", &mut a);
        let docs = c.documents();
        assert_eq!(docs.len(), 3);
        let sentences = |d: &[u32]| d.split(|&i| i == BREAK).filter(|s| !s.is_empty()).count();
        assert_eq!(sentences(docs[0]), 2);
        assert_eq!(sentences(docs[1]), 0);
        assert_eq!(sentences(docs[2]), 1);
        let first = &c.forms[docs[2][0] as usize];
        assert_eq!(first, "حلب");
    }

    #[test]
    fn clusters_are_deterministic_and_group_alike_words() {
        let analyzer = TextAnalyzer::default_analyzer();
        let mut a = Analysis::default();
        let mut c = Corpus::default();
        let cities = ["حلب", "دمشق", "حمص", "طرطوس"];
        let people = ["بوتين", "ترامب", "ماكرون", "اردوغان"];
        for i in 0..200 {
            let city = cities[i % 4];
            let p = people[(i / 4) % 4];
            c.add_text(
                &analyzer,
                &format!("قال الرئيس {p} في مدينة {city} اليوم."),
                &mut a,
            );
        }
        assert_eq!(c.n_tokens(), 200 * 8);
        for method in [
            VectorMethod::Ppmi {
                contexts: 1000,
                dims: 32,
            },
            VectorMethod::Sgns(EmbedOptions {
                dims: 16,
                epochs: 10,
                sample: 0.0,
                ..Default::default()
            }),
        ] {
            let opt = ClusterOptions {
                branching: vec![2, 2, 2],
                method,
                ..Default::default()
            };
            let lx1 = train_clusters(&c, &opt);
            let lx2 = train_clusters(&c, &opt);
            assert_eq!(lx1, lx2);
            let cl = |w: &str| lx1.words.iter().find(|x| x.form == w).unwrap().cluster;
            assert_eq!(cl("حلب") >> 24, cl("دمشق") >> 24, "{:?}", opt.method);
            assert_ne!(cl("حلب") >> 16, cl("بوتين") >> 16, "{:?}", opt.method);
        }
    }
}
