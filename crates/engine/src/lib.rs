//! # khabar: Arabic news in, structured knowledge out
//!
//! The facade other Rust programs embed. It reads documents (plain-text
//! files, folders, JSONL, stdin) with clear errors for bad input, runs the
//! pipeline over them in parallel with results in input order, and writes
//! the machine-readable formats the `khabar` command line prints.
//!
//! [`Engine`] bundles the text layer ([`khabar_core`], re-exported as [`core`]),
//! the embedded entity tagger ([`khabar_ner`], as [`ner`]) and the story logic
//! ([`khabar_story`], as [`story`]).
#![deny(missing_docs)]

pub mod analyze;
pub mod batch;
mod engine;
pub mod input;

pub use engine::{Engine, EngineError, EngineOptions, digest_inputs};
pub use input::{
    Document, DocumentReader, InputError, InputFormat, InputOptions, InputStats, Source,
};
pub use khabar_core as core;
pub use khabar_ner as ner;
pub use khabar_story as story;
