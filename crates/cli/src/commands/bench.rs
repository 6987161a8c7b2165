//! `khabar bench`: throughput of the text layer, measured the way the Python
//! anchors are (one document per line, file read and decoded before timing,
//! median of several runs), printed as JSON lines.

use anyhow::{Context, Result};
use khabar_core::token::tokenize;
use khabar_core::{Analysis, Normalizer, Profile, TextAnalyzer};
use std::time::Instant;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// The text layer on a file with one document per line.
    Text(TextArgs),
}

#[derive(clap::Args, Debug)]
pub struct TextArgs {
    /// UTF-8 file, one document per line (empty lines skipped).
    file: std::path::PathBuf,
    /// Worker threads (1 = measure one core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Timed runs per stage; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

pub fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Text(a) => text(a),
    }
}

fn text(args: TextArgs) -> Result<()> {
    let raw =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = String::from_utf8(raw).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid UTF-8 at byte offset {}",
            args.file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // Bytes as the anchors count them: each line plus its newline.
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.max(1))
        .build()?;
    let analyzer = TextAnalyzer::default_analyzer();
    let normalizer = Normalizer::new(Profile::SEARCH);

    /// A stage: processes one line and returns how many tokens it produced.
    type Stage<'a> = &'a (dyn Fn(&str) -> usize + Sync);
    let stages: [(&str, Stage); 2] = [
        ("normalize+tokenize", &|line: &str| {
            type Buffers = (String, Vec<khabar_core::token::RawToken>);
            thread_local!(static BUF: std::cell::RefCell<Buffers> = Default::default());
            BUF.with(|b| {
                let mut b = b.borrow_mut();
                let (s, toks) = &mut *b;
                s.clear();
                toks.clear();
                normalizer.normalize_into(line, s, None);
                tokenize(s, toks);
                toks.len()
            })
        }),
        ("full", &|line: &str| {
            thread_local!(static A: std::cell::RefCell<Analysis> = Default::default());
            A.with(|a| {
                let mut a = a.borrow_mut();
                analyzer
                    .analyze_into(line, &mut a)
                    .map(|_| a.tokens.len())
                    .unwrap_or(0)
            })
        }),
    ];
    for (stage, f) in stages {
        let mut times = Vec::new();
        let mut tokens = 0usize;
        // One warm-up pass, then the timed runs.
        for run in 0..=args.runs {
            let t0 = Instant::now();
            let n: usize = if args.threads <= 1 {
                lines.iter().map(|l| f(l)).sum()
            } else {
                use rayon::prelude::*;
                pool.install(|| lines.par_iter().map(|l| f(l)).sum())
            };
            let dt = t0.elapsed().as_secs_f64();
            tokens = n;
            if run > 0 {
                times.push(dt);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times[times.len() / 2];
        let rec = serde_json::json!({
            "bench": "text", "tool": "khabar", "version": env!("CARGO_PKG_VERSION"), "stage": stage, "status": "ok",
            "threads": args.threads, "bytes": bytes, "tokens": tokens, "lines": lines.len(), "runs": args.runs,
            "median_s": median, "mb_s": bytes as f64 / 1e6 / median, "tokens_s": tokens as f64 / median,
        });
        println!("{rec}");
    }
    Ok(())
}
