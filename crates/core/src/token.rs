//! Tokenization of the original text.
//!
//! The tokenizer reads the *original* text (not a normalized copy) so every
//! token's span is exact without any mapping. It is a single forward scan over
//! characters with a small state machine per token kind: Arabic words keep
//! their harakat, tatweel and invisible joiners inside; numbers keep their
//! separators and a trailing percent sign; URLs, e-mails, hashtags and mentions
//! stay whole; glued punctuation ("الإرهابي،وكالة") is split.

use crate::Span;
use crate::chars::{CharClass, arabic_2b, arabic_2b_index, class, is_terminator};
use serde::{Deserialize, Serialize};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// An Arabic-script word (letters, with any harakat and tatweel inside).
    Word,
    /// A word in another script (Latin, …), possibly with digits («F16», «COVID-19»).
    Foreign,
    /// A number in any digit set, with decimal/thousands/date separators and an optional `%`.
    Number,
    /// Punctuation; runs of terminators («...», «؟!») are one token.
    Punct,
    /// A URL (`https://…`, `www.…`, `name.com/…`).
    Url,
    /// An e-mail address.
    Email,
    /// A hashtag (`#سوريا`).
    Hashtag,
    /// A mention (`@user`).
    Mention,
    /// Any other symbol or emoji.
    Symbol,
}

impl TokenKind {
    /// Short lowercase name, as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Foreign => "foreign",
            TokenKind::Number => "number",
            TokenKind::Punct => "punct",
            TokenKind::Url => "url",
            TokenKind::Email => "email",
            TokenKind::Hashtag => "hashtag",
            TokenKind::Mention => "mention",
            TokenKind::Symbol => "symbol",
        }
    }

    /// True for tokens that carry words (Arabic or foreign), i.e. content for matching.
    pub fn is_wordlike(self) -> bool {
        matches!(
            self,
            TokenKind::Word | TokenKind::Foreign | TokenKind::Hashtag
        )
    }
}

/// A token as found by the tokenizer: a span of the original text and a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawToken {
    /// Where the token is in the original text.
    pub span: Span,
    /// What it is.
    pub kind: TokenKind,
}

/// Common top-level domains recognised in URLs written without a scheme (`aljazeera.net`).
const TLDS: &[&str] = &[
    "com", "net", "org", "gov", "edu", "info", "int", "io", "tv", "co", "uk", "fr", "de", "ru",
    "us", "sa", "ae", "eg", "qa", "kw", "bh", "om", "jo", "lb", "sy", "iq", "ps", "ye", "ma", "dz",
    "tn", "ly", "sd", "tr", "ir", "news", "me", "ly",
];

