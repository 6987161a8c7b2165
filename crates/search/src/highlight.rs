//! Highlights and snippets: which words of a document matched, as spans into
//! its original text, and the best sentence to show.
//!
//! Highlighting re-runs the analysis on the stored text and marks every token
//! whose index term is one of the query's terms, so what is marked is exactly
//! what matched, in the outlet's own spelling («والأسد» for the query «الاسد»).

use crate::terms::{IndexToken, index_tokens};
use khabar_core::{Analysis, Span, TextAnalyzer};
use serde::Serialize;

/// Longest snippet, in bytes of the original text (about 150 Arabic letters).
pub const SNIPPET_MAX_BYTES: usize = 320;

/// A span in both byte offsets (for Rust, Python with `.encode()`) and UTF-16
/// code units (for JavaScript strings and the DOM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Offsets {
    /// First byte (UTF-8) in the string it refers to.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// First UTF-16 code unit.
    pub start_utf16: u32,
    /// One past the last UTF-16 code unit.
    pub end_utf16: u32,
}

/// Converts byte spans (sorted by start) into [`Offsets`] in one pass over `text`.
pub fn with_utf16(text: &str, spans: &[Span]) -> Vec<Offsets> {
    let mut out = Vec::with_capacity(spans.len());
    // Walk once; spans are sorted, so the UTF-16 position only moves forward.
    let mut byte = 0usize;
    let mut u16pos = 0u32;
    let advance = |to: usize, byte: &mut usize, u16pos: &mut u32| {
        let to = to.min(text.len());
        if to > *byte
            && let Some(s) = text.get(*byte..to)
        {
            *u16pos += s.encode_utf16().count() as u32;
            *byte = to;
        }
    };
    for s in spans {
        if (s.start as usize) < byte {
            // Not sorted: fall back to counting from the start.
            byte = 0;
            u16pos = 0;
        }
        advance(s.start as usize, &mut byte, &mut u16pos);
        let start_utf16 = u16pos;
        advance(s.end as usize, &mut byte, &mut u16pos);
        out.push(Offsets {
            start: s.start,
            end: s.end,
            start_utf16,
            end_utf16: u16pos,
        });
    }
    out
}

/// The spans of tokens in `text` whose term is in `terms` (sorted), merged when adjacent tokens touch.
pub fn highlight_spans(analysis: &Analysis, text: &str, terms: &[String]) -> Vec<Span> {
    let mut tokens: Vec<IndexToken> = Vec::new();
    index_tokens(text, analysis, 0, &mut tokens);
    let mut out: Vec<Span> = Vec::new();
    for t in tokens {
        if terms.binary_search(&t.term).is_ok() {
            match out.last_mut() {
                Some(last) if last.end >= t.span.start => last.end = last.end.max(t.span.end),
                _ => out.push(t.span),
            }
        }
    }
    out
}

/// A snippet: a stretch of the text and the highlights inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The stretch, in the original text.
    pub span: Span,
    /// Highlights inside it (document coordinates).
    pub highlights: Vec<Span>,
}

/// Moves `i` back to a char boundary of `text`.
fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The sentence with the most distinct matched words (the first one on ties),
/// cut to [`SNIPPET_MAX_BYTES`] around its first highlight; the lead when nothing matched.
pub fn snippet(analysis: &Analysis, text: &str, highlights: &[Span]) -> Snippet {
    let mut best: Option<(usize, Span)> = None;
    for s in &analysis.sentences {
        let inside: Vec<&str> = highlights
            .iter()
            .filter(|h| s.span.contains(**h))
            .map(|h| h.slice(text))
            .collect();
        let mut distinct = inside.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let score = distinct.len();
        if score > 0 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, s.span));
        }
    }
    let sentence = match best {
        Some((_, s)) => s,
        None => analysis
            .sentences
            .first()
            .map(|s| s.span)
            .unwrap_or(Span::from_usize(0, text.len())),
    };
    let mut span = sentence;
    if span.len() > SNIPPET_MAX_BYTES {
        let first_hit = highlights
            .iter()
            .find(|h| sentence.contains(**h))
            .map(|h| h.start as usize)
            .unwrap_or(sentence.start as usize);
        let start = floor_char(
            text,
            first_hit
                .saturating_sub(SNIPPET_MAX_BYTES / 4)
                .max(sentence.start as usize),
        );
        let end = floor_char(text, (start + SNIPPET_MAX_BYTES).min(sentence.end as usize));
        span = Span::from_usize(start, end);
    }
    let highlights = highlights
        .iter()
        .filter(|h| span.contains(**h))
        .copied()
        .collect();
    Snippet { span, highlights }
}

