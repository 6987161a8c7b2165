//! The training recipe, end to end and deterministic.
//!
//! 1. **Gazetteer from the labelled data, jackknifed.** The training sentences
//!    are cut into `folds` contiguous blocks (contiguous, so names of one
//!    article stay together); the features of a sentence see only the names of
//!    the *other* blocks. Without this, the gazetteer feature fires on every
//!    training entity and the model trusts it far more than it deserves on new
//!    text. The shipped model uses the names of all blocks.
//! 2. **Neighbour votes** ([`crate::knn`]): for every word with a skip-gram
//!    vector, the types of its nearest known names (jackknifed the same way).
//! 3. **What the unlabeled news says, jackknifed**: per fold (and once for all
//!    folds) a first model tags the unlabeled corpus, once with all features
//!    and once from context only. That gives the bootstrap gazetteer (names
//!    seen ≥ `bootstrap_min_count` times with one type in ≥ `bootstrap_purity`
//!    of them) and per-word tag counts; a training sentence only sees what the
//!    models without its fold said (`corpus_rounds` > 1 repeats this with the
//!    previous round's knowledge).
//! 4. **Document pass** ([`crate::doc`]): jackknifed first-pass tags of the
//!    training sentences give each token the tags of the other occurrences of
//!    its form within `doc_window` sentences (left out for a seeded
//!    `doc_dropout` share of sentences).
//! 5. **Learner**: `ensemble` averaged perceptrons over BILOU labels, each
//!    `epochs` passes with its own seeded shuffle, averaged into one weight
//!    vector (or an L-BFGS CRF, slower and not better on the dev cut).
//!
//! Same inputs and seed → byte-identical model file.

use crate::Recognizer;
use crate::clusters::{Corpus, WordVectors};
use crate::collocations::{CollocationData, Collocations};
use crate::conll::{Counts, LabeledSentence};
use crate::crf::{self, CrfOptions};
use crate::features::{self, FEATURE_SCHEMA, Resources, Scratch, SentenceFeatures};
use crate::knn::{self, NeighborData, Neighbors};
use crate::lexicon::{
    CorpusTags, CorpusTagsData, Gazetteer, GazetteerData, Lexicon, LexiconData, TagCounts,
};
use crate::model::{Manifest, Payload, TypeScore};
use crate::perceptron::{self, SplitMix64, TrainSentence, Trainer};
use crate::tags::{self, EntityType, Label, N_LABELS, Tag};
use khabar_core::{Normalizer, Profile};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the shuffles.
    pub seed: u64,
    /// Blocks for the jackknifed gazetteer.
    pub folds: usize,
    /// Build the bootstrap gazetteer from the unlabeled corpus (if one is given).
    pub bootstrap: bool,
    /// Minimum occurrences of a bootstrapped name.
    pub bootstrap_min_count: u32,
    /// Minimum share of its majority type for a bootstrapped name.
    pub bootstrap_purity: f64,
    /// Share of training tokens whose identity features are left out (see
    /// [`features::extract_with_dropout`]); chosen per token by a seeded hash.
    pub identity_dropout: f64,
    /// The learner.
    pub learner: Learner,
    /// Sentences each side for the document-consistency pass ([`crate::doc`]); 0 = off.
    pub doc_window: usize,
    /// Share of training sentences trained without document features, so the
    /// same weights also serve the first pass (which has none).
    pub doc_dropout: f64,
    /// Perceptrons (over different shuffles) whose weights are averaged for the final model.
    pub ensemble: usize,
    /// Nearest known names that vote for a word's type ([`crate::knn`]); 0 = off.
    pub neighbors: usize,
    /// Rounds of corpus tagging: each round after the first uses the
    /// knowledge of the previous one.
    pub corpus_rounds: usize,
    /// The models that tag the unlabeled corpus look at context only (every
    /// token's identity features dropped in training and tagging), so the
    /// corpus tag counts say what a word's contexts suggest.
    pub corpus_context_only: bool,
}

/// Which learner fits the weights.
#[derive(Clone, Debug)]
pub enum Learner {
    /// Averaged structured perceptron, `epochs` passes.
    Perceptron,
    /// Linear-chain CRF trained by L-BFGS.
    Crf(CrfOptions),
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 8,
            seed: 1,
            folds: 5,
            bootstrap: true,
            bootstrap_min_count: 2,
            bootstrap_purity: 0.8,
            identity_dropout: 0.25,
            learner: Learner::Perceptron,
            doc_window: crate::doc::WINDOW,
            doc_dropout: 0.5,
            corpus_context_only: true,
            corpus_rounds: 1,
            ensemble: 10,
            neighbors: 10,
        }
    }
}

