//! The content words of a text in their search-normalized form, fast.
//!
//! Near-duplicate detection and story clustering compare documents by their
//! words as the text core normalizes them for search ([`Profile::SEARCH`]:
//! alef forms → ا, ى → ي, ة → ه, no harakat or tatweel, ASCII digits, …), so
//! that «إعادة» and «اعادة» are one word. The *definition* is the core's:
//! the tokens of [`tokenize`] that are words, foreign words, numbers or
//! hashtags, each normalized with [`Profile::SEARCH`], empty forms skipped;
//! this is what `Analysis::norm` returns for those tokens.
//!
//! Running the whole text layer costs far more than hashing shingles, so
//! [`NormWords`] has a fast path for the text that dominates Arabic news:
//! whitespace-separated chunks made only of Arabic letters, harakat, tatweel,
//! invisible marks and plain punctuation. Such a chunk is folded letter by
//! letter through a 256-entry table built *from the core itself* (its
//! character classes and its normalizer), so the fast path cannot drift from
//! the core's folding. Any chunk holding something else (a digit, a Latin
//! letter, `#`, a combining hamza that composes with its letter, a
//! presentation form, …) goes through the core's tokenizer and normalizer.
//! This is exact because no core token spans ASCII whitespace; property tests
//! check the two paths against each other and against `Analysis::norm`.

use khabar_core::chars::{CharClass, class};
use khabar_core::token::{RawToken, TokenKind, tokenize};
use khabar_core::{Normalizer, Profile};
use std::sync::OnceLock;

/// What the fast path does with one character, packed in a `u16`: a value of
/// 0xD800 or more is a letter whose folded form is these two UTF-8 bytes (all
/// of U+0600..=U+06FF start with 0xD8..=0xDB); smaller values are the codes below.
type Act = u16;
/// Inside a word but removed by normalization (harakat, tatweel, invisible marks).
const DROP: Act = 0;
/// Ends a word and is not itself a content token (punctuation, spaces, symbols).
const SEP: Act = 1;
/// Needs the core's tokenizer: the whole chunk takes the slow path.
const SLOW: Act = 2;
/// ASCII whitespace: ends the chunk (no core token spans it).
const SPACE: Act = 3;
/// Smallest packed letter.
const LETTER: Act = 0xD800;

struct Tables {
    ascii: [Act; 128],
    /// U+0600..=U+06FF, indexed by `(lead & 3) << 6 | (second & 0x3F)`.
    arabic: [Act; 256],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut ascii = [SLOW; 128];
        for (b, slot) in ascii.iter_mut().enumerate() {
            *slot = if is_ascii_space(b as u8) {
                SPACE
            } else {
                act_for(char::from(b as u8))
            };
        }
        let mut arabic = [SLOW; 256];
        for (k, slot) in arabic.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(0x0600 + k as u32) {
                *slot = act_for(c);
            }
        }
        Tables { ascii, arabic }
    })
}

/// Derives the fast-path action of a character from the core's classes and normalizer.
fn act_for(c: char) -> Act {
    match class(c) {
        CharClass::ArabicLetter => {
            let mut buf = [0u8; 4];
            let norm = Normalizer::new(Profile::SEARCH).normalize(c.encode_utf8(&mut buf));
            let mut chars = norm.chars();
            match (chars.next(), chars.next()) {
                (Some(x), None) if x.len_utf8() == 2 => {
                    let mut b = [0u8; 4];
                    x.encode_utf8(&mut b);
                    let packed = u16::from_be_bytes([b[0], b[1]]);
                    if packed >= LETTER { packed } else { SLOW }
                }
                _ => SLOW,
            }
        }
        // Combining hamza and madda compose with the letter before them (و + ٔ = ؤ).
        CharClass::ArabicMark if matches!(c, '\u{0653}'..='\u{0655}') => SLOW,
        CharClass::ArabicMark | CharClass::Tatweel | CharClass::Invisible => {
            let mut buf = [0u8; 4];
            let norm = Normalizer::new(Profile::SEARCH).normalize(c.encode_utf8(&mut buf));
            if norm.is_empty() { DROP } else { SLOW }
        }
        CharClass::Punct if c == '#' || c == '@' => SLOW,
        CharClass::Punct
        | CharClass::Space
        | CharClass::LineBreak
        | CharClass::Control
        | CharClass::Symbol => SEP,
        CharClass::OtherLetter | CharClass::OtherMark | CharClass::Digit => SLOW,
    }
}

