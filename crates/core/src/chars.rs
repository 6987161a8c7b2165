//! Character classes for Arabic news text.
//!
//! One place decides what a code point *is* (Arabic letter, mark, tatweel,
//! digit, invisible control, …), so that the normalizer and the tokenizer can
//! never disagree. Ranges carry their code points; `docs/ARABIC.md` explains
//! each decision.

/// The class of a character as the tokenizer and normalizer see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// An Arabic-script letter, including Persian/Urdu letters and presentation forms.
    ArabicLetter,
    /// An Arabic combining mark: harakat U+064B–U+065F, superscript alef U+0670,
    /// Quranic marks U+0610–U+061A, U+06D6–U+06ED, U+08CA–U+08FF, isolated harakat U+FE70–U+FE7F.
    ArabicMark,
    /// Tatweel (kashida) U+0640: elongation inside a word.
    Tatweel,
    /// A letter of any other script (Latin, Greek, Cyrillic, …).
    OtherLetter,
    /// A combining mark of another script (e.g. U+0301), kept with its base letter.
    OtherMark,
    /// A decimal digit: ASCII, Arabic-Indic U+0660–U+0669 or Extended U+06F0–U+06F9.
    Digit,
    /// Zero-width and bidi controls, BOM, soft hyphen: invisible, never a token.
    Invisible,
    /// A line or paragraph break: LF, CR, VT, FF, NEL, U+2028, U+2029.
    LineBreak,
    /// Space and tab, NBSP and the other Unicode spaces.
    Space,
    /// Other control characters (C0, DEL, C1): treated as a separator.
    Control,
    /// Punctuation, quotes, brackets, dashes.
    Punct,
    /// Anything else: symbols, emoji, currency signs.
    Symbol,
}

/// Classifies one character.
#[inline]
pub fn class(c: char) -> CharClass {
    let u = c as u32;
    if u < 0x80 {
        return ASCII_CLASS[u as usize];
    }
    match u {
        0x0621..=0x063F | 0x0641..=0x064A | 0x066E..=0x066F | 0x0671..=0x06D3 | 0x06D5 => {
            CharClass::ArabicLetter
        }
        0x0640 => CharClass::Tatweel,
        0x064B..=0x065F | 0x0670 | 0x0610..=0x061A => CharClass::ArabicMark,
        0x0660..=0x0669 | 0x06F0..=0x06F9 => CharClass::Digit,
        0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED => {
            CharClass::ArabicMark
        }
        0x06E5..=0x06E6 | 0x06EE..=0x06EF | 0x06FA..=0x06FC | 0x06FF => CharClass::ArabicLetter,
        0x0750..=0x077F | 0x08A0..=0x08C9 => CharClass::ArabicLetter,
        0x08CA..=0x08E1 | 0x08E3..=0x08FF => CharClass::ArabicMark,
        0xFB50..=0xFDFF => {
            if (0xFD3E..=0xFD4F).contains(&u) {
                // Ornate parentheses and Quranic signs of the block.
                CharClass::Punct
            } else if u == 0xFDFC {
                // RIAL SIGN
                CharClass::Symbol
            } else {
                CharClass::ArabicLetter
            }
        }
        0xFE70..=0xFE7F => CharClass::ArabicMark,
        0xFE80..=0xFEFC => CharClass::ArabicLetter,
        // Invisible controls: soft hyphen, ALM, CGJ, Mongolian vowel separator, ZWSP/ZWNJ/ZWJ/LRM/RLM,
        // bidi embeddings and overrides, word joiner and invisible operators, bidi isolates, BOM.
        0x00AD
        | 0x061C
        | 0x034F
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF => CharClass::Invisible,
        0x0085 | 0x2028 | 0x2029 => CharClass::LineBreak,
        0x0080..=0x009F => CharClass::Control,
        0x00A0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => CharClass::Space,
        // Arabic punctuation: comma, date separator, semicolon, triple dot, question mark,
        // percent, decimal and thousands separators, five-pointed star, full stop.
        0x060C..=0x060F | 0x061B | 0x061D..=0x061F | 0x066A..=0x066D | 0x06D4 => CharClass::Punct,
        0x0600..=0x0605 | 0x06DD | 0x08E2 => CharClass::Symbol,
        0x0606..=0x060B => CharClass::Symbol,
        0x2010..=0x2027
        | 0x2030..=0x205E
        | 0x00A1
        | 0x00A7
        | 0x00AB
        | 0x00B6
        | 0x00B7
        | 0x00BB
        | 0x00BF
        | 0x2E00..=0x2E7F
        | 0x3001..=0x3003
        | 0x3008..=0x3011
        | 0xFE10..=0xFE19
        | 0xFE30..=0xFE4F
        | 0xFE50..=0xFE6B
        | 0xFF01..=0xFF0F
        | 0xFF1A..=0xFF20
        | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65 => CharClass::Punct,
        _ => {
            if c.is_alphabetic() {
                CharClass::OtherLetter
            } else if c.is_numeric() {
                // Other numerals (superscripts, other scripts' digits) behave like letters of a
                // foreign word; only the decimal digits above form numbers.
                CharClass::OtherLetter
            } else if unicode_normalization::char::is_combining_mark(c) {
                CharClass::OtherMark
            } else if c.is_whitespace() {
                CharClass::Space
            } else if c.is_control() {
                CharClass::Control
            } else {
                CharClass::Symbol
            }
        }
    }
}

