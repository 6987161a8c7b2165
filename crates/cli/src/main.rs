//! `khabar`: Arabic news in, structured knowledge out.
//!
//! The binary is thin: each subcommand parses its flags (clap), builds what it
//! needs from the libraries, and streams results to stdout. Errors go to
//! stderr with what and where; the exit code is 1 when the user must act,
//! 2 for usage errors.

mod commands;
mod common;

use clap::{Parser, Subcommand};

/// Arabic news in, structured knowledge out.
#[derive(Parser)]
#[command(name = "khabar", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The text layer: sentences, tokens, normalized forms, clitic segments and stems.
    Analyze(commands::analyze::Args),
    /// Clitic segmentation of words, one word per line: و+ال+كرملين.
    Segment(commands::segment::Args),
    /// Normalized text out (offset-preserving normalization, `search` or `display` profile).
    Normalize(commands::normalize::Args),
    /// Groups of near-duplicate documents (wire copies): MinHash + LSH, verified Jaccard.
    Dedup(commands::dedup::Args),
    /// Articles grouped into stories (same event, several outlets, a few days).
    Stories(commands::stories::Args),
    /// Evaluate against gold data.
    #[command(subcommand)]
    Eval(Eval),
    /// Throughput benchmarks (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}

#[derive(Subcommand)]
enum Eval {
    /// Pairwise precision, recall and F1 of story clustering on labelled article pairs.
    Stories(commands::stories::EvalArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Segment(a) => commands::segment::run(a),
        Command::Normalize(a) => commands::normalize::run(a),
        Command::Dedup(a) => commands::dedup::run(a),
        Command::Stories(a) => commands::stories::run(a),
        Command::Eval(Eval::Stories(a)) => commands::stories::run_eval(a),
        Command::Bench(b) => commands::bench::run(b),
    };
    if let Err(e) = result {
        if common::is_broken_pipe(&e) {
            std::process::exit(0);
        }
        eprintln!("khabar: error: {e:#}");
        std::process::exit(1);
    }
}
