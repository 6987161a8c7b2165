//! Runs the text layer over a file, one document per line, and prints the
//! number of tokens and the throughput (for profiling the hot path, e.g. under
//! `valgrind --tool=callgrind`; `khabar bench text` is the benchmark of record).
//!
//! `cargo run --release -p khabar-core --example analyze_lines -- FILE [PASSES] [STAGE]`
//! (`KHABAR_CLITICS_MODEL=FILE` to use another clitic model). STAGE is `full`
//! (the default: `TextAnalyzer::analyze_into`), `normtok` (whole-line
//! `Normalizer::normalize_into` with `Profile::SEARCH`, then `token::tokenize`
//! on the normalized text, as `khabar bench text` times it) or `read` (only
//! reading the file: the fixed cost to subtract from instruction counts).

use khabar_core::token::{RawToken, tokenize};
use khabar_core::{Analysis, Normalizer, Profile, TextAnalyzer};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: analyze_lines FILE [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(1);
    let stage = args.next().unwrap_or_else(|| "full".to_string());
    if !matches!(stage.as_str(), "full" | "normtok" | "read") {
        eprintln!("unknown stage {stage:?}: use full, normtok or read");
        std::process::exit(2);
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // KHABAR_CLITICS_MODEL=FILE profiles another clitic model.
    let analyzer = match std::env::var_os("KHABAR_CLITICS_MODEL") {
        Some(p) => {
            let bytes = std::fs::read(&p).unwrap_or_default();
            match khabar_core::CliticSegmenter::from_bytes(&bytes) {
                Ok(seg) => TextAnalyzer::with_segmenter(Default::default(), seg),
                Err(e) => {
                    eprintln!("{}: {e}", p.to_string_lossy());
                    std::process::exit(1);
                }
            }
        }
        None => TextAnalyzer::default_analyzer(),
    };
    let normalizer = Normalizer::new(Profile::SEARCH);
    let mut a = Analysis::default();
    let mut norm = String::new();
    let mut raw: Vec<RawToken> = Vec::new();
    let t0 = std::time::Instant::now();
    let mut tokens = 0usize;
    for _ in 0..passes {
        for l in &lines {
            match stage.as_str() {
                "full" if analyzer.analyze_into(l, &mut a).is_ok() => tokens += a.tokens.len(),
                "normtok" => {
                    norm.clear();
                    raw.clear();
                    normalizer.normalize_into(l, &mut norm, None);
                    tokenize(&norm, &mut raw);
                    tokens += raw.len();
                }
                _ => {}
            }
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum::<usize>() * passes;
    println!(
        "{tokens} tokens, {:.1} MB/s",
        bytes as f64 / 1e6 / dt.max(1e-9)
    );
}
