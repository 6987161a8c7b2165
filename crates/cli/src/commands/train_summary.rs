//! `khabar train summary`: the sentence scorer of `khabar summarize`, learned from EASC.
//!
//! Every sentence of every article is an example: its features
//! (`khabar_story::summary_model::FEATURES`) and, as target, the share of its word bigrams
//! found in the article's human summary. A 4-fold cross-validation on the training
//! articles chooses the L2 penalty (by the cross-entropy of the held-out targets, a smooth
//! criterion; `--select-by rouge` uses ROUGE-2) and then the redundancy cap (by the
//! ROUGE-2 of the held-out summaries); the model is then fitted on all of them.
//! `khabar eval summary --folds 5` runs the same procedure inside each training split, so
//! its figures are for articles the model, its penalty and its cap never saw.

use super::eval_summary::{Article, read_easc, rouge_n, rouge_tokens_range};
use anyhow::{Context, Result, bail};
use khabar_core::TextAnalyzer;
use khabar_story::lexicon::DocFreq;
use khabar_story::summary::{DocumentOptions, Length, select_sentences};
use khabar_story::summary_model::{
    DocumentFeatures, FEATURES, FeatureRow, SentenceScorer, TrainOptions, sentence_targets, train,
};
use khabar_story::terms::Prepared;
use std::path::PathBuf;

/// Flags of `khabar train summary`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder with `easc.jsonl` (`id`, `article`, `summaries`).
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model (the format of `crates/story/data/summary-model.tsv`).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    recipe: Recipe,
    /// Also write every sentence's target and features as TSV to this file (analysis).
    #[arg(long, hide = true, value_name = "FILE")]
    dump: Option<PathBuf>,
}

/// The training recipe shared by `train summary` and `eval summary --folds`.
#[derive(clap::Args, Debug, Clone)]
pub struct Recipe {
    /// L2 penalties to choose from by inner cross-validation (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [0.1, 1.0, 10.0, 100.0, 1000.0])]
    pub l2: Vec<f64>,
    /// Redundancy caps (cosine) to choose from by inner cross-validation (comma-separated;
    /// 1 = no cap).
    #[arg(long, value_delimiter = ',', default_values_t = [0.4, 0.5, 0.6, 0.8, 1.0])]
    pub max_redundancy: Vec<f64>,
    /// How the penalty is chosen: `loss` (inner-CV cross-entropy of the targets, then the
    /// cap by ROUGE-2) or `rouge` (penalty and cap together by inner-CV ROUGE-2).
    #[arg(long, default_value = "loss", value_parser = ["loss", "rouge"])]
    pub select_by: String,
    /// Folds of the inner cross-validation that chooses the penalty and the cap.
    #[arg(long, default_value_t = 4)]
    pub inner_folds: usize,
    /// Which features the scorer uses: `position` (the sentence's position alone: lead
    /// order, with the short-sentence filter and the learned redundancy cap) or `all`
    /// (every feature of `khabar_story::summary_model::FEATURES`). Under cross-validation
    /// on EASC `all` does not beat `position` (docs/DIGEST.md), so `position` ships.
    #[arg(long, default_value = "position", value_parser = ["position", "all"])]
    pub features: String,
    /// Binary targets: a sentence is positive when at least this share of its bigrams is
    /// in the reference (default: the share itself as a soft target).
    #[arg(long, hide = true)]
    pub threshold: Option<f64>,
    /// Features to leave out of `--features` (comma-separated names), for ablations.
    #[arg(long, value_delimiter = ',', hide = true)]
    pub drop: Vec<String>,
    /// Only these features (comma-separated names; replaces `--features`), for ablations.
    #[arg(long, value_delimiter = ',', hide = true)]
    pub only: Vec<String>,
}

impl Recipe {
    /// The feature mask the recipe trains with.
    pub fn mask(&self) -> Result<Option<Vec<bool>>> {
        for name in self.drop.iter().chain(&self.only) {
            if !FEATURES.contains(&name.as_str()) {
                bail!(
                    "unknown feature {name:?}; features: {}",
                    FEATURES.join(", ")
                );
            }
        }
        let base: &[&str] = if !self.only.is_empty() {
            &[]
        } else if self.features == "position" {
            &["position_inverse"]
        } else {
            FEATURES
        };
        let mask: Vec<bool> = FEATURES
            .iter()
            .map(|f| {
                (base.contains(f) || self.only.iter().any(|o| o == f))
                    && !self.drop.iter().any(|d| d == f)
            })
            .collect();
        Ok(if mask.iter().all(|&m| m) {
            None
        } else {
            Some(mask)
        })
    }
}

