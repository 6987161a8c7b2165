//! `khabar search`: full-text search of the archive; `khabar eval search`:
//! known-item recall under spelling variation against other analyzers.

use super::store_args::StoreArgs;
use crate::common::stdout;
use anyhow::{Context, Result};
use khabar_search::eval::{EvalOptions, run as run_eval};
use khabar_search::highlight::Offsets;
use khabar_search::{Archive, Mode, SearchRequest};
use khabar_store::Filters;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Flags of `khabar search`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The query: words in any spelling, "exact phrases", -excluded words (quote the
    /// query, or put it after `--`, when it starts with an excluded word).
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
    /// Only documents from this outlet (exact name as ingested).
    #[arg(long)]
    source: Option<String>,
    /// Only documents mentioning this entity key.
    #[arg(long)]
    entity: Option<String>,
    /// Only documents dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// Only documents dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// Hits to show (at most 100).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

/// Marks highlights in `text` (offsets relative to `base`) for a terminal or a pipe.
fn mark(text: &str, base: u32, highlights: &[Offsets], tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut out = String::with_capacity(text.len() + highlights.len() * 8);
    let mut at = 0usize;
    for h in highlights {
        let (s, e) = ((h.start - base) as usize, (h.end - base) as usize);
        if s < at || text.get(at..s).is_none() || text.get(s..e).is_none() {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(open);
        out.push_str(&text[s..e]);
        out.push_str(close);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

pub fn run(args: Args) -> Result<()> {
    let archive = Archive::open(&args.store.location(), Mode::Read)?;
    let req = SearchRequest {
        query: args.query.join(" "),
        filters: Filters {
            source: args.source,
            entity: args.entity,
            from: args.from,
            to: args.to,
        },
        limit: args.limit,
        offset: args.offset,
    };
    let res = archive.search(&req)?;
    let mut out = stdout();
    if args.format == "json" {
        serde_json::to_writer(&mut out, &res)?;
        writeln!(out)?;
    } else {
        let tty = std::io::stdout().is_terminal();
        match res.total {
            Some(t) => writeln!(out, "{t} match(es) for «{}»", res.query)?,
            None => writeln!(out, "matches for «{}»", res.query)?,
        }
        for (i, h) in res.hits.iter().enumerate() {
            let title = match &h.title {
                Some(t) => mark(t, 0, &h.title_highlights, tty),
                None => h.id.clone(),
            };
            let meta: Vec<&str> = [
                h.source.as_deref(),
                h.date.as_deref().map(|d| d.get(..10).unwrap_or(d)),
            ]
            .into_iter()
            .flatten()
            .collect();
            writeln!(
                out,
                "{:>3}. {}  [{}] {}  (score {:.2})",
                res.offset + i + 1,
                title,
                h.id,
                meta.join(" · "),
                h.score
            )?;
            let snippet = mark(
                &h.snippet.text,
                h.snippet.offsets.start,
                &h.snippet.highlights,
                tty,
            );
            writeln!(out, "     {}", snippet.replace('\n', " "))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Flags of `khabar eval search`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Folder of the corpus JSONL files (e.g. ../shared/data/ant_multisource).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Number of known-item queries.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Seed of the article choice and of the spelling rewrites.
    #[arg(long, default_value_t = 2018)]
    seed: u64,
    /// Rank cutoff for recall.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Use only the first N documents (quick runs).
    #[arg(long)]
    max_docs: Option<usize>,
    /// Scratch folder for the indexes (default: a temporary folder, removed afterwards).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Output format (`json` includes the query set).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

pub fn run_eval_search(args: EvalArgs) -> Result<()> {
    let tmp;
    let work_dir = match args.work_dir {
        Some(d) => d,
        None => {
            tmp = std::env::temp_dir().join(format!("khabar-eval-search-{}", std::process::id()));
            tmp
        }
    };
    let opts = EvalOptions {
        data: args.data.clone(),
        queries: args.queries,
        seed: args.seed,
        k: args.k,
        max_docs: args.max_docs,
        work_dir: work_dir.clone(),
    };
    let report = run_eval(&opts, |m| eprintln!("khabar: eval search: {m}"))
        .with_context(|| format!("search evaluation on {}", args.data.display()))?;
    let mut out = stdout();
    if args.format == "json" {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "known-item search, {} queries over {} documents (seed {}), recall@{}:",
            report.queries, report.documents, report.seed, report.k
        )?;
        writeln!(
            out,
            "{:<20} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "", "keywords", "keywords", "keywords", "headline", "headline"
        )?;
        writeln!(
            out,
            "{:<20} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "system", "variant", "(MRR)", "original", "variant", "original"
        )?;
        for s in &report.systems {
            writeln!(
                out,
                "{:<20} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                s.system,
                s.keywords_variant.recall,
                s.keywords_variant.mrr,
                s.keywords_original.recall,
                s.headline_variant.recall,
                s.headline_original.recall
            )?;
        }
        let rewrites: Vec<String> = report
            .rewrite_counts
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        writeln!(out, "rewrites applied: {}", rewrites.join(", "))?;
    }
    out.flush()?;
    if opts.work_dir.starts_with(std::env::temp_dir())
        && opts
            .work_dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("khabar-eval-search-"))
    {
        let _ = std::fs::remove_dir_all(&opts.work_dir);
    }
    Ok(())
}
