//! Sentence boundaries over tokens.
//!
//! UAX#29 breaks Arabic after every «.» followed by a space, because Arabic has
//! no letter case; news text needs more care. A sentence ends:
//! - after a terminator token (`. ! ? ؟ … ۔` or a run of them), plus any closing
//!   quotes and brackets right after it (`.”`, `.»`, `.)`), unless the «.» ends
//!   an abbreviation or an initial («د.», «م.», «ق.م.», «U.S.»);
//! - at a line break (paragraphs are never joined).
//!
//! Decimals, dates, URLs and e-mails never split because the tokenizer keeps
//! them whole.

use crate::Span;
use crate::chars::{CharClass, class, is_closing};
use crate::token::{RawToken, TokenKind};

/// A sentence: its span in the original text and the range of token indices it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentenceBounds {
    /// From the first token's start to the last token's end.
    pub span: Span,
    /// Index of the first token.
    pub first_token: u32,
    /// One past the index of the last token.
    pub end_token: u32,
}

/// Latin abbreviations that take a period without ending a sentence (lowercase).
const LATIN_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "corp",
    "gen", "col", "lt", "sgt", "capt", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "fig", "vol", "pp", "approx", "dept", "univ", "gov",
];

/// Arabic abbreviations of more than one letter that take a period (skeletons, after
/// removing harakat and tatweel). Single letters («د.», «م.», «ق.», «ص.») are always
/// treated as abbreviations or initials.
const ARABIC_ABBREVIATIONS: &[&str] = &[
    "ت", "تل", "ج", "جم", "ص", "ق", "م", "هـ", "اه", "أ", "د", "ك", "كم", "مم", "سم", "كغ", "كجم",
];

/// Finds sentence boundaries in `text` given its `tokens`, appending them to `out`.
pub fn split_sentences(text: &str, tokens: &[RawToken], out: &mut Vec<SentenceBounds>) {
    let n = tokens.len();
    if n == 0 {
        return;
    }
    let mut first = 0usize;
    // Whether a double quote («"», «“», «”», used in either direction by outlets) is open.
    let mut double_open = false;
    let mut i = 0usize;
    while i < n {
        if i > first && gap_has_line_break(text, tokens[i - 1].span.end, tokens[i].span.start) {
            push(out, tokens, first, i);
            first = i;
            double_open = false;
        }
        let t = tokens[i];
        if t.kind != TokenKind::Punct {
            i += 1;
            continue;
        }
        let s = t.span.slice(text);
        if is_double_quote(s) {
            double_open = !double_open;
        }
        if s.chars().all(crate::chars::is_terminator) && is_boundary(text, tokens, i) {
            // Absorb closing quotes and brackets on the same line.
            let mut j = i + 1;
            while j < n && !gap_has_line_break(text, tokens[j - 1].span.end, tokens[j].span.start) {
                let tj = tokens[j];
                let sj = tj.span.slice(text);
                if tj.kind != TokenKind::Punct {
                    break;
                }
                let mut cs = sj.chars();
                let (Some(c), None) = (cs.next(), cs.next()) else {
                    break;
                };
                if is_double_quote(sj) {
                    if double_open {
                        double_open = false;
                        j += 1;
                        continue;
                    }
                    break;
                }
                if is_closing(c) {
                    j += 1;
                    continue;
                }
                break;
            }
            push(out, tokens, first, j);
            first = j;
            i = j;
            continue;
        }
        i += 1;
    }
    if first < n {
        push(out, tokens, first, n);
    }
}

fn push(out: &mut Vec<SentenceBounds>, tokens: &[RawToken], first: usize, end: usize) {
    if end <= first {
        return;
    }
    out.push(SentenceBounds {
        span: Span::new(tokens[first].span.start, tokens[end - 1].span.end),
        first_token: first as u32,
        end_token: end as u32,
    });
}

fn is_double_quote(s: &str) -> bool {
    matches!(s, "\"" | "“" | "”" | "„" | "‟" | "″" | "＂")
}

#[inline]
fn gap_has_line_break(text: &str, from: u32, to: u32) -> bool {
    // Most gaps are one space.
    if to == from + 1 && text.as_bytes().get(from as usize) == Some(&b' ') {
        return false;
    }
    let gap = &text.as_bytes()[from as usize..to as usize];
    if gap
        .iter()
        .any(|&b| b == b'\n' || b == b'\r' || b == 0x0B || b == 0x0C)
    {
        return true;
    }
    // Non-ASCII line separators (NEL, U+2028, U+2029) are rare: check only if the gap has non-ASCII.
    if gap.iter().any(|&b| b >= 0x80) {
        return text[from as usize..to as usize]
            .chars()
            .any(|c| class(c) == CharClass::LineBreak);
    }
    false
}

/// Letters of a word token, without harakat, tatweel or invisible marks.
fn letters(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|&c| matches!(class(c), CharClass::ArabicLetter | CharClass::OtherLetter))
}

