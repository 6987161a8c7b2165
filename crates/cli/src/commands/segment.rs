//! `khabar segment`: each word's clitic segmentation, one word per line.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::Result;
use khabar_core::{TextAnalyzer, TokenKind};
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
}

pub fn run(args: Args) -> Result<()> {
    let analyzer = TextAnalyzer::default_analyzer();
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let norm = args.form == "norm";
    for doc in reader.by_ref() {
        let doc = doc?;
        // Line by line, so output order is input order and memory stays bounded.
        for line in doc.text.split_inclusive('\n') {
            let a = analyzer.analyze(line)?;
            for t in &a.tokens {
                if t.kind != TokenKind::Word && !args.all_tokens {
                    continue;
                }
                let segs = a.segments_of(t);
                if segs.is_empty() {
                    writeln!(out, "{}", if norm { a.norm(t) } else { t.span.slice(line) })?;
                    continue;
                }
                for (i, s) in segs.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b"+")?;
                    }
                    let form = a.form(s);
                    let surface = s.span.slice(line);
                    // A restored form (ال for the «ل» of «للـ») is printed restored.
                    let restored = form == "ال"
                        && !khabar_core::Normalizer::new(khabar_core::Profile::SEARCH)
                            .normalize(surface)
                            .starts_with("ال");
                    out.write_all(if norm || restored {
                        form.as_bytes()
                    } else {
                        surface.as_bytes()
                    })?;
                }
                out.write_all(b"\n")?;
            }
            pb.inc(line.len() as u64);
        }
    }
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}
