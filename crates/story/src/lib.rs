//! # khabar-story: from many reports to one story
//!
//! Cross-document logic over analyses from `khabar-core`: near-duplicate
//! documents (MinHash + LSH), story clustering, quote attribution, groups of
//! statements that say the same thing in other words, extractive summaries
//! with support counts, keyphrases, and the digest that ties them together.
//!
//! Entities come in as plain [`Mention`]s so this crate does not depend on a
//! particular NER model; the `khabar` facade fills them from `khabar-ner`.
#![deny(missing_docs)]

pub mod cluster;
pub mod dedup;
pub mod digest;
pub mod keyphrases;
pub mod minhash;
pub mod quotes;
pub mod statements;
pub mod stopwords;
pub mod summary;
pub mod time;
pub mod words;

use khabar_core::Span;
use serde::{Deserialize, Serialize};

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
