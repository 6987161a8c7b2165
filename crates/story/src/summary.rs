//! Extractive summaries: single documents, and stories of many reports.
//!
//! **Single document.** A sentence scorer ([`crate::summary_model`]) gives each sentence
//! the probability that a human summary takes it. Sentences are then picked best first,
//! skipping short ones and near-copies of what is already picked, until the length
//! budget is met; the summary is given in text order. The scorer can weigh position,
//! length, centrality and content; the built-in one weighs position only, because on the
//! only gold available (EASC) nothing else beat it under cross-validation
//! (`docs/DIGEST.md`): the built-in summary is the document's opening without sentences
//! under 5 words and without repeats.
//!
//! **Story** (many reports, see [`summarize_story`]): the units are statement groups
//! from [`crate::statements`]; a group said by more reports ranks higher, each line is
//! the group's most central sentence, cites every supporting sentence and says how many
//! reports carry it. The same redundancy penalty keeps two lines from saying one thing.

use crate::lexicon::DocFreq;
use crate::statements::StatementGroup;
use crate::summary_model::{DocumentFeatures, SentenceScorer};
use crate::terms::Prepared;
use crate::vector::SparseVec;
use khabar_core::{Span, TokenKind};

/// How long a summary may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// At most this many sentences (lines).
    Sentences(usize),
    /// About this many words: see [`Fill`] for how the budget is filled. The last
    /// sentence may go past the budget (cut it if you need a hard limit).
    Words(usize),
}

/// How a word budget is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Best sentences first until the budget is reached; the last one usually runs over.
    Overflow,
    /// Best first, but a sentence that would run over is passed for a lower one that
    /// fits whole; when nothing fits any more, the best remaining sentence ends the
    /// summary (and runs over). Fewer cut sentences, but on EASC its ROUGE gain comes
    /// from knowing the reference's exact length (see `docs/DIGEST.md`).
    PreferWhole,
    /// For a summary that will be cut after the budget's last word: pick the sentences
    /// whose first `budget` words, in text order, carry the most score (each word counts
    /// its sentence's score). A sentence added early in the text pushes later ones past
    /// the cut, so it is only added when it is worth more than what it pushes out;
    /// sentences pushed wholly past the cut are dropped.
    Cut,
}

/// Options of a single-document summary ([`summarize_document`]).
#[derive(Clone, Debug)]
pub struct DocumentOptions {
    /// Summary length.
    pub length: Length,
    /// Sentences with fewer words than this are never picked (headings, datelines).
    pub min_words: usize,
    /// How a word budget is filled.
    pub fill: Fill,
    /// A sentence more similar than this (cosine) to one already picked is never picked;
    /// `None` takes the cap the scorer was trained with.
    pub max_redundancy: Option<f64>,
}

impl Default for DocumentOptions {
    fn default() -> Self {
        DocumentOptions {
            length: Length::Sentences(3),
            min_words: 5,
            fill: Fill::Overflow,
            max_redundancy: None,
        }
    }
}

/// Options of a story summary ([`summarize_story`]), set by the digest.
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// Summary length.
    pub length: Length,
    /// Maximal-marginal-relevance trade-off: 1 ignores redundancy, 0 only avoids it.
    pub relevance: f64,
    /// Statement groups with fewer words than this are never picked.
    pub min_words: usize,
    /// A line more similar than this (cosine) to one already picked is never picked.
    pub max_redundancy: f64,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            length: Length::Sentences(3),
            relevance: 0.7,
            min_words: 5,
            max_redundancy: 0.5,
        }
    }
}

/// A sentence picked for a summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Extract {
    /// Index of the sentence in the document's analysis.
    pub sentence: usize,
    /// Its span in the document text.
    pub span: Span,
    /// Its score when it was picked.
    pub score: f64,
}

/// Number of word-like tokens (words, foreign words, numbers) in a token slice.
pub fn word_count(doc: &Prepared, range: std::ops::Range<usize>) -> usize {
    doc.analysis.tokens[range]
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Word | TokenKind::Foreign | TokenKind::Number | TokenKind::Hashtag
            )
        })
        .count()
}

/// One candidate for selection: its vector, relevance and word count.
struct Candidate<'v> {
    vector: &'v SparseVec,
    relevance: f64,
    words: usize,
}

