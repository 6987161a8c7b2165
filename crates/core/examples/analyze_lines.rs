//! Runs the text layer over a file, one document per line, and prints the
//! number of tokens and the throughput (for profiling the hot path, e.g. under
//! `valgrind --tool=callgrind`; `khabar bench text` is the benchmark of record).
//!
//! `cargo run --release -p khabar-core --example analyze_lines -- FILE [PASSES]`
//! (`KHABAR_CLITICS_MODEL=FILE` to use another clitic model).

use khabar_core::{Analysis, TextAnalyzer};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: analyze_lines FILE [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(1);
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
    let mut a = Analysis::default();
    let t0 = std::time::Instant::now();
    let mut tokens = 0usize;
    for _ in 0..passes {
        for l in &lines {
            if analyzer.analyze_into(l, &mut a).is_ok() {
                tokens += a.tokens.len();
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
