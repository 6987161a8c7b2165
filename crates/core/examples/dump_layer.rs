//! Dumps everything the text layer computes for each line of a file, as text:
//! every sentence, token (span, kind, sentence, norm, stem), segment (span,
//! kind, form, restored), the whole-line normalization under both built-in
//! profiles with `first_change` and the offset map of every character, and the
//! tokens of the normalized line. Hashing its output before and after a change
//! to the text layer shows whether any output changed (`sha256sum`).
//!
//! `cargo run --release -p khabar-core --example dump_layer -- FILE > out.txt`
//! (FILE: one document per line; `.jsonl` lines are read for their `text`).

use khabar_core::token::{RawToken, tokenize};
use khabar_core::{Analysis, Normalizer, Profile, Span, TextAnalyzer};
use std::io::Write;

/// The `text` field of a JSONL line (only the escapes JSON allows).
fn jsonl_text(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("text")?.as_str().map(str::to_string)
}

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump_layer FILE");
        std::process::exit(2);
    };
    let data = std::fs::read_to_string(&path)?;
    let jsonl = path.ends_with(".jsonl");
    let analyzer = TextAnalyzer::default_analyzer();
    let search = Normalizer::new(Profile::SEARCH);
    let display = Normalizer::new(Profile::DISPLAY);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut a = Analysis::default();
    let mut toks: Vec<RawToken> = Vec::new();
    let mut norm = String::new();
    for (ln, line) in data.lines().enumerate() {
        let text = if jsonl {
            match jsonl_text(line) {
                Some(t) => t,
                None => continue,
            }
        } else {
            line.to_string()
        };
        writeln!(out, "# {ln}")?;
        if analyzer.analyze_into(&text, &mut a).is_err() {
            writeln!(out, "error")?;
            continue;
        }
        for s in &a.sentences {
            writeln!(out, "S {:?} {} {}", s.span, s.first_token, s.end_token)?;
        }
        for t in &a.tokens {
            writeln!(
                out,
                "T {:?} {:?} {} {:?} {:?}",
                t.span,
                t.kind,
                t.sentence,
                a.norm(t),
                a.stem(t)
            )?;
            for g in a.segments_of(t) {
                writeln!(
                    out,
                    "  G {:?} {:?} {:?} {}",
                    g.span,
                    g.kind,
                    a.form(g),
                    g.is_restored()
                )?;
            }
        }
        for (name, n) in [("search", &search), ("display", &display)] {
            let (nt, map) = n.normalize_with_map(&text);
            norm.clear();
            n.normalize_into(&text, &mut norm, None);
            assert_eq!(nt, norm, "normalize_into and normalize_with_map differ");
            assert_eq!(n.normalize(&text), nt.as_str(), "normalize differs");
            writeln!(
                out,
                "N {name} {:?} first_change={:?} anchors={}",
                nt,
                n.first_change(&text),
                map.anchors()
            )?;
            let mut offsets: Vec<usize> = nt.char_indices().map(|(i, _)| i).collect();
            offsets.push(nt.len());
            let mut line_map = String::new();
            for w in offsets.windows(2) {
                let sp = map.to_original(Span::from_usize(w[0], w[1]));
                line_map.push_str(&format!("{}-{} ", sp.start, sp.end));
            }
            writeln!(out, "M {line_map}")?;
        }
        toks.clear();
        norm.clear();
        search.normalize_into(&text, &mut norm, None);
        tokenize(&norm, &mut toks);
        let mut line_toks = String::new();
        for t in &toks {
            line_toks.push_str(&format!(
                "{}-{}:{} ",
                t.span.start,
                t.span.end,
                t.kind.as_str()
            ));
        }
        writeln!(out, "K {line_toks}")?;
    }
    Ok(())
}