impl TrainOptions {
    fn settings(&self) -> Vec<(String, String)> {
        vec![
            ("epochs".into(), self.epochs.to_string()),
            ("seed".into(), self.seed.to_string()),
            ("folds".into(), self.folds.to_string()),
            ("bootstrap".into(), self.bootstrap.to_string()),
            (
                "bootstrap_min_count".into(),
                self.bootstrap_min_count.to_string(),
            ),
            ("bootstrap_purity".into(), self.bootstrap_purity.to_string()),
            ("identity_dropout".into(), self.identity_dropout.to_string()),
            ("doc_window".into(), self.doc_window.to_string()),
            ("doc_dropout".into(), self.doc_dropout.to_string()),
            ("corpus_rounds".into(), self.corpus_rounds.to_string()),
            ("ensemble".into(), self.ensemble.to_string()),
            ("neighbors".into(), self.neighbors.to_string()),
            (
                "corpus_context_only".into(),
                self.corpus_context_only.to_string(),
            ),
            (
                "learner".into(),
                match &self.learner {
                    Learner::Perceptron => "perceptron".into(),
                    Learner::Crf(c) => format!(
                        "crf c2={} max_iterations={} memory={} epsilon={} period={}",
                        c.c2, c.max_iterations, c.memory, c.epsilon, c.period
                    ),
                },
            ),
        ]
    }
}

/// What to train on.
pub struct TrainData<'a> {
    /// Labelled sentences.
    pub train: &'a [LabeledSentence],
    /// Labelled dev sentences, scored after each epoch and recorded in the manifest.
    pub dev: Option<&'a [LabeledSentence]>,
    /// Word clusters and counts (see [`crate::clusters`]); may be empty.
    pub lexicon: LexiconData,
    /// The word vectors behind the clusters, for the neighbour votes ([`crate::knn`]).
    pub vectors: Option<&'a WordVectors>,
    /// The unlabeled corpus for the bootstrap gazetteer.
    pub corpus: Option<&'a Corpus>,
    /// Provenance recorded in the manifest.
    pub manifest: Manifest,
}

/// Search-normalized tokens of a sentence.
fn norms(n: &Normalizer, s: &LabeledSentence) -> Vec<String> {
    s.tokens
        .iter()
        .map(|t| n.normalize(t).into_owned())
        .collect()
}

/// The names of the gold entities of `sents` as `(lexical forms joined, type)`.
fn gold_names<'a>(
    lexicon: &'a Lexicon,
    sents: impl Iterator<Item = (&'a [String], &'a [Tag])> + 'a,
) -> impl Iterator<Item = (String, EntityType)> + 'a {
    sents.flat_map(move |(toks, tags)| {
        let refs: Vec<&str> = toks.iter().map(|s| s.as_str()).collect();
        let lex = features::lex_forms(lexicon, &refs);
        tags::spans(tags)
            .into_iter()
            .map(|sp| (lex[sp.start..sp.end].join(" "), sp.ty))
            .collect::<Vec<_>>()
    })
}

/// Scores a recognizer on labelled sentences (consecutive, as in the file:
/// the document pass sees the neighbours).
pub fn evaluate(r: &Recognizer, sents: &[LabeledSentence]) -> Counts {
    let toks: Vec<&Vec<String>> = sents.iter().map(|s| &s.tokens).collect();
    let preds: Vec<Vec<Tag>> = r.tag_sentences(&toks, 64);
    let mut c = Counts::default();
    for (s, p) in sents.iter().zip(&preds) {
        c.add(&s.tags, p);
    }
    c
}

/// Interns feature hashes to dense ids in order of first appearance.
#[derive(Default)]
struct Interner {
    index: HashMap<u64, u32>,
    hashes: Vec<u64>,
}

impl Interner {
    fn sentence(&mut self, f: &SentenceFeatures, gold: &[Tag]) -> TrainSentence {
        TrainSentence {
            feats: f
                .hashes
                .iter()
                .map(|&h| {
                    *self.index.entry(h).or_insert_with(|| {
                        self.hashes.push(h);
                        (self.hashes.len() - 1) as u32
                    })
                })
                .collect(),
            offsets: f.offsets.clone(),
            gold: tags::to_labels(gold),
        }
    }
}

/// Averaged-perceptron weights over the sentences `order` (shuffled each pass).
fn perceptron_weights(
    sents: &[TrainSentence],
    n_features: usize,
    mut order: Vec<usize>,
    epochs: usize,
    seed: u64,
) -> (Vec<f32>, Vec<f32>) {
    let mut trainer = Trainer::new(n_features);
    let mut rng = SplitMix64::new(seed);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        trainer.epoch(sents, &order);
    }
    trainer.averaged()
}

/// Training sentences: search-normalized tokens, strict-IOB2 gold tags and fold numbers.
struct Prepared {
    norms: Vec<Vec<String>>,
    gold: Vec<Vec<Tag>>,
    folds: usize,
}