#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r')
}

/// True for the token kinds whose normalized forms are content words.
#[inline]
pub fn is_content(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word | TokenKind::Foreign | TokenKind::Number | TokenKind::Hashtag
    )
}

/// Longest word (in bytes, an even number) the fast path folds itself.
const MAX_FAST_WORD: usize = 96;

/// Reusable buffers of [`NormWords`].
#[derive(Default)]
pub struct WordScratch {
    tokens: Vec<RawToken>,
    norm: String,
}

/// Streams the search-normalized content words of a text (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct NormWords;

impl NormWords {
    /// Appends `f(word)` to `out` for each normalized content word (its UTF-8 bytes),
    /// in text order.
    pub fn map_into<T, F: FnMut(&[u8]) -> T>(
        &self,
        text: &str,
        scratch: &mut WordScratch,
        out: &mut Vec<T>,
        mut f: F,
    ) {
        let t = tables();
        let bytes = text.as_bytes();
        let n = bytes.len();
        let WordScratch { tokens, norm } = scratch;
        // The folded letters of the current word. A longer word sends its chunk to
        // the core (same result, just slower).
        let mut word = [0u8; MAX_FAST_WORD];
        let mut len = 0usize;
        // The current chunk (text between ASCII whitespace) starts at `chunk_start` and
        // its words start at `out[mark]`: a chunk that turns out to need the core is
        // taken back and redone by the core.
        let mut chunk_start = 0usize;
        let mut mark = out.len();
        let mut i = 0usize;
        while i < n {
            let b = bytes[i];
            let act = if b & 0xFC == 0xD8 {
                // U+0600..=U+06FF; `text` is a `str`, so a continuation byte follows.
                let a = t.arabic[(((b & 3) as usize) << 6) | (bytes[i + 1] & 0x3F) as usize];
                i += 2;
                if a >= LETTER && len < MAX_FAST_WORD {
                    word[len..len + 2].copy_from_slice(&a.to_be_bytes());
                    len += 2;
                    continue;
                }
                a
            } else if b < 0x80 {
                i += 1;
                t.ascii[b as usize]
            } else {
                let c = text[i..].chars().next().unwrap_or('\0');
                i += c.len_utf8();
                act_for(c)
            };
            match act {
                DROP => {}
                SEP | SPACE => {
                    if len > 0 {
                        out.push(f(&word[..len]));
                        len = 0;
                    }
                    if act == SPACE {
                        chunk_start = i;
                        mark = out.len();
                    }
                }
                a if a >= LETTER && len < MAX_FAST_WORD => {
                    word[len..len + 2].copy_from_slice(&a.to_be_bytes());
                    len += 2;
                }
                _ => {
                    while i < n && !is_ascii_space(bytes[i]) {
                        i += 1;
                    }
                    out.truncate(mark);
                    len = 0;
                    slow_chunk(&text[chunk_start..i], tokens, norm, &mut |w: &[u8]| {
                        out.push(f(w))
                    });
                    chunk_start = i;
                    mark = out.len();
                }
            }
        }
        if len > 0 {
            out.push(f(&word[..len]));
        }
    }

    /// The normalized content words of `text` as strings (convenient, allocating).
    pub fn collect(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.map_into(text, &mut WordScratch::default(), &mut out, |w| {
            String::from_utf8_lossy(w).into_owned()
        });
        out
    }
}

