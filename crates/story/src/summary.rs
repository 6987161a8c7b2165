//! Extractive summaries: single documents, and stories of many reports.
//!
//! **Single document.** Each sentence gets a score that mixes how central it is (cosine
//! of its TF-IDF vector, IDF from the built-in news table, with the document's centroid)
//! and where it is (news and encyclopaedic text put the gist first). Sentences are then
//! picked greedily by maximal marginal relevance: the best score minus a penalty for
//! similarity to what is already picked, until the length budget is met. The summary
//! is given in text order.
//!
//! **Story** (many reports, see [`summarize_story`]): the units are statement groups
//! from [`crate::statements`]; a group said by more reports ranks higher, each line is
//! the group's most central sentence, cites every supporting sentence and says how many
//! reports carry it. The same redundancy penalty keeps two lines from saying one thing.

use crate::lexicon::DocFreq;
use crate::statements::StatementGroup;
use crate::terms::Prepared;
use crate::vector::{SparseVec, Vocabulary, tfidf};
use khabar_core::{Span, TokenKind};

/// How long a summary may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// At most this many sentences (lines).
    Sentences(usize),
    /// Sentences are added until the summary has at least this many words; the last
    /// sentence may go past the budget (cut it if you need a hard limit).
    Words(usize),
}

/// Tuning of the summarizer. The defaults were chosen on the 102 EASC articles of
/// `../shared/data/easc_taqyim` (see `docs/DIGEST.md`).
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// Summary length.
    pub length: Length,
    /// Maximal-marginal-relevance trade-off: 1 ignores redundancy, 0 only avoids it.
    pub relevance: f64,
    /// Weight of the position prior against centrality.
    pub position_weight: f64,
    /// How fast the position prior decays: the prior of sentence `i` is `1 / (1 + i / decay)`.
    pub position_decay: f64,
    /// Sentences with fewer words than this are never picked (headings, datelines).
    pub min_words: usize,
    /// Bonus for the first sentence of a paragraph (writers open paragraphs with their point).
    pub paragraph_start_bonus: f64,
    /// A sentence more similar than this (cosine) to one already picked is never picked.
    pub max_redundancy: f64,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            length: Length::Sentences(3),
            relevance: 0.7,
            position_weight: 4.0,
            position_decay: 3.0,
            min_words: 5,
            paragraph_start_bonus: 0.8,
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
struct Candidate {
    vector: SparseVec,
    relevance: f64,
    words: usize,
}

/// Greedy MMR selection over candidates; returns indices in pick order with their scores.
/// Candidates more similar than `cap` (cosine) to a picked one are never picked.
fn select(cands: &[Candidate], length: Length, relevance: f64, cap: f64) -> Vec<(usize, f64)> {
    let mut picked: Vec<(usize, f64)> = Vec::new();
    let mut words = 0usize;
    let mut taken = vec![false; cands.len()];
    loop {
        match length {
            Length::Sentences(n) if picked.len() >= n => break,
            Length::Words(n) if words >= n => break,
            _ => {}
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in cands.iter().enumerate() {
            if taken[i] || c.relevance <= 0.0 {
                continue;
            }
            let redundancy = picked
                .iter()
                .map(|&(j, _)| c.vector.cosine(&cands[j].vector))
                .fold(0.0, f64::max);
            if redundancy > cap {
                continue;
            }
            let s = relevance * c.relevance - (1.0 - relevance) * redundancy;
            // Ties go to the earlier candidate: deterministic.
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        let Some((i, s)) = best else { break };
        taken[i] = true;
        words += cands[i].words;
        picked.push((i, s));
    }
    picked
}

/// Extractive summary of one document, in text order.
pub fn summarize_document(doc: &Prepared, opts: &SummaryOptions, df: &DocFreq) -> Vec<Extract> {
    let a = &doc.analysis;
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
    let mut prev_para = usize::MAX;
    let cands: Vec<Candidate> = a
        .sentences
        .iter()
        .zip(&vectors)
        .enumerate()
        .map(|(i, (s, v))| {
            let words = word_count(doc, s.first_token as usize..s.end_token as usize);
            let position = 1.0 / (1.0 + i as f64 / opts.position_decay.max(1e-9));
            let para = doc.paragraph_at(s.span.start);
            let para_start = para != prev_para;
            prev_para = para;
            let relevance = if words < opts.min_words || v.is_empty() {
                0.0
            } else {
                v.cosine(&centroid)
                    + opts.position_weight * position
                    + if para_start {
                        opts.paragraph_start_bonus
                    } else {
                        0.0
                    }
            };
            Candidate {
                vector: v.clone(),
                relevance,
                words,
            }
        })
        .collect();
    let mut out: Vec<Extract> = select(&cands, opts.length, opts.relevance, opts.max_redundancy)
        .into_iter()
        .map(|(i, score)| Extract {
            sentence: i,
            span: a.sentences[i].span,
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
                vector: vectors[g].clone(),
                relevance,
                words: grp.words,
            }
        })
        .collect();
    select(&cands, length, opts.relevance, opts.max_redundancy)
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

    fn prep(text: &str) -> Prepared<'_> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        Prepared::new(text, a, DocFreq::builtin())
    }

    #[test]
    fn redundancy_is_avoided_and_order_kept() {
        let text = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل.\n\
                    واستعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل المعارضة.\n\
                    وقالت الأمم المتحدة إن آلاف المدنيين غادروا حلب خلال عملية الإجلاء.\n\
                    وأكدت روسيا أن معارك حلب انتهت وأن الجيش السوري يسيطر على المدينة.";
        let p = prep(text);
        let opts = SummaryOptions {
            length: Length::Sentences(2),
            relevance: 0.3,
            ..SummaryOptions::default()
        };
        let s = summarize_document(&p, &opts, DocFreq::builtin());
        let picked: Vec<usize> = s.iter().map(|e| e.sentence).collect();
        assert_eq!(
            picked,
            [0, 2],
            "the near copy of the first sentence is skipped"
        );
    }

    #[test]
    fn word_budget_is_met() {
        let text = "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل.\n\
                    وقالت الأمم المتحدة إن آلاف المدنيين غادروا حلب خلال عملية الإجلاء.\n\
                    وأكدت روسيا أن معارك حلب انتهت وأن الجيش السوري يسيطر على المدينة.";
        let p = prep(text);
        let opts = SummaryOptions {
            length: Length::Words(15),
            ..SummaryOptions::default()
        };
        let s = summarize_document(&p, &opts, DocFreq::builtin());
        assert_eq!(s.len(), 2);
        let words: usize = s
            .iter()
            .map(|e| {
                let st = &p.analysis.sentences[e.sentence];
                word_count(&p, st.first_token as usize..st.end_token as usize)
            })
            .sum();
        assert!(words >= 15);
    }

    #[test]
    fn empty_and_tiny_inputs() {
        let p = prep("");
        assert!(summarize_document(&p, &SummaryOptions::default(), DocFreq::builtin()).is_empty());
        let p = prep("نعم.");
        assert!(summarize_document(&p, &SummaryOptions::default(), DocFreq::builtin()).is_empty());
    }
}
