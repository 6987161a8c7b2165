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
//!
//! khabar is told the same budget (`--words`); lead-k needs none (the cut makes it); the
//! sumy script stops at the reference's whitespace word count. With `--folds K` the
//! articles are also split into K folds (article `i` in fold `i % K`) and khabar's scorer
//! is learned on the other folds by `khabar train summary`'s recipe (penalty and
//! redundancy cap chosen inside the training folds), so `khabar-cv` is scored on articles
//! that played no part in its training.

use super::train_summary::{Prepped, Recipe, learn, prepare, split};
use crate::common::stdout;
use anyhow::{Context, Result, bail};
use khabar_core::{TextAnalyzer, TokenKind};
use khabar_story::lexicon::DocFreq;
use khabar_story::summary::{DocumentOptions, Fill, Length, select_sentences};
use khabar_story::summary_model::{DocumentFeatures, SentenceScorer};
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
    /// Also cross-validate: split the articles into this many folds (article `i` in fold
    /// `i % K`), learn the scorer on the other folds with `khabar train summary`'s recipe
    /// and score the held-out fold; print per-fold ROUGE-2 against every baseline.
    #[arg(long, value_name = "K")]
    folds: Option<usize>,
    /// Score this model file instead of the built-in scorer (which was trained on these
    /// very articles: its all-data figures are in-sample).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Output: a readable table or one JSON object per system (and per fold).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Write khabar's summaries as JSONL (`{"id", "summary": [sentence…]}`) to this file.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    #[command(flatten)]
    recipe: Box<Recipe>,
    /// Experiments: redundancy cap (cosine) of the built-in or given model (the
    /// cross-validated scorer chooses its own, see `--max-redundancy`).
    #[arg(long, hide = true)]
    cap: Option<f64>,
    /// Experiments: shortest sentence picked, in words.
    #[arg(long, hide = true)]
    min_words: Option<usize>,
    /// Experiments: how the word budget is filled (`overflow` or `whole`).
    #[arg(long, hide = true, value_parser = ["overflow", "whole", "cut"])]
    fill: Option<String>,
    /// Experiments: tell khabar a budget this many times the reference length (the
    /// scorer still cuts at the reference length), to see whether a selection profits
    /// from knowing the exact length.
    #[arg(long, hide = true)]
    budget_scale: Option<f64>,
}

/// One EASC article.
pub struct Article {
    /// `easc-NNN`.
    pub id: String,
    /// The article text.
    pub text: String,
    /// The human summary.
    pub reference: String,
}

/// ROUGE of one summary of one article: `tokens`, and `r[variant][n-1] = (recall,
/// precision, f1)`; variant 0 = norm, 1 = stem.
#[derive(Default, Clone, Copy)]
struct Scores {
    tokens: usize,
    r: [[(f64, f64, f64); 2]; 2],
}

/// Mean of per-article scores over `items` (article indices): `(articles, mean tokens,
/// mean scores)`.
fn mean(scores: &[Scores], items: impl Iterator<Item = usize>) -> (usize, f64, Scores) {
    let mut acc = Scores::default();
    let (mut tokens, mut n) = (0usize, 0usize);
    for i in items {
        let s = &scores[i];
        n += 1;
        tokens += s.tokens;
        for (a, x) in acc.r.iter_mut().flatten().zip(s.r.iter().flatten()) {
            a.0 += x.0;
            a.1 += x.1;
            a.2 += x.2;
        }
    }
    let d = n.max(1) as f64;
    for a in acc.r.iter_mut().flatten() {
        a.0 /= d;
        a.1 /= d;
        a.2 /= d;
    }
    (n, tokens as f64 / d, acc)
}