impl Prepared {
    fn fold_of(&self, k: usize) -> usize {
        k * self.folds / self.norms.len().max(1)
    }

    fn len(&self) -> usize {
        self.norms.len()
    }

    /// Features of every training sentence; sentence `k` sees the resources of
    /// its fold, and loses the identity features of a seeded share of its tokens.
    fn features<'r>(
        &self,
        opt: &TrainOptions,
        res_of_fold: &(dyn Fn(usize) -> Resources<'r> + Sync),
        identity_dropout: f64,
    ) -> Vec<SentenceFeatures> {
        let threshold = (identity_dropout.clamp(0.0, 1.0) * u32::MAX as f64) as u64;
        (0..self.len())
            .into_par_iter()
            .map_init(Scratch::default, |scratch, k| {
                let refs: Vec<&str> = self.norms[k].iter().map(|s| s.as_str()).collect();
                let drop: Vec<bool> = (0..refs.len())
                    .map(|i| {
                        let h = xxhash_rust::xxh3::xxh3_64_with_seed(
                            &((k as u64) << 24 | i as u64).to_le_bytes(),
                            opt.seed,
                        );
                        (h & 0xffff_ffff) < threshold
                    })
                    .collect();
                let mut f = SentenceFeatures::default();
                features::extract_with_dropout(
                    res_of_fold(self.fold_of(k)),
                    &refs,
                    scratch,
                    &mut f,
                    &drop,
                );
                f
            })
            .collect()
    }
}

/// What the unlabeled corpus gives one fold (or, last, the whole training set).
struct CorpusKnowledge {
    bootstrap: GazetteerData,
    corpus_tags: CorpusTagsData,
    context_tags: CorpusTagsData,
    doc_tags: CorpusTagsData,
}

/// Counts of each lexical form as `[O, PER, LOC, ORG, MISC]` in the gold of
/// the training sentences `k` with `include(k)`.
fn word_counts(
    lexicon: &Lexicon,
    prep: &Prepared,
    include: impl Fn(usize) -> bool,
) -> HashMap<String, [u32; 5]> {
    let mut out: HashMap<String, [u32; 5]> = HashMap::new();
    for k in (0..prep.len()).filter(|&k| include(k)) {
        let refs: Vec<&str> = prep.norms[k].iter().map(|s| s.as_str()).collect();
        for (lex, tag) in features::lex_forms(lexicon, &refs)
            .into_iter()
            .zip(&prep.gold[k])
        {
            out.entry(lex).or_default()[tag.entity_type().map_or(0, |t| t.index() + 1)] += 1;
        }
    }
    out
}

/// Step 1 of training: models trained on all folds but one tag the unlabeled corpus.
struct Step1<'a> {
    opt: &'a TrainOptions,
    prep: &'a Prepared,
    lexicon: &'a Lexicon,
    lexicon_data: &'a LexiconData,
    fold_gaz: &'a [Gazetteer],
    fold_gaz_data: &'a [GazetteerData],
    full_gaz: &'a GazetteerData,
    manifest: &'a Manifest,
    corpus: &'a Corpus,
    /// Neighbour votes per fold, then of all folds.
    neighbor_data: &'a [NeighborData],
    neighbors: &'a [Neighbors],
    collocations: &'a Collocations,
    collocation_data: &'a CollocationData,
}

