//! A learned sentence scorer for single-document summaries.
//!
//! Each sentence of a document becomes a short row of features (where it is, how long,
//! how central, what it contains, see [`FEATURES`]); a logistic model turns the row into
//! the probability that a human summary takes the sentence. The model is a small text
//! file (`data/summary-model.tsv`, compiled in) written by [`SentenceScorer::to_text`]
//! and read by [`SentenceScorer::parse`]; `khabar train summary` rebuilds it from EASC.
//! The built-in model gives a weight to position alone: the other features did not help
//! under cross-validation on EASC (see `docs/DIGEST.md`), but stay for retraining on
//! better data (`khabar train summary --features all`).
//!
//! Training is plain L2-regularised logistic regression solved by Newton's method: no
//! randomness, so the same data gives the same weights, byte for byte.

use crate::lexicon::{DocFreq, is_stop_word};
use crate::summary::Length;
use crate::terms::Prepared;
use crate::vector::{SparseVec, Vocabulary, tfidf};
use khabar_core::TokenKind;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Declares the features once: [`FEATURES`] (their names, in row order) and `Col` (their
/// columns), so a name and its column cannot drift apart.
macro_rules! features {
    ($($name:ident),* $(,)?) => {
        /// Names of the features, in the order of a feature row. A model file lists the
        /// same names; a model trained on other features is refused.
        pub const FEATURES: &[&str] = &[$(stringify!($name)),*];

        /// Column of each feature in a row.
        #[allow(non_camel_case_types, dead_code)]
        #[derive(Clone, Copy)]
        enum Col {
            $($name),*
        }
    };
}

features!(
    first_sentence,
    position_inverse,
    position_relative,
    paragraph_start,
    paragraph_inverse,
    paragraph_relative,
    in_paragraph_inverse,
    words_log,
    short,
    long,
    centrality,
    centrality_rank,
    first_similarity,
    term_frequency,
    keyword_coverage,
    idf_mean,
    number_ratio,
    foreign_ratio,
    stop_ratio,
    quote,
    continuation,
    citation,
    question_or_colon,
    single_sentence_paragraph,
    position_log,
    budget_ratio,
    budget_ratio_x_first,
    budget_ratio_x_position_inverse,
    budget_ratio_x_position_relative,
);

/// Number of features in a row.
pub const FEATURE_COUNT: usize = FEATURES.len();

/// One feature row.
pub type FeatureRow = [f64; FEATURE_COUNT];

/// How many of the document's heaviest terms `keyword_coverage` looks for.
const KEYWORDS: usize = 10;

/// Words that open a sentence continuing the previous one («كما», «لكن», «ثم»).
const CONNECTIVES: &[&str] = &[
    "اذ",
    "اما",
    "ايضا",
    "بل",
    "بينما",
    "ثم",
    "حيث",
    "كما",
    "لكن",
    "لكنه",
    "لكنها",
    "لذا",
    "لذلك",
    "هكذا",
];

/// What the summarizer knows about the sentences of one document: a feature row, a
/// TF-IDF vector (for redundancy) and a word count per sentence. Some features depend on
/// how long a summary is asked for (a summary of half the text takes other sentences than
/// a summary of one tenth): the budget is part of the input.
#[derive(Clone, Debug)]
pub struct DocumentFeatures {
    /// One row per sentence of the analysis.
    pub rows: Vec<FeatureRow>,
    /// TF-IDF vector of each sentence's content terms.
    pub vectors: Vec<SparseVec>,
    /// Word-like tokens (words, foreign words, numbers, hashtags) per sentence.
    pub words: Vec<usize>,
}

fn is_wordlike(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word | TokenKind::Foreign | TokenKind::Number | TokenKind::Hashtag
    )
}