const fn ascii_table() -> [CharClass; 128] {
    let mut t = [CharClass::Symbol; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphabetic() {
            CharClass::OtherLetter
        } else if b.is_ascii_digit() {
            CharClass::Digit
        } else if b == b'\n' || b == b'\r' || b == 0x0B || b == 0x0C {
            CharClass::LineBreak
        } else if b == b' ' || b == b'\t' {
            CharClass::Space
        } else if b < 0x20 || b == 0x7F {
            CharClass::Control
        } else if matches!(
            b,
            b'$' | b'+' | b'<' | b'=' | b'>' | b'^' | b'`' | b'|' | b'~'
        ) {
            CharClass::Symbol
        } else {
            CharClass::Punct
        };
        i += 1;
    }
    t
}

static ASCII_CLASS: [CharClass; 128] = ascii_table();

/// Flags of the two-byte characters U+0600–U+067F, indexed by
/// [`arabic_2b_index`], so hot loops classify letters without branching.
pub(crate) mod arabic_2b {
    /// Continues an Arabic word token (letters U+0621–U+063A, tatweel, letters
    /// and harakat U+0640–U+065F).
    pub const WORD: u8 = 1;
    /// A letter whose segmentation form is two bytes at the same offsets
    /// (U+0621–U+063A, U+0641–U+064A, U+0671).
    pub const PLAIN: u8 = 2;
    /// Folds to «ا» (آ أ إ ٱ).
    pub const ALEF_FOLD: u8 = 4;
    /// Folds for search only (ة → ه, ى → ي).
    pub const SEARCH_FOLD: u8 = 8;

    const fn build() -> [u8; 128] {
        let mut t = [0u8; 128];
        let mut i = 0;
        while i < 128 {
            let cp = 0x0600 + i as u32;
            let mut f = 0u8;
            if (cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0640 && cp <= 0x065F) {
                f |= WORD;
            }
            if (cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A) || cp == 0x0671 {
                f |= PLAIN;
            }
            if cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671 {
                f |= ALEF_FOLD;
            }
            if cp == 0x0629 || cp == 0x0649 {
                f |= SEARCH_FOLD;
            }
            t[i] = f;
            i += 1;
        }
        t
    }

    /// The flags, by [`super::arabic_2b_index`].
    pub static FLAGS: [u8; 128] = build();
}

/// Index into [`arabic_2b::FLAGS`] of the character whose UTF-8 bytes are
/// `lead` (0xD8 or 0xD9) and `cont`.
#[inline]
pub(crate) fn arabic_2b_index(lead: u8, cont: u8) -> usize {
    (usize::from(lead & 1) << 6) | usize::from(cont & 0x3F)
}

