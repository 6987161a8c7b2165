//! `khabar entities`: named entities with canonical keys.
//!
//! Raw text in (files, folders, JSONL, stdin), entities out with label, byte
//! span into the original text, surface, canonical key and score. Documents
//! are tagged in parallel ordered batches, long documents in pieces. Keys are
//! linked across all documents of the run (the run's mentions are kept until
//! the end; `--per-document` streams instead, linking within each document).
//!
//! `--conll` reads one token per line instead (blank line = sentence break;
//! anything after the first whitespace is ignored) and prints `TOKEN<TAB>TAG`
//! for exactly the same lines.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Context, Result};
use khabar::analyze::{Piece, json_str, one_line, pieces};
use khabar::batch::{BatchLimits, run_ordered};
use khabar::{DocumentReader, InputFormat};
use khabar_core::{Analysis, TextAnalyzer};
use khabar_ner::{Entity, Recognizer, keys};
use std::io::Write;
use std::path::PathBuf;

/// Flags of `khabar entities`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output format (raw-text mode).
    #[arg(long, default_value = "text", value_parser = ["text", "json", "jsonl"])]
    format: String,
    /// Input is one token per line (CoNLL); output is `TOKEN<TAB>TAG` per line.
    #[arg(long)]
    conll: bool,
    /// Link keys within each document only, and stream output (default: link across the run).
    #[arg(long)]
    per_document: bool,
    /// Model file (default: the model embedded in khabar).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
}

/// Longest sentence tagged at once in `--conll` mode; longer runs of lines are
/// tagged in pieces so memory stays bounded.
const MAX_CONLL_SENTENCE: usize = 4096;

fn load(model: &Option<PathBuf>) -> Result<Box<dyn std::ops::Deref<Target = Recognizer>>> {
    match model {
        Some(m) => {
            let bytes = std::fs::read(m).with_context(|| format!("reading {}", m.display()))?;
            let r = Recognizer::from_bytes(&bytes)
                .with_context(|| format!("loading {}", m.display()))?;
            Ok(Box::new(Box::new(r)))
        }
        None => {
            let r = Recognizer::embedded().map_err(|e| anyhow::anyhow!("embedded model: {e}"))?;
            Ok(Box::new(r))
        }
    }
}