impl Step1<'_> {
    /// One round: for each fold, a model trained on the other folds tags the
    /// corpus (the last entry: a model of all folds). With `prev`, the models
    /// use the knowledge of the previous round (each sentence that of its
    /// fold). `context_only` models see no token identities.
    fn round(
        &self,
        prev: Option<&[CorpusKnowledge]>,
        context_only: bool,
        log: &mut dyn FnMut(&str),
    ) -> Vec<(GazetteerData, CorpusTagsData, CorpusTagsData)> {
        let (opt, prep) = (self.opt, self.prep);
        let (n, folds) = (prep.len(), prep.folds);
        let empty_gaz = Gazetteer::default();
        let empty_tags = CorpusTags::default();
        let empty_nb = Neighbors::default();
        let prev_boot: Vec<Gazetteer> = prev
            .unwrap_or_default()
            .iter()
            .map(|k| Gazetteer::new(&k.bootstrap))
            .collect();
        let prev_tags: Vec<(CorpusTags, CorpusTags, CorpusTags)> = prev
            .unwrap_or_default()
            .iter()
            .map(|k| {
                (
                    CorpusTags::new(&k.corpus_tags),
                    CorpusTags::new(&k.context_tags),
                    CorpusTags::new(&k.doc_tags),
                )
            })
            .collect();
        let res = |f: usize| Resources {
            lexicon: self.lexicon,
            gazetteer: &self.fold_gaz[f.min(folds - 1)],
            bootstrap: prev_boot.get(f).unwrap_or(&empty_gaz),
            corpus_tags: prev_tags.get(f).map_or(&empty_tags, |t| &t.0),
            context_tags: prev_tags.get(f).map_or(&empty_tags, |t| &t.1),
            doc_tags: prev_tags.get(f).map_or(&empty_tags, |t| &t.2),
            collocations: self.collocations,
            neighbors: self.neighbors.get(f).unwrap_or(&empty_nb),
        };
        let feats = prep.features(
            opt,
            &res,
            if context_only {
                1.0
            } else {
                opt.identity_dropout
            },
        );
        let mut interner = Interner::default();
        let sents: Vec<TrainSentence> = feats
            .iter()
            .zip(&prep.gold)
            .map(|(f, g)| interner.sentence(f, g))
            .collect();
        drop(feats);
        let runs = if folds > 1 { folds + 1 } else { 1 };
        (0..runs)
            .map(|f| {
                let order: Vec<usize> = (0..n)
                    .filter(|&k| f == folds || folds == 1 || prep.fold_of(k) != f)
                    .collect();
                let (em, tr) = perceptron_weights(
                    &sents,
                    interner.hashes.len(),
                    order,
                    opt.epochs,
                    opt.seed ^ (f as u64) << 40,
                );
                let knowledge = prev.and_then(|p| p.get(f));
                let payload = Payload {
                    weights: perceptron::pack(&interner.hashes, &em, &tr),
                    lexicon: self.lexicon_data.clone(),
                    gazetteer: if f < folds {
                        self.fold_gaz_data[f].clone()
                    } else {
                        self.full_gaz.clone()
                    },
                    bootstrap: knowledge.map(|k| k.bootstrap.clone()).unwrap_or_default(),
                    corpus_tags: knowledge.map(|k| k.corpus_tags.clone()).unwrap_or_default(),
                    context_tags: knowledge
                        .map(|k| k.context_tags.clone())
                        .unwrap_or_default(),
                    doc_tags: knowledge.map(|k| k.doc_tags.clone()).unwrap_or_default(),
                    collocations: self.collocation_data.clone(),
                    neighbors: self.neighbor_data.get(f).cloned().unwrap_or_default(),
                    ..Default::default()
                };
                let mut r = Recognizer::from_parts(self.manifest.clone(), &payload)
                    .expect("weights packed by this crate fit together");
                if context_only {
                    r = r.into_context_only();
                }
                let k = tag_corpus(&r, self.corpus, opt);
                log(&format!(
                    "unlabeled corpus tagged by a {}model {}{}: {} names, {} words seen in names",
                    if context_only { "context-only " } else { "" },
                    if f < folds {
                        format!("without fold {}", f + 1)
                    } else {
                        "of all folds".to_string()
                    },
                    if prev.is_some() { " (next round)" } else { "" },
                    k.0.entries.len(),
                    k.1.entries.len()
                ));
                k
            })
            .collect()
    }
}