/// The value of a decimal digit of any of the three digit sets, or `None`.
#[inline]
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// True for characters that continue a word once it has started: letters of the
/// word's script, marks and tatweel.
#[inline]
pub fn is_word_internal(c: CharClass) -> bool {
    matches!(
        c,
        CharClass::ArabicMark | CharClass::Tatweel | CharClass::OtherMark
    )
}

/// Opening quotation marks and brackets.
#[inline]
pub fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '«'
            | '“'
            | '‘'
            | '„'
            | '‚'
            | '‹'
            | '\u{FD3F}'
            | '〈'
            | '《'
            | '「'
            | '『'
    )
}

/// Closing quotation marks and brackets.
#[inline]
pub fn is_closing(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '}' | '»' | '”' | '’' | '›' | '\u{FD3E}' | '〉' | '》' | '」' | '』'
    )
}

/// Quote marks whose direction depends on context (straight quotes).
#[inline]
pub fn is_ambiguous_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '‟' | '‛' | '″' | '＂')
}

/// Sentence-final punctuation: `. ! ? ؟ … ۔` and the Arabic full stop.
#[inline]
pub fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '؟' | '…' | '۔' | '‼' | '⁇' | '⁈' | '⁉' | '\u{061E}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_arabic_news_characters() {
        assert_eq!(class('ب'), CharClass::ArabicLetter);
        assert_eq!(class('ی'), CharClass::ArabicLetter);
        assert_eq!(class('ﻻ'), CharClass::ArabicLetter);
        assert_eq!(class('\u{064E}'), CharClass::ArabicMark);
        assert_eq!(class('\u{0670}'), CharClass::ArabicMark);
        assert_eq!(class('ـ'), CharClass::Tatweel);
        assert_eq!(class('٣'), CharClass::Digit);
        assert_eq!(class('۳'), CharClass::Digit);
        assert_eq!(class('\u{200F}'), CharClass::Invisible);
        assert_eq!(class('\u{FEFF}'), CharClass::Invisible);
        assert_eq!(class('\u{00A0}'), CharClass::Space);
        assert_eq!(class('،'), CharClass::Punct);
        assert_eq!(class('؟'), CharClass::Punct);
        assert_eq!(class('«'), CharClass::Punct);
        assert_eq!(class('”'), CharClass::Punct);
        assert_eq!(class('—'), CharClass::Punct);
        assert_eq!(class('\0'), CharClass::Control);
        assert_eq!(class('x'), CharClass::OtherLetter);
        assert_eq!(class('é'), CharClass::OtherLetter);
        assert_eq!(class('\u{0301}'), CharClass::OtherMark);
        assert_eq!(class('😀'), CharClass::Symbol);
        assert_eq!(class('\n'), CharClass::LineBreak);
        assert_eq!(class('٪'), CharClass::Punct);
    }

    #[test]
    fn two_byte_flags_agree_with_classes() {
        for cp in 0x0600u32..0x0680 {
            let c = char::from_u32(cp).unwrap();
            let mut b = [0u8; 4];
            let e = c.encode_utf8(&mut b).as_bytes();
            let f = arabic_2b::FLAGS[arabic_2b_index(e[0], e[1])];
            let word = matches!(
                class(c),
                CharClass::ArabicLetter | CharClass::ArabicMark | CharClass::Tatweel
            );
            // WORD is a subset of what continues a word (the tokenizer checks the rest).
            if f & arabic_2b::WORD != 0 {
                assert!(word, "{c:?}");
            }
            if f & arabic_2b::PLAIN != 0 {
                assert_eq!(class(c), CharClass::ArabicLetter, "{c:?}");
            }
        }
    }

    #[test]
    fn digit_values() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('٧'), Some(7));
        assert_eq!(digit_value('۷'), Some(7));
        assert_eq!(digit_value('a'), None);
    }
}