/// The reference path: the core's tokenizer, then the core's normalizer per token.
fn slow_chunk<F: FnMut(&[u8])>(
    chunk: &str,
    tokens: &mut Vec<RawToken>,
    norm: &mut String,
    sink: &mut F,
) {
    let normalizer = Normalizer::new(Profile::SEARCH);
    tokens.clear();
    tokenize(chunk, tokens);
    for t in tokens.iter() {
        if !is_content(t.kind) {
            continue;
        }
        norm.clear();
        normalizer.normalize_into(t.span.slice(chunk), norm, None);
        if !norm.is_empty() {
            sink(norm.as_bytes());
        }
    }
}

/// The content words of `text` by the core alone (whole text through the slow path).
/// For tests and for checking the fast path.
pub fn reference_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut tokens, mut norm) = (Vec::new(), String::new());
    slow_chunk(text, &mut tokens, &mut norm, &mut |w: &[u8]| {
        out.push(String::from_utf8_lossy(w).into_owned())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;
    use proptest::prelude::*;

    /// What `Analysis::norm` gives for the content tokens.
    fn analysis_words(text: &str) -> Vec<String> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        a.tokens
            .iter()
            .filter(|t| is_content(t.kind))
            .map(|t| a.norm(t).to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn folds_like_the_core() {
        let text = "أعلنَ الكرملين إعادة «الخطوةَ التاليـــة»، في سوريا\u{200C}ة؟ مستشفى";
        let words = NormWords.collect(text);
        assert_eq!(
            words,
            [
                "اعلن",
                "الكرملين",
                "اعاده",
                "الخطوه",
                "التاليه",
                "في",
                "سورياه",
                "مستشفي"
            ]
        );
        assert_eq!(words, analysis_words(text));
    }

    #[test]
    fn mixed_chunks_take_the_core_path() {
        let text = "عام 2011. iPhoneالجديد #سوريا www.bbc.com و١٢٫٥٪ وؤ و\u{0654} ﻷن @user";
        assert_eq!(NormWords.collect(text), analysis_words(text));
        assert_eq!(NormWords.collect(text), reference_words(text));
        assert!(NormWords.collect(text).contains(&"12.5%".to_string()));
    }

    #[test]
    fn words_longer_than_the_fast_buffer() {
        let long: String = "بتث".repeat(100);
        let text = format!("قال {long}، ثم {long}ة.");
        let words = NormWords.collect(&text);
        assert_eq!(words.len(), 4);
        assert_eq!(words[1], long);
        assert_eq!(words, analysis_words(&text));
    }

    #[test]
    fn the_user_sample_matches_the_analysis() {
        let text = include_str!("../../../examples/multi-outlet-report.ar.txt");
        let fast = NormWords.collect(text);
        assert!(fast.len() > 500);
        assert_eq!(fast, analysis_words(text));
    }

    fn alphabet() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            'ا', 'أ', 'إ', 'آ', 'ب', 'ة', 'ى', 'ي', 'و', 'ؤ', 'ئ', 'ه', 'ل', 'ک', 'ی', 'ھ',
            '\u{064E}', '\u{0651}', '\u{0653}', '\u{0654}', '\u{0670}', '\u{0640}', '\u{200C}',
            '\u{200F}', '\u{FEFF}', '،', '؟', '.', ',', '-', '\'', '’', '#', '@', '%', '٪', '/',
            ':', '«', '»', '“', '”', '…', '(', ')', '$', '+', '0', '5', '٣', '۴', 'a', 'Z', 'é',
            '\u{0301}', ' ', '\n', '\t', '\u{00A0}', '\u{0000}', '\u{0007}', 'ﻷ', 'ﷲ', 'ﺓ', '😀',
            '\u{FE0F}', '_', 'w', '.',
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_path_equals_the_core(chars in prop::collection::vec(alphabet(), 0..40)) {
            let text: String = chars.into_iter().collect();
            let fast = NormWords.collect(&text);
            prop_assert_eq!(&fast, &reference_words(&text));
            prop_assert_eq!(&fast, &analysis_words(&text));
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,80}") {
            let fast = NormWords.collect(&text);
            prop_assert_eq!(fast, reference_words(&text));
        }
    }
}
