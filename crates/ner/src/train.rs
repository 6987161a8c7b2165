//! The training recipe, end to end and deterministic.
//!
//! 1. **Gazetteer from the labelled data, jackknifed.** The training sentences
//!    are cut into `folds` contiguous blocks (contiguous, so names of one
//!    article stay together); the features of a sentence see only the names of
//!    the *other* blocks. Without this, the gazetteer feature fires on every
//!    training entity and the model trusts it far more than it deserves on new
//!    text. The shipped model uses the names of all blocks.
//! 2. **Bootstrap gazetteer from unlabeled news** (optional): a first model
//!    (step 1 features) tags the unlabeled corpus; every name seen at least
//!    `bootstrap_min_count` times with one type in at least `bootstrap_purity`
//!    of its occurrences becomes an entry of a second, separate gazetteer
//!    feature. A second model is then trained with both gazetteers.
//! 3. **Averaged perceptron**, `epochs` passes, sentence order shuffled each
//!    pass with a SplitMix64 seeded by `seed`.
//!
//! Same inputs and seed → byte-identical model file.

use crate::Recognizer;
use crate::clusters::Corpus;
use crate::conll::{Counts, LabeledSentence};
use crate::features::{self, FEATURE_SCHEMA, Resources, Scratch, SentenceFeatures};
use crate::lexicon::{Gazetteer, GazetteerData, Lexicon, LexiconData};
use crate::model::{Manifest, Payload, TypeScore};
use crate::perceptron::{self, SplitMix64, TrainSentence, Trainer};
use crate::tags::{self, EntityType, N_TAGS, Tag};
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

/// Scores a recognizer on labelled sentences.
pub fn evaluate(r: &Recognizer, sents: &[LabeledSentence]) -> Counts {
    let preds: Vec<Vec<Tag>> = sents.par_iter().map(|s| r.tag_tokens(&s.tokens)).collect();
    let mut c = Counts::default();
    for (s, p) in sents.iter().zip(&preds) {
        c.add(&s.tags, p);
    }
    c
}

/// Trains a model. `log` receives one line per step (epoch scores, sizes).
pub fn train(
    data: TrainData<'_>,
    opt: &TrainOptions,
    log: &mut dyn FnMut(&str),
) -> (Manifest, Payload) {
    let normalizer = Normalizer::new(Profile::SEARCH);
    let lexicon = Lexicon::new(&data.lexicon);
    let train_norms: Vec<Vec<String>> = data.train.iter().map(|s| norms(&normalizer, s)).collect();
    let gold: Vec<Vec<Tag>> = data
        .train
        .iter()
        .map(|s| {
            let mut t = s.tags.clone();
            tags::repair(&mut t);
            t
        })
        .collect();
    let n = data.train.len();
    let folds = opt.folds.max(1);
    let fold_of = |k: usize| k * folds / n.max(1);
    let full_gaz = GazetteerData::from_pairs(gold_names(
        &lexicon,
        train_norms
            .iter()
            .map(|v| v.as_slice())
            .zip(gold.iter().map(|v| v.as_slice())),
    ));
    let fold_gaz: Vec<Gazetteer> = (0..folds)
        .map(|f| {
            let names = gold_names(
                &lexicon,
                (0..n)
                    .filter(move |&k| fold_of(k) != f || folds == 1)
                    .map(|k| (train_norms[k].as_slice(), gold[k].as_slice())),
            );
            Gazetteer::new(&GazetteerData::from_pairs(names))
        })
        .collect();
    log(&format!(
        "train: {} sentences, {} tokens; lexicon {} words; gazetteer {} names",
        n,
        train_norms.iter().map(|v| v.len()).sum::<usize>(),
        lexicon.len(),
        full_gaz.entries.len()
    ));
    let empty = GazetteerData::default();
    let mut boot_data = GazetteerData::default();
    let stages = if opt.bootstrap && data.corpus.is_some() {
        2
    } else {
        1
    };
    let mut result = None;
    for stage in 1..=stages {
        let boot = Gazetteer::new(if stage == 2 { &boot_data } else { &empty });
        let (manifest, payload) = train_stage(
            &data,
            opt,
            &lexicon,
            &train_norms,
            &gold,
            &fold_gaz,
            &boot,
            &full_gaz,
            if stage == 2 { &boot_data } else { &empty },
            &format!("stage {stage}/{stages}"),
            log,
        );
        if stage < stages
            && let Some(corpus) = data.corpus
        {
            let r = Recognizer::from_parts(manifest.clone(), &payload)
                .expect("weights packed by this crate fit together");
            boot_data = bootstrap(&r, corpus, opt);
            log(&format!(
                "bootstrap gazetteer: {} names from the unlabeled corpus",
                boot_data.entries.len()
            ));
        }
        result = Some((manifest, payload));
    }
    result.expect("at least one stage runs")
}

