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

/// What the fast path does with one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    /// A letter, written as these two UTF-8 bytes (already folded).
    Letter(u8, u8),
    /// Inside a word but removed by normalization (harakat, tatweel, invisible marks).
    Drop,
    /// Ends a word and is not itself a content token (punctuation, spaces, symbols).
    Sep,
    /// Needs the core's tokenizer: the whole chunk takes the slow path.
    Slow,
}

struct Tables {
    ascii: [Act; 128],
    /// U+0600..=U+06FF, indexed by `(lead - 0xD8) << 6 | (second & 0x3F)`.
    arabic: [Act; 256],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut ascii = [Act::Slow; 128];
        for (b, slot) in ascii.iter_mut().enumerate() {
            *slot = act_for(char::from(b as u8));
        }
        let mut arabic = [Act::Slow; 256];
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
                    Act::Letter(b[0], b[1])
                }
                _ => Act::Slow,
            }
        }
        // Combining hamza and madda compose with the letter before them (و + ٔ = ؤ).
        CharClass::ArabicMark if matches!(c, '\u{0653}'..='\u{0655}') => Act::Slow,
        CharClass::ArabicMark | CharClass::Tatweel | CharClass::Invisible => {
            let mut buf = [0u8; 4];
            let norm = Normalizer::new(Profile::SEARCH).normalize(c.encode_utf8(&mut buf));
            if norm.is_empty() {
                Act::Drop
            } else {
                Act::Slow
            }
        }
        CharClass::Punct if c == '#' || c == '@' => Act::Slow,
        CharClass::Punct
        | CharClass::Space
        | CharClass::LineBreak
        | CharClass::Control
        | CharClass::Symbol => Act::Sep,
        CharClass::OtherLetter | CharClass::OtherMark | CharClass::Digit => Act::Slow,
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

/// Reusable buffers of [`NormWords`].
#[derive(Default)]
pub struct WordScratch {
    chunk: Vec<u8>,
    ends: Vec<usize>,
    tokens: Vec<RawToken>,
    norm: String,
}

/// Streams the search-normalized content words of a text (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct NormWords;

impl NormWords {
    /// Calls `sink` with the UTF-8 bytes of each normalized content word, in text order.
    pub fn for_each(&self, text: &str, scratch: &mut WordScratch, sink: &mut dyn FnMut(&[u8])) {
        let t = tables();
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0usize;
        while i < n {
            if is_ascii_space(bytes[i]) {
                i += 1;
                continue;
            }
            let chunk_start = i;
            scratch.chunk.clear();
            scratch.ends.clear();
            let mut in_word = false;
            let mut slow = false;
            while i < n {
                let b = bytes[i];
                let (act, len) = if b < 0x80 {
                    if is_ascii_space(b) {
                        break;
                    }
                    (t.ascii[b as usize], 1)
                } else if (0xD8..=0xDB).contains(&b) {
                    // `text` is a `str`, so a continuation byte follows a lead byte.
                    let idx = (((b - 0xD8) as usize) << 6) | (bytes[i + 1] & 0x3F) as usize;
                    (t.arabic[idx], 2)
                } else {
                    let c = text[i..].chars().next().unwrap_or('\0');
                    (act_for(c), c.len_utf8())
                };
                match act {
                    Act::Letter(b0, b1) => {
                        scratch.chunk.push(b0);
                        scratch.chunk.push(b1);
                        in_word = true;
                    }
                    Act::Drop => in_word = true,
                    Act::Sep => {
                        if in_word {
                            scratch.ends.push(scratch.chunk.len());
                            in_word = false;
                        }
                    }
                    Act::Slow => {
                        slow = true;
                        while i < n && !is_ascii_space(bytes[i]) {
                            i += 1;
                        }
                        break;
                    }
                }
                i += len;
            }
            if slow {
                slow_chunk(&text[chunk_start..i], scratch, sink);
                continue;
            }
            if in_word {
                scratch.ends.push(scratch.chunk.len());
            }
            let mut start = 0usize;
            for &end in &scratch.ends {
                if end > start {
                    sink(&scratch.chunk[start..end]);
                }
                start = end;
            }
        }
    }

    /// The normalized content words of `text` as strings (convenient, allocating).
    pub fn collect(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut scratch = WordScratch::default();
        self.for_each(text, &mut scratch, &mut |w| {
            out.push(String::from_utf8_lossy(w).into_owned())
        });
        out
    }
}

/// The reference path: the core's tokenizer, then the core's normalizer per token.
fn slow_chunk(chunk: &str, scratch: &mut WordScratch, sink: &mut dyn FnMut(&[u8])) {
    let normalizer = Normalizer::new(Profile::SEARCH);
    scratch.tokens.clear();
    tokenize(chunk, &mut scratch.tokens);
    for t in &scratch.tokens {
        if !is_content(t.kind) {
            continue;
        }
        scratch.norm.clear();
        normalizer.normalize_into(t.span.slice(chunk), &mut scratch.norm, None);
        if !scratch.norm.is_empty() {
            sink(scratch.norm.as_bytes());
        }
    }
}

/// The content words of `text` by the core alone (whole text through the slow path).
/// For tests and for checking the fast path.
pub fn reference_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut scratch = WordScratch::default();
    slow_chunk(text, &mut scratch, &mut |w| {
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