/// Splits `text` into tokens, appending them to `out` in text order.
///
/// Runs in one pass, linear in the length of the text, and never fails: every
/// byte of the text is either inside exactly one token or is whitespace,
/// a control character or an invisible mark between tokens.
pub fn tokenize(text: &str, out: &mut Vec<RawToken>) {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        // Fast skip of ASCII spaces.
        let b = bytes[i];
        if b == b' ' || b == b'\n' || b == b'\t' || b == b'\r' {
            i += 1;
            continue;
        }
        // Fast path: a word starting with a two-byte Arabic letter (U+0621–U+063A,
        // U+0641–U+064A) needs no character class lookup.
        if i + 1 < bytes.len()
            && ((b == 0xD8 && (0xA1..=0xBA).contains(&bytes[i + 1]))
                || (b == 0xD9 && (0x81..=0x8A).contains(&bytes[i + 1])))
        {
            let end = scan_arabic_word(text, i);
            out.push(RawToken {
                span: Span::from_usize(i, end),
                kind: TokenKind::Word,
            });
            i = end;
            continue;
        }
        let c = next_char(text, i);
        let cls = class(c);
        let start = i;
        let (end, kind) = match cls {
            CharClass::Space | CharClass::LineBreak | CharClass::Control | CharClass::Invisible => {
                i += c.len_utf8();
                continue;
            }
            CharClass::ArabicLetter | CharClass::ArabicMark | CharClass::Tatweel => {
                (scan_arabic_word(text, i), TokenKind::Word)
            }
            CharClass::Digit => {
                let end = scan_number(text, i);
                // Digits glued to Latin letters form one foreign token («5G», «3D»).
                if end < bytes.len()
                    && class(next_char(text, end)) == CharClass::OtherLetter
                    && !text[start..end].contains(['.', ',', '%'])
                {
                    (scan_foreign_word(text, end), TokenKind::Foreign)
                } else {
                    (end, TokenKind::Number)
                }
            }
            CharClass::OtherLetter => {
                if let Some(end) = scan_url(text, i) {
                    (end, TokenKind::Url)
                } else if let Some(end) = scan_email(text, i) {
                    (end, TokenKind::Email)
                } else {
                    (scan_foreign_word(text, i), TokenKind::Foreign)
                }
            }
            CharClass::Punct => {
                if c == '#' {
                    let end = scan_tag_body(text, i + 1);
                    if end > i + 1 {
                        (end, TokenKind::Hashtag)
                    } else {
                        (i + 1, TokenKind::Punct)
                    }
                } else if c == '@' {
                    let end = scan_mention_body(text, i + 1);
                    if end > i + 1 {
                        (end, TokenKind::Mention)
                    } else {
                        (i + 1, TokenKind::Punct)
                    }
                } else if is_terminator(c) {
                    // A run of terminators is one token: «...», «؟!», «!!».
                    let mut j = i + c.len_utf8();
                    while j < bytes.len() {
                        let d = next_char(text, j);
                        if is_terminator(d) {
                            j += d.len_utf8();
                        } else {
                            break;
                        }
                    }
                    (j, TokenKind::Punct)
                } else {
                    (i + c.len_utf8(), TokenKind::Punct)
                }
            }
            CharClass::OtherMark | CharClass::Symbol => {
                // A symbol with any combining marks or variation selectors after it.
                let mut j = i + c.len_utf8();
                while j < bytes.len() {
                    let d = next_char(text, j);
                    if matches!(class(d), CharClass::OtherMark)
                        || ('\u{FE00}'..='\u{FE0F}').contains(&d)
                    {
                        j += d.len_utf8();
                    } else {
                        break;
                    }
                }
                (j, TokenKind::Symbol)
            }
        };
        debug_assert!(end > start);
        out.push(RawToken {
            span: Span::from_usize(start, end),
            kind,
        });
        i = end;
    }
}

#[inline]
fn next_char(text: &str, i: usize) -> char {
    // `i` is always on a char boundary inside the text.
    text[i..].chars().next().unwrap_or('\0')
}

/// Arabic letters, harakat and tatweel; invisible characters (ZWNJ, bidi marks)
/// are kept inside only when the word continues after them.
fn scan_arabic_word(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = i;
    loop {
        // Fast path: the two-byte letters U+0621–U+063A and tatweel, letters and
        // harakat U+0640–U+065F, which make up almost all of an Arabic word, by
        // table lookup (the lead byte alternates between D8 and D9: no branch on it).
        while i + 1 < bytes.len() && bytes[i] & 0xFE == 0xD8 {
            let f = arabic_2b::FLAGS[arabic_2b_index(bytes[i], bytes[i + 1])];
            if f & arabic_2b::WORD == 0 {
                break;
            }
            i += 2;
            end = i;
        }
        // ASCII never continues an Arabic word.
        if i >= bytes.len() || bytes[i] < 0x80 {
            break;
        }
        let c = next_char(text, i);
        match class(c) {
            CharClass::ArabicLetter | CharClass::ArabicMark | CharClass::Tatweel => {
                i += c.len_utf8();
                end = i;
            }
            CharClass::Invisible => {
                i += c.len_utf8();
            }
            _ => break,
        }
    }
    end
}

