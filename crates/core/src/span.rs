//! Byte spans into the original input.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the *original* input text.
///
/// Every annotation khabar produces (sentence, token, clitic segment, entity,
/// quote) carries one, so `&input[span.range()]` is always its surface and
/// anything can be highlighted in the text the user gave us. Offsets are `u32`
/// to keep tokens small; documents are limited to [`Span::MAX_TEXT_LEN`] bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// Largest text (in bytes) whose offsets fit in a span.
    pub const MAX_TEXT_LEN: usize = u32::MAX as usize;

    /// A span from `start` to `end` (`start <= end`).
    #[inline]
    pub const fn new(start: u32, end: u32) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }

    /// A span from `usize` offsets. Callers guarantee the text fits (see [`Span::MAX_TEXT_LEN`]).
    #[inline]
    pub fn from_usize(start: usize, end: usize) -> Span {
        debug_assert!(end <= Self::MAX_TEXT_LEN);
        Span::new(start as u32, end as u32)
    }

    /// The span as a `usize` range, for slicing.
    #[inline]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    #[inline]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for an empty span.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The surface of this span in `text`.
    ///
    /// Returns an empty string instead of panicking if the span does not fit `text`.
    #[inline]
    pub fn slice(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }

    /// True if `other` lies inside `self`.
    #[inline]
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Smallest span covering both.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This span moved right by `delta` bytes (for spans relative to a sub-slice).
    #[inline]
    pub fn shifted(self, delta: u32) -> Span {
        Span::new(self.start + delta, self.end + delta)
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
