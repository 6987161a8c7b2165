//! `khabar ingest`: documents into the archive (store + search index).

use super::store_args::StoreArgs;
use crate::common::{InputArgs, report_input, stdout};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use khabar_search::hooks::{NoAnnotations, NoStories, StoryAssigner, TermOverlapStories};
use khabar_search::{Archive, IngestOptions, Mode};
use std::io::{IsTerminal, Write};

/// Flags of `khabar ingest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    store: StoreArgs,
    /// Story assignment: `baseline` (headline-overlap placeholder until khabar-story's
    /// clustering is wired) or `none`.
    #[arg(long, default_value = "baseline", value_parser = ["baseline", "none"])]
    stories: String,
    /// Documents per batch (one transaction each).
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    batch: u64,
    /// Commit the search index at least this often, in seconds (it is always committed at the end).
    #[arg(long, default_value_t = 10, hide = true)]
    index_commit_secs: u64,
    /// Only open the archive for writing, which brings the search index up to date with the
    /// store (after a killed ingest), and exit.
    #[arg(long)]
    repair: bool,
    /// Report format on stdout (the summary always goes to stderr).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

pub fn run(args: Args) -> Result<()> {
    let location = args.store.location();
    let mut archive = Archive::open(&location, Mode::Write)?;
    if archive.repaired_on_open() > 0 {
        eprintln!(
            "khabar: search index repaired: {} document(s) from the store were missing",
            archive.repaired_on_open()
        );
    }
    if args.repair {
        let h = archive.health()?;
        eprintln!(
            "khabar: {} document(s) in the store, {} in the index",
            h.documents,
            h.indexed.map_or("no".to_string(), |n| n.to_string())
        );
        return Ok(());
    }
    let (mut reader, _bytes_bar) = args.input.open()?;
    let pb = if std::io::stderr().is_terminal() {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {pos} documents ({per_sec}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut assigner: Box<dyn StoryAssigner> = match args.stories.as_str() {
        "none" => Box::new(NoStories),
        _ => Box::new(TermOverlapStories::new()),
    };
    let options = IngestOptions {
        batch_docs: args.batch as usize,
        index_commit_every: std::time::Duration::from_secs(args.index_commit_secs),
        ..IngestOptions::default()
    };
    let report = archive.ingest(
        reader.by_ref(),
        options,
        &NoAnnotations,
        assigner.as_mut(),
        |r| {
            pb.set_position(r.read);
            pb.set_message(format!(
                "{} new, {} replaced, {} unchanged",
                r.inserted, r.replaced, r.unchanged
            ));
        },
    )?;
    pb.finish_and_clear();
    report_input(reader.stats());
    let secs = report.seconds.max(1e-9);
    eprintln!(
        "khabar: ingested {} document(s) into {}: {} new, {} replaced, {} unchanged; {} story update(s); {:.1} s, {:.0} documents/s, {:.1} MB/s",
        report.read,
        archive.store().location(),
        report.inserted,
        report.replaced,
        report.unchanged,
        report.story_updates,
        report.seconds,
        report.read as f64 / secs,
        report.bytes as f64 / secs / 1e6,
    );
    if args.format == "json" {
        let mut out = stdout();
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    Ok(())
}
