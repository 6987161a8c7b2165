//! Per-token views the cross-document logic matches on.
//!
//! The text layer gives each word a normalized form and clitic segments. For
//! matching statements across outlets we need a little more: the word without
//! a leading conjunction or preposition the segmenter left on («وتابع» →
//! «تابع», «لروسيا» → «روسيا»), and a *term*, the light stem of that, which is
//! what «سوريا», «سورية» and «السورية» share. Whether a leading «و» is a clitic
//! is decided by the document-frequency table: «وتابع» → «تابع» because
//! «تابع» is far more common than «وتابع», while «وقف» stays because «قف» is
//! not a word.

use crate::lexicon::{DocFreq, is_stop_word, speech_cue};
use khabar_core::{Analysis, Span, TokenKind, stem::light_stem};

/// One token as the story logic sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenView {
    /// Search-normalized word without a leading conjunction («وقال» → «قال»).
    pub core: String,
    /// The light stem of the word without any leading clitic («والسورية» → «سور»), for
    /// every word, stop words included; the normalized form for other tokens.
    pub stem: String,
    /// The content term: [`TokenView::stem`], but empty for stop words, punctuation and cues.
    pub term: String,
    /// Index of the paragraph (line) the token is in.
    pub paragraph: u32,
}

/// An analysed text with a [`TokenView`] per token and its paragraphs.
#[derive(Clone, Debug)]
pub struct Prepared<'t> {
    /// The original text; every span refers to it.
    pub text: &'t str,
    /// The text layer's analysis of it.
    pub analysis: Analysis,
    /// One view per token of `analysis.tokens`.
    pub views: Vec<TokenView>,
    /// Paragraph spans (non-empty lines), in order.
    pub paragraphs: Vec<Span>,
}

impl<'t> Prepared<'t> {
    /// Builds the views for an analysis of `text`.
    pub fn new(text: &'t str, analysis: Analysis, df: &DocFreq) -> Prepared<'t> {
        let paragraphs = paragraph_spans(text);
        let mut views = Vec::with_capacity(analysis.tokens.len());
        let mut p = 0usize;
        for t in &analysis.tokens {
            while p + 1 < paragraphs.len() && t.span.start >= paragraphs[p].end {
                p += 1;
            }
            let norm = analysis.norm(t);
            let (core, stem, term) = match t.kind {
                TokenKind::Word => {
                    let core = strip_leading_clitics(norm, df, true);
                    let stem_form = analysis
                        .stem_segment(t)
                        .map(|s| analysis.form(s))
                        .unwrap_or(norm);
                    let bare = strip_leading_clitics(stem_form, df, false);
                    let stem = bare[light_stem(bare)].to_string();
                    let term = if is_stop_word(core)
                        || is_stop_word(bare)
                        || speech_cue(core).is_some()
                        || bare.chars().count() < 2
                    {
                        String::new()
                    } else {
                        stem.clone()
                    };
                    (core.to_string(), stem, term)
                }
                TokenKind::Number => (norm.to_string(), norm.to_string(), norm.to_string()),
                TokenKind::Foreign | TokenKind::Hashtag => {
                    let n = norm.trim_start_matches('#');
                    (n.to_string(), n.to_string(), n.to_string())
                }
                _ => (norm.to_string(), norm.to_string(), String::new()),
            };
            views.push(TokenView {
                core,
                stem,
                term,
                paragraph: p as u32,
            });
        }
        Prepared {
            text,
            analysis,
            views,
            paragraphs,
        }
    }

    /// Index of the paragraph containing byte `offset`.
    pub fn paragraph_at(&self, offset: u32) -> usize {
        self.paragraphs
            .partition_point(|p| p.end <= offset)
            .min(self.paragraphs.len().saturating_sub(1))
    }
}

/// Spans of the non-empty lines of `text`, trimmed of surrounding whitespace.
pub fn paragraph_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed_start = line.len() - line.trim_start().len();
        let body = line.trim();
        if !body.is_empty() {
            let s = start + trimmed_start;
            out.push(Span::from_usize(s, s + body.len()));
        }
        start += line.len();
    }
    out
}

/// Removes a leading conjunction «و»/«ف» (always when `conjunction_only`), then
/// for terms also a preposition «ب»/«ل»/«ك», when the rest is clearly the more
/// common word. Returns a suffix of `w`.
pub fn strip_leading_clitics<'w>(w: &'w str, df: &DocFreq, conjunction_only: bool) -> &'w str {
    let mut cur = w;
    if let Some(rest) = cur.strip_prefix(['و', 'ف'])
        && clitic_is_plausible(rest, cur, df, true)
    {
        cur = rest;
    }
    if !conjunction_only
        && let Some(rest) = cur.strip_prefix(['ب', 'ل', 'ك'])
        && clitic_is_plausible(rest, cur, df, false)
    {
        cur = rest;
    }
    cur
}

/// Is `whole` = clitic + `rest`? Yes if `rest` is a known function word or clearly more
/// common than `whole`. For a conjunction on a word the table does not know, also when
/// `rest` is long enough not to be a root by itself («وزاسيبكين», but not «وقف»); names
/// that start with «ل» or «ب» («لاريجاني», «بوتين») are never split without evidence.
fn clitic_is_plausible(rest: &str, whole: &str, df: &DocFreq, conjunction: bool) -> bool {
    let n = rest.chars().count();
    if n < 2 {
        return false;
    }
    if known_function_word(rest) {
        return true;
    }
    let (dr, dw) = (df.form_df(rest), df.form_df(whole));
    if dr > 2 * dw.max(1) {
        return true;
    }
    if dr == 0 && dw == 0 {
        // Neither form is common: compare the stems («بتوسيع» → «توسيع» is a news term,
        // «بوتين» → «وتين» is not).
        let (tr, tw) = (
            df.term_df(&rest[light_stem(rest)]),
            df.term_df(&whole[light_stem(whole)]),
        );
        if tr > 2 * tw.max(1) {
            return true;
        }
        return conjunction && n >= 4;
    }
    false
}

/// Words the df table may not hold but that are surely words: stop words and cues.
fn known_function_word(w: &str) -> bool {
    is_stop_word(w) || speech_cue(w).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;

    fn views(text: &str) -> Vec<TokenView> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        Prepared::new(text, a, DocFreq::builtin()).views
    }

    #[test]
    fn conjunctions_come_off_cues_but_not_words() {
        let v = views("وتابع بوتين وقف إطلاق النار في سورية والسورية لروسيا");
        let core: Vec<&str> = v.iter().map(|t| t.core.as_str()).collect();
        assert_eq!(core[0], "تابع");
        assert_eq!(core[2], "وقف");
        let terms: Vec<&str> = v.iter().map(|t| t.term.as_str()).collect();
        // The cue and the stop word carry no term.
        assert_eq!(terms[0], "");
        assert_eq!(terms[5], "");
        assert_eq!(terms[2], "وقف");
        assert_eq!(terms[6], terms[7]);
        assert_eq!(terms[8], "روس");
    }

    #[test]
    fn paragraphs_are_non_empty_lines() {
        let text = "أ ب\n\n  ج د  \nهـ";
        let p = paragraph_spans(text);
        let s: Vec<&str> = p.iter().map(|s| s.slice(text)).collect();
        assert_eq!(s, ["أ ب", "ج د", "هـ"]);
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let pr = Prepared::new(text, a, DocFreq::builtin());
        let paras: Vec<u32> = pr.views.iter().map(|v| v.paragraph).collect();
        assert_eq!(paras, [0, 0, 1, 1, 2]);
    }
}