impl DocumentFeatures {
    /// Computes the features of every sentence of `doc` for a summary of `length`, with
    /// IDF from `df`.
    pub fn new(doc: &Prepared, df: &DocFreq, length: Length) -> DocumentFeatures {
        let a = &doc.analysis;
        let n = a.sentences.len();
        let mut vocab = Vocabulary::default();
        let vectors: Vec<SparseVec> = a
            .sentences
            .iter()
            .map(|s| {
                tfidf(
                    doc,
                    s.first_token as usize..s.end_token as usize,
                    &mut vocab,
                    df,
                    |_| 1.0,
                )
            })
            .collect();
        let centroid = SparseVec::sum(vectors.iter().map(|v| (v, 1.0)));
        let centrality: Vec<f64> = vectors.iter().map(|v| v.cosine(&centroid)).collect();
        // Rank 0 = most central; ties keep text order.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&x, &y| centrality[y].total_cmp(&centrality[x]).then(x.cmp(&y)));
        let mut rank = vec![0usize; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        // Term counts of the whole document (SumBasic's word probabilities) and its
        // heaviest terms by count × IDF.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &doc.views {
            if !v.term.is_empty() {
                *counts.entry(v.term.as_str()).or_default() += 1;
            }
        }
        let total_terms = counts.values().sum::<usize>().max(1) as f64;
        let mut heavy: Vec<(&str, f64)> = counts
            .iter()
            .map(|(t, &c)| (*t, c as f64 * df.idf(t)))
            .collect();
        heavy.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(y.0)));
        let keywords: BTreeSet<&str> = heavy.iter().take(KEYWORDS).map(|x| x.0).collect();
        let max_idf = (df.docs() as f64 + 1.0).ln().max(1.0);

        // Paragraph of each sentence and its place in the paragraph.
        let para: Vec<usize> = a
            .sentences
            .iter()
            .map(|s| doc.paragraph_at(s.span.start))
            .collect();
        let paragraphs = para.last().map_or(0, |p| p + 1);
        let mut in_para = vec![0usize; n];
        let mut para_len: BTreeMap<usize, usize> = BTreeMap::new();
        for i in 0..n {
            if i > 0 && para[i] == para[i - 1] {
                in_para[i] = in_para[i - 1] + 1;
            }
            *para_len.entry(para[i]).or_default() += 1;
        }

        let mut rows = Vec::with_capacity(n);
        let mut words = Vec::with_capacity(n);
        for (i, s) in a.sentences.iter().enumerate() {
            let range = s.first_token as usize..s.end_token as usize;
            let toks = &a.tokens[range.clone()];
            let views = &doc.views[range];
            let (mut w, mut numbers, mut foreign, mut stops, mut quote, mut citation) =
                (0usize, 0usize, 0usize, 0usize, false, false);
            let (mut tf_sum, mut idf_sum, mut terms, mut covered) =
                (0.0, 0.0, 0usize, BTreeSet::new());
            for (k, (t, v)) in toks.iter().zip(views).enumerate() {
                let surface = t.span.slice(doc.text);
                if surface.contains(['«', '»', '"', '“', '”']) {
                    quote = true;
                }
                if surface == "[" && toks.get(k + 1).is_some_and(|x| x.kind == TokenKind::Number) {
                    citation = true;
                }
                if !is_wordlike(t.kind) {
                    continue;
                }
                w += 1;
                match t.kind {
                    TokenKind::Number => numbers += 1,
                    TokenKind::Foreign => foreign += 1,
                    _ => {}
                }
                if v.term.is_empty() {
                    stops += 1;
                } else {
                    terms += 1;
                    tf_sum += counts.get(v.term.as_str()).copied().unwrap_or(0) as f64;
                    idf_sum += df.idf(&v.term);
                    if keywords.contains(v.term.as_str()) {
                        covered.insert(v.term.as_str());
                    }
                }
            }
            let first_word = toks
                .iter()
                .zip(&doc.views[s.first_token as usize..])
                .find(|(t, _)| is_wordlike(t.kind));
            let continuation = first_word.is_some_and(|(t, v)| {
                let norm = a.norm(t);
                CONNECTIVES.contains(&v.core.as_str()) || (v.core != norm && is_stop_word(&v.core))
            });
            let question_or_colon = toks
                .last()
                .is_some_and(|t| matches!(t.span.slice(doc.text), "?" | "؟" | ":"));
            let wf = w.max(1) as f64;
            let rel = |x: usize, of: usize| {
                if of <= 1 {
                    0.0
                } else {
                    x as f64 / (of - 1) as f64
                }
            };
            let flag = |b: bool| if b { 1.0 } else { 0.0 };
            let mut row = [0.0; FEATURE_COUNT];
            row[Col::first_sentence as usize] = flag(i == 0);
            row[Col::position_inverse as usize] = 1.0 / (1.0 + i as f64);
            row[Col::position_relative as usize] = rel(i, n);
            row[Col::paragraph_start as usize] = flag(in_para[i] == 0);
            row[Col::paragraph_inverse as usize] = 1.0 / (1.0 + para[i] as f64);
            row[Col::paragraph_relative as usize] = rel(para[i], paragraphs);
            row[Col::in_paragraph_inverse as usize] = 1.0 / (1.0 + in_para[i] as f64);
            row[Col::words_log as usize] = (1.0 + w as f64).ln();
            row[Col::short as usize] = flag(w < 8);
            row[Col::long as usize] = flag(w > 40);
            row[Col::centrality as usize] = centrality[i];
            row[Col::centrality_rank as usize] = rel(rank[i], n);
            row[Col::first_similarity as usize] = if i == 0 {
                1.0
            } else {
                vectors[i].cosine(&vectors[0])
            };
            row[Col::term_frequency as usize] = if terms == 0 {
                0.0
            } else {
                tf_sum / terms as f64 / total_terms * 100.0
            };
            row[Col::keyword_coverage as usize] =
                covered.len() as f64 / keywords.len().max(1) as f64;
            row[Col::idf_mean as usize] = if terms == 0 {
                0.0
            } else {
                idf_sum / terms as f64 / max_idf
            };
            row[Col::number_ratio as usize] = numbers as f64 / wf;
            row[Col::foreign_ratio as usize] = foreign as f64 / wf;
            row[Col::stop_ratio as usize] = stops as f64 / wf;
            row[Col::quote as usize] = flag(quote);
            row[Col::continuation as usize] = flag(continuation);
            row[Col::citation as usize] = flag(citation);
            row[Col::question_or_colon as usize] = flag(question_or_colon);
            row[Col::single_sentence_paragraph as usize] =
                flag(para_len.get(&para[i]).copied().unwrap_or(0) == 1);
            // Position enters only through smooth, monotone functions: a one-hot per
            // index lets the model learn EASC's annotators who took every other sentence.
            row[Col::position_log as usize] = (1.0 + i as f64).ln();
            rows.push(row);
            words.push(w);
        }
        // The share of the document the summary may take.
        let total_words = words.iter().sum::<usize>().max(1) as f64;
        let ratio = match length {
            Length::Words(b) => b as f64 / total_words,
            Length::Sentences(k) => k as f64 / n.max(1) as f64,
        }
        .min(1.0);
        for row in &mut rows {
            row[Col::budget_ratio as usize] = ratio;
            row[Col::budget_ratio_x_first as usize] = ratio * row[Col::first_sentence as usize];
            row[Col::budget_ratio_x_position_inverse as usize] =
                ratio * row[Col::position_inverse as usize];
            row[Col::budget_ratio_x_position_relative as usize] =
                ratio * row[Col::position_relative as usize];
        }
        DocumentFeatures {
            rows,
            vectors,
            words,
        }
    }
}