/// Characters that end a stretch of text for [`candidate_windows`].
fn is_stop(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '\n' | '۔' | '…')
}

/// The stretch between the stops around `span` (the stop after it included).
fn stretch_around(text: &str, span: Span) -> Span {
    let start = text[..span.start as usize]
        .char_indices()
        .rev()
        .find(|(_, c)| is_stop(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[span.end as usize..]
        .char_indices()
        .find(|(_, c)| is_stop(*c))
        .map_or(text.len(), |(i, c)| span.end as usize + i + c.len_utf8());
    Span::from_usize(start, end)
}

/// Stretches of `text` that may hold a match: every index term is a substring
/// of its word's search-normalized form (hamza seats folded), so a search for
/// the terms in the normalized text finds every match (and some non-matches,
/// which the analysis of the stretch then drops). Sorted and merged.
pub fn candidate_windows(text: &str, terms: &[String]) -> Vec<Span> {
    let (norm, map) =
        khabar_core::Normalizer::new(khabar_core::Profile::SEARCH).normalize_with_map(text);
    // ؤ and ئ become ء as in index terms; all three are two bytes, so offsets stay.
    let folded: String = norm
        .chars()
        .map(|c| if c == 'ؤ' || c == 'ئ' { 'ء' } else { c })
        .collect();
    let mut windows: Vec<Span> = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        for (i, _) in folded.match_indices(t.as_str()) {
            let orig = map.to_original(Span::from_usize(i, i + t.len()));
            if text.get(orig.range()).is_some() {
                windows.push(stretch_around(text, orig));
            }
        }
    }
    windows.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(windows.len());
    for w in windows {
        match merged.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => merged.push(w),
        }
    }
    merged
}