/// Trains a model. `log` receives one line per step (epoch scores, sizes).
pub fn train(
    data: TrainData<'_>,
    opt: &TrainOptions,
    log: &mut dyn FnMut(&str),
) -> (Manifest, Payload) {
    let normalizer = Normalizer::new(Profile::SEARCH);
    let lexicon = Lexicon::new(&data.lexicon);
    let prep = Prepared {
        norms: data.train.iter().map(|s| norms(&normalizer, s)).collect(),
        gold: data
            .train
            .iter()
            .map(|s| {
                let mut t = s.tags.clone();
                tags::repair(&mut t);
                t
            })
            .collect(),
        folds: opt.folds.max(1),
    };
    let n = prep.len();
    let folds = prep.folds;
    let full_gaz = GazetteerData::from_pairs(gold_names(
        &lexicon,
        prep.norms
            .iter()
            .map(|v| v.as_slice())
            .zip(prep.gold.iter().map(|v| v.as_slice())),
    ));
    // Gazetteer of fold f: the names of the other folds.
    let fold_gaz_data: Vec<GazetteerData> = (0..folds)
        .map(|f| {
            let names = gold_names(
                &lexicon,
                (0..n)
                    .filter(|&k| prep.fold_of(k) != f || folds == 1)
                    .map(|k| (prep.norms[k].as_slice(), prep.gold[k].as_slice())),
            );
            GazetteerData::from_pairs(names)
        })
        .collect();
    let fold_gaz: Vec<Gazetteer> = fold_gaz_data.iter().map(Gazetteer::new).collect();
    log(&format!(
        "train: {} sentences, {} tokens; lexicon {} words; gazetteer {} names",
        n,
        prep.norms.iter().map(|v| v.len()).sum::<usize>(),
        lexicon.len(),
        full_gaz.entries.len()
    ));
    let mut manifest = data.manifest.clone();
    manifest.feature_schema = FEATURE_SCHEMA;
    manifest.labels = (0..N_LABELS as u8)
        .map(|t| Label(t).as_str().to_string())
        .collect();
    manifest.settings = opt.settings();
    let empty_gaz = Gazetteer::default();
    let empty_tags = CorpusTags::default();

    // Step 1: what the unlabeled corpus says, jackknifed: for each fold, a
    // first model trained on the other folds tags the corpus; the last entry is
    // from a model of all folds (the one shipped).
    // Neighbour votes: per fold from the names of the other folds, then of all.
    let neighbor_data: Vec<NeighborData> = match data.vectors {
        Some(v) if opt.neighbors > 0 => (0..=folds)
            .map(|f| {
                let counts = word_counts(&lexicon, &prep, |k| {
                    f == folds || folds == 1 || prep.fold_of(k) != f
                });
                knn::neighbor_votes(v, &counts, opt.neighbors)
            })
            .collect(),
        _ => Vec::new(),
    };
    let neighbors: Vec<Neighbors> = neighbor_data.iter().map(Neighbors::new).collect();
    if !neighbor_data.is_empty() {
        log(&format!(
            "neighbour votes for {} words",
            neighbor_data.last().map_or(0, |d| d.entries.len())
        ));
    }
    let empty_nb = Neighbors::default();
    let collocation_data = data
        .corpus
        .map(CollocationData::from_corpus)
        .unwrap_or_default();
    let collocations = Collocations::new(&collocation_data);
    if !collocations.is_empty() {
        log(&format!("collocations: {} word pairs", collocations.len()));
    }
    let mut knowledge: Vec<CorpusKnowledge> = Vec::new();
    if let Some(corpus) = data.corpus
        && opt.bootstrap
    {
        let first = Step1 {
            opt,
            prep: &prep,
            lexicon: &lexicon,
            lexicon_data: &data.lexicon,
            fold_gaz: &fold_gaz,
            fold_gaz_data: &fold_gaz_data,
            full_gaz: &full_gaz,
            manifest: &manifest,
            corpus,
            neighbor_data: &neighbor_data,
            neighbors: &neighbors,
            collocations: &collocations,
            collocation_data: &collocation_data,
        };
        let full = first.round(None, false, log);
        let ctx = if opt.corpus_context_only {
            first.round(None, true, log)
        } else {
            Vec::new()
        };
        knowledge = full
            .into_iter()
            .enumerate()
            .map(|(f, (bootstrap, corpus_tags, doc_tags))| CorpusKnowledge {
                bootstrap,
                corpus_tags,
                doc_tags,
                context_tags: ctx.get(f).map(|c| c.1.clone()).unwrap_or_default(),
            })
            .collect();
        // Later rounds: models that already use the corpus knowledge tag it again.
        for _ in 1..opt.corpus_rounds {
            let next = first.round(Some(&knowledge), false, log);
            for (k, (bootstrap, corpus_tags, doc_tags)) in knowledge.iter_mut().zip(next) {
                k.bootstrap = bootstrap;
                k.corpus_tags = corpus_tags;
                k.doc_tags = doc_tags;
            }
        }
    }
    let boot: Vec<Gazetteer> = knowledge
        .iter()
        .map(|k| Gazetteer::new(&k.bootstrap))
        .collect();
    let ctags: Vec<CorpusTags> = knowledge
        .iter()
        .map(|k| CorpusTags::new(&k.corpus_tags))
        .collect();
    let xtags: Vec<CorpusTags> = knowledge
        .iter()
        .map(|k| CorpusTags::new(&k.context_tags))
        .collect();
    let dtags: Vec<CorpusTags> = knowledge
        .iter()
        .map(|k| CorpusTags::new(&k.doc_tags))
        .collect();
    // Sentence of fold f uses the knowledge of the model that did not see fold f.
    let res_of_fold = |f: usize| Resources {
        lexicon: &lexicon,
        gazetteer: &fold_gaz[f],
        bootstrap: boot
            .get(f.min(boot.len().saturating_sub(1)))
            .unwrap_or(&empty_gaz),
        corpus_tags: ctags
            .get(f.min(ctags.len().saturating_sub(1)))
            .unwrap_or(&empty_tags),
        context_tags: xtags
            .get(f.min(xtags.len().saturating_sub(1)))
            .unwrap_or(&empty_tags),
        doc_tags: dtags
            .get(f.min(dtags.len().saturating_sub(1)))
            .unwrap_or(&empty_tags),
        collocations: &collocations,
        neighbors: neighbors.get(f).unwrap_or(&empty_nb),
    };

    // Step 2: the final model.
    let feats = prep.features(opt, &res_of_fold, opt.identity_dropout);
    let feats = if opt.doc_window > 0 {
        let doc = doc_features(opt, &prep, &res_of_fold, &feats, log);
        feats
            .iter()
            .zip(&doc)
            .map(|(base, d)| match d {
                Some(d) => concat_features(base, d),
                None => base.clone(),
            })
            .collect()
    } else {
        feats
    };
    let mut interner = Interner::default();
    let sents: Vec<TrainSentence> = feats
        .iter()
        .zip(&prep.gold)
        .map(|(f, g)| interner.sentence(f, g))
        .collect();
    drop(feats);
    let hashes = interner.hashes;
    log(&format!("final model: {} distinct features", hashes.len()));
    let last = knowledge.last();
    let payload_for = |em: &[f32], tr: &[f32]| Payload {
        weights: perceptron::pack(&hashes, em, tr),
        lexicon: data.lexicon.clone(),
        gazetteer: full_gaz.clone(),
        bootstrap: last.map(|k| k.bootstrap.clone()).unwrap_or_default(),
        corpus_tags: last.map(|k| k.corpus_tags.clone()).unwrap_or_default(),
        context_tags: last.map(|k| k.context_tags.clone()).unwrap_or_default(),
        doc_tags: last.map(|k| k.doc_tags.clone()).unwrap_or_default(),
        collocations: collocation_data.clone(),
        neighbors: neighbor_data.last().cloned().unwrap_or_default(),
        doc_window: opt.doc_window as u32,
    };
    let payload = match &opt.learner {
        Learner::Perceptron => {
            let mut trainer = Trainer::new(hashes.len());
            let mut rng = SplitMix64::new(opt.seed);
            let mut order: Vec<usize> = (0..n).collect();
            for epoch in 1..=opt.epochs {
                rng.shuffle(&mut order);
                let errors = trainer.epoch(&sents, &order);
                let mut line = format!("epoch {epoch}: {errors} sentences with errors");
                if let Some(dev) = data.dev
                    && (epoch == opt.epochs || epoch % 2 == 0)
                {
                    let (em, tr) = trainer.averaged();
                    let r = Recognizer::from_parts(manifest.clone(), &payload_for(&em, &tr))
                        .expect("weights packed by this crate fit together");
                    let s = evaluate(&r, dev).scores();
                    let m = &s[4];
                    line.push_str(&format!(
                        "; dev P {:.2} R {:.2} F1 {:.2}",
                        m.precision, m.recall, m.f1
                    ));
                }
                log(&line);
            }
            let (mut em, mut tr) = trainer.averaged();
            // More perceptrons over other shuffles, averaged: less dependence on one order.
            for k in 1..opt.ensemble.max(1) {
                let order: Vec<usize> = (0..n).collect();
                let (e2, t2) = perceptron_weights(
                    &sents,
                    hashes.len(),
                    order,
                    opt.epochs,
                    opt.seed.wrapping_add(k as u64 * 0x1000_0001),
                );
                for (a, b) in em.iter_mut().zip(&e2) {
                    *a += b;
                }
                for (a, b) in tr.iter_mut().zip(&t2) {
                    *a += b;
                }
                log(&format!(
                    "ensemble: perceptron {} of {} trained",
                    k + 1,
                    opt.ensemble
                ));
            }
            let k = opt.ensemble.max(1) as f32;
            em.iter_mut().for_each(|v| *v /= k);
            tr.iter_mut().for_each(|v| *v /= k);
            payload_for(&em, &tr)
        }
        Learner::Crf(c) => {
            let (em, tr) = crf::train(&sents, hashes.len(), c, log);
            payload_for(&em, &tr)
        }
    };
    if let Some(dev) = data.dev {
        let r = Recognizer::from_parts(manifest.clone(), &payload)
            .expect("weights packed by this crate fit together");
        manifest.dev_scores = evaluate(&r, dev).scores();
        let m = &manifest.dev_scores[4];
        log(&format!(
            "dev P {:.2} R {:.2} F1 {:.2}",
            m.precision, m.recall, m.f1
        ));
    } else {
        manifest.dev_scores = Vec::<TypeScore>::new();
    }
    log(&format!(
        "{} features with non-zero weights",
        payload.weights.features.len()
    ));
    (manifest, payload)
}