pub fn run(mut args: Args) -> Result<()> {
    let holder = load(&args.model)?;
    let ner: &Recognizer = &holder;
    if args.conll {
        args.input.input_format = "text".into();
        return conll(&args, ner);
    }
    let analyzer = TextAnalyzer::default_analyzer();
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let format = args.format.as_str();
    if format == "json" {
        out.write_all(b"[")?;
    }
    let mut n_docs = 0u64;
    // Entities of the document being assembled from its pieces.
    let mut current: Vec<Entity> = Vec::new();
    // Kept for linking across the run: document id, entities and their surfaces
    // (not the texts, so memory grows with the mentions only).
    let mut held: Vec<(String, Vec<Entity>, Vec<String>)> = Vec::new();
    let items = reader.by_ref().flat_map(|d| match d {
        Ok(doc) => pieces(doc).into_iter().map(Ok).collect::<Vec<_>>(),
        Err(e) => vec![Err(anyhow::Error::from(e))],
    });
    run_ordered(
        items,
        BatchLimits::default(),
        |p: &Piece| p.range.len(),
        |p: &Piece| {
            thread_local!(static A: std::cell::RefCell<Analysis> = Default::default());
            A.with(|a| {
                let mut a = a.borrow_mut();
                let text = &p.doc.text[p.range.clone()];
                match analyzer.analyze_into(text, &mut a) {
                    Ok(()) => ner.recognize_analysis(&a, p.range.start as u32),
                    Err(_) => Vec::new(),
                }
            })
        },
        |p: Piece, ents: Vec<Entity>| {
            pb.inc(p.range.len() as u64);
            current.extend(ents);
            if p.last {
                let mut ents = std::mem::take(&mut current);
                keys::resolve_document(&mut ents);
                let surfaces: Vec<String> = ents
                    .iter()
                    .map(|e| e.span.slice(&p.doc.text).to_string())
                    .collect();
                if args.per_document {
                    write_doc(&mut out, format, n_docs, &p.doc.id, &ents, &surfaces)?;
                } else {
                    held.push((p.doc.id.clone(), ents, surfaces));
                }
                n_docs += 1;
            }
            Ok(())
        },
    )?;
    if !args.per_document {
        let mut docs: Vec<Vec<Entity>> =
            held.iter_mut().map(|(_, e, _)| std::mem::take(e)).collect();
        keys::resolve_batch(&mut docs);
        for (k, ((id, _, surfaces), ents)) in held.iter().zip(&docs).enumerate() {
            write_doc(&mut out, format, k as u64, id, ents, surfaces)?;
        }
    }
    if format == "json" {
        out.write_all(if n_docs == 0 { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}

fn write_doc(
    out: &mut impl Write,
    format: &str,
    index: u64,
    id: &str,
    ents: &[Entity],
    surfaces: &[String],
) -> Result<()> {
    let mut buf = Vec::with_capacity(64 + ents.len() * 96);
    match format {
        "json" | "jsonl" => {
            if format == "json" {
                buf.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
            }
            buf.extend_from_slice(b"{\"id\":");
            json_str(&mut buf, id);
            buf.extend_from_slice(b",\"entities\":[");
            for (i, (e, surface)) in ents.iter().zip(surfaces).enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                write!(
                    buf,
                    "{{\"label\":\"{}\",\"start\":{},\"end\":{},\"text\":",
                    e.ty.as_str(),
                    e.span.start,
                    e.span.end
                )?;
                json_str(&mut buf, surface);
                buf.extend_from_slice(b",\"key\":");
                json_str(&mut buf, &e.key);
                write!(buf, ",\"score\":{:.3}}}", e.score)?;
            }
            buf.extend_from_slice(b"]}");
            if format == "jsonl" {
                buf.push(b'\n');
            }
        }
        _ => {
            writeln!(buf, "# {}", one_line(id))?;
            for (e, surface) in ents.iter().zip(surfaces) {
                writeln!(
                    buf,
                    "{}\t{}..{}\t{}\t{}\t{:.3}",
                    e.ty.as_str(),
                    e.span.start,
                    e.span.end,
                    one_line(surface),
                    e.key,
                    e.score
                )?;
            }
            buf.push(b'\n');
        }
    }
    out.write_all(&buf)?;
    Ok(())
}

/// The token of a CoNLL line: its first whitespace-separated field (`None` for a blank line).
fn conll_token(line: &str) -> Option<&str> {
    line.split_whitespace().next()
}

fn conll(args: &Args, ner: &Recognizer) -> Result<()> {
    let sources = args.input.sources()?;
    let mut opts = args.input.options();
    opts.format = InputFormat::Text;
    let reader = DocumentReader::new(&sources, opts)?;
    let mut out = stdout();
    for doc in reader {
        let doc = doc?;
        let lines: Vec<&str> = if doc.text.is_empty() {
            Vec::new()
        } else {
            let t = doc.text.strip_suffix('\n').unwrap_or(&doc.text);
            t.split('\n').collect()
        };
        // Sentences: maximal runs of non-blank lines, cut at MAX_CONLL_SENTENCE.
        let mut sentences: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            if conll_token(lines[i]).is_none() {
                i += 1;
                continue;
            }
            let start = i;
            while i < lines.len()
                && conll_token(lines[i]).is_some()
                && i - start < MAX_CONLL_SENTENCE
            {
                i += 1;
            }
            sentences.push((start, i));
        }
        let mut tags: Vec<&'static str> = vec![""; lines.len()];
        // Consecutive sentences are tagged together: the document pass looks at
        // the neighbours (the result does not depend on the block size).
        let toks: Vec<Vec<&str>> = sentences
            .iter()
            .map(|&(s, e)| lines[s..e].iter().filter_map(|l| conll_token(l)).collect())
            .collect();
        let tagged = ner.tag_sentences(&toks, 256);
        for (&(s, _), t) in sentences.iter().zip(tagged) {
            for (k, tag) in t.into_iter().enumerate() {
                tags[s + k] = tag.as_str();
            }
        }
        for (line, tag) in lines.iter().zip(&tags) {
            match conll_token(line) {
                Some(tok) => writeln!(out, "{tok}\t{tag}")?,
                None => out.write_all(b"\n")?,
            }
        }
    }
    out.flush()?;
    Ok(())
}