/// Highlights of a title and a body for a query's terms.
///
/// Only the stretches of the body that may contain a match are analysed
/// ([`candidate_windows`]), so highlighting costs little more than one
/// normalization pass on long articles.
pub fn highlight_document(
    analyzer: &TextAnalyzer,
    title: Option<&str>,
    text: &str,
    terms: &[String],
) -> (Vec<Span>, Snippet) {
    let title_spans = match title {
        Some(t) => analyzer
            .analyze(t)
            .map(|a| highlight_spans(&a, t, terms))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let lead = || {
        let end = text
            .char_indices()
            .find(|(_, c)| is_stop(*c))
            .map_or(text.len(), |(i, c)| i + c.len_utf8());
        Span::from_usize(0, floor_char(text, end.min(SNIPPET_MAX_BYTES)))
    };
    let mut best: Option<(usize, Snippet)> = None;
    for w in candidate_windows(text, terms) {
        let piece = w.slice(text);
        let Ok(a) = analyzer.analyze(piece) else {
            continue;
        };
        let spans: Vec<Span> = highlight_spans(&a, piece, terms)
            .into_iter()
            .map(|s| s.shifted(w.start))
            .collect();
        if spans.is_empty() {
            continue;
        }
        // The best sentence of this stretch, in document coordinates.
        let mut sn = snippet(
            &a,
            piece,
            &spans
                .iter()
                .map(|s| Span::new(s.start - w.start, s.end - w.start))
                .collect::<Vec<_>>(),
        );
        sn.span = sn.span.shifted(w.start);
        sn.highlights = sn.highlights.iter().map(|h| h.shifted(w.start)).collect();
        let mut distinct: Vec<&str> = sn.highlights.iter().map(|h| h.slice(text)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let score = distinct.len();
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, sn));
        }
    }
    let body = match best {
        Some((_, sn)) => sn,
        None => Snippet {
            span: lead(),
            highlights: Vec::new(),
        },
    };
    (title_spans, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;
    use proptest::prelude::*;

    #[test]
    fn highlights_land_on_the_outlets_spelling() {
        let an = TextAnalyzer::default_analyzer();
        let text = "التقى الرئيس والأسد في دمشق. ثم عاد إلى سورية.";
        let q = parse_query(&an, "الاسد سوريا").unwrap();
        let terms = q.highlight_terms();
        let a = an.analyze(text).unwrap();
        let spans = highlight_spans(&a, text, &terms);
        let marked: Vec<&str> = spans.iter().map(|s| s.slice(text)).collect();
        assert_eq!(marked, ["والأسد", "سورية"]);
        let offs = with_utf16(text, &spans);
        let utf16: Vec<u16> = text.encode_utf16().collect();
        let first =
            String::from_utf16(&utf16[offs[0].start_utf16 as usize..offs[0].end_utf16 as usize])
                .unwrap();
        assert_eq!(first, "والأسد");
    }

    #[test]
    fn windows_find_every_match_and_the_snippet_agrees_with_full_analysis() {
        let an = TextAnalyzer::default_analyzer();
        let text = "مقدمة طويلة لا علاقة لها.\nوقال مسئول إن والأسد وصل.\nخاتمة عن سوريا ودمشق!";
        let q = parse_query(&an, "مسؤول الاسد سورية بدمشق").unwrap();
        let terms = q.highlight_terms();
        let full = highlight_spans(&an.analyze(text).unwrap(), text, &terms);
        let mut windowed = Vec::new();
        for w in candidate_windows(text, &terms) {
            let a = an.analyze(w.slice(text)).unwrap();
            windowed.extend(
                highlight_spans(&a, w.slice(text), &terms)
                    .into_iter()
                    .map(|s| s.shifted(w.start)),
            );
        }
        assert_eq!(windowed, full);
        let marked: Vec<&str> = full.iter().map(|s| s.slice(text)).collect();
        assert_eq!(marked, ["مسئول", "والأسد", "سوريا", "ودمشق"]);
        let (_, sn) = highlight_document(&an, None, text, &terms);
        assert_eq!(sn.span.slice(text), "وقال مسئول إن والأسد وصل.");
        let (_, none) = highlight_document(&an, None, text, &["غائب".to_string()]);
        assert_eq!(none.span.slice(text), "مقدمة طويلة لا علاقة لها.");
        assert!(none.highlights.is_empty());
    }

    #[test]
    fn the_snippet_is_the_sentence_with_most_matches() {
        let an = TextAnalyzer::default_analyzer();
        let text = "خبر أول عن الاقتصاد. الأسد في سوريا اليوم. سوريا مرة أخرى.";
        let q = parse_query(&an, "الأسد سوريا").unwrap();
        let (_, sn) = highlight_document(&an, None, text, &q.highlight_terms());
        assert!(
            sn.span.slice(text).starts_with("الأسد في سوريا"),
            "{:?}",
            sn.span.slice(text)
        );
        assert_eq!(sn.highlights.len(), 2);
    }

    proptest! {
        #[test]
        fn utf16_offsets_agree_with_the_string(text in "[ا-ي a-z😀é]{0,40}", cuts in proptest::collection::vec(0usize..200, 0..6)) {
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| floor_char(&text, c)).collect();
            bounds.sort_unstable();
            let spans: Vec<Span> = bounds.windows(2).map(|w| Span::from_usize(w[0], w[1])).collect();
            for o in with_utf16(&text, &spans) {
                let expect_start = text[..o.start as usize].encode_utf16().count() as u32;
                let expect_end = text[..o.end as usize].encode_utf16().count() as u32;
                prop_assert_eq!((o.start_utf16, o.end_utf16), (expect_start, expect_end));
            }
        }
    }
}
