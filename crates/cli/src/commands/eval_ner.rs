//! `khabar eval ner`: entity-level precision, recall and F1 on a labelled file.
//!
//! CoNLL-2003 conventions: an entity is correct only if its token span and type
//! both match; scores are micro-averaged over entities and given per type. A
//! stray `I-X` (after `O` or another type) starts a new entity, in the gold and
//! in the predictions.

use anyhow::{Context, Result, bail};
use khabar_ner::conll::{Counts, read_labeled};
use khabar_ner::{Recognizer, TypeScore};
use std::io::Write;
use std::path::PathBuf;

/// Flags of `khabar eval ner`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Gold file: `TOKEN TAG` per line, blank line between sentences.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Score this prediction file (same tokens, `TOKEN TAG`) instead of running the tagger.
    #[arg(long, value_name = "FILE")]
    pred: Option<PathBuf>,
    /// Model file to evaluate (default: the embedded model).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

fn read(path: &PathBuf) -> Result<Vec<khabar_ner::conll::LabeledSentence>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    read_labeled(&text).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: Args) -> Result<()> {
    let gold = read(&args.gold)?;
    let counts = match &args.pred {
        Some(p) => {
            let pred = read(p)?;
            if pred.len() != gold.len() {
                bail!(
                    "{} has {} sentences, {} has {}",
                    p.display(),
                    pred.len(),
                    args.gold.display(),
                    gold.len()
                );
            }
            let mut c = Counts::default();
            for (k, (g, q)) in gold.iter().zip(&pred).enumerate() {
                if g.tokens != q.tokens {
                    bail!(
                        "sentence {} differs in its tokens between {} and {}",
                        k + 1,
                        args.gold.display(),
                        p.display()
                    );
                }
                c.add(&g.tags, &q.tags);
            }
            c
        }
        None => {
            let owned;
            let r: &Recognizer = match &args.model {
                Some(m) => {
                    let bytes =
                        std::fs::read(m).with_context(|| format!("reading {}", m.display()))?;
                    owned = Recognizer::from_bytes(&bytes)
                        .with_context(|| format!("loading {}", m.display()))?;
                    &owned
                }
                None => Recognizer::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            khabar_ner::train::evaluate(r, &gold)
        }
    };
    let scores = counts.scores();
    let mut out = crate::common::stdout();
    if args.format == "json" {
        let v = serde_json::json!({
            "gold": args.gold.display().to_string(),
            "sentences": gold.len(),
            "tokens": gold.iter().map(|s| s.tokens.len()).sum::<usize>(),
            "stray_inside_gold": counts.stray_inside_gold,
            "convention": "exact span and type; stray I- starts a new entity",
            "scores": scores.iter().map(|s| serde_json::json!({
                "label": s.label, "precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{}: {} sentences, {} tokens; {} stray I- tag(s) in the gold counted as entity starts",
            args.gold.display(),
            gold.len(),
            gold.iter().map(|s| s.tokens.len()).sum::<usize>(),
            counts.stray_inside_gold
        )?;
        print_scores(&mut out, &scores)?;
    }
    out.flush()?;
    Ok(())
}

/// Prints a score table.
pub fn print_scores(out: &mut impl Write, scores: &[TypeScore]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<6} {:>9} {:>9} {:>9} {:>8}",
        "type", "precision", "recall", "F1", "support"
    )?;
    for s in scores {
        writeln!(
            out,
            "{:<6} {:>9.2} {:>9.2} {:>9.2} {:>8}",
            s.label, s.precision, s.recall, s.f1, s.support
        )?;
    }
    Ok(())
}