/// Training targets from a reference summary: for each sentence of `doc`, the share of
/// its word bigrams (search-normalized, clitics attached) that occur in `reference`.
/// A sentence the reference copies scores 1; EASC's references copy about 80 % of their
/// sentences verbatim once alef forms and spacing are folded.
pub fn sentence_targets(doc: &Prepared, reference: &Prepared) -> Vec<f64> {
    let ref_tokens = normalized_words(reference, 0..reference.analysis.tokens.len());
    let bigrams: BTreeSet<(&str, &str)> = ref_tokens.windows(2).map(|w| (w[0], w[1])).collect();
    let unigrams: BTreeSet<&str> = ref_tokens.iter().copied().collect();
    doc.analysis
        .sentences
        .iter()
        .map(|s| {
            let toks = normalized_words(doc, s.first_token as usize..s.end_token as usize);
            match toks.len() {
                0 => 0.0,
                1 => f64::from(u8::from(unigrams.contains(toks[0]))),
                n => {
                    let hit = toks
                        .windows(2)
                        .filter(|w| bigrams.contains(&(w[0], w[1])))
                        .count();
                    hit as f64 / (n - 1) as f64
                }
            }
        })
        .collect()
}

fn normalized_words<'a>(p: &'a Prepared, range: std::ops::Range<usize>) -> Vec<&'a str> {
    p.analysis.tokens[range]
        .iter()
        .filter(|t| is_wordlike(t.kind))
        .map(|t| p.analysis.norm(t))
        .filter(|n| !n.is_empty())
        .collect()
}

