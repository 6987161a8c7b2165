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
    /// Streaming near-duplicate detection (normalize, tokenize, shingle, MinHash, LSH,
    /// verify) on a file with one document per line, like `anchors/bench_dedup.py`.
    Dedup(DedupArgs),
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
    /// `bench text` only: run just this stage, e.g. under `perf stat`.
    #[arg(long, value_parser = ["normalize+tokenize", "full"])]
    stage: Option<String>,
}

pub fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Text(a) => text(a),
        BenchCommand::Dedup(a) => dedup(a),
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
    let runs = args.runs.max(1);
    for (stage, f) in stages {
        if args.stage.as_deref().is_some_and(|s| s != stage) {
            continue;
        }
        let mut times = Vec::new();
        let mut cpu_times = Vec::new();
        let mut tokens = 0usize;
        // One warm-up pass, then the timed runs.
        for run in 0..=runs {
            let cpu0 = thread_cpu_seconds();
            let t0 = Instant::now();
            let n: usize = if args.threads <= 1 {
                lines.iter().map(|l| f(l)).sum()
            } else {
                use rayon::prelude::*;
                pool.install(|| lines.par_iter().map(|l| f(l)).sum())
            };
            let dt = t0.elapsed().as_secs_f64();
            let cpu = cpu0.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
            tokens = n;
            if run > 0 {
                times.push(dt);
                cpu_times.extend(cpu);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times[times.len() / 2];
        let mut rec = serde_json::json!({
            "bench": "text", "tool": "khabar", "version": env!("CARGO_PKG_VERSION"), "stage": stage, "status": "ok",
            "threads": args.threads, "bytes": bytes, "tokens": tokens, "lines": lines.len(), "runs": runs,
            "median_s": median, "mb_s": bytes as f64 / 1e6 / median, "tokens_s": tokens as f64 / median,
        });
        // On one thread the work runs on this thread, whose CPU time does not
        // count the time other processes held the core: steadier than wall time
        // on a shared machine.
        if args.threads <= 1 && cpu_times.len() == times.len() {
            cpu_times.sort_by(|a, b| a.total_cmp(b));
            let cpu = cpu_times[cpu_times.len() / 2];
            rec["cpu_s"] = serde_json::json!(cpu);
            rec["cpu_mb_s"] = serde_json::json!(bytes as f64 / 1e6 / cpu);
        }
        println!("{rec}");
    }
    Ok(())
}

/// CPU time of the calling thread in seconds (Linux `schedstat`), if available.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

#[derive(clap::Args, Debug)]
pub struct DedupArgs {
    /// UTF-8 file, one document per line (empty lines skipped).
    file: std::path::PathBuf,
    /// Worker threads for fingerprinting (1 = measure one core; the index is always one thread).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Timed runs; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Signature length.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (rows = num_perm / bands).
    #[arg(long, default_value_t = 16)]
    bands: usize,
    /// Words per shingle.
    #[arg(long, default_value_t = 3)]
    shingle: usize,
    /// Jaccard similarity to a representative needed to join its group.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
}

/// Streaming dedup over the lines of a file: everything from the raw line to the
/// verified group decision is timed (the anchors time only MinHash + LSH, with
/// shingles built before the clock starts).
fn dedup(args: DedupArgs) -> Result<()> {
    use khabar_story::dedup::{DedupConfig, Deduplicator};
    use khabar_story::minhash::{FingerprintScratch, MinHashParams};
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
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let config = DedupConfig {
        params: MinHashParams {
            num_hashes: args.num_perm,
            bands: args.bands,
            shingle_words: args.shingle,
            ..MinHashParams::default()
        },
        threshold: args.threshold,
        max_representatives: usize::MAX,
        window_secs: None,
    };
    Deduplicator::new(config)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.max(1))
        .build()?;
    let mut times = Vec::new();
    let mut last = None;
    for run in 0..=args.runs.max(1) {
        let t0 = Instant::now();
        let mut d = Deduplicator::new(config)?;
        d.reserve(lines.len());
        let mut shingles = 0u64;
        if args.threads <= 1 {
            let mut scratch = FingerprintScratch::default();
            for line in &lines {
                let fp = d.fingerprinter().fingerprint(line, &mut scratch);
                shingles += u64::from(fp.words.saturating_sub(args.shingle as u32 - 1).max(1));
                d.add(String::new(), None, fp);
            }
        } else {
            use rayon::prelude::*;
            let f = d.fingerprinter().clone();
            for batch in lines.chunks(1024) {
                let fps: Vec<_> = pool.install(|| {
                    batch
                        .par_iter()
                        .map_init(FingerprintScratch::default, |s, l| f.fingerprint(l, s))
                        .collect()
                });
                for fp in fps {
                    shingles += u64::from(fp.words.saturating_sub(args.shingle as u32 - 1).max(1));
                    d.add(String::new(), None, fp);
                }
            }
        }
        let dt = t0.elapsed().as_secs_f64();
        if run > 0 {
            times.push(dt);
        }
        last = Some((*d.stats(), shingles));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let (stats, shingles) = last.unwrap_or_default();
    let rec = serde_json::json!({
        "bench": "dedup", "tool": "khabar", "version": env!("CARGO_PKG_VERSION"), "status": "ok",
        "what": "normalize+tokenize+shingle+minhash(one-permutation)+lsh+exact verification",
        "threads": args.threads, "docs": lines.len(), "measured_bytes": bytes, "runs": args.runs,
        "num_perm": args.num_perm, "bands": args.bands, "shingle": args.shingle, "threshold": args.threshold,
        "shingles": shingles, "flagged": stats.with_candidates, "duplicates": stats.duplicates,
        "verified_pairs": stats.verified_pairs, "groups": stats.groups,
        "median_s": median, "min_s": times[0], "max_s": times[times.len() - 1],
        "mb_s": bytes as f64 / 1e6 / median, "docs_s": lines.len() as f64 / median,
    });
    println!("{rec}");
    Ok(())
}
