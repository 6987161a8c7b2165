//! `khabar train ner`: trains the entity tagger (word clusters from unlabeled
//! news, jackknifed and bootstrapped gazetteers, averaged perceptron) and
//! writes a model file. Deterministic: the same files and seed give the same
//! bytes.

use anyhow::{Context, Result, bail};
use khabar::{DocumentReader, InputOptions, Source};
use khabar_core::{Analysis, TextAnalyzer};
use khabar_ner::clusters::{
    ClusterOptions, Clustering, Corpus, VectorMethod, train_clusters_logged,
};
use khabar_ner::conll::{LabeledSentence, read_labeled};
use khabar_ner::crf::CrfOptions;
use khabar_ner::embed::EmbedOptions;
use khabar_ner::model::{self, Manifest};
use khabar_ner::train::{Learner, TrainData, TrainOptions, train};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Flags of `khabar train ner`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Labelled training file (`TOKEN TAG` per line, blank line between sentences).
    #[arg(long, value_name = "FILE")]
    train: PathBuf,
    /// Labelled dev file: scored after training and recorded in the model manifest.
    #[arg(long, value_name = "FILE")]
    dev: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Unlabeled news (JSONL with `text`, text files or folders) for word clusters and the
    /// bootstrap gazetteer. Never pass non-commercial corpora for a model you ship.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    unlabeled: Vec<String>,
    /// Seed of the shuffles, the cluster projection and the k-means seeding.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Passes of the perceptron over the training data.
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    epochs: usize,
    /// Share of training tokens trained without their identity features (0 to 1).
    #[arg(long, default_value_t = TrainOptions::default().identity_dropout)]
    identity_dropout: f64,
    /// Do not build the bootstrap gazetteer (train one stage only).
    #[arg(long)]
    no_bootstrap: bool,
    /// The learner: `crf` (L-BFGS, L2) or `perceptron` (averaged, `--epochs` passes).
    #[arg(long, default_value = "perceptron", value_parser = ["crf", "perceptron"])]
    learner: String,
    /// L2 coefficient of the CRF (the objective adds c2·‖w‖²).
    #[arg(long, default_value_t = CrfOptions::default().c2)]
    c2: f64,
    /// Upper bound on the CRF's L-BFGS iterations.
    #[arg(long, default_value_t = CrfOptions::default().max_iterations)]
    max_iterations: usize,
    /// How word vectors for the clusters are made: `sgns` (skip-gram) or `ppmi` (fast, weak).
    #[arg(long, default_value = "sgns", value_parser = ["sgns", "ppmi"])]
    vectors: String,
    /// Branching of the cluster hierarchy, top level first (at most 4 levels).
    #[arg(long, value_delimiter = ',', default_values_t = ClusterOptions::default().branching)]
    branching: Vec<usize>,
    /// Dimensions of the skip-gram vectors.
    #[arg(long, default_value_t = EmbedOptions::default().dims)]
    embed_dims: usize,
    /// Passes of the skip-gram training over the unlabeled corpus.
    #[arg(long, default_value_t = EmbedOptions::default().epochs)]
    embed_epochs: usize,
    /// Keep the word clusters here and reuse them when the corpus and cluster settings
    /// are the same (they take minutes; the result is identical).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Context window of the skip-gram.
    #[arg(long, default_value_t = EmbedOptions::default().window)]
    embed_window: usize,
    /// Position-dependent skip-gram outputs (structured skip-gram): `true` or `false`.
    #[arg(long, default_value_t = EmbedOptions::default().structured, action = clap::ArgAction::Set)]
    embed_structured: bool,
    /// Sentences each side the document-consistency pass looks at (0 = one pass only).
    #[arg(long, default_value_t = TrainOptions::default().doc_window)]
    doc_window: usize,
    /// Share of training sentences trained without document features.
    #[arg(long, default_value_t = TrainOptions::default().doc_dropout)]
    doc_dropout: f64,
    /// Rounds of tagging the unlabeled corpus (later rounds use the earlier ones' counts).
    #[arg(long, default_value_t = TrainOptions::default().corpus_rounds)]
    corpus_rounds: usize,
    /// Perceptrons over different shuffles averaged into the final model.
    #[arg(long, default_value_t = TrainOptions::default().ensemble)]
    ensemble: usize,
    /// Nearest known names voting for a word's type (0 = off).
    #[arg(long, default_value_t = TrainOptions::default().neighbors)]
    neighbors: usize,
    /// Words that get a cluster (the most frequent ones).
    #[arg(long, default_value_t = ClusterOptions::default().vocab)]
    cluster_vocab: usize,
}

fn hash_hex(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

fn read_conll(path: &Path) -> Result<(Vec<LabeledSentence>, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid UTF-8 at byte offset {}",
            path.display(),
            e.valid_up_to()
        )
    })?;
    let sents = read_labeled(text).with_context(|| format!("reading {}", path.display()))?;
    if sents.is_empty() {
        bail!("{}: no labelled sentences", path.display());
    }
    Ok((sents, bytes))
}

