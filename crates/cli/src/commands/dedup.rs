//! `khabar dedup`: groups of near-duplicate documents (wire copies), streaming.
//!
//! Fingerprints (normalize, tokenize, shingle, MinHash) are computed in
//! parallel batches; the LSH index runs in input order on one thread, so the
//! groups are the same whatever the number of threads. A group is printed as
//! soon as it is closed (its representative left the index through
//! `--window-days` or `--max-docs`), the rest at the end, in group order.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Context, Result, bail};
use khabar::batch::{BatchLimits, run_ordered};
use khabar_story::dedup::{DedupConfig, Deduplicator, Group};
use khabar_story::minhash::{FingerprintScratch, MinHashParams};
use khabar_story::time::{format_day, parse_date};
use std::cell::RefCell;
use std::io::Write;

/// Flags of `khabar dedup`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Exact Jaccard similarity of word 3-shingles (after Arabic normalization) to a
    /// group's representative needed to join the group. 0.5 keeps wire copies with a
    /// new lead or byline; 0.8 only near-verbatim copies.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = 3)]
    shingle: usize,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (rows = num-perm / bands). 32×4 finds pairs of Jaccard 0.5 with
    /// probability 0.87 and 0.6 with 0.99; fewer bands compare less and miss more.
    #[arg(long, default_value_t = 32)]
    bands: usize,
    /// Representatives older than this many days before the newest date seen leave the
    /// index (needs a `date` field; input roughly in date order). Default: no window.
    #[arg(long, value_name = "DAYS")]
    window_days: Option<f64>,
    /// Most representatives kept in the index, about 1 KB each; the oldest leave first.
    #[arg(long, default_value_t = 1_000_000)]
    max_docs: usize,
    /// Also print documents that have no near-duplicate (groups of one).
    #[arg(long)]
    singletons: bool,
    /// Ignore the `date` field instead of failing on a date that is not ISO 8601.
    #[arg(long)]
    ignore_bad_dates: bool,
    /// Output format: one JSON object per group, or a line of ids per group.
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "text"])]
    format: String,
}

pub fn run(args: Args) -> Result<()> {
    let config = DedupConfig {
        params: MinHashParams {
            num_hashes: args.num_perm,
            bands: args.bands,
            shingle_words: args.shingle,
            ..MinHashParams::default()
        },
        threshold: args.threshold,
        max_representatives: args.max_docs.max(1),
        window_secs: match args.window_days {
            Some(d) if !(d.is_finite() && d > 0.0) => {
                bail!("--window-days must be a positive number of days, not {d}")
            }
            Some(d) => Some((d * 86_400.0).round() as i64),
            None => None,
        },
    };
    let mut dedup = Deduplicator::new(config).context("bad dedup settings")?;
    let fingerprinter = dedup.fingerprinter().clone();
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let mut printed = 0u64;
    let (mut multi_groups, mut grouped_docs) = (0u64, 0u64);
    let text = args.format == "text";
    let mut emit = |g: Group, out: &mut dyn Write| -> Result<()> {
        if g.members.len() >= 2 {
            multi_groups += 1;
            grouped_docs += g.members.len() as u64;
        } else if !args.singletons {
            return Ok(());
        }
        write_group(out, printed, &g, text)?;
        printed += 1;
        Ok(())
    };
    thread_local!(static SCRATCH: RefCell<FingerprintScratch> = RefCell::new(FingerprintScratch::default()));
    let ignore_bad_dates = args.ignore_bad_dates;
    let items = reader.by_ref().map(|d| d.map_err(anyhow::Error::from));
    run_ordered(
        items,
        BatchLimits::default(),
        |d| d.text.len(),
        |d| {
            let time = match d.date.as_deref() {
                None => Ok(None),
                Some(s) => match parse_date(s) {
                    Ok(t) => Ok(Some(t)),
                    Err(_) if ignore_bad_dates => Ok(None),
                    Err(e) => Err(e),
                },
            };
            let fp = SCRATCH.with(|s| fingerprinter.fingerprint(&d.text, &mut s.borrow_mut()));
            (time, fp)
        },
        |d, (time, fp)| {
            pb.inc(d.text.len() as u64);
            let time = time.with_context(|| {
                format!(
                    "{}: document {:?}: bad date (use --ignore-bad-dates to ignore dates)",
                    d.origin, d.id
                )
            })?;
            dedup.add(d.id, time, fp);
            while let Some(g) = dedup.pop_closed() {
                emit(g, &mut out)?;
            }
            Ok(())
        },
    )?;
    let stats = *dedup.stats();
    for g in dedup.finish() {
        emit(g, &mut out)?;
    }
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    eprintln!(
        "khabar dedup: {} documents, {multi_groups} groups of near-duplicates holding \
         {grouped_docs} documents ({} documents without words; threshold {})",
        stats.documents, stats.empty, args.threshold,
    );
    Ok(())
}

fn write_group(out: &mut dyn Write, n: u64, g: &Group, text: bool) -> Result<()> {
    if text {
        let ids: Vec<&str> = g.members.iter().map(|m| m.id.as_str()).collect();
        writeln!(out, "{n}\t{}", ids.join(" "))?;
        return Ok(());
    }
    let dates = || g.members.iter().filter_map(|m| m.time);
    let rec = GroupRecord {
        group: n,
        size: g.members.len(),
        representative: &g.members[0].id,
        members: g.members.iter().map(|m| m.id.as_str()).collect(),
        similarity: g
            .members
            .iter()
            .map(|m| (m.similarity * 1000.0).round() / 1000.0)
            .collect(),
        first_date: dates().min().map(format_day),
        last_date: dates().max().map(format_day),
    };
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// One output line of `khabar dedup` (fields in this order).
#[derive(serde::Serialize)]
struct GroupRecord<'a> {
    group: u64,
    size: usize,
    representative: &'a str,
    members: Vec<&'a str>,
    /// Exact Jaccard similarity of each member to the representative.
    similarity: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_date: Option<String>,
}
