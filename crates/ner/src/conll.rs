//! CoNLL-style files (one `TOKEN TAG` per line, a blank line between
//! sentences) and entity-level scoring.
//!
//! Scoring follows CoNLL-2003 `conlleval`: an entity counts as correct only if
//! its token span and its type both match exactly; precision, recall and F1 are
//! micro-averaged over entities, and also given per type. Stray `I-X` tags
//! start a new entity (see [`crate::tags`]), in gold and in predictions alike.

use crate::model::TypeScore;
use crate::tags::{EntityType, Tag, TokenSpan, spans};

/// One sentence of a labelled file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabeledSentence {
    /// The tokens as written.
    pub tokens: Vec<String>,
    /// Their tags.
    pub tags: Vec<Tag>,
}

/// A line of a labelled file that could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {what}")]
pub struct ConllError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// Splits a line into its token (up to the first whitespace) and the rest,
/// dropping a final `\r`.
pub fn split_line(line: &str) -> (&str, &str) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    match line.find(char::is_whitespace) {
        Some(i) => (&line[..i], line[i..].trim()),
        None => (line, ""),
    }
}

/// Reads a labelled file: `TOKEN TAG` per line (tab or space), blank lines
/// between sentences; the tag is the last whitespace-separated field.
///
/// # Errors
/// A line with no tag or an unknown tag.
pub fn read_labeled(text: &str) -> Result<Vec<LabeledSentence>, ConllError> {
    let mut out = Vec::new();
    let mut cur = LabeledSentence::default();
    for (i, line) in text.split('\n').enumerate() {
        let (tok, rest) = split_line(line);
        if tok.is_empty() && rest.is_empty() {
            if !cur.tokens.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let tag_str = rest.rsplit(char::is_whitespace).next().unwrap_or("");
        if tag_str.is_empty() {
            return Err(ConllError {
                line: i + 1,
                what: format!("token {tok:?} has no tag"),
            });
        }
        let tag = Tag::parse(tag_str).ok_or_else(|| ConllError {
            line: i + 1,
            what: format!("unknown tag {tag_str:?}"),
        })?;
        cur.tokens.push(tok.to_string());
        cur.tags.push(tag);
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Entity counts for scoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Correct predictions per type.
    pub correct: [u64; 4],
    /// Predicted entities per type.
    pub predicted: [u64; 4],
    /// Gold entities per type.
    pub gold: [u64; 4],
    /// Stray `I-` tags in the gold (each counted as starting an entity).
    pub stray_inside_gold: u64,
}

impl Counts {
    /// Adds one sentence.
    pub fn add(&mut self, gold: &[Tag], pred: &[Tag]) {
        let g = spans(gold);
        let p = spans(pred);
        for s in &g {
            self.gold[s.ty.index()] += 1;
            if gold[s.start].is_inside() {
                self.stray_inside_gold += 1;
            }
        }
        for s in &p {
            self.predicted[s.ty.index()] += 1;
        }
        let gs: std::collections::BTreeSet<TokenSpan> = g.into_iter().collect();
        for s in &p {
            if gs.contains(s) {
                self.correct[s.ty.index()] += 1;
            }
        }
    }

    /// Per-type scores (PER, LOC, ORG, MISC) then `micro`.
    pub fn scores(&self) -> Vec<TypeScore> {
        let score = |label: &str, c: u64, p: u64, g: u64| {
            let precision = if p == 0 {
                0.0
            } else {
                100.0 * c as f64 / p as f64
            };
            let recall = if g == 0 {
                0.0
            } else {
                100.0 * c as f64 / g as f64
            };
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            TypeScore {
                label: label.to_string(),
                precision,
                recall,
                f1,
                support: g,
            }
        };
        let mut v: Vec<TypeScore> = EntityType::ALL
            .iter()
            .map(|t| {
                let k = t.index();
                score(t.as_str(), self.correct[k], self.predicted[k], self.gold[k])
            })
            .collect();
        v.push(score(
            "micro",
            self.correct.iter().sum(),
            self.predicted.iter().sum(),
            self.gold.iter().sum(),
        ));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sentences_and_tags() {
        let s = read_labeled("بوتين B-PERS\r\nقال O\n\n\nحلب\tB-LOC\n").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tokens, ["بوتين", "قال"]);
        assert_eq!(s[1].tags[0].as_str(), "B-LOC");
        assert_eq!(
            read_labeled("x\n").unwrap_err(),
            ConllError {
                line: 1,
                what: "token \"x\" has no tag".into()
            }
        );
        assert!(read_labeled("x B-FOO").is_err());
        assert!(read_labeled("").unwrap().is_empty());
    }

    #[test]
    fn exact_span_and_type() {
        let t = |s: &str| -> Vec<Tag> { s.split(' ').map(|x| Tag::parse(x).unwrap()).collect() };
        let mut c = Counts::default();
        c.add(
            &t("B-PERS I-PERS O B-LOC I-ORG"),
            &t("B-PERS O O B-LOC B-ORG"),
        );
        // gold: PER[0,2) LOC[3,4) ORG[4,5) (stray I-ORG); pred: PER[0,1) LOC ORG
        assert_eq!(c.gold, [1, 1, 1, 0]);
        assert_eq!(c.correct, [0, 1, 1, 0]);
        assert_eq!(c.stray_inside_gold, 1);
        let s = c.scores();
        let micro = s.last().unwrap();
        assert!((micro.precision - 200.0 / 3.0).abs() < 1e-9);
        assert!((micro.recall - 200.0 / 3.0).abs() < 1e-9);
    }
}