/// Why a model file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    /// The first line is not `khabar-summary-model<TAB>1`.
    #[error("not a khabar summary model (first line must be `khabar-summary-model\\t1`)")]
    Header,
    /// A line could not be read.
    #[error("line {line}: {what}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The file's features are not [`FEATURES`] in that order.
    #[error(
        "the model's features differ from this version's: expected {expected:?}, found {found:?}"
    )]
    Features {
        /// Names this version computes.
        expected: Vec<String>,
        /// Names in the file.
        found: Vec<String>,
    },
}

/// A logistic sentence scorer: `σ(bias + Σ weight · (x − mean) / scale)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceScorer {
    /// Free-text provenance lines (without `#`), kept in the file as comments.
    pub notes: Vec<String>,
    /// Intercept.
    pub bias: f64,
    /// Per feature: `(mean, scale, weight)`; features are standardised before weighting.
    pub features: Vec<(f64, f64, f64)>,
    /// The redundancy cap (cosine) chosen with the weights: a sentence more similar than
    /// this to one already picked is passed over.
    pub max_redundancy: f64,
}

const MODEL: &str = include_str!("../data/summary-model.tsv");

impl SentenceScorer {
    /// The model compiled into the crate: position only, trained on the 102 EASC articles
    /// of `../shared/data/easc_taqyim` (see `docs/DIGEST.md`).
    pub fn builtin() -> &'static SentenceScorer {
        static MODEL_CELL: OnceLock<SentenceScorer> = OnceLock::new();
        MODEL_CELL.get_or_init(|| {
            // A test parses the embedded file, so this cannot fail in a tested build.
            SentenceScorer::parse(MODEL).unwrap_or_else(|_| SentenceScorer::position_only())
        })
    }

    /// A scorer that prefers earlier sentences and nothing else (lead-k order).
    pub fn position_only() -> SentenceScorer {
        let mut features = vec![(0.0, 1.0, 0.0); FEATURE_COUNT];
        features[Col::position_inverse as usize].2 = 1.0;
        SentenceScorer {
            notes: vec!["position only".into()],
            bias: 0.0,
            features,
            max_redundancy: 1.0,
        }
    }

    /// The linear score (log-odds) of one row.
    pub fn logit(&self, row: &FeatureRow) -> f64 {
        self.bias
            + row
                .iter()
                .zip(&self.features)
                .map(|(x, (m, s, w))| w * (x - m) / s)
                .sum::<f64>()
    }

    /// Probability that a summary takes each sentence.
    pub fn score(&self, doc: &DocumentFeatures) -> Vec<f64> {
        doc.rows.iter().map(|r| sigmoid(self.logit(r))).collect()
    }

    /// Reads a model file: `khabar-summary-model<TAB>1`, `bias<TAB>b`,
    /// `max_redundancy<TAB>cap`, then one `feature<TAB>name<TAB>mean<TAB>scale<TAB>weight`
    /// line per feature in [`FEATURES`] order; `#` lines are notes.
    pub fn parse(text: &str) -> Result<SentenceScorer, ModelError> {
        let mut lines = text.lines().enumerate();
        let mut notes = Vec::new();
        let mut header = false;
        let mut bias = None;
        let mut max_redundancy = None;
        let mut names = Vec::new();
        let mut features = Vec::new();
        for (k, raw) in lines.by_ref() {
            let line = raw.trim_end();
            if let Some(note) = line.strip_prefix('#') {
                notes.push(note.trim().to_string());
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let bad = |what: &str| ModelError::Line {
                line: k + 1,
                what: what.to_string(),
            };
            let num = |s: Option<&str>| -> Result<f64, ModelError> {
                s.and_then(|x| x.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad("expected a finite number"))
            };
            let mut f = line.split('\t');
            match f.next() {
                Some("khabar-summary-model") if !header => {
                    if f.next() != Some("1") {
                        return Err(ModelError::Header);
                    }
                    header = true;
                }
                _ if !header => return Err(ModelError::Header),
                Some("bias") => bias = Some(num(f.next())?),
                Some("max_redundancy") => max_redundancy = Some(num(f.next())?),
                Some("feature") => {
                    let name = f.next().ok_or_else(|| bad("feature without a name"))?;
                    let (m, s, w) = (num(f.next())?, num(f.next())?, num(f.next())?);
                    if s <= 0.0 {
                        return Err(bad("scale must be positive"));
                    }
                    names.push(name.to_string());
                    features.push((m, s, w));
                }
                Some(other) => return Err(bad(&format!("unknown line kind {other:?}"))),
                None => {}
            }
        }
        if !header {
            return Err(ModelError::Header);
        }
        if names
            .iter()
            .map(String::as_str)
            .ne(FEATURES.iter().copied())
        {
            return Err(ModelError::Features {
                expected: FEATURES.iter().map(|s| s.to_string()).collect(),
                found: names,
            });
        }
        Ok(SentenceScorer {
            notes,
            bias: bias.unwrap_or(0.0),
            features,
            max_redundancy: max_redundancy.unwrap_or(1.0),
        })
    }

    /// The model as a file [`SentenceScorer::parse`] reads back to the same weights.
    pub fn to_text(&self) -> String {
        let mut out = String::from("khabar-summary-model\t1\n");
        for n in &self.notes {
            out.push_str(&format!("# {n}\n"));
        }
        out.push_str(&format!("bias\t{}\n", self.bias));
        out.push_str(&format!("max_redundancy\t{}\n", self.max_redundancy));
        for (name, (m, s, w)) in FEATURES.iter().zip(&self.features) {
            out.push_str(&format!("feature\t{name}\t{m}\t{s}\t{w}\n"));
        }
        out
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// How [`train`] fits the model.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOptions {
    /// L2 penalty on the (standardised) weights; the bias is not penalised.
    pub l2: f64,
    /// Targets at or above this become 1 and the rest 0; `None` keeps the soft targets
    /// (bigram shares) as they are.
    pub threshold: Option<f64>,
    /// Which features may get a weight (`None`: all). Others stay 0.
    pub mask: Option<Vec<bool>>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 1.0,
            threshold: None,
            mask: None,
        }
    }
}