pub fn run(args: Args) -> Result<()> {
    let t0 = Instant::now();
    let (train_sents, train_bytes) = read_conll(&args.train)?;
    let dev = match &args.dev {
        Some(p) => Some(read_conll(p)?.0),
        None => None,
    };
    // A dev file inside the training data gives a training-set score, not a held-out one: say so.
    let dev_in_train = dev.as_ref().is_some_and(|d| {
        let train_set: std::collections::HashSet<&Vec<String>> =
            train_sents.iter().map(|s| &s.tokens).collect();
        let inside = d.iter().filter(|s| train_set.contains(&s.tokens)).count();
        inside * 2 > d.len()
    });
    if dev_in_train {
        eprintln!(
            "khabar: note: most dev sentences are also in the training data; the dev score below is not a held-out score"
        );
    }
    let mut manifest = Manifest {
        train_data_hash: hash_hex(&train_bytes),
        train_data: file_name(&args.train),
        license: "CC BY-SA 4.0 (trained on ANERcorp, CAMeL Lab split; code MIT OR Apache-2.0)"
            .into(),
        dev_data: match args.dev.as_deref() {
            Some(p) if dev_in_train => {
                format!("{} (inside the training data: not held-out)", file_name(p))
            }
            Some(p) => file_name(p),
            None => String::new(),
        },
        created_by: format!("khabar {}", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    };
    let mut corpus = None;
    let mut clustering = Clustering::default();
    if !args.unlabeled.is_empty() {
        if args
            .unlabeled
            .iter()
            .any(|p| p.to_lowercase().contains("saudinewsnet"))
        {
            eprintln!(
                "khabar: warning: saudinewsnet is CC BY-NC-SA (non-commercial); a model trained on it must not be shipped"
            );
            manifest
                .license
                .push_str("; NOT FOR DISTRIBUTION: uses non-commercial data");
        }
        let sources: Vec<Source> = args.unlabeled.iter().map(|p| Source::parse(p)).collect();
        let reader = DocumentReader::new(&sources, InputOptions::default())?;
        let analyzer = TextAnalyzer::default_analyzer();
        let mut analysis = Analysis::default();
        let mut c = Corpus::default();
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut docs = 0usize;
        for doc in reader {
            let doc = doc?;
            hasher.update(doc.text.as_bytes());
            hasher.update(b"\n");
            c.add_text(&analyzer, &doc.text, &mut analysis);
            docs += 1;
        }
        eprintln!(
            "khabar: unlabeled corpus: {docs} documents, {} tokens, {} distinct forms ({:.1}s)",
            c.n_tokens(),
            c.forms.len(),
            t0.elapsed().as_secs_f64()
        );
        manifest.unlabeled_data_hash = format!("{:016x}", hasher.digest());
        manifest.unlabeled_data = args.unlabeled.join(" ");
        let opt = ClusterOptions {
            vocab: args.cluster_vocab,
            seed: args.seed,
            branching: args.branching.clone(),
            method: if args.vectors == "ppmi" {
                VectorMethod::Ppmi {
                    contexts: 1000,
                    dims: 128,
                }
            } else {
                VectorMethod::Sgns(EmbedOptions {
                    dims: args.embed_dims,
                    epochs: args.embed_epochs,
                    window: args.embed_window,
                    structured: args.embed_structured,
                    seed: args.seed,
                    ..Default::default()
                })
            },
            ..Default::default()
        };
        // The clusters depend only on the corpus and their settings: reuse them if cached.
        let cache = args.cache_dir.as_ref().map(|d| {
            d.join(format!(
                "clustering-{}-{:016x}.postcard",
                manifest.unlabeled_data_hash,
                xxhash_rust::xxh3::xxh3_64(format!("{opt:?}").as_bytes())
            ))
        });
        let cached = cache
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| Clustering::from_bytes(&b));
        clustering = match cached {
            Some(l) => {
                eprintln!("khabar: word clusters read from the cache");
                l
            }
            None => {
                let l = train_clusters_logged(&c, &opt, &mut |line| {
                    eprintln!("khabar: {line} ({:.1}s)", t0.elapsed().as_secs_f64())
                });
                if let Some(p) = &cache {
                    let bytes = l.to_bytes();
                    std::fs::create_dir_all(p.parent().unwrap_or(Path::new(".")))
                        .and_then(|()| std::fs::write(p, bytes))
                        .with_context(|| format!("writing {}", p.display()))?;
                }
                l
            }
        };
        eprintln!(
            "khabar: word clusters: {} words in the lexicon ({:.1}s)",
            clustering.lexicon.words.len(),
            t0.elapsed().as_secs_f64()
        );
        corpus = Some(c);
    }
    let opt = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        bootstrap: !args.no_bootstrap,
        identity_dropout: args.identity_dropout,
        doc_window: args.doc_window,
        doc_dropout: args.doc_dropout,
        corpus_rounds: args.corpus_rounds,
        ensemble: args.ensemble,
        neighbors: args.neighbors,
        learner: if args.learner == "perceptron" {
            Learner::Perceptron
        } else {
            Learner::Crf(CrfOptions {
                c2: args.c2,
                max_iterations: args.max_iterations,
                ..Default::default()
            })
        },
        ..Default::default()
    };
    let data = TrainData {
        train: &train_sents,
        dev: dev.as_deref(),
        lexicon: clustering.lexicon,
        vectors: Some(&clustering.vectors).filter(|v| !v.forms.is_empty()),
        corpus: corpus.as_ref(),
        manifest,
    };
    let (manifest, payload) = train(data, &opt, &mut |line| {
        eprintln!("khabar: {line} ({:.1}s)", t0.elapsed().as_secs_f64())
    });
    let bytes = model::to_bytes(&manifest, &payload)?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "khabar: wrote {} ({} bytes, {:.1} MB) in {:.1}s",
        args.out.display(),
        bytes.len(),
        bytes.len() as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    if !manifest.dev_scores.is_empty() {
        println!("dev scores ({}):", manifest.dev_data);
        super::eval_ner::print_scores(&mut std::io::stdout().lock(), &manifest.dev_scores)?;
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
