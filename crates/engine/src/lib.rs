//! # khabar: Arabic news in, structured knowledge out
//!
//! The facade other Rust programs embed. It reads documents (plain-text
//! files, folders, JSONL, stdin) with clear errors for bad input, runs the
//! pipeline over them in parallel with results in input order, and writes
//! the machine-readable formats the `khabar` command line prints.
//!
//! The text layer itself is [`khabar_core`], re-exported as [`core`].
#![deny(missing_docs)]

pub mod analyze;
pub mod batch;
pub mod input;

pub use input::{
    Document, DocumentReader, InputError, InputFormat, InputOptions, InputStats, Source,
};
pub use khabar_core as core;
