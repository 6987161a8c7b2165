//! `khabar summarize`: an extractive summary of each document.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::Result;
use khabar::batch::{BatchLimits, run_ordered};
use khabar_core::TextAnalyzer;
use khabar_story::lexicon::DocFreq;
use khabar_story::summary::{DocumentOptions, Length, summarize_document};
use khabar_story::terms::Prepared;
use std::io::Write;

/// Flags of `khabar summarize`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("length").args(["sentences", "words"])))]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Summary length in sentences (default 3).
    #[arg(long, value_name = "N")]
    sentences: Option<usize>,
    /// Summary length in words: sentences are added until the summary has at least N words.
    #[arg(long, value_name = "N")]
    words: Option<usize>,
    /// Output: `text` (one sentence per line, documents separated by a blank line and
    /// headed by their id when there are several) or `jsonl` (`{"id", "summary": [sentence…]}`).
    /// Default: `jsonl` for JSONL input, `text` otherwise.
    #[arg(long, value_parser = ["text", "jsonl"])]
    format: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    let length = match (args.sentences, args.words) {
        (_, Some(w)) => Length::Words(w.max(1)),
        (Some(s), None) => Length::Sentences(s.max(1)),
        (None, None) => Length::Sentences(3),
    };
    let opts = DocumentOptions {
        length,
        ..DocumentOptions::default()
    };
    let analyzer = TextAnalyzer::default_analyzer();
    let df = DocFreq::builtin();
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let mut written = 0usize;
    let format = args.format.clone();
    let items = reader.by_ref().map(|d| d.map_err(anyhow::Error::from));
    run_ordered(
        items,
        BatchLimits::default(),
        |d| d.text.len(),
        |d| -> Result<Vec<String>> {
            let p = Prepared::new(&d.text, analyzer.analyze(&d.text)?, df);
            Ok(summarize_document(&p, &opts, df)
                .iter()
                .map(|e| e.span.slice(&d.text).trim().to_string())
                .collect())
        },
        |d, summary| {
            pb.inc(d.text.len() as u64);
            let summary = summary?;
            let jsonl = match format.as_deref() {
                Some(f) => f == "jsonl",
                None => d.origin.line.is_some(),
            };
            if jsonl {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"id": d.id, "summary": summary}),
                )?;
                out.write_all(b"\n")?;
            } else {
                if written > 0 {
                    out.write_all(b"\n")?;
                }
                if d.origin.line.is_some() || written > 0 {
                    writeln!(out, "## {}", d.id)?;
                }
                for s in &summary {
                    writeln!(out, "{s}")?;
                }
            }
            written += 1;
            Ok(())
        },
    )?;
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}
