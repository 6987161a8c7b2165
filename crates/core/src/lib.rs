//! # khabar-core: the Arabic text layer
//!
//! Pure functions from Arabic news text to an [`Analysis`]: sentences, tokens,
//! normalized forms, clitic segments and stems. Every annotation carries a
//! [`Span`], a byte range into the *original* text, so `&text[span.range()]`
//! is always what the outlet wrote. No I/O, no global state, no panics on any
//! input.
//!
//! ## Should I use this crate?
//! Use it to tokenize, normalize or segment Arabic text with exact offsets. For
//! named entities see `khabar-ner`; for duplicates, stories and summaries
//! `khabar-story`; for files, JSONL and batches the `khabar` facade.
//!
//! ```
//! use khabar_core::{TextAnalyzer, Normalizer, Profile};
//!
//! let text = "واعلن الكرملين استعادة حلب.";
//! let analysis = TextAnalyzer::default_analyzer().analyze(text).unwrap();
//! let t = &analysis.tokens[1];
//! assert_eq!(&text[t.span.range()], "الكرملين");
//! let forms: Vec<&str> = analysis.segments_of(t).iter().map(|s| analysis.form(s)).collect();
//! assert_eq!(forms, ["ال", "كرملين"]);
//!
//! assert_eq!(Normalizer::new(Profile::SEARCH).normalize("إعادة"), "اعاده");
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod chars;
pub mod chunk;
pub mod clitics;
pub mod normalize;
pub mod sentence;
mod span;
pub mod stem;
pub mod token;

pub use analysis::{Analysis, AnalyzerOptions, Segment, Sentence, StemMode, TextAnalyzer, Token};
pub use clitics::{CliticSegmenter, SegmentKind};
pub use normalize::{Normalizer, OffsetMap, Profile};
pub use span::Span;
pub use token::TokenKind;

/// Errors of the text layer. The text layer accepts any `&str`; the errors are
/// about size and about loading a clitic model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text does not fit 32-bit offsets.
    #[error(
        "text of {len} bytes is larger than the {max} bytes a span can address; split it into documents"
    )]
    TextTooLarge {
        /// Length of the text.
        len: usize,
        /// Largest supported length.
        max: usize,
    },
    /// The bytes are not a khabar clitic model (the magic header is missing).
    #[error("not a khabar clitic model: the file does not start with the KHABAR-CLITICS header")]
    ModelMagic,
    /// The model was written in a format this build cannot read.
    #[error(
        "clitic model format version {found} is not supported (this build reads version {supported}); retrain it with `khabar train segmenter`"
    )]
    ModelVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The model is truncated or damaged.
    #[error("clitic model is damaged ({what}); retrain it with `khabar train segmenter`")]
    ModelCorrupt {
        /// The part that failed to read.
        what: &'static str,
    },
}

impl TextAnalyzer {
    /// An analyzer with default options (light stems, built-in segmenter).
    pub fn default_analyzer() -> TextAnalyzer {
        TextAnalyzer::new(AnalyzerOptions::default())
    }
}
