//! Statements that say the same thing in other words, across reports.
//!
//! Three outlets write «الخطوة التالية يجب ان تكون التوصل الى اتفاق لوقف اطلاق النار
//! على جميع الاراضي السورية», «إن الخطوة التالية في سوريا يجب أن تكون وقف إطلاق النار
//! على مستوى البلاد» and «أن الخطوة التالية يجب أن تكون تنفيذ نظام وقف إطلاق نار في
//! جميع أنحاء سورية». Shingles of the surface miss this; what the sentences share is
//! their *content terms* (light stems of clitic-stripped, normalized words: «سورية»,
//! «السورية» and «سوريا» all give «سور»), the rarer of them weighing more.
//!
//! Each sentence (a *unit*) becomes a vector of:
//! - content terms weighted by IDF from the built-in news table, with the reporting frame
//!   of a quote («وقال بوتين في مؤتمره الصحفي إن») down-weighted against its content,
//!   and speech cues ignored, so «وأضاف» and «وتابع» do not matter;
//! - term bigrams (adjacent content terms), so «وقف إطلاق النار» counts as a phrase;
//! - entity keys from the caller's mentions, so «بوتين» and «الرئيس الروسي فلاديمير
//!   بوتين» match when the tagger gives them one key.
//!
//! Pairs from different reports with a cosine at or above a threshold are merged, most
//! similar first, into groups whose members are all at least half that similar to each
//! other (no chaining of A≈B≈C into A≈C) and that hold at most one sentence per report.
//! Every step is ordered, so the result is deterministic.

use crate::Mention;
use crate::lexicon::DocFreq;
use crate::quotes::Quote;
use crate::terms::Prepared;
use crate::vector::{SparseVec, Vocabulary};
use khabar_core::Span;
use std::collections::BTreeMap;

/// A sentence of a report: the unit statements are made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Index of the report it belongs to.
    pub report: usize,
    /// Index of the document (the [`Prepared`] text) it is in.
    pub doc: usize,
    /// Its tokens in that document.
    pub tokens: std::ops::Range<usize>,
    /// Its span in that document.
    pub span: Span,
    /// Its position among its report's sentences (0 = first).
    pub position: usize,
}

/// Tuning of statement grouping.
#[derive(Clone, Debug)]
pub struct StatementOptions {
    /// Cosine at or above which two sentences of different reports say the same thing.
    pub threshold: f64,
    /// Cosine of the words outside entity names that two sentences must also reach: two
    /// sentences naming the same places but saying different things stay apart.
    pub predicate_threshold: f64,
    /// Weight of tokens in a quote's reporting frame relative to its content.
    pub frame_weight: f64,
    /// Weight of a term bigram relative to the mean IDF of its terms.
    pub bigram_weight: f64,
    /// How strongly terms used by many reports of the batch are down-weighted (0 = not at all).
    pub spread_exponent: f64,
    /// Weight of an entity key feature.
    pub entity_weight: f64,
}

impl Default for StatementOptions {
    fn default() -> Self {
        StatementOptions {
            threshold: 0.26,
            predicate_threshold: 0.08,
            frame_weight: 0.3,
            bigram_weight: 0.5,
            spread_exponent: 0.5,
            entity_weight: 2.0,
        }
    }
}

/// Sentences of different reports that say the same thing.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementGroup {
    /// Unit indices, in unit order.
    pub members: Vec<usize>,
    /// Number of distinct reports among the members.
    pub support: usize,
    /// The member that best stands for the group: `(unit index, span)`.
    pub representative: (usize, Span),
    /// Word count of the representative.
    pub words: usize,
    /// Mean over members of `1 / (1 + position)`: statements reports lead with score higher.
    pub position_prior: f64,
}

/// Feature vectors of units: all features, and those of the words outside entity names.
#[derive(Clone, Debug, Default)]
pub struct UnitVectors {
    /// Terms, bigrams and entity keys.
    pub full: Vec<SparseVec>,
    /// Terms and bigrams of the words no mention covers.
    pub predicate: Vec<SparseVec>,
}