/// Token-by-token concatenation of two feature lists of the same sentence.
fn concat_features(a: &SentenceFeatures, b: &SentenceFeatures) -> SentenceFeatures {
    let mut out = SentenceFeatures {
        hashes: Vec::with_capacity(a.hashes.len() + b.hashes.len()),
        offsets: Vec::with_capacity(a.offsets.len()),
    };
    for i in 0..a.len() {
        out.offsets.push(out.hashes.len() as u32);
        out.hashes.extend_from_slice(a.of(i));
        out.hashes.extend_from_slice(b.of(i));
    }
    out.offsets.push(out.hashes.len() as u32);
    out
}

/// Document features of the training sentences, from first-pass tags that
/// models trained on the *other* folds give them (perceptrons over the same
/// base features: a few seconds each). A seeded share `doc_dropout` of the
/// sentences gets none (`None`), so the weights also work for the first pass.
fn doc_features<'r>(
    opt: &TrainOptions,
    prep: &Prepared,
    res_of_fold: &(dyn Fn(usize) -> Resources<'r> + Sync),
    train_feats: &[SentenceFeatures],
    log: &mut dyn FnMut(&str),
) -> Vec<Option<SentenceFeatures>> {
    let n = prep.len();
    let folds = prep.folds.max(2);
    let fold_of = |k: usize| k * folds / n.max(1);
    // Run-time features (no identity dropout), lexical forms and word flags.
    let clean: Vec<(SentenceFeatures, Vec<u64>, Vec<bool>)> = (0..n)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, k| {
            let refs: Vec<&str> = prep.norms[k].iter().map(|s| s.as_str()).collect();
            let mut f = SentenceFeatures::default();
            features::extract(res_of_fold(prep.fold_of(k)), &refs, scratch, &mut f);
            let lex = scratch.lex_hashes().to_vec();
            let words = scratch.words().collect();
            (f, lex, words)
        })
        .collect();
    let mut interner = Interner::default();
    let train_sents: Vec<TrainSentence> = train_feats
        .iter()
        .zip(&prep.gold)
        .map(|(f, g)| interner.sentence(f, g))
        .collect();
    let index = &interner.index;
    let mut pass1: Vec<Vec<Tag>> = vec![Vec::new(); n];
    for f in 0..folds {
        let order: Vec<usize> = (0..n).filter(|&k| fold_of(k) != f).collect();
        let (em_w, tr_w) = perceptron_weights(
            &train_sents,
            interner.hashes.len(),
            order,
            opt.epochs,
            opt.seed ^ (f as u64 + 1) << 32,
        );
        let mut tr = [[0f32; N_LABELS]; N_LABELS + 1];
        for (p, row) in tr.iter_mut().enumerate() {
            row.copy_from_slice(&tr_w[p * N_LABELS..(p + 1) * N_LABELS]);
        }
        let tr = perceptron::constrained(&tr);
        let held: Vec<usize> = (0..n).filter(|&k| fold_of(k) == f).collect();
        let tagged: Vec<Vec<Tag>> = held
            .par_iter()
            .map(|&k| {
                let fs = &clean[k].0;
                let em: Vec<[f32; N_LABELS]> = (0..fs.len())
                    .map(|i| {
                        let mut e = [0f32; N_LABELS];
                        for h in fs.of(i) {
                            if let Some(&id) = index.get(h) {
                                let row =
                                    &em_w[id as usize * N_LABELS..(id as usize + 1) * N_LABELS];
                                for (o, w) in e.iter_mut().zip(row) {
                                    *o += *w;
                                }
                            }
                        }
                        e
                    })
                    .collect();
                let mut t = Vec::new();
                perceptron::viterbi(&em, &tr, &mut t);
                tags::to_tags(&t)
            })
            .collect();
        for (k, t) in held.into_iter().zip(tagged) {
            pass1[k] = t;
        }
    }
    let c = pass1
        .iter()
        .zip(&prep.gold)
        .fold(Counts::default(), |mut c, (p, g)| {
            c.add(g, p);
            c
        });
    log(&format!(
        "document pass: jackknifed first-pass F1 on the training data {:.2}",
        c.scores()[4].f1
    ));
    let lex: Vec<&[u64]> = clean.iter().map(|c| c.1.as_slice()).collect();
    let words: Vec<&[bool]> = clean.iter().map(|c| c.2.as_slice()).collect();
    let ev = crate::doc::evidence(&lex, &pass1, &words, opt.doc_window);
    let threshold = (opt.doc_dropout.clamp(0.0, 1.0) * u32::MAX as f64) as u64;
    ev.iter()
        .enumerate()
        .map(|(k, e)| {
            let h =
                xxhash_rust::xxh3::xxh3_64_with_seed(&(k as u64).to_le_bytes(), opt.seed ^ 0xd0c);
            if (h & 0xffff_ffff) < threshold {
                return None;
            }
            let mut f = SentenceFeatures::default();
            features::extract_doc(e, &mut f);
            Some(f)
        })
        .collect()
}

