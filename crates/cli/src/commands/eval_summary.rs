//! `khabar eval summary`: extractive summaries against EASC's human summaries.
//!
//! For every article of `easc.jsonl` the budget is the length of its reference summary in
//! ROUGE tokens. Every system (khabar, lead-k, and any `--system NAME=FILE` with summaries
//! written by another tool, e.g. `bench/easc_sumy.py`) is cut to that many tokens, then
//! scored by the same code:
//!
//! - ROUGE tokens are the text layer's word, foreign-word and number tokens in
//!   search-normalized form (أ إ آ → ا, ى → ي, ة → ه, no harakat or tatweel, Western digits);
//!   punctuation is dropped, stop words are kept;
//! - `norm` scores those tokens as they are (clitics attached: «والحكومة» ≠ «الحكومة»);
//!   `stem` scores each word's light stem after removing the clitics the segmenter and the
//!   document-frequency table find («والحكومة» → «حكوم»; see `khabar_story::terms`);
//! - ROUGE-N recall, precision and F1 with clipped n-gram counts, averaged over articles.

use crate::common::stdout;
use anyhow::{Context, Result, bail};
use khabar_core::{TextAnalyzer, TokenKind};
use khabar_story::lexicon::DocFreq;
use khabar_story::summary::{Length, SummaryOptions, summarize_document};
use khabar_story::terms::Prepared;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Flags of `khabar eval summary`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder with `easc.jsonl` (`id`, `article`, `summaries`).
    #[arg(long)]
    data: PathBuf,
    /// Another system's summaries: `NAME=FILE`, FILE a JSONL of `{"id", "summary"}` where
    /// summary is a list of sentences or a string. May be repeated.
    #[arg(long, value_name = "NAME=FILE")]
    system: Vec<String>,
    /// Output: a readable table or one JSON object per system.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Write khabar's summaries as JSONL (`{"id", "summary": [sentence…]}`) to this file.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Tuning (for experiments): MMR relevance weight.
    #[arg(long, hide = true)]
    relevance: Option<f64>,
    /// Tuning (for experiments): position prior weight.
    #[arg(long, hide = true)]
    position_weight: Option<f64>,
    /// Tuning (for experiments): position prior decay.
    #[arg(long, hide = true)]
    position_decay: Option<f64>,
    /// Tuning (for experiments): shortest sentence picked, in words.
    #[arg(long, hide = true)]
    min_words: Option<usize>,
    /// Tuning (for experiments): paragraph-start bonus.
    #[arg(long, hide = true)]
    paragraph_bonus: Option<f64>,
}

struct Article {
    id: String,
    text: String,
    reference: String,
}

/// ROUGE scores of one system summed over articles.
#[derive(Default, Clone, Copy)]
struct Sums {
    docs: usize,
    tokens: usize,
    /// `[variant][n-1] = (recall, precision, f1)` sums; variant 0 = norm, 1 = stem.
    r: [[(f64, f64, f64); 2]; 2],
}

