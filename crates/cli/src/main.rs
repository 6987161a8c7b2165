//! `khabar`: Arabic news in, structured knowledge out.
//!
//! The binary is thin: each subcommand parses its flags (clap), builds what it
//! needs from the libraries, and streams results to stdout. Errors go to
//! stderr with what and where; the exit code is 1 when the user must act,
//! 2 for usage errors.

mod commands;
mod common;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: ingest allocates many small strings and
/// vectors per token; measured in docs/STORE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Named entities (PER, LOC, ORG, MISC) with canonical keys; `--conll` tags token lists.
    Entities(commands::entities::Args),
    /// Train models from data.
    #[command(subcommand)]
    Train(Train),
    /// Evaluate against gold data.
    #[command(subcommand)]
    Eval(Eval),
    /// Throughput benchmarks (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// One account of a batch of reports: story, summary lines with support, entities,
    /// quotes by speaker, statements several reports repeat.
    Digest(commands::digest::Args),
    /// Extractive summary of each document (`--sentences N` or `--words N`).
    Summarize(commands::summarize::Args),
    /// Documents into the archive (store + search index); idempotent, crash-safe.
    Ingest(commands::ingest::Args),
    /// Search the archive in any spelling: words, "phrases", -exclusions, filters.
    Search(commands::search::Args),
    /// A document or a story from the archive, the story list, or archive stats.
    Show(commands::show::Args),
    /// Serve the archive: JSON API and a right-to-left page for readers.
    Serve(commands::serve::Args),
}

#[derive(Subcommand)]
enum Train {
    /// The clitic segmenter's model, from unlabeled news. The embedded default is built with
    /// `khabar train segmenter --corpus ../shared/data/ant_multisource --out crates/core/data/clitics.khabar`.
    Segmenter(commands::train_segmenter::SegmenterArgs),
    /// The named-entity tagger: `khabar train ner --train FILE --dev FILE --out FILE`.
    Ner(commands::train_ner::Args),
    /// The sentence scorer of `khabar summarize`: `khabar train summary --data DIR --out FILE`.
    Summary(commands::train_summary::Args),
}

#[derive(Subcommand)]
enum Eval {
    /// Clitic segmentation against Farasa-style gold (WikiNews), at the clitic level
    /// (see docs/CLITICS.md).
    Segment(commands::eval_segment::SegmentArgs),
    /// Entity-level precision, recall and F1 against a gold CoNLL file.
    Ner(commands::eval_ner::Args),
    /// Pairwise precision, recall and F1 of story clustering on labelled article pairs.
    Stories(commands::stories::EvalArgs),
    /// Quote attribution against a labelled set: precision and recall of speaker and
    /// content spans (exact and overlapping).
    Quotes(commands::eval_quotes::Args),
    /// Extractive summaries on EASC: ROUGE-1/2 of khabar, lead-k and summaries from other
    /// systems, at each reference's word budget.
    Summary(commands::eval_summary::Args),
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
        Command::Entities(a) => commands::entities::run(a),
        Command::Dedup(a) => commands::dedup::run(a),
        Command::Stories(a) => commands::stories::run(a),
        Command::Train(Train::Segmenter(a)) => commands::train_segmenter::segmenter(a),
        Command::Train(Train::Ner(a)) => commands::train_ner::run(a),
        Command::Train(Train::Summary(a)) => commands::train_summary::run(a),
        Command::Eval(Eval::Segment(a)) => commands::eval_segment::segment(a),
        Command::Eval(Eval::Ner(a)) => commands::eval_ner::run(a),
        Command::Eval(Eval::Stories(a)) => commands::stories::run_eval(a),
        Command::Eval(Eval::Quotes(a)) => commands::eval_quotes::run(a),
        Command::Eval(Eval::Summary(a)) => commands::eval_summary::run(a),
        Command::Bench(b) => commands::bench::run(b),
        Command::Digest(a) => commands::digest::run(a),
        Command::Summarize(a) => commands::summarize::run(a),
        Command::Ingest(a) => commands::ingest::run(a),
        Command::Search(a) => commands::search::run(a),
        Command::Show(a) => commands::show::run(a),
        Command::Serve(a) => commands::serve::run(a),
        Command::Eval(Eval::Search(a)) => commands::search::run_eval_search(a),
    };
    if let Err(e) = result {
        if common::is_broken_pipe(&e) {
            std::process::exit(0);
        }
        eprintln!("khabar: error: {e:#}");
        std::process::exit(1);
    }
}
