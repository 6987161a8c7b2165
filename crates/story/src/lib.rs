//! # khabar-story: from many reports to one story
//!
//! Cross-document logic over analyses from `khabar-core`: near-duplicate
//! documents (MinHash + LSH), story clustering, quote attribution, groups of
//! statements that say the same thing in other words, extractive summaries
//! with support counts, keyphrases, and the digest that ties them together.
//! Pure functions, no I/O; every span is a byte range into the caller's text;
//! same input, same output, byte for byte.
//!
//! ## Should I use this crate?
//! Use it when you hold Arabic news texts in memory and want who-said-what
//! ([`quotes`]), summaries ([`summary`]), keyphrases ([`keyphrases`]) or a whole
//! [`digest`]. For files, folders and JSONL, use the `khabar` command line
//! (`khabar digest`, `khabar summarize`).
//!
//! Entities come in as plain [`Mention`]s through a [`digest::EntityTagger`], so
//! this crate does not depend on a particular NER model; the `khabar` facade
//! fills them from `khabar-ner`. Without a tagger, quotes still find their
//! speakers from title phrases («الرئيس الروسي», «مصادر أمنية»).
//!
//! ```
//! use khabar_story::digest::{build_digest, DigestDocument, DigestOptions, NoEntities};
//!
//! let docs = [
//!     DigestDocument { id: "a", title: None,
//!         text: "قال الرئيس الروسي إن الخطوة التالية يجب أن تكون وقف إطلاق النار في سوريا." },
//!     DigestDocument { id: "b", title: None,
//!         text: "وأكد بوتين أن الخطوة التالية هي وقف إطلاق النار في جميع أنحاء سورية." },
//! ];
//! let digest = build_digest(&docs, &NoEntities, None, &DigestOptions::default()).unwrap();
//! let story = &digest.stories[0];
//! assert_eq!(story.summary[0].support, 2); // both reports make this statement
//! assert_eq!(story.quotes[0].speaker, "الرئيس الروسي");
//! assert_eq!(story.quotes[1].cue, "اكد");
//! ```
#![deny(missing_docs)]

pub mod cluster;
pub mod dedup;
pub mod digest;
pub mod gazetteer;
pub mod keyphrases;
pub mod lexicon;
pub mod minhash;
pub mod quotes;
pub mod statements;
pub mod stopwords;
pub mod summary;
pub mod summary_model;
pub mod terms;
pub mod time;
pub mod vector;
pub mod words;

use khabar_core::Span;
use serde::{Deserialize, Serialize};

/// Errors of the story logic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document could not be analysed (it is larger than spans can address).
    #[error(transparent)]
    Text(#[from] khabar_core::Error),
}

/// A named-entity mention, as produced by an entity tagger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Where it is in the document text.
    pub span: Span,
    /// `PER`, `LOC`, `ORG` or `MISC`.
    pub label: String,
    /// The canonical key shared by every spelling of the same entity.
    pub key: String,
}
