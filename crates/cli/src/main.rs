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
    /// Throughput benchmarks (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Documents into the archive (store + search index); idempotent, crash-safe.
    Ingest(commands::ingest::Args),
    /// Search the archive in any spelling: words, "phrases", -exclusions, filters.
    Search(commands::search::Args),
    /// A document or a story from the archive, the story list, or archive stats.
    Show(commands::show::Args),
    /// Serve the archive: JSON API and a right-to-left page for readers.
    Serve(commands::serve::Args),
    /// Evaluations on the shared data (see scripts/eval.sh).
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Known-item search recall under spelling variation: khabar vs tantivy's default
    /// tokenizer vs SQLite FTS5.
    Search(commands::search::EvalArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Segment(a) => commands::segment::run(a),
        Command::Normalize(a) => commands::normalize::run(a),
        Command::Bench(b) => commands::bench::run(b),
        Command::Ingest(a) => commands::ingest::run(a),
        Command::Search(a) => commands::search::run(a),
        Command::Show(a) => commands::show::run(a),
        Command::Serve(a) => commands::serve::run(a),
        Command::Eval(EvalCommand::Search(a)) => commands::search::run_eval_search(a),
    };
    if let Err(e) = result {
        if common::is_broken_pipe(&e) {
            std::process::exit(0);
        }
        eprintln!("khabar: error: {e:#}");
        std::process::exit(1);
    }
}
