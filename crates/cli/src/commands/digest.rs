//! `khabar digest`: one account of a batch of reports — the story, the statements that
//! matter with how many reports carry each, who said what, and what several reports repeat.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Context, Result, bail};
use khabar_story::digest::{Digest, DigestOptions, EntityTagger, NoEntities, Units, build_digest};
use khabar_story::gazetteer::Gazetteer;
use khabar_story::summary::Length;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Flags of `khabar digest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output: readable `text` or `json` (see docs/FORMATS.md).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// What one report is: `auto` (the paragraphs of a single input document, else each
    /// document), `documents` or `paragraphs`.
    #[arg(long, default_value = "auto", value_parser = ["auto", "documents", "paragraphs"])]
    units: String,
    /// Summary lines per story.
    #[arg(long, default_value_t = 5)]
    lines: usize,
    /// Take entities from this name list (`surface<TAB>label<TAB>key` per line) instead of
    /// the named-entity tagger: a list lookup, not recognition.
    #[arg(long, value_name = "FILE", conflicts_with = "no_entities")]
    gazetteer: Option<PathBuf>,
    /// No entities at all (quotes still find title-phrase speakers).
    #[arg(long)]
    no_entities: bool,
}

pub fn run(args: Args) -> Result<()> {
    let (mut reader, pb) = args.input.open()?;
    let mut docs = Vec::new();
    for d in reader.by_ref() {
        let d = d?;
        pb.inc(d.text.len() as u64);
        docs.push(d);
    }
    pb.finish_and_clear();
    report_input(reader.stats());
    if docs.is_empty() {
        bail!("no documents in the input: nothing to digest");
    }
    let tagger: Box<dyn EntityTagger> = match &args.gazetteer {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading gazetteer {}", path.display()))?;
            Box::new(Gazetteer::parse(&text).with_context(|| format!("in {}", path.display()))?)
        }
        None if args.no_entities => Box::new(NoEntities),
        None => Box::new(khabar::Engine::new(khabar::EngineOptions::default())?),
    };
    let inputs = khabar::digest_inputs(&docs);
    let opts = DigestOptions {
        units: match args.units.as_str() {
            "documents" => Units::Documents,
            "paragraphs" => Units::Paragraphs,
            _ => Units::Auto,
        },
        summary_length: Length::Sentences(args.lines.max(1)),
        ..DigestOptions::default()
    };
    let digest = build_digest(&inputs, tagger.as_ref(), None, &opts)?;
    let mut out = stdout();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &digest)?;
        out.write_all(b"\n")?;
    } else {
        write_text(&mut out, &digest)?;
    }
    out.flush()?;
    Ok(())
}

/// The readable form: one block per story.
fn write_text(out: &mut impl Write, d: &Digest) -> std::io::Result<()> {
    for (i, s) in d.stories.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "══ Story {}: {}", i + 1, s.title)?;
        writeln!(out, "   {} reports", s.reports.len())?;
        writeln!(out, "\nSummary")?;
        for (k, l) in s.summary.iter().enumerate() {
            let reports = if l.support == 1 { "report" } else { "reports" };
            writeln!(
                out,
                "  {}. [{} {}] {}",
                k + 1,
                l.support,
                reports,
                l.text.trim()
            )?;
        }
        if !s.entities.is_empty() {
            writeln!(out, "\nKey entities")?;
            let items: Vec<String> = s
                .entities
                .iter()
                .map(|e| format!("{} ({}, {})", e.key, e.label, e.count))
                .collect();
            writeln!(out, "  {}", items.join(" · "))?;
        }
        if !s.keyphrases.is_empty() {
            let items: Vec<&str> = s.keyphrases.iter().map(|k| k.text.as_str()).collect();
            writeln!(out, "\nKeyphrases\n  {}", items.join(" · "))?;
        }
        if !s.quotes.is_empty() {
            writeln!(out, "\nQuotes by speaker")?;
            // Speakers in order of first quote.
            let mut order: Vec<&str> = Vec::new();
            let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (k, q) in s.quotes.iter().enumerate() {
                let key = if q.speaker_key.is_empty() {
                    "?"
                } else {
                    q.speaker_key.as_str()
                };
                if !by.contains_key(key) {
                    order.push(key);
                }
                by.entry(key).or_default().push(k);
            }
            for key in order {
                let qs = &by[key];
                // Show the speaker as written most often under this key.
                let mut names: Vec<(&str, usize)> = Vec::new();
                for &k in qs {
                    let n = s.quotes[k].speaker.as_str();
                    match names.iter_mut().find(|(m, _)| *m == n) {
                        Some(e) => e.1 += 1,
                        None => names.push((n, 1)),
                    }
                }
                let name = names
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.len().cmp(&a.0.len())))
                    .map_or("?", |n| if n.0.is_empty() { "?" } else { n.0 });
                writeln!(out, "  {} ({})", name, qs.len())?;
                for &k in qs {
                    let q = &s.quotes[k];
                    let (open, close) = if q.direct { ("«", "»") } else { ("", "") };
                    let via = if q.channel.is_empty() {
                        String::new()
                    } else {
                        format!(", via {}", q.channel)
                    };
                    writeln!(
                        out,
                        "    - {open}{}{close} [{}{}, {}:{}]",
                        q.text.trim(),
                        q.cue,
                        via,
                        q.doc,
                        q.start
                    )?;
                }
            }
        }
        if !s.duplicates.is_empty() {
            writeln!(out, "\nSame statement in several reports")?;
            for g in &s.duplicates {
                writeln!(out, "  • {} sentences:", g.len())?;
                for m in g {
                    writeln!(out, "      {}:{}  {}", m.doc, m.start, m.text.trim())?;
                }
            }
        }
    }
    Ok(())
}
