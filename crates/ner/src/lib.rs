//! # khabar-ner: who and where in Arabic news
//!
//! Finds persons, locations, organizations and other names (PER, LOC, ORG,
//! MISC — ANERcorp's types) in Arabic text and gives each mention a canonical
//! key shared by every spelling of the same entity: «الأسد»/«الاسد»,
//! «أستانة»/«استانا», «وبوتين»/«بوتين», and «بوتين» after «فلاديمير بوتين».
//!
//! The tagger is an averaged structured perceptron with Viterbi decoding
//! ([`perceptron`]) over features of the text core's normalized tokens,
//! word clusters learned from unlabeled news and gazetteers ([`features`],
//! [`lexicon`]). A trained model is embedded in the library, so
//! [`Recognizer::embedded`] works with no setup; [`train`] reproduces it.
//!
//! ## Should I use this crate?
//! Use it to tag entities in text you have (or in CoNLL token lists). For
//! files, JSONL and parallel batches use the `khabar` facade or the
//! `khabar entities` command.
//!
//! ```
//! use khabar_ner::Recognizer;
//!
//! let ner = Recognizer::embedded().expect("the embedded model loads");
//! let text = "قال الرئيس الروسي فلاديمير بوتين إن حلب تحررت.";
//! let entities = ner.recognize_text(text).unwrap();
//! let putin = entities.iter().find(|e| &text[e.span.range()] == "فلاديمير بوتين");
//! assert!(putin.is_some());
//! ```
#![deny(missing_docs)]

pub mod clusters;
pub mod collocations;
pub mod conll;
pub mod crf;
pub mod doc;
pub mod embed;
pub mod features;
pub mod keys;
pub mod knn;
pub mod lexicon;
pub mod model;
pub mod perceptron;
pub mod tags;
pub mod train;

use features::{Resources, Scratch, SentenceFeatures};
use khabar_core::{Analysis, Normalizer, Profile, Span, TextAnalyzer, TokenKind};
use lexicon::{CorpusTags, Gazetteer, Lexicon};
pub use model::{Manifest, ModelError, Payload, TypeScore};
use perceptron::{Transitions, Weights};
use std::sync::OnceLock;
pub use tags::{EntityType, Label, N_LABELS, N_TAGS, Tag};

/// The model shipped with khabar (see `MODEL.md`).
static EMBEDDED_MODEL: &[u8] = include_bytes!("../model/anercorp.khner");

/// Pieces longer than this are cut (at sentence-like boundaries) before tagging.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Errors of the tagger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text layer refused the text.
    #[error(transparent)]
    Text(#[from] khabar_core::Error),
    /// The model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// A named-entity mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// Where it is in the original text.
    pub span: Span,
    /// Its type.
    pub ty: EntityType,
    /// Confidence in 0..=1: the mean marginal probability of its tags.
    pub score: f32,
    /// Canonical key (see [`keys`]); shared by every spelling of the entity.
    pub key: String,
}

/// A tagger with a loaded model. Build once, share across threads.
pub struct Recognizer {
    manifest: Manifest,
    weights: Weights,
    transitions: Transitions,
    lexicon: Lexicon,
    gazetteer: Gazetteer,
    bootstrap: Gazetteer,
    corpus_tags: CorpusTags,
    context_tags: CorpusTags,
    doc_tags: CorpusTags,
    collocations: collocations::Collocations,
    neighbors: knn::Neighbors,
    doc_window: usize,
    /// Tag from context only (no identity features of the token itself): used
    /// in training to ask what the contexts of a word in unlabeled news suggest.
    context_only: bool,
    normalizer: Normalizer,
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizer")
            .field("features", &self.weights.n_features())
            .field("lexicon", &self.lexicon.len())
            .field("gazetteer", &self.gazetteer.len())
            .field("bootstrap", &self.bootstrap.len())
            .finish()
    }
}

/// Per-thread buffers of [`Recognizer::tag_block`].
#[derive(Default)]
struct BlockScratch {
    scratch: Scratch,
    feats: SentenceFeatures,
    /// Emission scores of every token of the block, sentence after sentence.
    em: Vec<[f32; N_LABELS]>,
    /// Hashes of the lexical forms of every token of the block.
    lex: Vec<u64>,
    words: Vec<bool>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<BlockScratch> = std::cell::RefCell::new(Default::default());
}

