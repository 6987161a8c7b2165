//! `khabar eval quotes`: the quote extractor against hand-labelled ANT articles.
//!
//! The gold file (`testdata/quotes/ant-quotes.gold.jsonl`) holds, per article, the byte
//! spans of each quote's speaker, cue and content, and whether it is direct; the article
//! texts are read from the ANT folder at run time. Documents alternate dev / test in file
//! order (`--split`).
//!
//! Content: a system quote matches a gold quote *exactly* when the content spans are equal,
//! and *by overlap* when they share at least one byte (one-to-one, largest overlap first).
//! Speaker: counted on content-overlap matches only, so speaker precision and recall are
//! end to end (a quote must be found and its speaker right).

use crate::common::stdout;
use anyhow::{Context, Result, bail};
use khabar_core::{Span, TextAnalyzer};
use khabar_ner::Recognizer;
use khabar_story::Mention;
use khabar_story::lexicon::DocFreq;
use khabar_story::quotes::{Quote, QuoteExtractor};
use khabar_story::terms::Prepared;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Flags of `khabar eval quotes`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Gold file: JSONL, one labelled article per line.
    #[arg(long)]
    gold: PathBuf,
    /// Folder with the ANT articles (`*.jsonl` with `id` and `text`).
    #[arg(long)]
    data: PathBuf,
    /// Which labelled articles: `dev` (even lines), `test` (odd lines) or `all`.
    #[arg(long, default_value = "all", value_parser = ["dev", "test", "all"])]
    split: String,
    /// Output: a readable table or one JSON object.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Also print each missed and spurious quote (with text) to stderr.
    #[arg(long)]
    errors: bool,
    /// Give the extractor entity mentions from the embedded named-entity tagger (default:
    /// none, speakers from the text alone).
    #[arg(long)]
    ner: bool,
    /// Print every system quote of this article to stderr (debugging).
    #[arg(long, value_name = "ID")]
    show: Option<String>,
}

#[derive(Deserialize)]
struct GoldDoc {
    doc: String,
    quotes: Vec<GoldQuote>,
}

#[derive(Deserialize, Clone)]
struct GoldQuote {
    speaker: Option<[u32; 2]>,
    #[allow(dead_code)]
    cue: [u32; 2],
    content: [u32; 2],
    direct: bool,
}

fn span(a: [u32; 2]) -> Span {
    Span::new(a[0], a[1].max(a[0]))
}

fn overlap(a: Span, b: Span) -> u32 {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// Counts of one evaluation.
#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    gold: usize,
    system: usize,
    content_exact: usize,
    content_overlap: usize,
    speaker_exact: usize,
    speaker_overlap: usize,
    direct_agree: usize,
}

pub fn run(args: Args) -> Result<()> {
    let gold = read_gold(&args.gold)?;
    let selected: Vec<GoldDoc> = gold
        .into_iter()
        .enumerate()
        .filter(|(i, _)| match args.split.as_str() {
            "dev" => i % 2 == 0,
            "test" => i % 2 == 1,
            _ => true,
        })
        .map(|(_, d)| d)
        .collect();
    let wanted: BTreeMap<&str, ()> = selected.iter().map(|d| (d.doc.as_str(), ())).collect();
    let texts = read_articles(&args.data, &wanted)?;
    let analyzer = TextAnalyzer::default_analyzer();
    let extractor = QuoteExtractor::default();
    let ner = if args.ner {
        Some(Recognizer::embedded().map_err(|e| anyhow::anyhow!("embedded NER model: {e}"))?)
    } else {
        None
    };
    let mut c = Counts::default();
    for g in &selected {
        let text = texts.get(&g.doc).with_context(|| {
            format!(
                "article {} of {} not found in {}",
                g.doc,
                args.gold.display(),
                args.data.display()
            )
        })?;
        let p = Prepared::new(text, analyzer.analyze(text)?, DocFreq::builtin());
        let mentions: Vec<Mention> = match ner {
            Some(r) => r
                .recognize_text(text)?
                .into_iter()
                .map(|e| Mention {
                    span: e.span,
                    label: e.ty.as_str().to_string(),
                    key: e.key,
                })
                .collect(),
            None => Vec::new(),
        };
        let sys = extractor.extract(&p, &mentions);
        if args.show.as_deref() == Some(g.doc.as_str()) {
            for q in &sys {
                eprintln!(
                    "[{}] speaker={:?} inherited={} channel={:?} direct={} content={:?}",
                    q.cue.slice(text),
                    q.speaker.map(|s| s.slice(text)),
                    q.speaker_inherited,
                    q.channel.map(|s| s.slice(text)),
                    q.direct,
                    short(q.content.slice(text))
                );
            }
        }
        score_doc(&g.doc, text, &g.quotes, &sys, &mut c, args.errors);
    }
    let pr = |num: usize, den: usize| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    let f1 = |p: f64, r: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    let rows = [
        ("content exact", c.content_exact, c.content_exact),
        ("content overlap", c.content_overlap, c.content_overlap),
        ("speaker exact", c.speaker_exact, c.speaker_exact),
        ("speaker overlap", c.speaker_overlap, c.speaker_overlap),
    ];
    let mut out = stdout();
    if args.format == "json" {
        let mut m = serde_json::Map::new();
        m.insert("split".into(), args.split.clone().into());
        m.insert("ner".into(), args.ner.into());
        m.insert("documents".into(), selected.len().into());
        m.insert("gold_quotes".into(), c.gold.into());
        m.insert("system_quotes".into(), c.system.into());
        for (name, tp_p, tp_r) in rows {
            let (p, r) = (pr(tp_p, c.system), pr(tp_r, c.gold));
            m.insert(
                name.replace(' ', "_"),
                serde_json::json!({"precision": p, "recall": r, "f1": f1(p, r)}),
            );
        }
        m.insert(
            "direct_agreement".into(),
            pr(c.direct_agree, c.content_overlap).into(),
        );
        writeln!(out, "{}", serde_json::Value::Object(m))?;
    } else {
        writeln!(
            out,
            "quotes ({} split, {}): {} documents, {} gold quotes, {} system quotes",
            args.split,
            if args.ner {
                "with NER mentions"
            } else {
                "no entity mentions"
            },
            selected.len(),
            c.gold,
            c.system
        )?;
        writeln!(
            out,
            "{:<16} {:>9} {:>7} {:>6}",
            "", "precision", "recall", "F1"
        )?;
        for (name, tp_p, tp_r) in rows {
            let (p, r) = (pr(tp_p, c.system), pr(tp_r, c.gold));
            writeln!(out, "{name:<16} {p:>9.3} {r:>7.3} {:>6.3}", f1(p, r))?;
        }
        writeln!(
            out,
            "direct/indirect agreement on matched quotes: {:.3}",
            pr(c.direct_agree, c.content_overlap)
        )?;
    }
    out.flush()?;
    Ok(())
}