/// Fits a logistic scorer to `(row, target)` examples (targets in `[0, 1]`) by Newton's
/// method on the L2-penalised cross-entropy. Deterministic.
// Matrix code reads best with explicit indices.
#[allow(clippy::needless_range_loop)]
pub fn train(examples: &[(FeatureRow, f64)], opts: &TrainOptions) -> SentenceScorer {
    let n = examples.len().max(1) as f64;
    let active: Vec<usize> = (0..FEATURE_COUNT)
        .filter(|&j| {
            opts.mask
                .as_ref()
                .is_none_or(|m| m.get(j).copied().unwrap_or(false))
        })
        .collect();
    let mut mean = [0.0; FEATURE_COUNT];
    let mut scale = [1.0; FEATURE_COUNT];
    for j in 0..FEATURE_COUNT {
        let m = examples.iter().map(|e| e.0[j]).sum::<f64>() / n;
        let var = examples.iter().map(|e| (e.0[j] - m).powi(2)).sum::<f64>() / n;
        mean[j] = m;
        scale[j] = if var > 1e-12 { var.sqrt() } else { 1.0 };
    }
    // Design matrix: bias column first, then the active standardised features.
    let d = active.len() + 1;
    let xs: Vec<Vec<f64>> = examples
        .iter()
        .map(|(row, _)| {
            std::iter::once(1.0)
                .chain(active.iter().map(|&j| (row[j] - mean[j]) / scale[j]))
                .collect()
        })
        .collect();
    let ys: Vec<f64> = examples
        .iter()
        .map(|e| match opts.threshold {
            Some(t) => f64::from(u8::from(e.1 >= t)),
            None => e.1.clamp(0.0, 1.0),
        })
        .collect();
    let mut w = vec![0.0; d];
    for _ in 0..50 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for (x, y) in xs.iter().zip(&ys) {
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let r = p * (1.0 - p);
            for a in 0..d {
                grad[a] += (p - y) * x[a];
                for b in 0..=a {
                    hess[a][b] += r * x[a] * x[b];
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                hess[b][a] = hess[a][b];
            }
            if a > 0 {
                grad[a] += opts.l2 * w[a];
                hess[a][a] += opts.l2;
            }
            hess[a][a] += 1e-9;
        }
        let Some(step) = solve_spd(hess, grad) else {
            break;
        };
        let mut moved = 0.0f64;
        for a in 0..d {
            w[a] -= step[a];
            moved = moved.max(step[a].abs());
        }
        if moved < 1e-10 {
            break;
        }
    }
    let mut features: Vec<(f64, f64, f64)> = (0..FEATURE_COUNT)
        .map(|j| (mean[j], scale[j], 0.0))
        .collect();
    for (k, &j) in active.iter().enumerate() {
        features[j].2 = w[k + 1];
    }
    SentenceScorer {
        notes: Vec::new(),
        bias: w[0],
        features,
        max_redundancy: 1.0,
    }
}