/// Greedy MMR selection over candidates; returns indices in pick order with their scores.
/// Candidates more similar than `cap` (cosine) to a picked one are never picked.
fn select(
    cands: &[Candidate],
    length: Length,
    relevance: f64,
    cap: f64,
    fill: Fill,
) -> Vec<(usize, f64)> {
    let mut picked: Vec<(usize, f64)> = Vec::new();
    let mut words = 0usize;
    let mut taken = vec![false; cands.len()];
    loop {
        let room = match length {
            Length::Sentences(n) if picked.len() >= n => break,
            Length::Words(n) if words >= n => break,
            Length::Words(n) => Some(n - words),
            Length::Sentences(_) => None,
        };
        // Best candidate overall, and best that fits whole in the remaining room.
        let mut best: Option<(usize, f64)> = None;
        let mut best_fitting: Option<(usize, f64)> = None;
        for (i, c) in cands.iter().enumerate() {
            if taken[i] || c.relevance <= 0.0 {
                continue;
            }
            let redundancy = picked
                .iter()
                .map(|&(j, _)| c.vector.cosine(cands[j].vector))
                .fold(0.0, f64::max);
            if redundancy > cap {
                continue;
            }
            let s = relevance * c.relevance - (1.0 - relevance) * redundancy;
            // Ties go to the earlier candidate: deterministic.
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
            if room.is_some_and(|r| c.words <= r) && best_fitting.is_none_or(|(_, b)| s > b) {
                best_fitting = Some((i, s));
            }
        }
        let choice = match fill {
            Fill::PreferWhole => best_fitting.or(best),
            Fill::Overflow | Fill::Cut => best,
        };
        let Some((i, s)) = choice else { break };
        taken[i] = true;
        words += cands[i].words;
        picked.push((i, s));
    }
    picked
}

/// The value of a summary cut after `budget` words: `Σ score × words kept` over the
/// picked sentences in text order (`picked` is sorted by index).
fn value_after_cut(cands: &[Candidate], picked: &[usize], budget: usize) -> f64 {
    let mut room = budget;
    let mut v = 0.0;
    for &i in picked {
        let kept = cands[i].words.min(room);
        v += cands[i].relevance * kept as f64;
        room -= kept;
    }
    v
}

/// [`Fill::Cut`]: go through the sentences best score first (the order that is optimal
/// when the cut sentence counts in part) and add each one that raises
/// [`value_after_cut`]; returns `(index, score)` pairs in text order.
fn select_for_cut(cands: &[Candidate], budget: usize, cap: f64) -> Vec<(usize, f64)> {
    let mut order: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].relevance > 0.0)
        .collect();
    // Stable: ties keep text order.
    order.sort_by(|&a, &b| cands[b].relevance.total_cmp(&cands[a].relevance));
    let mut picked: Vec<usize> = Vec::new();
    let mut value = 0.0;
    for i in order {
        let c = &cands[i];
        if picked
            .iter()
            .any(|&j| c.vector.cosine(cands[j].vector) > cap)
        {
            continue;
        }
        let mut with = picked.clone();
        let at = with.partition_point(|&j| j < i);
        with.insert(at, i);
        let v = value_after_cut(cands, &with, budget);
        if v <= value + 1e-12 {
            continue;
        }
        // Sentences pushed wholly past the cut are dropped.
        let mut room = budget;
        with.retain(|&j| {
            let keep = room > 0;
            room = room.saturating_sub(cands[j].words);
            keep
        });
        picked = with;
        value = v;
    }
    picked
        .into_iter()
        .map(|i| (i, cands[i].relevance))
        .collect()
}

/// Extractive summary of one document with the built-in scorer, in text order.
pub fn summarize_document(doc: &Prepared, opts: &DocumentOptions, df: &DocFreq) -> Vec<Extract> {
    summarize_document_with(doc, opts, df, SentenceScorer::builtin())
}

/// Extractive summary of one document with a given sentence scorer, in text order.
pub fn summarize_document_with(
    doc: &Prepared,
    opts: &DocumentOptions,
    df: &DocFreq,
    scorer: &SentenceScorer,
) -> Vec<Extract> {
    let features = DocumentFeatures::new(doc, df, opts.length);
    let scores = scorer.score(&features);
    select_sentences(
        doc,
        &features,
        &scores,
        opts,
        opts.max_redundancy.unwrap_or(scorer.max_redundancy),
    )
}

/// Picks sentences of `doc` best score first (scores ≤ 0 are never picked), never one
/// more similar than `max_redundancy` (cosine) to a sentence already picked; returns
/// them in text order.
pub fn select_sentences(
    doc: &Prepared,
    features: &DocumentFeatures,
    scores: &[f64],
    opts: &DocumentOptions,
    max_redundancy: f64,
) -> Vec<Extract> {
    let cands: Vec<Candidate> = features
        .vectors
        .iter()
        .zip(&features.words)
        .zip(scores)
        .map(|((v, &words), &score)| Candidate {
            vector: v,
            relevance: if words < opts.min_words || v.is_empty() {
                0.0
            } else {
                score
            },
            words,
        })
        .collect();
    // Scores are probabilities: redundancy is handled by the cap alone (relevance 1).
    let picked = match (opts.fill, opts.length) {
        (Fill::Cut, Length::Words(budget)) => select_for_cut(&cands, budget, max_redundancy),
        _ => select(&cands, opts.length, 1.0, max_redundancy, opts.fill),
    };
    let mut out: Vec<Extract> = picked
        .into_iter()
        .map(|(i, score)| Extract {
            sentence: i,
            span: doc.analysis.sentences[i].span,
            score,
        })
        .collect();
    out.sort_by_key(|e| e.sentence);
    out
}