/// Tags the unlabeled corpus: names seen at least `bootstrap_min_count` times
/// with one type in at least `bootstrap_purity` of them become the bootstrap
/// gazetteer, and every word inside a name gets its tag counts.
/// Counts the occurrences of one text's forms (with the tags a model gave
/// them) for the document tag counts: every occurrence counts as inside a
/// name of each type the form was tagged with anywhere in the text, and as a
/// beginning if it began one anywhere («ترامب» alone, in a text that also
/// has «دونالد ترامب»; a name's clear mention speaks for its other ones).
fn tally_by_text(forms: &[String], tags: &[Tag], out: &mut HashMap<String, TagCounts>) {
    // Per form: types it was tagged inside, and types it began.
    let mut marks: HashMap<&str, (u8, u8)> = HashMap::new();
    for (l, t) in forms.iter().zip(tags) {
        let m = marks.entry(l.as_str()).or_default();
        if let Some(ty) = t.entity_type() {
            m.0 |= 1 << ty.index();
            if t.is_begin() {
                m.1 |= 1 << ty.index();
            }
        }
    }
    for l in forms {
        let (typed, begun) = marks.get(l.as_str()).copied().unwrap_or_default();
        let c = out.entry(l.clone()).or_default();
        c.total += 1;
        for t in 0..4 {
            if typed & (1 << t) != 0 {
                c.typed[t] += 1;
            }
            if begun & (1 << t) != 0 {
                c.begins[t] += 1;
            }
        }
    }
}