/// Feature vectors of `units`. `quotes[d]` and `mentions[d]` belong to `docs[d]`.
pub fn unit_vectors<'t, P: std::borrow::Borrow<Prepared<'t>>>(
    docs: &[P],
    units: &[Unit],
    quotes: &[Vec<Quote>],
    mentions: &[Vec<Mention>],
    vocab: &mut Vocabulary,
    df: &DocFreq,
    opts: &StatementOptions,
) -> UnitVectors {
    // How many reports use each term: a term most reports of the batch use (the story's
    // own subject, «تيريزا ماي» in a story about her decision) says little about which
    // statement a sentence makes, so its weight is scaled by
    // `ln(1 + R / rf) / ln(1 + R)` (1 for a term of one report).
    let n_reports = units.iter().map(|u| u.report + 1).max().unwrap_or(0);
    let mut report_freq: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for u in units {
        let doc: &Prepared = docs[u.doc].borrow();
        for k in u.tokens.clone() {
            let t = doc.views[k].term.as_str();
            if t.is_empty() {
                continue;
            }
            let e = report_freq.entry(t).or_insert((0, usize::MAX));
            if e.1 != u.report {
                e.0 += 1;
                e.1 = u.report;
            }
        }
    }
    let spread = |t: &str| {
        let rf = report_freq.get(t).map_or(1, |e| e.0.max(1)) as f64;
        let r = n_reports.max(1) as f64;
        if r <= 1.0 {
            1.0
        } else {
            ((1.0 + r / rf).ln() / (1.0 + r).ln()).powf(opts.spread_exponent)
        }
    };
    let mut out = UnitVectors::default();
    for u in units {
        let (full, predicate) = {
            let doc: &Prepared = docs[u.doc].borrow();
            let qs = quotes.get(u.doc).map_or(&[][..], |v| &v[..]);
            let ms = mentions.get(u.doc).map_or(&[][..], |v| &v[..]);
            // Quotes of this sentence: tokens outside their content are the frame.
            let in_unit: Vec<&Quote> = qs
                .iter()
                .filter(|q| q.cue.start >= u.span.start && q.cue.start < u.span.end)
                .collect();
            let weight = |k: usize| {
                if in_unit.is_empty() {
                    return 1.0;
                }
                let s = doc.analysis.tokens[k].span;
                if in_unit.iter().any(|q| q.content.contains(s)) {
                    1.0
                } else {
                    opts.frame_weight
                }
            };
            let in_mention = |k: usize| {
                let s = doc.analysis.tokens[k].span;
                ms.iter()
                    .any(|m| m.span.start < s.end && s.start < m.span.end)
            };
            let mut pairs: Vec<(u32, f64)> = Vec::new();
            let mut pred: Vec<(u32, f64)> = Vec::new();
            let mut prev: Option<(&str, f64, bool)> = None;
            for k in u.tokens.clone() {
                let t = doc.views[k].term.as_str();
                if t.is_empty() {
                    // Stop words do not break a bigram («وقف لاطلاق النار»), punctuation does.
                    if doc.analysis.tokens[k].kind == khabar_core::TokenKind::Punct {
                        prev = None;
                    }
                    continue;
                }
                let w = weight(k);
                let idf = df.idf(t) * spread(t);
                let named = in_mention(k);
                let id = vocab.id(t);
                pairs.push((id, idf * w));
                if !named {
                    pred.push((id, idf * w));
                }
                if let Some((p, pidf, pnamed)) = prev {
                    let key = format!("{p}\u{1}{t}");
                    let bid = vocab.id(&key);
                    let bw = opts.bigram_weight * 0.5 * (idf + pidf) * w;
                    pairs.push((bid, bw));
                    if !named && !pnamed {
                        pred.push((bid, bw));
                    }
                }
                prev = Some((t, idf, named));
            }
            for m in ms.iter().filter(|m| u.span.contains(m.span)) {
                let key = format!("\u{2}{}", m.key);
                pairs.push((vocab.id(&key), opts.entity_weight));
            }
            (SparseVec::from_pairs(pairs), SparseVec::from_pairs(pred))
        };
        out.full.push(full);
        out.predicate.push(predicate);
    }
    out
}

