//! `khabar segment`: each word's clitic segmentation, one word per line, in input order.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Context, Result};
use khabar_core::{Analysis, AnalyzerOptions, CliticSegmenter, TextAnalyzer, TokenKind};
use std::io::Write;

/// Flags of `khabar segment`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// What to print for each segment: `surface` (as written; the article elided after «ل»
    /// is restored: ل+ال+مرة) or `norm` (normalized forms).
    #[arg(long, default_value = "surface", value_parser = ["surface", "norm"])]
    form: String,
    /// Print every token (punctuation, numbers, Latin words too), not only Arabic words.
    #[arg(long)]
    all_tokens: bool,
    /// Use this clitic model (made by `khabar train segmenter`) instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    model: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let analyzer = match &args.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            let seg = CliticSegmenter::from_bytes(&bytes)
                .with_context(|| format!("loading {}", p.display()))?;
            TextAnalyzer::with_segmenter(AnalyzerOptions::default(), seg)
        }
        None => TextAnalyzer::default_analyzer(),
    };
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let norm = args.form == "norm";
    let mut a = Analysis::default();
    for doc in reader.by_ref() {
        let doc = doc?;
        // Line by line, so memory stays bounded on one huge text; the output follows
        // the input order, one word per line whatever the number of words per line.
        for line in doc.text.split_inclusive('\n') {
            analyzer.analyze_into(line, &mut a)?;
            write_words(&mut out, line, &a, norm, args.all_tokens)?;
            pb.inc(line.len() as u64);
        }
    }
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}

/// Writes the tokens of one analyzed text, one per line: `و+ال+كرملين`.
fn write_words(
    out: &mut impl Write,
    text: &str,
    a: &Analysis,
    norm: bool,
    all_tokens: bool,
) -> std::io::Result<()> {
    for t in &a.tokens {
        if t.kind != TokenKind::Word && !all_tokens {
            continue;
        }
        let segs = a.segments_of(t);
        if segs.is_empty() {
            let s = if norm { a.norm(t) } else { t.span.slice(text) };
            if !s.is_empty() {
                writeln!(out, "{s}")?;
            }
            continue;
        }
        for (i, s) in segs.iter().enumerate() {
            if i > 0 {
                out.write_all(b"+")?;
            }
            // The restored article (ال for the «ل» of «للـ») is printed restored.
            let piece = if norm || s.is_restored() {
                a.form(s)
            } else {
                s.span.slice(text)
            };
            out.write_all(piece.as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}