#[allow(clippy::too_many_arguments)]
fn train_stage(
    data: &TrainData<'_>,
    opt: &TrainOptions,
    lexicon: &Lexicon,
    train_norms: &[Vec<String>],
    gold: &[Vec<Tag>],
    fold_gaz: &[Gazetteer],
    boot: &Gazetteer,
    full_gaz: &GazetteerData,
    boot_data: &GazetteerData,
    stage: &str,
    log: &mut dyn FnMut(&str),
) -> (Manifest, Payload) {
    let n = train_norms.len();
    let folds = fold_gaz.len();
    // Features, interned to dense ids in order of first appearance.
    let feats: Vec<SentenceFeatures> = (0..n)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, k| {
            let res = Resources {
                lexicon,
                gazetteer: &fold_gaz[k * folds / n.max(1)],
                bootstrap: boot,
            };
            let refs: Vec<&str> = train_norms[k].iter().map(|s| s.as_str()).collect();
            let threshold = (opt.identity_dropout.clamp(0.0, 1.0) * u32::MAX as f64) as u64;
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
            features::extract_with_dropout(res, &refs, scratch, &mut f, &drop);
            f
        })
        .collect();
    let mut index: HashMap<u64, u32> = HashMap::new();
    let mut hashes: Vec<u64> = Vec::new();
    let sents: Vec<TrainSentence> = feats
        .iter()
        .zip(gold)
        .map(|(f, g)| TrainSentence {
            feats: f
                .hashes
                .iter()
                .map(|&h| {
                    *index.entry(h).or_insert_with(|| {
                        hashes.push(h);
                        (hashes.len() - 1) as u32
                    })
                })
                .collect(),
            offsets: f.offsets.clone(),
            gold: g.clone(),
        })
        .collect();
    drop(feats);
    log(&format!("{stage}: {} distinct features", hashes.len()));
    let mut trainer = Trainer::new(hashes.len());
    let mut rng = SplitMix64::new(opt.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut manifest = data.manifest.clone();
    manifest.feature_schema = FEATURE_SCHEMA;
    manifest.labels = (0..N_TAGS as u8)
        .map(|t| Tag(t).as_str().to_string())
        .collect();
    manifest.settings = opt.settings();
    let payload_for = |trainer: &Trainer| {
        let (em, tr) = trainer.averaged();
        Payload {
            weights: perceptron::pack(&hashes, &em, &tr),
            lexicon: data.lexicon.clone(),
            gazetteer: full_gaz.clone(),
            bootstrap: boot_data.clone(),
        }
    };
    for epoch in 1..=opt.epochs {
        rng.shuffle(&mut order);
        let errors = trainer.epoch(&sents, &order);
        let mut line = format!("{stage} epoch {epoch}: {errors} sentences with errors");
        if let Some(dev) = data.dev
            && (epoch == opt.epochs || epoch % 2 == 0)
        {
            let r = Recognizer::from_parts(manifest.clone(), &payload_for(&trainer))
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
    let payload = payload_for(&trainer);
    if let Some(dev) = data.dev {
        let r = Recognizer::from_parts(manifest.clone(), &payload)
            .expect("weights packed by this crate fit together");
        manifest.dev_scores = evaluate(&r, dev).scores();
    } else {
        manifest.dev_scores = Vec::<TypeScore>::new();
    }
    log(&format!(
        "{stage}: {} features with non-zero weights",
        payload.weights.features.len()
    ));
    (manifest, payload)
}

/// Tags the unlabeled corpus and keeps frequent, type-consistent names.
fn bootstrap(r: &Recognizer, corpus: &Corpus, opt: &TrainOptions) -> GazetteerData {
    let sents: Vec<&[u32]> = corpus.sentences().collect();
    let found: Vec<Vec<(String, EntityType)>> = sents
        .par_iter()
        .map(|ids| {
            let norms: Vec<&str> = ids
                .iter()
                .map(|&i| corpus.forms[i as usize].as_str())
                .collect();
            let (tags, _) = r.tag_normalized(&norms, false);
            let lex = features::lex_forms(r.lexicon(), &norms);
            tags::spans(&tags)
                .into_iter()
                .map(|sp| (lex[sp.start..sp.end].join(" "), sp.ty))
                .collect()
        })
        .collect();
    let mut counts: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    for (name, ty) in found.into_iter().flatten() {
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
    GazetteerData::from_pairs(pairs)
}