fn score_doc(doc: &str, text: &str, gold: &[GoldQuote], sys: &[Quote], c: &mut Counts, show: bool) {
    c.gold += gold.len();
    c.system += sys.len();
    for g in gold {
        if sys.iter().any(|s| s.content == span(g.content)) {
            c.content_exact += 1;
        }
    }
    // One-to-one overlap matching, largest overlap first (ties by position: deterministic).
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (si, s) in sys.iter().enumerate() {
            let o = overlap(span(g.content), s.content);
            if o > 0 {
                pairs.push((o, gi, si));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut g_used = vec![false; gold.len()];
    let mut s_used = vec![false; sys.len()];
    for (_, gi, si) in pairs {
        if g_used[gi] || s_used[si] {
            continue;
        }
        g_used[gi] = true;
        s_used[si] = true;
        c.content_overlap += 1;
        let (g, s) = (&gold[gi], &sys[si]);
        if g.direct == s.direct {
            c.direct_agree += 1;
        }
        match (g.speaker.map(span), s.speaker) {
            (Some(gs), Some(ss)) => {
                if gs == ss {
                    c.speaker_exact += 1;
                }
                if overlap(gs, ss) > 0 {
                    c.speaker_overlap += 1;
                } else if show {
                    eprintln!(
                        "{doc}: wrong speaker {:?} (gold {:?}) for {:?}",
                        ss.slice(text),
                        gs.slice(text),
                        short(s.content.slice(text))
                    );
                }
            }
            (None, None) => {
                c.speaker_exact += 1;
                c.speaker_overlap += 1;
            }
            _ => {}
        }
    }
    if show {
        for (g, used) in gold.iter().zip(&g_used) {
            if !used {
                eprintln!("{doc}: missed {:?}", short(span(g.content).slice(text)));
            }
        }
        for (s, used) in sys.iter().zip(&s_used) {
            if !used {
                eprintln!(
                    "{doc}: spurious [{}] {:?}",
                    s.cue.slice(text),
                    short(s.content.slice(text))
                );
            }
        }
    }
}

fn short(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() <= 12 {
        return s.to_string();
    }
    format!(
        "{} … {}",
        words[..6].join(" "),
        words[words.len() - 4..].join(" ")
    )
}

fn read_gold(path: &Path) -> Result<Vec<GoldDoc>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let d: GoldDoc = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a gold document", path.display(), i + 1))?;
        out.push(d);
    }
    if out.is_empty() {
        bail!("{}: no labelled documents", path.display());
    }
    Ok(out)
}

/// Texts of the wanted ids from every `*.jsonl` file in `dir` (sorted by name).
pub fn read_articles(dir: &Path, wanted: &BTreeMap<&str, ()>) -> Result<BTreeMap<String, String>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    for f in files {
        let r = std::io::BufReader::new(std::fs::File::open(&f)?);
        for line in r.lines() {
            let line = line?;
            // Cheap pre-filter before parsing the whole line.
            let Some(id) = line
                .split("\"id\": \"")
                .nth(1)
                .or_else(|| line.split("\"id\":\"").nth(1))
                .and_then(|s| s.split('"').next())
            else {
                continue;
            };
            if !wanted.contains_key(id) {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line)?;
            if let Some(t) = v["text"].as_str() {
                out.insert(id.to_string(), t.to_string());
            }
        }
    }
    Ok(out)
}