/// One EASC article ready for training and fast scoring.
pub struct Prepped<'t> {
    /// Index of the article in the input.
    pub index: usize,
    /// Article id.
    pub id: String,
    /// The analysed article.
    pub doc: Prepared<'t>,
    /// Sentence features.
    pub features: DocumentFeatures,
    /// Per sentence: share of its bigrams in the reference.
    pub targets: Vec<f64>,
    /// Per sentence: its ROUGE tokens (normalized forms).
    pub sentence_tokens: Vec<Vec<String>>,
    /// The reference's ROUGE tokens (normalized forms).
    pub reference_tokens: Vec<String>,
}

impl Prepped<'_> {
    /// The word budget: the reference's length in ROUGE tokens.
    pub fn budget(&self) -> usize {
        self.reference_tokens.len()
    }
}

/// Analyses every article and its reference. Articles whose reference has no words are
/// left out (they cannot be scored).
pub fn prepare<'t>(articles: &'t [Article], df: &DocFreq) -> Result<Vec<Prepped<'t>>> {
    let analyzer = TextAnalyzer::default_analyzer();
    let mut out = Vec::with_capacity(articles.len());
    for (index, art) in articles.iter().enumerate() {
        let reference = Prepared::new(&art.reference, analyzer.analyze(&art.reference)?, df);
        let reference_tokens =
            rouge_tokens_range(&reference, 0..reference.analysis.tokens.len())[0].clone();
        if reference_tokens.is_empty() {
            continue;
        }
        let doc = Prepared::new(&art.text, analyzer.analyze(&art.text)?, df);
        let features = DocumentFeatures::new(&doc, df, Length::Words(reference_tokens.len()));
        let targets = sentence_targets(&doc, &reference);
        let sentence_tokens = doc
            .analysis
            .sentences
            .iter()
            .map(|s| {
                let [norm, _] =
                    rouge_tokens_range(&doc, s.first_token as usize..s.end_token as usize);
                norm
            })
            .collect();
        out.push(Prepped {
            index,
            id: art.id.clone(),
            doc,
            features,
            targets,
            sentence_tokens,
            reference_tokens,
        });
    }
    Ok(out)
}

/// Fits a scorer on `train` articles.
pub fn fit(train_set: &[&Prepped], opts: &TrainOptions) -> SentenceScorer {
    let examples: Vec<(FeatureRow, f64)> = train_set
        .iter()
        .flat_map(|p| {
            p.features
                .rows
                .iter()
                .copied()
                .zip(p.targets.iter().copied())
        })
        .collect();
    train(&examples, opts)
}

/// Mean ROUGE-2 F1 (normalized tokens) of `scorer`'s summaries of `test` articles, each
/// cut to its budget. Summary tokens are the picked sentences' tokens in text order,
/// which is what re-analysing the summary text gives up to sentence-boundary effects.
pub fn quick_rouge2(scorer: &SentenceScorer, opts: &DocumentOptions, test: &[&Prepped]) -> f64 {
    let mut sum = 0.0;
    for p in test {
        let scores = scorer.score(&p.features);
        let picked = select_sentences(
            &p.doc,
            &p.features,
            &scores,
            &DocumentOptions {
                length: Length::Words(p.budget()),
                ..opts.clone()
            },
            scorer.max_redundancy,
        );
        let mut toks: Vec<String> = picked
            .iter()
            .flat_map(|e| p.sentence_tokens[e.sentence].iter().cloned())
            .collect();
        toks.truncate(p.budget());
        sum += rouge_n(&toks, &p.reference_tokens, 2).2;
    }
    sum / test.len().max(1) as f64
}