/// A line of a story summary.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryLine {
    /// Index of the statement group it stands for.
    pub group: usize,
    /// The group member shown: `(unit index, sentence span)`.
    pub shown: (usize, Span),
    /// Number of distinct reports that carry the statement.
    pub support: usize,
    /// Score when picked.
    pub score: f64,
}

/// Picks story summary lines from statement groups, most supported and central first,
/// without repeating a statement. `vectors[g]` is the group's vector, `centrality[g]`
/// its similarity to the story centroid.
pub fn summarize_story(
    groups: &[StatementGroup],
    vectors: &[SparseVec],
    centrality: &[f64],
    length: Length,
    opts: &SummaryOptions,
) -> Vec<StoryLine> {
    let max_support = groups.iter().map(|g| g.support).max().unwrap_or(1).max(1) as f64;
    let cands: Vec<Candidate> = groups
        .iter()
        .enumerate()
        .map(|(g, grp)| {
            let support = (grp.support as f64).ln_1p() / max_support.ln_1p();
            let relevance = if grp.words < opts.min_words {
                0.0
            } else {
                centrality[g] + support + 0.1 * grp.position_prior
            };
            Candidate {
                vector: &vectors[g],
                relevance,
                words: grp.words,
            }
        })
        .collect();
    select(
        &cands,
        length,
        opts.relevance,
        opts.max_redundancy,
        Fill::Overflow,
    )
    .into_iter()
    .map(|(g, score)| StoryLine {
        group: g,
        shown: groups[g].representative,
        support: groups[g].support,
        score,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;
    use proptest::prelude::*;

    fn prep(text: &str) -> Prepared<'_> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        Prepared::new(text, a, DocFreq::builtin())
    }

    fn words_of(p: &Prepared, s: &[Extract]) -> Vec<usize> {
        s.iter()
            .map(|e| {
                let st = &p.analysis.sentences[e.sentence];
                word_count(p, st.first_token as usize..st.end_token as usize)
            })
            .collect()
    }

    #[test]
    fn redundancy_is_avoided_and_order_kept() {
        let text = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل.\n\
                    واستعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل المعارضة.\n\
                    وقالت الأمم المتحدة إن آلاف المدنيين غادروا حلب خلال عملية الإجلاء.\n\
                    وأكدت روسيا أن معارك حلب انتهت وأن الجيش السوري يسيطر على المدينة.";
        let p = prep(text);
        let opts = DocumentOptions {
            length: Length::Sentences(2),
            max_redundancy: Some(0.5),
            ..DocumentOptions::default()
        };
        let s = summarize_document(&p, &opts, DocFreq::builtin());
        let picked: Vec<usize> = s.iter().map(|e| e.sentence).collect();
        assert_eq!(picked.len(), 2);
        assert_eq!(picked[0], 0);
        assert_ne!(
            picked[1], 1,
            "the near copy of the first sentence is skipped"
        );
        // Without a cap the copy, right after the lead, is taken.
        let uncapped = DocumentOptions {
            max_redundancy: Some(1.0),
            ..opts
        };
        let s = summarize_document(&p, &uncapped, DocFreq::builtin());
        assert_eq!(s.iter().map(|e| e.sentence).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn the_built_in_summary_opens_with_the_lead() {
        // A long, central second sentence does not displace a short lead.
        let text = "وصل الرئيس إلى دمشق اليوم.\n\
                    وقال الرئيس في دمشق إن المحادثات مع الحكومة السورية في دمشق تناولت إعادة \
                    إعمار دمشق وحلب وعودة اللاجئين إلى دمشق وحلب والتعاون الاقتصادي بين \
                    البلدين في دمشق.\n\
                    نعم.\n\
                    وتستمر الزيارة الرسمية للرئيس يومين كاملين.";
        let p = prep(text);
        for (length, expected) in [
            (Length::Sentences(1), vec![0]),
            (Length::Sentences(3), vec![0, 1, 3]),
        ] {
            let opts = DocumentOptions {
                length,
                ..DocumentOptions::default()
            };
            let s = summarize_document(&p, &opts, DocFreq::builtin());
            let picked: Vec<usize> = s.iter().map(|e| e.sentence).collect();
            assert_eq!(picked, expected, "{length:?}: the short «نعم.» is skipped");
        }
    }

    #[test]
    fn word_budget_is_met() {
        let text = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل.\n\
                    وقالت الأمم المتحدة إن آلاف المدنيين غادروا حلب خلال عملية الإجلاء.\n\
                    وأكدت روسيا أن معارك حلب انتهت وأن الجيش السوري يسيطر على المدينة.";
        let p = prep(text);
        let opts = DocumentOptions {
            length: Length::Words(15),
            ..DocumentOptions::default()
        };
        let s = summarize_document(&p, &opts, DocFreq::builtin());
        assert_eq!(s.len(), 2);
        assert!(words_of(&p, &s).iter().sum::<usize>() >= 15);
    }

    /// Candidates with given scores and word counts and orthogonal vectors.
    fn cands(spec: &[(f64, usize)]) -> (Vec<SparseVec>, Vec<(f64, usize)>) {
        let vectors = (0..spec.len())
            .map(|i| SparseVec::from_pairs(vec![(i as u32, 1.0)]))
            .collect();
        (vectors, spec.to_vec())
    }

    fn run(spec: &[(f64, usize)], budget: usize, fill: Fill) -> Vec<usize> {
        let (vectors, spec) = cands(spec);
        let c: Vec<Candidate> = vectors
            .iter()
            .zip(&spec)
            .map(|(v, &(relevance, words))| Candidate {
                vector: v,
                relevance,
                words,
            })
            .collect();
        let mut out: Vec<usize> = match fill {
            Fill::Cut => select_for_cut(&c, budget, 1.0),
            _ => select(&c, Length::Words(budget), 1.0, 1.0, fill),
        }
        .into_iter()
        .map(|x| x.0)
        .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn fills_differ_only_at_the_budget() {
        // Best first: 0 (20 words), then 1 (30 words, would run over a 40-word budget),
        // then 2 (20 words, fits exactly).
        let spec = [(0.9, 20), (0.6, 30), (0.5, 20)];
        assert_eq!(run(&spec, 40, Fill::Overflow), [0, 1]);
        assert_eq!(run(&spec, 40, Fill::PreferWhole), [0, 2]);
        // Cut: 0 + 20 words of 1 (0.6 each) beats 0 + all of 2 (0.5 each).
        assert_eq!(run(&spec, 40, Fill::Cut), [0, 1]);
        // A good early sentence is not added when it pushes better words past the cut.
        let spec = [(0.9, 20), (0.3, 20), (0.5, 20)];
        assert_eq!(run(&spec, 40, Fill::Cut), [0, 2]);
        // ... and sentences pushed wholly past the cut are dropped.
        let spec = [(0.2, 20), (0.9, 30), (0.8, 10), (0.1, 50)];
        assert_eq!(run(&spec, 40, Fill::Cut), [1, 2]);
    }

    #[test]
    fn empty_and_tiny_inputs() {
        let p = prep("");
        assert!(summarize_document(&p, &DocumentOptions::default(), DocFreq::builtin()).is_empty());
        let p = prep("نعم.");
        assert!(summarize_document(&p, &DocumentOptions::default(), DocFreq::builtin()).is_empty());
    }

    const PIECES: &[&str] = &[
        "الجيش",
        "السوري",
        "حلب",
        "قال",
        "إن",
        "الأمم المتحدة",
        "2018",
        "BBC",
        "[3]",
        ".",
        "،",
        "؟",
        ":",
        "«",
        "»",
        "\n",
        "\n\n",
        "(",
        ")",
        "ـ",
        "\u{200f}",
        "🙂",
        "و",
    ];

    proptest! {
        #[test]
        fn summaries_are_valid_on_any_text(
            picks in proptest::collection::vec(0..PIECES.len(), 0..80),
            budget in 1usize..60,
            fill in 0usize..3,
        ) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
            let p = prep(&text);
            let opts = DocumentOptions {
                length: Length::Words(budget),
                fill: [Fill::Overflow, Fill::PreferWhole, Fill::Cut][fill],
                ..DocumentOptions::default()
            };
            let s = summarize_document(&p, &opts, DocFreq::builtin());
            let again = summarize_document(&p, &opts, DocFreq::builtin());
            prop_assert_eq!(&s, &again);
            for w in s.windows(2) {
                prop_assert!(w[0].sentence < w[1].sentence);
            }
            for e in &s {
                prop_assert!(text.get(e.span.range()).is_some());
                prop_assert!(e.score.is_finite());
            }
            // Every picked sentence but the last in pick order fits in the budget.
            let words: usize = words_of(&p, &s).iter().sum();
            let longest = words_of(&p, &s).into_iter().max().unwrap_or(0);
            prop_assert!(words < budget + longest || s.is_empty());
        }
    }
}