fn tag_corpus(
    r: &Recognizer,
    corpus: &Corpus,
    opt: &TrainOptions,
) -> (GazetteerData, CorpusTagsData, CorpusTagsData) {
    let docs = corpus.documents();
    type Tally = HashMap<String, TagCounts>;
    type Found = (Vec<(String, EntityType)>, Tally, Tally);
    let merge = |into: &mut Tally, from: Tally| {
        for (k, v) in from {
            into.entry(k).or_default().merge(&v);
        }
    };
    let (found, tallies, doc_tallies): Found = docs
        .par_iter()
        .fold(
            || (Vec::new(), HashMap::new(), HashMap::new()),
            |(mut names, mut tally, mut doc_tally): Found, doc| {
                let mut forms: Vec<String> = Vec::new();
                let mut text_tags: Vec<Tag> = Vec::new();
                for ids in doc.split(|&i| i == crate::clusters::BREAK) {
                    if ids.is_empty() {
                        continue;
                    }
                    let norms: Vec<&str> = ids
                        .iter()
                        .map(|&i| corpus.forms[i as usize].as_str())
                        .collect();
                    let (tags, _) = r.tag_normalized(&norms, false);
                    let lex = features::lex_forms(r.lexicon(), &norms);
                    for sp in tags::spans(&tags) {
                        names.push((lex[sp.start..sp.end].join(" "), sp.ty));
                    }
                    for (l, t) in lex.into_iter().zip(&tags) {
                        tally.entry(l.clone()).or_default().add(*t);
                        forms.push(l);
                    }
                    text_tags.extend_from_slice(&tags);
                }
                tally_by_text(&forms, &text_tags, &mut doc_tally);
                (names, tally, doc_tally)
            },
        )
        .reduce(
            || (Vec::new(), HashMap::new(), HashMap::new()),
            |(mut a, mut ta, mut da), (b, tb, db)| {
                a.extend(b);
                merge(&mut ta, tb);
                merge(&mut da, db);
                (a, ta, da)
            },
        );
    let mut counts: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    for (name, ty) in found {
        counts.entry(name).or_default()[ty.index()] += 1;
    }
    let mut pairs = Vec::new();
    for (name, c) in counts {
        let total: u32 = c.iter().sum();
        let (best, &bc) = c
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .unwrap_or((0, &0));
        if total >= opt.bootstrap_min_count && bc as f64 >= opt.bootstrap_purity * total as f64 {
            pairs.push((name, EntityType::ALL[best]));
        }
    }
    let typed_only = |t: Tally| {
        let mut entries: Vec<(String, TagCounts)> = t
            .into_iter()
            .filter(|(_, c)| c.typed.iter().any(|&t| t > 0))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        CorpusTagsData { entries }
    };
    (
        GazetteerData::from_pairs(pairs),
        typed_only(tallies),
        typed_only(doc_tallies),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_tagged_once_in_a_text_counts_for_its_other_occurrences() {
        let forms: Vec<String> = ["دونالد", "ترامب", "قال", "ترامب", "حلب"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let tag = |s: &str| Tag::parse(s).unwrap();
        let tags = [tag("B-PERS"), tag("I-PERS"), tag("O"), tag("O"), tag("O")];
        let mut out = HashMap::new();
        tally_by_text(&forms, &tags, &mut out);
        let per = EntityType::Per.index();
        let t = out["ترامب"];
        assert_eq!(t.total, 2);
        assert_eq!(t.typed[per], 2, "the untagged «ترامب» counts too");
        assert_eq!(t.begins[per], 0, "it never began a name in this text");
        assert_eq!(out["دونالد"].begins[per], 1);
        assert_eq!(out["حلب"].typed, [0; 4]);
        assert_eq!(out["قال"].total, 1);
        // A second text adds up; there «ترامب» begins a name.
        tally_by_text(&forms[1..2], &[tag("B-PERS")], &mut out);
        let t = out["ترامب"];
        assert_eq!((t.total, t.typed[per], t.begins[per]), (3, 3, 1));
    }
}