/// Pairs `(i, j)`, `i < j`, of units that share one of their heaviest features: two
/// sentences that say the same thing share their rarest words, and comparing only those
/// pairs keeps large batches far from quadratic. Sorted, no duplicates.
fn candidate_pairs(vectors: &[SparseVec]) -> Vec<(usize, usize)> {
    /// Features per unit that index it.
    const TOP: usize = 8;
    /// A feature shared by more units than this is too common to pair on.
    const MAX_POSTING: usize = 200;
    let mut postings: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (u, v) in vectors.iter().enumerate() {
        let mut top: Vec<(u32, f64)> = v.entries().to_vec();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(id, _) in top.iter().take(TOP) {
            postings.entry(id).or_default().push(u);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for list in postings.values() {
        if list.len() > MAX_POSTING {
            continue;
        }
        for (a, &i) in list.iter().enumerate() {
            for &j in &list[a + 1..] {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Groups units that say the same thing. Every unit ends up in exactly one group
/// (singletons included), groups ordered by their first member.
pub fn group_statements<'t, P: std::borrow::Borrow<Prepared<'t>>>(
    docs: &[P],
    units: &[Unit],
    uv: &UnitVectors,
    opts: &StatementOptions,
) -> Vec<StatementGroup> {
    let vectors = &uv.full;
    let same =
        |a: usize, b: usize| uv.predicate[a].cosine(&uv.predicate[b]) >= opts.predicate_threshold;
    let n = units.len();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, j) in candidate_pairs(vectors) {
        if units[i].report == units[j].report {
            continue;
        }
        let s = vectors[i].cosine(&vectors[j]);
        if s >= opts.threshold && same(i, j) {
            pairs.push((s, i, j));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Union by explicit member lists: small batches, clarity over speed.
    let mut group_of: Vec<usize> = (0..n).collect();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for (_, i, j) in pairs {
        let (gi, gj) = (group_of[i], group_of[j]);
        if gi == gj {
            continue;
        }
        let compatible = members[gi].iter().all(|&a| {
            members[gj].iter().all(|&b| {
                units[a].report != units[b].report
                    && vectors[a].cosine(&vectors[b]) >= opts.threshold * 0.5
            })
        });
        if !compatible {
            continue;
        }
        let (keep, gone) = (gi.min(gj), gi.max(gj));
        let moved = std::mem::take(&mut members[gone]);
        for &m in &moved {
            group_of[m] = keep;
        }
        members[keep].extend(moved);
        members[keep].sort_unstable();
    }
    members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|m| {
            let mut reports: Vec<usize> = m.iter().map(|&u| units[u].report).collect();
            reports.sort_unstable();
            reports.dedup();
            // The most central member stands for the group (ties: the earliest).
            let rep = *m
                .iter()
                .max_by(|&&a, &&b| {
                    let sa: f64 = m.iter().map(|&o| vectors[a].cosine(&vectors[o])).sum();
                    let sb: f64 = m.iter().map(|&o| vectors[b].cosine(&vectors[o])).sum();
                    sa.total_cmp(&sb).then(b.cmp(&a))
                })
                .unwrap_or(&m[0]);
            let u = &units[rep];
            let words = crate::summary::word_count(docs[u.doc].borrow(), u.tokens.clone());
            let position_prior = m
                .iter()
                .map(|&x| 1.0 / (1.0 + units[x].position as f64))
                .sum::<f64>()
                / m.len() as f64;
            StatementGroup {
                support: reports.len(),
                representative: (rep, u.span),
                words,
                position_prior,
                members: m,
            }
        })
        .collect()
}
