//! Index terms from khabar's analysis: what the search index stores and what
//! queries are turned into, so both sides always agree.
//!
//! Each searchable token (words, foreign words, numbers, hashtags, URLs…;
//! not punctuation) takes one position. Its **primary term** is khabar's
//! light stem of the clitic-segmented stem, already search-normalized (alef
//! forms → ا, ى → ي, ة → ه, no harakat or tatweel), with one more fold for
//! hamza seats (ؤ, ئ → ء: «مسؤول» and «مسئول» meet). So «والأسد», «الاسد» and
//! «بالأسد» index as «اسد», and «سوريا», «سورية» as «سور».
//!
//! When the clitic segmenter split no proclitic but the word starts with one
//! (و ف ب ك ل, then maybe ال), an **alternate term** for the word without it
//! goes at the same position: «وسوريا» → «وسور» and «سور»; «بدمشق» →
//! «بدمشق» and «دمشق». At least four letters must remain, so «وزير» gets no
//! «زير». Alternates raise recall on names the segmenter does not know;
//! phrases use primary terms only.
//!
//! Each token keeps its span in the original text, which is what highlights
//! and tantivy's token offsets point at.

use khabar_core::stem::light_stem;
use khabar_core::{Analysis, SegmentKind, Span, TokenKind};

/// A term at a position, with the span of the token it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexToken {
    /// The term.
    pub term: String,
    /// Span of the token in the original text.
    pub span: Span,
    /// Token position (0-based, consecutive over searchable tokens).
    pub position: u32,
    /// True for an alternate term (same position as the primary before it).
    pub alternate: bool,
}

/// Proclitic letters that may stay glued to a word the segmenter did not split.
const PROCLITIC_LETTERS: [char; 5] = ['و', 'ف', 'ب', 'ك', 'ل'];

/// Folds hamza seats so spellings with and without a seated hamza meet
/// (the input is already search-normalized, so already lowercase).
pub(crate) fn fold_term(s: &str, out: &mut String) {
    for c in s.chars() {
        out.push(match c {
            'ؤ' | 'ئ' => 'ء',
            c => c,
        });
    }
}

/// The stemmed, folded term of a bare (normalized) word.
fn word_term(word: &str) -> String {
    let r = light_stem(word);
    let mut t = String::with_capacity(r.len());
    fold_term(&word[r], &mut t);
    t
}

/// The word without a glued proclitic letter (and a following «ال»), if enough remains.
fn strip_glued_proclitic(form: &str) -> Option<&str> {
    let mut chars = form.chars();
    let first = chars.next()?;
    if !PROCLITIC_LETTERS.contains(&first) {
        return None;
    }
    let mut rest = &form[first.len_utf8()..];
    if let Some(r) = rest.strip_prefix("ال") {
        rest = r;
    } else if first == 'ل'
        && let Some(r) = rest.strip_prefix('ل')
    {
        // «للمدينة» written without the segmenter's help: ل + (ا)ل + مدينة.
        rest = r;
    }
    (rest.chars().count() >= 4).then_some(rest)
}

/// Appends the index tokens of `text` (analysed as `analysis`) to `out`,
/// numbering positions from `first_position`. Returns the next free position.
pub fn index_tokens(
    text: &str,
    analysis: &Analysis,
    first_position: u32,
    out: &mut Vec<IndexToken>,
) -> u32 {
    let _ = text;
    let mut position = first_position;
    for t in &analysis.tokens {
        let primary = match t.kind {
            TokenKind::Punct | TokenKind::Symbol => continue,
            TokenKind::Word => {
                let stem = analysis.stem(t);
                let base = if stem.is_empty() {
                    analysis.norm(t)
                } else {
                    stem
                };
                let mut term = String::with_capacity(base.len());
                fold_term(base, &mut term);
                term
            }
            _ => {
                let mut term = String::new();
                fold_term(analysis.norm(t), &mut term);
                term
            }
        };
        if primary.is_empty() {
            continue;
        }
        let alternate = if t.kind == TokenKind::Word
            && !analysis
                .segments_of(t)
                .iter()
                .any(|s| s.kind == SegmentKind::Proclitic)
        {
            let form = analysis
                .stem_segment(t)
                .map(|s| analysis.form(s))
                .unwrap_or_else(|| analysis.norm(t));
            strip_glued_proclitic(form)
                .map(word_term)
                .filter(|a| *a != primary && !a.is_empty())
        } else {
            None
        };
        out.push(IndexToken {
            term: primary,
            span: t.span,
            position,
            alternate: false,
        });
        if let Some(a) = alternate {
            out.push(IndexToken {
                term: a,
                span: t.span,
                position,
                alternate: true,
            });
        }
        position += 1;
    }
    position
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;

    fn terms(text: &str) -> Vec<(String, u32)> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let mut out = Vec::new();
        index_tokens(text, &a, 0, &mut out);
        out.into_iter().map(|t| (t.term, t.position)).collect()
    }

    fn primary(text: &str) -> Vec<String> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let mut out = Vec::new();
        index_tokens(text, &a, 0, &mut out);
        out.into_iter()
            .filter(|t| !t.alternate)
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn spelling_variants_meet() {
        assert_eq!(primary("سوريا"), primary("سورية"));
        assert_eq!(primary("والأسد"), primary("الاسد"));
        assert_eq!(primary("الأسد"), primary("بالأسد"));
        assert_eq!(primary("مسؤول"), primary("مسئول"));
        assert_eq!(primary("إسرائيل"), primary("اسرائيل"));
        assert_eq!(primary("مصطفى"), primary("مصطفي"));
    }

    #[test]
    fn glued_proclitics_get_an_alternate_at_the_same_position() {
        let t = terms("وسوريا بدمشق وزير.");
        let sur = primary("سوريا")[0].clone();
        assert!(t.contains(&(sur, 0)), "{t:?}");
        assert!(t.contains(&("دمشق".to_string(), 1)), "{t:?}");
        // «وزير» keeps only itself: three letters would remain.
        assert_eq!(t.iter().filter(|(_, p)| *p == 2).count(), 1, "{t:?}");
    }

    #[test]
    fn punctuation_takes_no_position_and_spans_slice_the_original() {
        let text = "قال: «الحرب» انتهت، 2018.";
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let mut out = Vec::new();
        let next = index_tokens(text, &a, 5, &mut out);
        let positions: Vec<u32> = out.iter().map(|t| t.position).collect();
        assert_eq!(positions, [5, 6, 7, 8]);
        assert_eq!(next, 9);
        assert_eq!(out[1].span.slice(text), "الحرب");
        assert_eq!(out[3].term, "2018");
    }
}