pub fn run(args: Args) -> Result<()> {
    let articles = read_easc(&args.data.join("easc.jsonl"))?;
    let analyzer = TextAnalyzer::default_analyzer();
    let df = DocFreq::builtin();
    let mut opts = SummaryOptions::default();
    if let Some(x) = args.relevance {
        opts.relevance = x;
    }
    if let Some(x) = args.position_weight {
        opts.position_weight = x;
    }
    if let Some(x) = args.position_decay {
        opts.position_decay = x;
    }
    if let Some(x) = args.min_words {
        opts.min_words = x;
    }
    if let Some(x) = args.paragraph_bonus {
        opts.paragraph_start_bonus = x;
    }

    let mut external: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for s in &args.system {
        let (name, file) = s
            .split_once('=')
            .with_context(|| format!("--system {s}: expected NAME=FILE"))?;
        external.push((name.to_string(), read_system(Path::new(file))?));
    }
    let mut names = vec!["khabar".to_string(), "lead".to_string()];
    names.extend(external.iter().map(|(n, _)| n.clone()));
    let mut sums = vec![Sums::default(); names.len()];
    let mut written = Vec::new();
    for art in &articles {
        let reference = Prepared::new(&art.reference, analyzer.analyze(&art.reference)?, df);
        let ref_toks = rouge_tokens(&reference);
        let budget = ref_toks[0].len();
        if budget == 0 {
            continue;
        }
        let doc = Prepared::new(&art.text, analyzer.analyze(&art.text)?, df);
        let ours = summarize_document(
            &doc,
            &SummaryOptions {
                length: Length::Words(budget),
                ..opts.clone()
            },
            df,
        );
        let ours_text: Vec<&str> = ours.iter().map(|e| e.span.slice(&art.text)).collect();
        if args.write.is_some() {
            written.push(serde_json::json!({"id": art.id, "summary": ours_text}));
        }
        let lead: Vec<&str> = doc
            .analysis
            .sentences
            .iter()
            .map(|s| s.span.slice(&art.text))
            .collect();
        let mut texts: Vec<String> = vec![ours_text.join("\n"), lead.join("\n")];
        for (name, map) in &external {
            let t = map
                .get(&art.id)
                .with_context(|| format!("system {name} has no summary for {}", art.id))?;
            texts.push(t.clone());
        }
        for (k, t) in texts.iter().enumerate() {
            let p = Prepared::new(t, analyzer.analyze(t)?, df);
            let mut toks = rouge_tokens(&p);
            for v in &mut toks {
                v.truncate(budget);
            }
            let s = &mut sums[k];
            s.docs += 1;
            s.tokens += toks[0].len();
            for variant in 0..2 {
                for n in 1..=2 {
                    let (r, p, f) = rouge_n(&toks[variant], &ref_toks[variant], n);
                    let acc = &mut s.r[variant][n - 1];
                    acc.0 += r;
                    acc.1 += p;
                    acc.2 += f;
                }
            }
        }
    }
    if let Some(path) = &args.write {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for w in &written {
            writeln!(f, "{w}")?;
        }
        f.flush()?;
    }
    let mut out = stdout();
    if args.format == "json" {
        for (name, s) in names.iter().zip(&sums) {
            let d = s.docs.max(1) as f64;
            let cell = |v: usize, n: usize| {
                let (r, p, f) = s.r[v][n];
                serde_json::json!({"recall": r / d, "precision": p / d, "f1": f / d})
            };
            let rec = serde_json::json!({
                "system": name, "articles": s.docs, "mean_tokens": s.tokens as f64 / d,
                "norm": {"rouge1": cell(0, 0), "rouge2": cell(0, 1)},
                "stem": {"rouge1": cell(1, 0), "rouge2": cell(1, 1)},
            });
            writeln!(out, "{rec}")?;
        }
    } else {
        writeln!(
            out,
            "EASC: {} articles; every summary cut to its reference's length in tokens; F1 ×100",
            sums[0].docs
        )?;
        writeln!(
            out,
            "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "system", "tokens", "R1 norm", "R2 norm", "R1 stem", "R2 stem"
        )?;
        for (name, s) in names.iter().zip(&sums) {
            let d = s.docs.max(1) as f64;
            writeln!(
                out,
                "{:<16} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
                name,
                s.tokens as f64 / d,
                100.0 * s.r[0][0].2 / d,
                100.0 * s.r[0][1].2 / d,
                100.0 * s.r[1][0].2 / d,
                100.0 * s.r[1][1].2 / d,
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// ROUGE tokens of a text: `[normalized forms, clitic-free light stems]`.
fn rouge_tokens(p: &Prepared) -> [Vec<String>; 2] {
    let a = &p.analysis;
    let mut norm = Vec::new();
    let mut stem = Vec::new();
    for (t, v) in a.tokens.iter().zip(&p.views) {
        if !matches!(
            t.kind,
            TokenKind::Word | TokenKind::Foreign | TokenKind::Number | TokenKind::Hashtag
        ) {
            continue;
        }
        let n = a.norm(t);
        if n.is_empty() {
            continue;
        }
        norm.push(n.to_string());
        stem.push(if v.stem.is_empty() { n } else { &v.stem }.to_string());
    }
    [norm, stem]
}

/// ROUGE-N `(recall, precision, f1)` with clipped counts.
fn ngrams(v: &[String], n: usize) -> BTreeMap<&[String], usize> {
    let mut m: BTreeMap<&[String], usize> = BTreeMap::new();
    if v.len() >= n && n > 0 {
        for w in v.windows(n) {
            *m.entry(w).or_default() += 1;
        }
    }
    m
}

fn rouge_n(sys: &[String], reference: &[String], n: usize) -> (f64, f64, f64) {
    let (s, r) = (ngrams(sys, n), ngrams(reference, n));
    let overlap: usize = r
        .iter()
        .map(|(g, &c)| c.min(s.get(g).copied().unwrap_or(0)))
        .sum();
    let (rt, st) = (r.values().sum::<usize>(), s.values().sum::<usize>());
    let rec = if rt == 0 {
        0.0
    } else {
        overlap as f64 / rt as f64
    };
    let prec = if st == 0 {
        0.0
    } else {
        overlap as f64 / st as f64
    };
    let f = if rec + prec == 0.0 {
        0.0
    } else {
        2.0 * rec * prec / (rec + prec)
    };
    (rec, prec, f)
}

fn read_easc(path: &Path) -> Result<Vec<Article>> {
    let f = std::fs::File::open(path).with_context(|| {
        format!(
            "reading {} (give the easc_taqyim folder with --data)",
            path.display()
        )
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        let (Some(id), Some(text), Some(reference)) = (
            v["id"].as_str(),
            v["article"].as_str(),
            v["summaries"][0].as_str(),
        ) else {
            bail!(
                "{}:{}: expected id, article and summaries[0]",
                path.display(),
                i + 1
            );
        };
        out.push(Article {
            id: id.to_string(),
            text: text.to_string(),
            reference: reference.to_string(),
        });
    }
    Ok(out)
}

/// `id → summary text` from a JSONL of `{"id", "summary"}` (list of sentences or string).
fn read_system(path: &Path) -> Result<BTreeMap<String, String>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        let id = v["id"]
            .as_str()
            .with_context(|| format!("{}:{}: no id", path.display(), i + 1))?;
        let text = match &v["summary"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => bail!(
                "{}:{}: summary must be a string or a list",
                path.display(),
                i + 1
            ),
        };
        out.insert(id.to_string(), text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn rouge_counts_are_clipped() {
        let r = toks("ا ب ا ج");
        let (rec, prec, _) = rouge_n(&toks("ا ا ا ا"), &r, 1);
        assert_eq!(rec, 0.5);
        assert_eq!(prec, 0.5);
        let (rec, _, f) = rouge_n(&toks("ا ب ا ج"), &r, 2);
        assert_eq!(rec, 1.0);
        assert_eq!(f, 1.0);
        assert_eq!(rouge_n(&[], &r, 2), (0.0, 0.0, 0.0));
    }
}