/// Letters of non-Arabic scripts with digits, marks, and inner apostrophes or
/// hyphens between letters («O'Brien», «COVID-19», «al-Assad»).
fn scan_foreign_word(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = i;
    while i < bytes.len() {
        let c = next_char(text, i);
        match class(c) {
            CharClass::OtherLetter | CharClass::OtherMark | CharClass::Digit => {
                i += c.len_utf8();
                end = i;
            }
            CharClass::Punct if matches!(c, '\'' | '’' | '-' | '_') => {
                // Only when a letter or digit follows.
                let j = i + c.len_utf8();
                if j < bytes.len()
                    && matches!(
                        class(next_char(text, j)),
                        CharClass::OtherLetter | CharClass::Digit
                    )
                {
                    i = j;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    end
}

/// Digits with inner separators (`. , ٫ ٬ : / -` followed by a digit) and an optional `%`/`٪`.
fn scan_number(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = i;
    while i < bytes.len() {
        let c = next_char(text, i);
        if class(c) == CharClass::Digit {
            i += c.len_utf8();
            end = i;
            continue;
        }
        if matches!(c, '.' | ',' | '٫' | '٬' | ':' | '/' | '-') {
            let j = i + c.len_utf8();
            if j < bytes.len() && class(next_char(text, j)) == CharClass::Digit {
                i = j;
                continue;
            }
        }
        break;
    }
    if end < bytes.len() {
        let c = next_char(text, end);
        if c == '%' || c == '٪' || c == '‰' {
            end += c.len_utf8();
        }
    }
    end
}

fn starts_with_ci(text: &str, i: usize, prefix: &str) -> bool {
    text.as_bytes()
        .get(i..i + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Characters allowed in a URL after its start (anything up to a space, a control
/// character or a bracket/quote that usually closes around it).
fn url_char(c: char) -> bool {
    !matches!(
        class(c),
        CharClass::Space | CharClass::LineBreak | CharClass::Control
    ) && !matches!(c, '"' | '<' | '>' | '«' | '»' | '“' | '”' | '،' | '؛')
}

fn scan_url(text: &str, i: usize) -> Option<usize> {
    let scheme = ["https://", "http://", "ftp://", "www."]
        .iter()
        .find(|p| starts_with_ci(text, i, p));
    let body_start = match scheme {
        Some(p) => i + p.len(),
        None => {
            // A bare domain: label(.label)*.tld, optionally followed by a path.
            let host_end = scan_host(text, i)?;
            let host = &text[i..host_end];
            let tld = host.rsplit('.').next()?;
            if !host.contains('.') || !TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld)) {
                return None;
            }
            host_end
        }
    };
    let bytes = text.as_bytes();
    let mut j = body_start;
    while j < bytes.len() {
        let c = next_char(text, j);
        if url_char(c) {
            j += c.len_utf8();
        } else {
            break;
        }
    }
    // Trailing punctuation belongs to the sentence, not to the URL; a closing
    // bracket too unless the URL opened one.
    while let Some(last) = text[body_start..j].chars().next_back() {
        let trim = matches!(
            last,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '’' | '…' | '؟'
        ) || (last == ')' && !text[i..j].contains('('))
            || (last == ']' && !text[i..j].contains('['));
        if trim {
            j -= last.len_utf8();
        } else {
            break;
        }
    }
    if scheme.is_some() && j == body_start {
        return None;
    }
    Some(j)
}

/// `label(.label)*` of ASCII letters, digits and hyphens; returns the end.
fn scan_host(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = i;
    let mut last_dot_ok = false;
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_alphanumeric() || b == b'-' {
            j += 1;
            last_dot_ok = true;
        } else if b == b'.'
            && last_dot_ok
            && j + 1 < bytes.len()
            && bytes[j + 1].is_ascii_alphanumeric()
        {
            j += 1;
            last_dot_ok = false;
        } else {
            break;
        }
    }
    if j > i { Some(j) } else { None }
}

fn scan_email(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = i;
    while j < bytes.len()
        && (bytes[j].is_ascii_alphanumeric()
            || matches!(bytes[j], b'.' | b'_' | b'%' | b'+' | b'-'))
    {
        j += 1;
    }
    if j == i || j >= bytes.len() || bytes[j] != b'@' {
        return None;
    }
    let host_end = scan_host(text, j + 1)?;
    let host = &text[j + 1..host_end];
    let tld = host.rsplit('.').next()?;
    if !host.contains('.') || tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(host_end)
}

/// Hashtag body: letters of any script, digits, marks, tatweel and underscores.
fn scan_tag_body(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let start = i;
    while i < bytes.len() {
        let c = next_char(text, i);
        let ok = match class(c) {
            CharClass::ArabicLetter
            | CharClass::ArabicMark
            | CharClass::Tatweel
            | CharClass::OtherLetter
            | CharClass::OtherMark
            | CharClass::Digit => true,
            _ => c == '_',
        };
        if ok {
            i += c.len_utf8();
        } else {
            break;
        }
    }
    // «#1» alone is a number after a hash, not a tag; require a letter.
    if text[start..i]
        .chars()
        .any(|c| matches!(class(c), CharClass::ArabicLetter | CharClass::OtherLetter))
    {
        i
    } else {
        start
    }
}

fn scan_mention_body(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<(&str, TokenKind)> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v.iter().map(|t| (t.span.slice(text), t.kind)).collect()
    }
    fn surfaces(text: &str) -> Vec<&str> {
        toks(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn splits_glued_punctuation() {
        assert_eq!(
            surfaces("الإرهابي،وكالة انترفاكس ."),
            ["الإرهابي", "،", "وكالة", "انترفاكس", "."]
        );
        assert_eq!(surfaces("العراق ،قال"), ["العراق", "،", "قال"]);
        assert_eq!(surfaces("إن” الثقة"), ["إن", "”", "الثقة"]);
    }

    #[test]
    fn keeps_diacritized_and_elongated_words_whole() {
        assert_eq!(surfaces("مَدْرَسَةٌ مدرســـة"), ["مَدْرَسَةٌ", "مدرســـة"]);
        assert_eq!(surfaces("بـ\"الأسد\""), ["بـ", "\"", "الأسد", "\""]);
        // An invisible mark inside a word stays inside; at its edges it is left out.
        assert_eq!(
            surfaces("\u{200F}سو\u{200C}ريا\u{200F} x"),
            ["سو\u{200C}ريا", "x"]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("١٢٫٥٪ 2.5 3,000,000 2018-03-01 12/5/2018 10:30 ۱۳۹۹")
                .iter()
                .map(|t| (t.0, t.1))
                .collect::<Vec<_>>(),
            [
                ("١٢٫٥٪", TokenKind::Number),
                ("2.5", TokenKind::Number),
                ("3,000,000", TokenKind::Number),
                ("2018-03-01", TokenKind::Number),
                ("12/5/2018", TokenKind::Number),
                ("10:30", TokenKind::Number),
                ("۱۳۹۹", TokenKind::Number)
            ]
        );
        assert_eq!(surfaces("عام 2011."), ["عام", "2011", "."]);
        assert_eq!(surfaces("50%"), ["50%"]);
        assert_eq!(toks("5G F16")[0].1, TokenKind::Foreign);
        assert_eq!(surfaces("اف16"), ["اف", "16"]);
    }

    #[test]
    fn urls_emails_tags_mentions() {
        let t = toks(
            "زوروا https://example.com/a?b=1. أو www.bbc.com/arabic، أو aljazeera.net و info@sana.sy #سوريا @user_1",
        );
        let got: Vec<_> = t
            .iter()
            .filter(|t| t.1 != TokenKind::Word && t.1 != TokenKind::Punct)
            .collect();
        assert_eq!(
            got,
            [
                &("https://example.com/a?b=1", TokenKind::Url),
                &("www.bbc.com/arabic", TokenKind::Url),
                &("aljazeera.net", TokenKind::Url),
                &("info@sana.sy", TokenKind::Email),
                &("#سوريا", TokenKind::Hashtag),
                &("@user_1", TokenKind::Mention),
            ]
        );
    }

    #[test]
    fn foreign_words_and_mixed_scripts() {
        assert_eq!(
            surfaces("iPhoneالجديد O'Brien COVID-19 al-Assad"),
            ["iPhone", "الجديد", "O'Brien", "COVID-19", "al-Assad"]
        );
        assert_eq!(surfaces("U.S. وزير"), ["U", ".", "S", ".", "وزير"]);
    }

    #[test]
    fn terminator_runs() {
        assert_eq!(
            surfaces("ماذا؟! لا... نعم…"),
            ["ماذا", "؟!", "لا", "...", "نعم", "…"]
        );
    }

    #[test]
    fn control_and_nul_are_separators() {
        assert_eq!(surfaces("a\0b\u{7}ج"), ["a", "b", "ج"]);
    }
}