impl Recognizer {
    /// The model embedded in the library (loaded once, on first use).
    ///
    /// # Errors
    /// If the embedded model does not load (a build problem, not an input problem).
    pub fn embedded() -> Result<&'static Recognizer, &'static ModelError> {
        static CELL: OnceLock<Result<Recognizer, ModelError>> = OnceLock::new();
        CELL.get_or_init(|| Recognizer::from_bytes(EMBEDDED_MODEL))
            .as_ref()
    }

    /// The bytes of the embedded model file.
    pub fn embedded_bytes() -> &'static [u8] {
        EMBEDDED_MODEL
    }

    /// Loads a model file.
    ///
    /// # Errors
    /// See [`ModelError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Recognizer, ModelError> {
        let (manifest, payload) = model::from_bytes(bytes)?;
        Recognizer::from_parts(manifest, &payload)
    }

    /// A tagger from a decoded manifest and payload.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] if the weight arrays do not fit together.
    pub fn from_parts(manifest: Manifest, payload: &Payload) -> Result<Recognizer, ModelError> {
        let weights = Weights::new(&payload.weights).ok_or(ModelError::Inconsistent(
            "weight arrays of the wrong length",
        ))?;
        let transitions = perceptron::constrained(weights.transitions());
        Ok(Recognizer {
            manifest,
            weights,
            transitions,
            lexicon: Lexicon::new(&payload.lexicon),
            gazetteer: Gazetteer::new(&payload.gazetteer),
            bootstrap: Gazetteer::new(&payload.bootstrap),
            corpus_tags: CorpusTags::new(&payload.corpus_tags),
            context_tags: CorpusTags::new(&payload.context_tags),
            doc_tags: CorpusTags::new(&payload.doc_tags),
            collocations: collocations::Collocations::new(&payload.collocations),
            neighbors: knn::Neighbors::new(&payload.neighbors),
            doc_window: payload.doc_window as usize,
            context_only: false,
            normalizer: Normalizer::new(Profile::SEARCH),
            analyzer: TextAnalyzer::default_analyzer(),
        })
    }

    /// What the model is and how it was made.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The word lexicon (clusters and counts), e.g. for [`keys`].
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    fn resources(&self) -> Resources<'_> {
        Resources {
            lexicon: &self.lexicon,
            gazetteer: &self.gazetteer,
            bootstrap: &self.bootstrap,
            corpus_tags: &self.corpus_tags,
            context_tags: &self.context_tags,
            doc_tags: &self.doc_tags,
            collocations: &self.collocations,
            neighbors: &self.neighbors,
        }
    }

    /// Tags one sentence of search-normalized tokens; returns tags and per-token
    /// marginals of the chosen tags (if `with_scores`). The sentence is its own
    /// document: see [`Recognizer::tag_block`] for text with neighbours.
    pub fn tag_normalized(&self, norms: &[&str], with_scores: bool) -> (Vec<Tag>, Vec<f32>) {
        self.tag_block(&[norms], with_scores)
            .pop()
            .unwrap_or_default()
    }

    /// This tagger, looking at context only (see the `context_only` field); for training.
    pub fn into_context_only(mut self) -> Recognizer {
        self.context_only = true;
        self
    }

    /// Sentences each side the document-consistency pass looks at (0 = none).
    pub fn doc_window(&self) -> usize {
        self.doc_window
    }

    /// Tags consecutive sentences of search-normalized tokens (a document or a
    /// piece of one): a first pass per sentence, then, if the model has
    /// document features, a second pass that also sees how the same words were
    /// tagged in the neighbouring sentences ([`doc`]). Returns tags and, if
    /// `with_scores`, per-token marginals of the chosen tags.
    pub fn tag_block(&self, sents: &[&[&str]], with_scores: bool) -> Vec<(Vec<Tag>, Vec<f32>)> {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let BlockScratch {
                scratch,
                feats,
                em,
                lex,
                words,
            } = &mut *s;
            em.clear();
            lex.clear();
            words.clear();
            let two_pass = self.doc_window > 0;
            let mut bounds = Vec::with_capacity(sents.len() + 1);
            let mut labels: Vec<Vec<Label>> = Vec::with_capacity(sents.len());
            let mut tags: Vec<Vec<Tag>> = Vec::with_capacity(sents.len());
            bounds.push(0);
            for norms in sents {
                if self.context_only {
                    let all = vec![true; norms.len()];
                    features::extract_with_dropout(self.resources(), norms, scratch, feats, &all);
                } else {
                    features::extract(self.resources(), norms, scratch, feats);
                }
                let start = em.len();
                em.resize(start + norms.len(), [0.0; N_LABELS]);
                for (i, e) in em[start..].iter_mut().enumerate() {
                    self.weights.score(feats.of(i), e);
                }
                let mut l = Vec::with_capacity(norms.len());
                perceptron::viterbi(&em[start..], &self.transitions, &mut l);
                tags.push(tags::to_tags(&l));
                labels.push(l);
                bounds.push(em.len());
                if two_pass {
                    lex.extend_from_slice(scratch.lex_hashes());
                    words.extend(scratch.words());
                }
            }
            if two_pass {
                let lex_s: Vec<&[u64]> = bounds.windows(2).map(|b| &lex[b[0]..b[1]]).collect();
                let word_s: Vec<&[bool]> = bounds.windows(2).map(|b| &words[b[0]..b[1]]).collect();
                let ev = doc::evidence(&lex_s, &tags, &word_s, self.doc_window);
                for (k, e) in ev.iter().enumerate() {
                    if e.iter().all(|x| x.others == 0) {
                        continue;
                    }
                    features::extract_doc(e, feats);
                    let rows = &mut em[bounds[k]..bounds[k + 1]];
                    for (i, row) in rows.iter_mut().enumerate() {
                        self.weights.add_score(feats.of(i), row);
                    }
                    perceptron::viterbi(rows, &self.transitions, &mut labels[k]);
                }
            }
            labels
                .into_iter()
                .enumerate()
                .map(|(k, l)| {
                    let scores = if with_scores {
                        let m =
                            perceptron::marginals(&em[bounds[k]..bounds[k + 1]], &self.transitions);
                        l.iter().zip(&m).map(|(l, row)| row[l.index()]).collect()
                    } else {
                        Vec::new()
                    };
                    (tags::to_tags(&l), scores)
                })
                .collect()
        })
    }

    /// Tags consecutive sentences given as tokens as written (CoNLL input), each
    /// token search-normalized first; see [`Recognizer::tag_block`].
    pub fn tag_token_block<S: AsRef<str>, T: AsRef<[S]>>(&self, sents: &[T]) -> Vec<Vec<Tag>> {
        let norms: Vec<Vec<std::borrow::Cow<'_, str>>> = sents
            .iter()
            .map(|s| {
                s.as_ref()
                    .iter()
                    .map(|t| self.normalizer.normalize(t.as_ref()))
                    .collect()
            })
            .collect();
        let refs: Vec<Vec<&str>> = norms
            .iter()
            .map(|s| s.iter().map(|c| c.as_ref()).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(|v| v.as_slice()).collect();
        self.tag_block(&slices, false)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// Tags many consecutive sentences in parallel: blocks of `block` sentences,
    /// each tagged with [`doc_window`](Recognizer::doc_window) sentences of
    /// context on either side, so the result does not depend on the block size
    /// or the number of threads.
    pub fn tag_sentences<S: AsRef<str>, T: AsRef<[S]> + Sync>(
        &self,
        sents: &[T],
        block: usize,
    ) -> Vec<Vec<Tag>> {
        use rayon::prelude::*;
        let block = block.max(1);
        let w = self.doc_window;
        let starts: Vec<usize> = (0..sents.len()).step_by(block).collect();
        let parts: Vec<Vec<Vec<Tag>>> = starts
            .par_iter()
            .map(|&a| {
                let b = (a + block).min(sents.len());
                let lo = a.saturating_sub(w);
                let hi = (b + w).min(sents.len());
                let mut t = self.tag_token_block(&sents[lo..hi]);
                t.truncate(b - lo);
                t.drain(..a - lo);
                t
            })
            .collect();
        parts.into_iter().flatten().collect()
    }

    /// Tags one sentence given as tokens as written (CoNLL input): each token
    /// is search-normalized first.
    pub fn tag_tokens<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<Tag> {
        let norms: Vec<std::borrow::Cow<'_, str>> = tokens
            .iter()
            .map(|t| self.normalizer.normalize(t.as_ref()))
            .collect();
        let refs: Vec<&str> = norms.iter().map(|c| c.as_ref()).collect();
        self.tag_normalized(&refs, false).0
    }

    /// Entities of an analyzed text (spans are into `text`, shifted by `offset`
    /// for pieces of a longer document). Keys are per-mention; see
    /// [`keys::resolve_document`] to link partial names.
    pub fn recognize_analysis(&self, analysis: &Analysis, offset: u32) -> Vec<Entity> {
        let mut out = Vec::new();
        let mut sent_toks: Vec<Vec<&khabar_core::Token>> = Vec::new();
        let mut sent_norms: Vec<Vec<&str>> = Vec::new();
        for s in &analysis.sentences {
            let toks: Vec<&khabar_core::Token> = analysis.tokens_of(s).iter().collect();
            if toks.is_empty() {
                continue;
            }
            // Symbols and emoji never belong to names; they still split context.
            sent_norms.push(toks.iter().map(|t| analysis.norm(t)).collect());
            sent_toks.push(toks);
        }
        let slices: Vec<&[&str]> = sent_norms.iter().map(|v| v.as_slice()).collect();
        let tagged = self.tag_block(&slices, true);
        for ((toks, norms), (tags, scores)) in sent_toks.iter().zip(&sent_norms).zip(&tagged) {
            for sp in tags::spans(tags) {
                let first = toks[sp.start];
                let last = toks[sp.end - 1];
                if first.kind == TokenKind::Punct || last.kind == TokenKind::Punct {
                    continue;
                }
                let span = Span::new(first.span.start, last.span.end).shifted(offset);
                let score = (scores[sp.start..sp.end].iter().sum::<f32>()
                    / (sp.end - sp.start) as f32)
                    .clamp(0.0, 1.0);
                let key = keys::mention_key(&self.lexicon, &norms[sp.start..sp.end]);
                out.push(Entity {
                    span,
                    ty: sp.ty,
                    score,
                    key,
                });
            }
        }
        out
    }

    /// Entities of a text, with keys linked within the text
    /// ([`keys::resolve_document`]). Long texts are processed in pieces of about
    /// [`CHUNK_BYTES`], so memory stays bounded.
    ///
    /// # Errors
    /// [`Error::Text`] if the text is larger than the text layer accepts.
    pub fn recognize_text(&self, text: &str) -> Result<Vec<Entity>, Error> {
        if text.len() > Span::MAX_TEXT_LEN {
            return Err(Error::Text(khabar_core::Error::TextTooLarge {
                len: text.len(),
                max: Span::MAX_TEXT_LEN,
            }));
        }
        let mut out = Vec::new();
        let mut analysis = Analysis::default();
        for r in khabar_core::chunk::chunk_ranges(text, CHUNK_BYTES) {
            let piece = &text[r.clone()];
            self.analyzer.analyze_into(piece, &mut analysis)?;
            out.extend(self.recognize_analysis(&analysis, r.start as u32));
        }
        keys::resolve_document(&mut out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_has_a_manifest() {
        let r = Recognizer::embedded().expect("embedded model");
        let m = r.manifest();
        assert_eq!(m.feature_schema, features::FEATURE_SCHEMA);
        assert_eq!(m.labels.len(), N_LABELS);
        assert!(m.license.contains("CC BY-SA 4.0"));
        assert!(Recognizer::embedded_bytes().len() <= 30 << 20);
    }

    #[test]
    fn empty_and_odd_inputs() {
        let r = Recognizer::embedded().expect("embedded model");
        assert!(r.recognize_text("").unwrap().is_empty());
        assert!(r.tag_tokens::<&str>(&[]).is_empty());
        for t in [
            "\u{FEFF}",
            "ـــ",
            "«»",
            "١٢٣",
            "\u{200F}",
            "a\u{0301}",
            "؟!",
        ] {
            let e = r.recognize_text(t).unwrap();
            for x in e {
                assert!(t.get(x.span.range()).is_some());
            }
        }
    }
}