/// Decides whether the terminator token `i` ends a sentence.
fn is_boundary(text: &str, tokens: &[RawToken], i: usize) -> bool {
    let t = tokens[i];
    let s = t.span.slice(text);
    let next = tokens.get(i + 1);
    let Some(next) = next else { return true };
    if s != "." {
        // «...», «!», «؟»: a boundary unless what follows is lowercase Latin or more punctuation
        // that continues the clause («...،»).
        let ns = next.span.slice(text);
        let lowercase_latin =
            next.kind == TokenKind::Foreign && ns.starts_with(|c: char| c.is_lowercase());
        return !lowercase_latin && !matches!(ns, "،" | "," | ";" | "؛" | ":");
    }
    let prev = if i > 0 { Some(tokens[i - 1]) } else { None };
    let prev_adjacent = prev.is_some_and(|p| p.span.end == t.span.start);
    let next_s = next.span.slice(text);
    // What follows a period that does not start a sentence.
    if next.kind == TokenKind::Foreign && next_s.starts_with(|c: char| c.is_lowercase()) {
        return false;
    }
    if matches!(next_s, "،" | "," | ";" | "؛") {
        return false;
    }
    let Some(prev) = prev.filter(|_| prev_adjacent) else {
        return true;
    };
    let ps = prev.span.slice(text);
    match prev.kind {
        TokenKind::Word => {
            let n_letters = letters(ps).count();
            if n_letters == 1 {
                // «م.» or «هـ.» right after a year is the era marker ending a sentence
                // («ولد عام 1770 م.»), otherwise a single letter is an initial or abbreviation.
                let is_era = matches!(letters(ps).next(), Some('م' | 'ه'));
                let after_number = i >= 2 && tokens[i - 2].kind == TokenKind::Number;
                if is_era && after_number {
                    // Still an abbreviation when directly followed by another initial («1770 م.ق.»)
                    return !(next.span.start == t.span.end && next.kind == TokenKind::Word);
                }
                return false;
            }
            let skeleton: String = ps
                .chars()
                .filter(|&c| !matches!(class(c), CharClass::ArabicMark | CharClass::Invisible))
                .collect();
            !ARABIC_ABBREVIATIONS.contains(&skeleton.as_str())
        }
        TokenKind::Foreign => {
            let n_letters = letters(ps).count();
            if n_letters == 1 && ps.chars().all(|c| c.is_uppercase()) {
                return false; // «U.S.», «J. Smith»
            }
            let lower = ps.to_lowercase();
            !LATIN_ABBREVIATIONS.contains(&lower.as_str())
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tokenize;

    fn sents(text: &str) -> Vec<&str> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let mut out = Vec::new();
        split_sentences(text, &toks, &mut out);
        out.iter().map(|s| s.span.slice(text)).collect()
    }

    #[test]
    fn arabic_and_latin_terminators() {
        assert_eq!(
            sents("قال بوتين. وأضاف! هل؟ نعم… لا؛ بل ربما."),
            ["قال بوتين.", "وأضاف!", "هل؟", "نعم…", "لا؛ بل ربما."]
        );
    }

    #[test]
    fn closing_quotes_and_brackets_stay() {
        assert_eq!(
            sents("قال “هذا ما نسعى اليه”. وتابع"),
            ["قال “هذا ما نسعى اليه”.", "وتابع"]
        );
        assert_eq!(
            sents("قال “هذا ما نسعى اليه.” وتابع"),
            ["قال “هذا ما نسعى اليه.”", "وتابع"]
        );
        assert_eq!(
            sents("قال «انتهى.» ثم (غادر.) بعدها"),
            ["قال «انتهى.»", "ثم (غادر.)", "بعدها"]
        );
        assert_eq!(sents("قال \"انتهى.\" ثم"), ["قال \"انتهى.\"", "ثم"]);
    }

    #[test]
    fn decimals_dates_urls_do_not_split() {
        assert_eq!(
            sents("ارتفع 2.5 و٣٫٥ في 12.5.2018 حسب www.bbc.com/a.b ثم info@x.com انتهى."),
            ["ارتفع 2.5 و٣٫٥ في 12.5.2018 حسب www.bbc.com/a.b ثم info@x.com انتهى."]
        );
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            sents("قال د. أحمد إن م. خالد وصل. ثم"),
            ["قال د. أحمد إن م. خالد وصل.", "ثم"]
        );
        assert_eq!(
            sents("في القرن الثالث ق.م. كانت ص.ب 123 هنا."),
            ["في القرن الثالث ق.م. كانت ص.ب 123 هنا."]
        );
        assert_eq!(sents("U.S. وزير قال. ثم"), ["U.S. وزير قال.", "ثم"]);
        assert_eq!(
            sents("ولد عام 1770 م. وقد عاش"),
            ["ولد عام 1770 م.", "وقد عاش"]
        );
        assert_eq!(sents("Mr. Smith said. Then"), ["Mr. Smith said.", "Then"]);
    }

    #[test]
    fn paragraphs_break() {
        assert_eq!(
            sents("سطر أول بلا نقطة\nسطر ثان\r\n\r\nثالث"),
            ["سطر أول بلا نقطة", "سطر ثان", "ثالث"]
        );
    }

    #[test]
    fn missing_space_after_period() {
        assert_eq!(
            sents("انتهى الاجتماع.وقال الوزير"),
            ["انتهى الاجتماع.", "وقال الوزير"]
        );
    }
}