/// Splits `items` into `k` folds by position (item `i` goes to fold `i % k`); returns
/// `(train, test)` for fold `f`.
pub fn split<T>(items: &[T], k: usize, f: usize) -> (Vec<&T>, Vec<&T>) {
    let (mut train_set, mut test) = (Vec::new(), Vec::new());
    for (i, x) in items.iter().enumerate() {
        if i % k == f {
            test.push(x);
        } else {
            train_set.push(x);
        }
    }
    (train_set, test)
}

/// What [`learn`] chose and fitted.
pub struct Learned {
    /// The fitted scorer, with the chosen redundancy cap.
    pub scorer: SentenceScorer,
    /// The chosen L2 penalty.
    pub l2: f64,
    /// Inner cross-validation ROUGE-2 (×100) of each `(l2, cap)` tried, in recipe order.
    pub inner: Vec<(f64, f64, f64)>,
}

/// Mean cross-entropy of `scorer`'s probabilities against the soft targets of the
/// sentences of `test`.
fn log_loss(scorer: &SentenceScorer, test: &[&Prepped]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for p in test {
        for (q, &t) in scorer.score(&p.features).iter().zip(&p.targets) {
            let q = q.clamp(1e-9, 1.0 - 1e-9);
            sum -= t * q.ln() + (1.0 - t) * (1.0 - q).ln();
            n += 1;
        }
    }
    sum / n.max(1) as f64
}

/// The whole recipe on a set of training articles: choose the penalty by inner
/// cross-validation (lowest cross-entropy of the held-out sentences' targets, a smooth
/// criterion; or the highest ROUGE-2 with `--select-by rouge`), then the redundancy cap
/// by the inner ROUGE-2 of that penalty's models; fit on all of `train_set`. Ties go to
/// the stronger penalty and the looser cap.
pub fn learn(train_set: &[&Prepped], recipe: &Recipe, opts: &DocumentOptions) -> Result<Learned> {
    let mask = recipe.mask()?;
    let base = TrainOptions {
        l2: 1.0,
        threshold: recipe.threshold,
        mask,
    };
    let k = recipe.inner_folds.max(2);
    let by_rouge = recipe.select_by == "rouge";
    let mut inner = Vec::new();
    // (criterion, l2, cap) of the best so far; the criterion is maximised.
    let mut best: Option<(f64, f64, f64)> = None;
    let better = |best: Option<(f64, f64, f64)>, c: f64, l2: f64, cap: f64| match best {
        None => true,
        Some((b, bl2, bcap)) => {
            c > b + 1e-9 || (c > b - 1e-9 && (l2 > bl2 || (l2 == bl2 && cap > bcap)))
        }
    };
    let inner_rouge = |models: &[SentenceScorer], cap: f64| {
        let mut total = 0.0;
        for (f, model) in models.iter().enumerate() {
            let (_, te) = split(train_set, k, f);
            let te: Vec<&Prepped> = te.into_iter().copied().collect();
            let m = SentenceScorer {
                max_redundancy: cap,
                ..model.clone()
            };
            total += quick_rouge2(&m, opts, &te) * te.len() as f64;
        }
        100.0 * total / train_set.len().max(1) as f64
    };
    let mut best_models: Vec<SentenceScorer> = Vec::new();
    for &l2 in &recipe.l2 {
        let o = TrainOptions { l2, ..base.clone() };
        let models: Vec<SentenceScorer> = (0..k)
            .map(|f| {
                let (tr, _) = split(train_set, k, f);
                let tr: Vec<&Prepped> = tr.into_iter().copied().collect();
                fit(&tr, &o)
            })
            .collect();
        if by_rouge {
            for &cap in &recipe.max_redundancy {
                let score = inner_rouge(&models, cap);
                inner.push((l2, cap, score));
                if better(best, score, l2, cap) {
                    best = Some((score, l2, cap));
                }
            }
        } else {
            let mut loss = 0.0;
            for (f, model) in models.iter().enumerate() {
                let (_, te) = split(train_set, k, f);
                let te: Vec<&Prepped> = te.into_iter().copied().collect();
                loss += log_loss(model, &te) / k as f64;
            }
            inner.push((l2, f64::NAN, loss));
            if better(best, -loss, l2, 0.0) {
                best = Some((-loss, l2, 0.0));
                best_models = models;
            }
        }
    }
    let (_, l2, mut cap) = best.unwrap_or((0.0, 1.0, 1.0));
    if !by_rouge {
        let mut best_cap: Option<(f64, f64, f64)> = None;
        for &c in &recipe.max_redundancy {
            let score = inner_rouge(&best_models, c);
            inner.push((l2, c, score));
            if better(best_cap, score, l2, c) {
                best_cap = Some((score, l2, c));
            }
        }
        cap = best_cap.map_or(1.0, |b| b.2);
    }
    let mut scorer = fit(train_set, &TrainOptions { l2, ..base });
    scorer.max_redundancy = cap;
    Ok(Learned { scorer, l2, inner })
}