pub fn run(args: Args) -> Result<()> {
    let articles = read_easc(&args.data.join("easc.jsonl"))?;
    let analyzer = TextAnalyzer::default_analyzer();
    let df = DocFreq::builtin();
    let mut opts = DocumentOptions::default();
    if let Some(x) = args.min_words {
        opts.min_words = x;
    }
    if let Some(f) = &args.fill {
        opts.fill = match f.as_str() {
            "whole" => Fill::PreferWhole,
            "cut" => Fill::Cut,
            _ => Fill::Overflow,
        };
    }
    let mut scorer = match &args.model {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            SentenceScorer::parse(&text).with_context(|| format!("{}", path.display()))?
        }
        None => SentenceScorer::builtin().clone(),
    };
    if let Some(c) = args.cap {
        scorer.max_redundancy = c;
    }

    let mut external: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for s in &args.system {
        let (name, file) = s
            .split_once('=')
            .with_context(|| format!("--system {s}: expected NAME=FILE"))?;
        external.push((name.to_string(), read_system(Path::new(file))?));
    }
    let prepped = prepare(&articles, df)?;
    let summarize = |p: &Prepped, scorer: &SentenceScorer| -> Vec<String> {
        let budget = match args.budget_scale {
            Some(x) => (p.budget() as f64 * x).ceil().max(1.0) as usize,
            None => p.budget(),
        };
        // Features that depend on the budget follow the budget the summarizer is told.
        let told;
        let features = if budget == p.budget() {
            &p.features
        } else {
            told = DocumentFeatures::new(&p.doc, df, Length::Words(budget));
            &told
        };
        let scores = scorer.score(features);
        select_sentences(
            &p.doc,
            features,
            &scores,
            &DocumentOptions {
                length: Length::Words(budget),
                ..opts.clone()
            },
            scorer.max_redundancy,
        )
        .iter()
        .map(|e| e.span.slice(p.doc.text).to_string())
        .collect()
    };

    // System summaries per article: khabar (given model), lead, externals, khabar CV.
    let mut names = vec!["khabar".to_string(), "lead".to_string()];
    names.extend(external.iter().map(|(n, _)| n.clone()));
    let mut texts: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut written = Vec::new();
    for p in &prepped {
        let ours = summarize(p, &scorer);
        if args.write.is_some() {
            written.push(serde_json::json!({"id": p.id, "summary": ours}));
        }
        texts[0].push(ours.join("\n"));
        let lead: Vec<&str> = p
            .doc
            .analysis
            .sentences
            .iter()
            .map(|s| s.span.slice(p.doc.text))
            .collect();
        texts[1].push(lead.join("\n"));
        for (k, (name, map)) in external.iter().enumerate() {
            let t = map
                .get(&p.id)
                .with_context(|| format!("system {name} has no summary for {}", p.id))?;
            texts[2 + k].push(t.clone());
        }
    }
    let mut fold_penalties = Vec::new();
    if let Some(k) = args.folds {
        if k < 2 || k > prepped.len() {
            bail!("--folds {k}: need between 2 and {} folds", prepped.len());
        }
        let mut cv = vec![String::new(); prepped.len()];
        for f in 0..k {
            let (train_set, _) = split(&prepped, k, f);
            let learned = learn(&train_set, &args.recipe, &opts)?;
            fold_penalties.push((learned.l2, learned.scorer.max_redundancy));
            for (i, p) in prepped.iter().enumerate() {
                if i % k == f {
                    cv[i] = summarize(p, &learned.scorer).join("\n");
                }
            }
        }
        names.push("khabar-cv".to_string());
        texts.push(cv);
    }

    // Every system is scored by the same code: analyse its text, cut to the budget.
    let mut scores: Vec<Vec<Scores>> = vec![Vec::with_capacity(prepped.len()); names.len()];
    for (i, p) in prepped.iter().enumerate() {
        let reference = &articles[p.index].reference;
        let ref_p = Prepared::new(reference, analyzer.analyze(reference)?, df);
        let ref_toks = rouge_tokens_range(&ref_p, 0..ref_p.analysis.tokens.len());
        let budget = p.budget();
        for (k, sys) in texts.iter().enumerate() {
            let t = &sys[i];
            let sp = Prepared::new(t, analyzer.analyze(t)?, df);
            let mut toks = rouge_tokens_range(&sp, 0..sp.analysis.tokens.len());
            for v in &mut toks {
                v.truncate(budget);
            }
            let mut s = Scores {
                tokens: toks[0].len(),
                ..Scores::default()
            };
            for variant in 0..2 {
                for n in 1..=2 {
                    s.r[variant][n - 1] = rouge_n(&toks[variant], &ref_toks[variant], n);
                }
            }
            scores[k].push(s);
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

    let n = prepped.len();
    let mut out = stdout();
    let json_cell = |s: &Scores, v: usize, k: usize| {
        let (r, p, f) = s.r[v][k];
        serde_json::json!({"recall": r, "precision": p, "f1": f})
    };
    let cv_index = names.iter().position(|x| x == "khabar-cv");
    if args.format == "json" {
        for (name, sc) in names.iter().zip(&scores) {
            let (docs, tokens, m) = mean(sc, 0..n);
            let rec = serde_json::json!({
                "system": name, "articles": docs, "mean_tokens": tokens,
                "norm": {"rouge1": json_cell(&m, 0, 0), "rouge2": json_cell(&m, 0, 1)},
                "stem": {"rouge1": json_cell(&m, 1, 0), "rouge2": json_cell(&m, 1, 1)},
            });
            writeln!(out, "{rec}")?;
        }
        if let Some(k) = args.folds {
            for (f, &(l2, cap)) in fold_penalties.iter().enumerate() {
                let mut rec = serde_json::json!({
                    "fold": f, "l2": l2, "max_redundancy": cap,
                });
                for (name, sc) in names.iter().zip(&scores) {
                    let (docs, _, m) = mean(sc, (0..n).filter(|i| i % k == f));
                    rec["articles"] = docs.into();
                    rec[name] = serde_json::json!({"rouge2_norm_f1": m.r[0][1].2});
                }
                writeln!(out, "{rec}")?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    if let (Some(k), Some(cvi)) = (args.folds, cv_index) {
        writeln!(
            out,
            "Cross-validation: {k} folds (article i in fold i % {k}); khabar-cv = scorer, L2 and \
             cap learned on the other folds only; ROUGE-2 norm F1 ×100"
        )?;
        let shown: Vec<usize> = std::iter::once(cvi)
            .chain((0..names.len()).filter(|&j| j != cvi && j != 0))
            .collect();
        write!(out, "{:<6} {:>8} {:>10}", "fold", "articles", "L2/cap")?;
        for &j in &shown {
            write!(out, " {:>14}", names[j])?;
        }
        writeln!(out, " {:>10}", "cv − lead")?;
        let lead = 1;
        let mut fold_means = vec![0.0; names.len()];
        for (f, &(l2, cap)) in fold_penalties.iter().enumerate() {
            let items = || (0..n).filter(|i| i % k == f);
            let (docs, _, _) = mean(&scores[0], items());
            write!(out, "{:<6} {:>8} {:>10}", f, docs, format!("{l2}/{cap}"))?;
            for &j in &shown {
                let (_, _, m) = mean(&scores[j], items());
                fold_means[j] += m.r[0][1].2 / k as f64;
                write!(out, " {:>14.2}", 100.0 * m.r[0][1].2)?;
            }
            let (_, _, c) = mean(&scores[cvi], items());
            let (_, _, l) = mean(&scores[lead], items());
            writeln!(out, " {:>+10.2}", 100.0 * (c.r[0][1].2 - l.r[0][1].2))?;
        }
        write!(out, "{:<6} {:>8} {:>10}", "mean", n, "")?;
        for &j in &shown {
            write!(out, " {:>14.2}", 100.0 * fold_means[j])?;
        }
        writeln!(
            out,
            " {:>+10.2}",
            100.0 * (fold_means[cvi] - fold_means[lead])
        )?;
        // Paired per-article differences: is the margin larger than its noise?
        for j in (1..names.len()).filter(|&j| j != cvi) {
            let d: Vec<f64> = (0..n)
                .map(|i| 100.0 * (scores[cvi][i].r[0][1].2 - scores[j][i].r[0][1].2))
                .collect();
            let m = d.iter().sum::<f64>() / n.max(1) as f64;
            let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
            let (better, worse) = (
                d.iter().filter(|&&x| x > 1e-9).count(),
                d.iter().filter(|&&x| x < -1e-9).count(),
            );
            writeln!(
                out,
                "khabar-cv − {}: {:+.2} ± {:.2} (mean ± standard error over articles); better on {}, worse on {}, equal on {}",
                names[j],
                m,
                (var / n.max(1) as f64).sqrt(),
                better,
                worse,
                n - better - worse
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "EASC: {n} articles; every summary cut to its reference's length in tokens; F1 ×100{}",
        if args.model.is_some() {
            ""
        } else {
            " (khabar = built-in scorer, trained on these articles: in-sample)"
        }
    )?;
    writeln!(
        out,
        "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "system", "tokens", "R1 norm", "R2 norm", "R1 stem", "R2 stem"
    )?;
    for (name, sc) in names.iter().zip(&scores) {
        let (_, tokens, m) = mean(sc, 0..n);
        writeln!(
            out,
            "{:<16} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            name,
            tokens,
            100.0 * m.r[0][0].2,
            100.0 * m.r[0][1].2,
            100.0 * m.r[1][0].2,
            100.0 * m.r[1][1].2,
        )?;
    }
    out.flush()?;
    Ok(())
}

/// ROUGE tokens of tokens `range` of a text: `[normalized forms, clitic-free light
/// stems]`.
pub fn rouge_tokens_range(p: &Prepared, range: std::ops::Range<usize>) -> [Vec<String>; 2] {
    let a = &p.analysis;
    let mut norm = Vec::new();
    let mut stem = Vec::new();
    for (t, v) in a.tokens[range.clone()].iter().zip(&p.views[range]) {
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

pub fn rouge_n(sys: &[String], reference: &[String], n: usize) -> (f64, f64, f64) {
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

pub fn read_easc(path: &Path) -> Result<Vec<Article>> {
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
