//! `khabar show`: a document or a story from the archive, or the story list.

use super::store_args::StoreArgs;
use crate::common::stdout;
use anyhow::{Result, bail};
use khabar_search::{Archive, Mode};
use khabar_store::StoredDocument;
use std::io::Write;

/// Flags of `khabar show`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A document id, or a story as `story:N` (a bare number is a story when no document has that id).
    #[arg(value_name = "ID", required_unless_present_any = ["stories", "stats"])]
    id: Option<String>,
    /// List stories (most recent first) instead.
    #[arg(long, conflicts_with_all = ["id", "stats"])]
    stories: bool,
    /// Show what the archive holds (documents, stories, index) instead.
    #[arg(long, conflicts_with = "id")]
    stats: bool,
    /// Stories to list.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Stories to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[command(flatten)]
    store: StoreArgs,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

fn meta(d: &StoredDocument) -> String {
    [d.source.as_deref(), d.date.as_deref(), d.url.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn run(args: Args) -> Result<()> {
    let archive = Archive::open(&args.store.location(), Mode::Read)?;
    let store = archive.store();
    let json = args.format == "json";
    let mut out = stdout();
    if args.stats {
        let h = archive.health()?;
        let s = store.stats()?;
        if json {
            serde_json::to_writer(&mut out, &serde_json::json!({ "health": h, "stats": s }))?;
            writeln!(out)?;
        } else {
            writeln!(out, "store: {} ({})", store.location(), h.backend)?;
            writeln!(
                out,
                "documents {} (exact copies {}), sentences {}, entity mentions {}, quotes {}, stories {}",
                s.documents, s.exact_duplicates, s.sentences, s.mentions, s.quotes, s.stories
            )?;
            if let (Some(n), Some(lag)) = (h.indexed, h.index_lag) {
                writeln!(out, "search index: {n} documents, {lag} behind the store")?;
            }
        }
    } else if args.stories {
        let list = store.stories(args.limit, args.offset)?;
        if json {
            serde_json::to_writer(&mut out, &list)?;
            writeln!(out)?;
        } else {
            for s in list {
                writeln!(
                    out,
                    "story:{}\t{} report(s)\t{}\t{}",
                    s.id,
                    s.size,
                    s.last_date.as_deref().unwrap_or("-"),
                    s.title
                )?;
            }
        }
    } else {
        let id = args.id.unwrap_or_default();
        let story_id = id
            .strip_prefix("story:")
            .and_then(|n| n.parse::<i64>().ok());
        let doc = if story_id.is_none() {
            store.document(&id)?
        } else {
            None
        };
        if let Some(d) = doc {
            if json {
                serde_json::to_writer(&mut out, &d)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", d.title.as_deref().unwrap_or(&d.id))?;
                writeln!(out, "{} · {}", d.id, meta(&d))?;
                if let Some(s) = d.story {
                    writeln!(out, "story:{s}")?;
                }
                if let Some(c) = &d.duplicate_of {
                    writeln!(out, "exact copy of {c}")?;
                }
                writeln!(out)?;
                writeln!(out, "{}", d.text)?;
                if !d.mentions.is_empty() {
                    writeln!(out)?;
                    for m in &d.mentions {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}",
                            m.label,
                            m.key,
                            m.span,
                            m.span.slice(&d.text)
                        )?;
                    }
                }
                for q in &d.quotes {
                    let who = q
                        .speaker
                        .map(|s| s.slice(&d.text))
                        .or(q.speaker_key.as_deref())
                        .unwrap_or("?");
                    writeln!(out, "quote\t{who}\t«{}»", q.content.slice(&d.text))?;
                }
            }
        } else {
            let sid = story_id.or_else(|| id.parse::<i64>().ok());
            let Some(story) = sid.map(|s| store.story(s)).transpose()?.flatten() else {
                bail!(
                    "no document or story {id:?} in {} (stories are `story:N`; list them with `khabar show --stories`)",
                    store.location()
                );
            };
            if json {
                serde_json::to_writer(&mut out, &story)?;
                writeln!(out)?;
            } else {
                writeln!(out, "story:{}\t{}", story.summary.id, story.summary.title)?;
                writeln!(
                    out,
                    "{} report(s), {} to {}",
                    story.summary.size,
                    story.summary.first_date.as_deref().unwrap_or("-"),
                    story.summary.last_date.as_deref().unwrap_or("-")
                )?;
                for l in &story.lines {
                    writeln!(out, "  [{}] {}", l.support, l.text)?;
                }
                for m in &story.members {
                    writeln!(
                        out,
                        "  {}\t{}\t{}\t{}",
                        m.id,
                        m.source.as_deref().unwrap_or("-"),
                        m.date.as_deref().unwrap_or("-"),
                        m.title.as_deref().unwrap_or("")
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}