pub fn run(args: Args) -> Result<()> {
    let articles = read_easc(&args.data.join("easc.jsonl"))?;
    let df = DocFreq::builtin();
    let prepped = prepare(&articles, df)?;
    let all: Vec<&Prepped> = prepped.iter().collect();
    if let Some(path) = &args.dump {
        let mut t = format!(
            "article\tsentence\twords\tbudget\ttarget\t{}\ttokens\n",
            FEATURES.join("\t")
        );
        for p in &prepped {
            for (i, row) in p.features.rows.iter().enumerate() {
                t.push_str(&format!(
                    "{}\t{i}\t{}\t{}\t{}",
                    p.id,
                    p.features.words[i],
                    p.budget(),
                    p.targets[i]
                ));
                for x in row {
                    t.push_str(&format!("\t{x}"));
                }
                t.push('\t');
                t.push_str(&p.sentence_tokens[i].join(" "));
                t.push('\n');
            }
        }
        std::fs::write(path, t).with_context(|| format!("writing {}", path.display()))?;
    }
    let opts = DocumentOptions::default();
    let learned = learn(&all, &args.recipe, &opts)?;
    let mut scorer = learned.scorer;
    scorer.notes = vec![
        format!(
            "trained by `khabar train summary` on {} EASC articles ({}), {} sentences",
            prepped.len(),
            args.data.join("easc.jsonl").display(),
            prepped.iter().map(|p| p.features.rows.len()).sum::<usize>()
        ),
        format!(
            "target: share of a sentence's bigrams in the reference{}",
            match args.recipe.threshold {
                Some(t) => format!(" >= {t} (binary)"),
                None => " (soft)".into(),
            }
        ),
        format!(
            "{}-fold inner CV: l2 by {} ({}) -> {}; max_redundancy by ROUGE-2 x100 ({}) -> {}",
            args.recipe.inner_folds.max(2),
            if args.recipe.select_by == "rouge" {
                "ROUGE-2 x100"
            } else {
                "cross-entropy"
            },
            learned
                .inner
                .iter()
                .filter(|x| args.recipe.select_by == "rouge" || x.1.is_nan())
                .map(|(l, c, s)| if c.is_nan() {
                    format!("{l}={s:.4}")
                } else {
                    format!("{l}/{c}={s:.2}")
                })
                .collect::<Vec<_>>()
                .join(" "),
            learned.l2,
            learned
                .inner
                .iter()
                .filter(|x| args.recipe.select_by != "rouge" && !x.1.is_nan())
                .map(|(_, c, s)| format!("{c}={s:.2}"))
                .collect::<Vec<_>>()
                .join(" "),
            scorer.max_redundancy,
        ),
    ];
    let used: Vec<&str> = match args.recipe.mask()? {
        None => FEATURES.to_vec(),
        Some(m) => FEATURES
            .iter()
            .zip(m)
            .filter(|x| x.1)
            .map(|x| *x.0)
            .collect(),
    };
    scorer.notes.push(format!(
        "features used (the others have weight 0): {}",
        used.join(" ")
    ));
    std::fs::write(&args.out, scorer.to_text())
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "khabar train summary: {} articles, l2 = {}, max_redundancy = {} (inner CV ROUGE-2 {:.2}); model written to {}",
        prepped.len(),
        learned.l2,
        scorer.max_redundancy,
        learned
            .inner
            .iter()
            .filter(|x| x.0 == learned.l2 && x.1 == scorer.max_redundancy)
            .map(|x| x.2)
            .next()
            .unwrap_or(0.0),
        args.out.display()
    );
    Ok(())
}