/// Solves `A x = b` for a symmetric positive definite `A` by Cholesky decomposition.
#[allow(clippy::needless_range_loop)]
fn solve_spd(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let d = b.len();
    for j in 0..d {
        let mut s = a[j][j];
        for k in 0..j {
            s -= a[j][k] * a[j][k];
        }
        if s <= 0.0 || !s.is_finite() {
            return None;
        }
        let l = s.sqrt();
        a[j][j] = l;
        for i in j + 1..d {
            let mut s = a[i][j];
            for k in 0..j {
                s -= a[i][k] * a[j][k];
            }
            a[i][j] = s / l;
        }
    }
    for i in 0..d {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i][k] * b[k];
        }
        b[i] = s / a[i][i];
    }
    for i in (0..d).rev() {
        let mut s = b[i];
        for k in i + 1..d {
            s -= a[k][i] * b[k];
        }
        b[i] = s / a[i][i];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;

    fn prep(text: &str) -> Prepared<'_> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        Prepared::new(text, a, DocFreq::builtin())
    }

    const TEXT: &str = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل.\n\
                        وقالت الأمم المتحدة إن آلاف المدنيين غادروا حلب خلال عملية الإجلاء. \
                        وأكدت روسيا أن معارك حلب انتهت [3].\n\
                        الطقس كان مشمسا في دمشق يوم الأحد مع رياح خفيفة (BBC).";

    #[test]
    fn the_embedded_model_matches_this_version() {
        let text = include_str!("../data/summary-model.tsv");
        let m = SentenceScorer::parse(text).expect("the embedded model parses");
        assert_eq!(m.features.len(), FEATURE_COUNT);
        assert_eq!(SentenceScorer::builtin(), &m);
        assert!(m.max_redundancy > 0.0 && m.max_redundancy <= 1.0);
        // Earlier sentences are more likely to be taken, all else equal.
        let p = prep(TEXT);
        let f = DocumentFeatures::new(&p, DocFreq::builtin(), Length::Words(20));
        let s = m.score(&f);
        assert!(s.iter().all(|x| (0.0..=1.0).contains(x)));
        assert!(s[0] > s[3], "{s:?}");
    }

    #[test]
    fn model_text_round_trips_and_bad_files_are_refused() {
        let mut m = SentenceScorer::position_only();
        m.bias = -0.123456789012345;
        m.features[7] = (2.5, 0.75, -1.0e-7);
        m.max_redundancy = 0.5;
        let t = m.to_text();
        assert_eq!(SentenceScorer::parse(&t).unwrap(), m);
        assert_eq!(SentenceScorer::parse("bias\t1\n"), Err(ModelError::Header));
        assert_eq!(
            SentenceScorer::parse("khabar-summary-model\t2\n"),
            Err(ModelError::Header)
        );
        let renamed = t.replace("\twords_log\t", "\twords\t");
        assert!(matches!(
            SentenceScorer::parse(&renamed),
            Err(ModelError::Features { .. })
        ));
        let bad = t.replace("bias\t-0.123456789012345", "bias\tNaN");
        assert!(matches!(
            SentenceScorer::parse(&bad),
            Err(ModelError::Line { line: 3, .. })
        ));
        let short = t.lines().take(6).collect::<Vec<_>>().join("\n");
        assert!(matches!(
            SentenceScorer::parse(&short),
            Err(ModelError::Features { .. })
        ));
    }

    #[test]
    fn features_describe_the_sentences() {
        let p = prep(TEXT);
        let f = DocumentFeatures::new(&p, DocFreq::builtin(), Length::Words(20));
        assert_eq!(f.rows.len(), p.analysis.sentences.len());
        assert_eq!(f.rows.len(), 4);
        let col = |name: &str| FEATURES.iter().position(|x| *x == name).unwrap();
        let r = &f.rows;
        assert_eq!(r[0][col("first_sentence")], 1.0);
        assert_eq!(r[1][col("first_sentence")], 0.0);
        // Sentence 1 opens the second paragraph, sentence 2 continues it.
        assert_eq!(r[1][col("paragraph_start")], 1.0);
        assert_eq!(r[2][col("paragraph_start")], 0.0);
        assert_eq!(r[2][col("citation")], 1.0);
        assert!(r[3][col("foreign_ratio")] > 0.0);
        assert_eq!(r[2][col("continuation")], 1.0, "«وأكدت» continues");
        // The weather line shares little with the rest: least central.
        assert_eq!(r[3][col("centrality_rank")], 1.0);
        let total: usize = f.words.iter().sum();
        assert!((r[0][col("budget_ratio")] - 20.0 / total as f64).abs() < 1e-12);
    }

    #[test]
    fn targets_are_bigram_shares_after_folding() {
        let p = prep(TEXT);
        // The reference copies sentence 0 with bare alefs and takes half of sentence 1.
        let reference = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل. \
                         وقالت الامم المتحدة ان آلاف المدنيين";
        let r = prep(reference);
        let t = sentence_targets(&p, &r);
        assert_eq!(t.len(), 4);
        assert_eq!(t[0], 1.0);
        assert!(t[1] > 0.3 && t[1] < 0.8, "{t:?}");
        assert_eq!(t[3], 0.0);
    }

    #[test]
    fn training_finds_the_signal_and_is_deterministic() {
        // Target = 1 when feature 3 is set, whatever the noise in feature 10.
        let examples: Vec<(FeatureRow, f64)> = (0..200)
            .map(|i| {
                let mut row = [0.0; FEATURE_COUNT];
                row[Col::paragraph_start as usize] = f64::from(u8::from(i % 3 == 0));
                row[Col::centrality as usize] = ((i * 7919) % 101) as f64 / 101.0;
                (row, row[3])
            })
            .collect();
        let opts = TrainOptions {
            l2: 0.1,
            ..TrainOptions::default()
        };
        let m = train(&examples, &opts);
        assert_eq!(m, train(&examples, &opts));
        assert!(m.features[3].2 > 1.0, "{:?}", m.features[3]);
        assert!(m.features[10].2.abs() < 0.5 * m.features[3].2);
        let (pos, neg) = (&examples[0].0, &examples[1].0);
        assert!(sigmoid(m.logit(pos)) > 0.9 && sigmoid(m.logit(neg)) < 0.1);
        // A masked feature gets no weight.
        let mut mask = vec![true; FEATURE_COUNT];
        mask[3] = false;
        let masked = train(
            &examples,
            &TrainOptions {
                mask: Some(mask),
                ..opts
            },
        );
        assert_eq!(masked.features[3].2, 0.0);
        // No examples: a model that still scores.
        let empty = train(&[], &TrainOptions::default());
        assert!(empty.logit(&[0.0; FEATURE_COUNT]).is_finite());
    }
}
