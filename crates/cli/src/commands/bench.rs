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
    /// Named entities (text layer + tagger + keys) on a file with one document per line.
    Ner(NerArgs),
}

#[derive(clap::Args, Debug)]
pub struct NerArgs {
    #[command(flatten)]
    text: TextArgs,
    /// Model file (default: the model embedded in khabar).
    #[arg(long, value_name = "FILE")]
    model: Option<std::path::PathBuf>,
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
        BenchCommand::Ner(a) => ner(a),
    }
}

fn read_utf8(file: &std::path::Path) -> Result<String> {
    let raw = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    String::from_utf8(raw).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid UTF-8 at byte offset {}",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// `bench ner`: `khabar entities` per document (analysis, tagging, per-document
/// key linking), timed the same way as `bench text`; tokens are the text layer's.
fn ner(nargs: NerArgs) -> Result<()> {
    let args = nargs.text;
    let text = read_utf8(&args.file)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.max(1))
        .build()?;
    let t_load = Instant::now();
    let (owned, model_bytes);
    let ner: &khabar_ner::Recognizer = match &nargs.model {
        Some(m) => {
            let b = std::fs::read(m).with_context(|| format!("reading {}", m.display()))?;
            model_bytes = b.len();
            owned = khabar_ner::Recognizer::from_bytes(&b)
                .with_context(|| format!("loading {}", m.display()))?;
            &owned
        }
        None => {
            model_bytes = khabar_ner::Recognizer::embedded_bytes().len();
            khabar_ner::Recognizer::embedded().map_err(|e| anyhow::anyhow!("{e}"))?
        }
    };
    let load_s = t_load.elapsed().as_secs_f64();
    let analyzer = TextAnalyzer::default_analyzer();
    let f = |line: &str| -> (usize, usize) {
        thread_local!(static A: std::cell::RefCell<Analysis> = Default::default());
        A.with(|a| {
            let mut a = a.borrow_mut();
            if analyzer.analyze_into(line, &mut a).is_err() {
                return (0, 0);
            }
            let mut e = ner.recognize_analysis(&a, 0);
            khabar_ner::keys::resolve_document(&mut e);
            (a.tokens.len(), e.len())
        })
    };
    let mut times = Vec::new();
    let (mut tokens, mut entities) = (0usize, 0usize);
    for run in 0..=args.runs {
        let t0 = Instant::now();
        let (n, e) = if args.threads <= 1 {
            lines
                .iter()
                .map(|l| f(l))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        } else {
            use rayon::prelude::*;
            pool.install(|| {
                lines
                    .par_iter()
                    .map(|l| f(l))
                    .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
            })
        };
        let dt = t0.elapsed().as_secs_f64();
        (tokens, entities) = (n, e);
        if run > 0 {
            times.push(dt);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let rec = serde_json::json!({
        "bench": "ner", "tool": "khabar", "version": env!("CARGO_PKG_VERSION"), "stage": "entities", "status": "ok",
        "threads": args.threads, "bytes": bytes, "tokens": tokens, "entities": entities, "lines": lines.len(), "runs": args.runs,
        "median_s": median, "mb_s": bytes as f64 / 1e6 / median, "tokens_s": tokens as f64 / median,
        "model_load_s": load_s, "model_bytes": model_bytes,
    });
    println!("{rec}");
    Ok(())
}

fn text(args: TextArgs) -> Result<()> {
    let text = read_utf8(&args.file)?;
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
