//! `khabar analyze`: the text layer over documents.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::Result;
use khabar::analyze::{AnalysisWriter, AnalyzeFormat, pieces};
use khabar::batch::{BatchLimits, run_ordered};
use khabar_core::{AnalyzerOptions, StemMode, TextAnalyzer};
use std::io::Write;

/// Flags of `khabar analyze`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "jsonl", "conllu"])]
    format: String,
    /// Stemmer for the `stem` field: khabar's `light` stem or `lucene` (Lucene's ArabicStemmer).
    #[arg(long, default_value = "light", value_parser = ["light", "lucene"])]
    stemmer: String,
}

pub fn run(args: Args) -> Result<()> {
    let format = match args.format.as_str() {
        "json" => AnalyzeFormat::Json,
        "jsonl" => AnalyzeFormat::Jsonl,
        "conllu" => AnalyzeFormat::Conllu,
        _ => AnalyzeFormat::Text,
    };
    let stem_mode = if args.stemmer == "lucene" {
        StemMode::Lucene
    } else {
        StemMode::Light
    };
    let analyzer = TextAnalyzer::new(AnalyzerOptions { stem_mode });
    let (mut reader, pb) = args.input.open()?;
    let mut writer = AnalysisWriter::new(format);
    let mut out = stdout();
    writer.begin_run(&mut out)?;
    let items = reader.by_ref().flat_map(|d| match d {
        Ok(doc) => pieces(doc).into_iter().map(Ok).collect::<Vec<_>>(),
        Err(e) => vec![Err(anyhow::Error::from(e))],
    });
    let work_writer = AnalysisWriter::new(format);
    run_ordered(
        items,
        BatchLimits::default(),
        |p| p.range.len(),
        |p| work_writer.work(&analyzer, p),
        |p, r| {
            pb.inc(p.range.len() as u64);
            writer.write(&mut out, &p, r)?;
            Ok(())
        },
    )?;
    writer.end_run(&mut out)?;
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}
