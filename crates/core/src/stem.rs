//! Stems, for matching only.
//!
//! Two stemmers live here:
//! - [`light_stem`]: khabar's own. It takes the stem segment the clitic
//!   segmenter found and strips one inflectional suffix (plural, dual,
//!   feminine, nisba, tanween alef) when enough of the word remains. It returns
//!   a sub-slice, so its offsets stay exact.
//! - [`lucene`]: a port of Lucene's `ArabicNormalizer` + `ArabicStemmer`
//!   (Larkey, Ballesteros & Connell's Light-10 variant), rule for rule, for users
//!   who need to match an existing Lucene/Elasticsearch/Solr index.
//!
//! Stems are never shown as words: «الرئيس» and «رئاسة» may share nothing, and
//! «مفاوض» is not what a reader wrote.

/// Suffixes the light stemmer strips from a stem segment, longest first
/// (already search-normalized: ة is ه, ى is ي).
pub const LIGHT_SUFFIXES: &[&str] = &[
    "يات", "يين", "يون", "ات", "ون", "ين", "ان", "يه", "يا", "ه", "ي", "ا",
];

/// [`LIGHT_SUFFIXES`] grouped by their last letter, each group in list order, so
/// only the suffixes that can match are tried.
const SUFFIXES_ENDING_TEH: &[&str] = &["يات", "ات"];
const SUFFIXES_ENDING_NOON: &[&str] = &["يين", "يون", "ون", "ين", "ان"];
const SUFFIXES_ENDING_HEH: &[&str] = &["يه", "ه"];
const SUFFIXES_ENDING_YEH: &[&str] = &["ي"];
const SUFFIXES_ENDING_ALEF: &[&str] = &["يا", "ا"];

/// The light stem of a search-normalized stem segment: a byte range into `stem`.
///
/// At least three letters always remain. Nisba and country names meet
/// («سوريه», «سوريا», «سوري», «سوريون» → «سور»); «مفاوضات» → «مفاوض»; «وزير» stays.
#[inline]
pub fn light_stem(stem: &str) -> std::ops::Range<usize> {
    let b = stem.as_bytes();
    let n = b.len();
    // A suffix needs three letters before it: at least eight bytes.
    if n < 8 {
        return 0..n;
    }
    let group = match (b[n - 2], b[n - 1]) {
        (0xD8, 0xAA) => SUFFIXES_ENDING_TEH,
        (0xD9, 0x86) => SUFFIXES_ENDING_NOON,
        (0xD9, 0x87) => SUFFIXES_ENDING_HEH,
        (0xD9, 0x8A) => SUFFIXES_ENDING_YEH,
        (0xD8, 0xA7) => SUFFIXES_ENDING_ALEF,
        _ => return 0..n,
    };
    let n_chars = b.iter().filter(|&&c| (c & 0xC0) != 0x80).count();
    for suf in group {
        let s = suf.as_bytes();
        // All suffix letters are two bytes.
        if n_chars >= s.len() / 2 + 3 && ends_with(b, s) {
            return 0..n - s.len();
        }
    }
    0..n
}

/// `b.ends_with(s)` for a short `s`, without a call to `memcmp`.
#[inline]
fn ends_with(b: &[u8], s: &[u8]) -> bool {
    b.len() >= s.len() && b[b.len() - s.len()..].iter().zip(s).all(|(x, y)| x == y)
}

/// Lucene's Arabic normalizer and stemmer, rule for rule
/// (`org.apache.lucene.analysis.ar.ArabicNormalizer` and `ArabicStemmer`).
pub mod lucene {
    const ALEF: char = '\u{0627}';
    const ALEF_MADDA: char = '\u{0622}';
    const ALEF_HAMZA_ABOVE: char = '\u{0623}';
    const ALEF_HAMZA_BELOW: char = '\u{0625}';
    const YEH: char = '\u{064A}';
    const DOTLESS_YEH: char = '\u{0649}';
    const TEH_MARBUTA: char = '\u{0629}';
    const HEH: char = '\u{0647}';
    const TATWEEL: char = '\u{0640}';

    /// Lucene's prefixes, in the order they are tried (the first match is removed).
    pub const PREFIXES: &[&str] = &["ال", "وال", "بال", "كال", "فال", "لل", "و"];
    /// Lucene's suffixes, in the order they are tried (every match is removed in turn).
    pub const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

    /// `ArabicNormalizer.normalize`: آ أ إ → ا, ى → ي, ة → ه; tatweel and the
    /// harakat U+064B–U+0652 removed. Nothing else changes.
    pub fn normalize(word: &str) -> String {
        let mut out = String::with_capacity(word.len());
        for c in word.chars() {
            match c {
                ALEF_MADDA | ALEF_HAMZA_ABOVE | ALEF_HAMZA_BELOW => out.push(ALEF),
                DOTLESS_YEH => out.push(YEH),
                TEH_MARBUTA => out.push(HEH),
                TATWEEL | '\u{064B}'..='\u{0652}' => {}
                _ => out.push(c),
            }
        }
        out
    }

    /// `ArabicStemmer.stem` on a word (normally already normalized): remove the
    /// first matching prefix, then each matching suffix in list order.
    /// Lengths are counted in UTF-16 units as in Java, which for Arabic letters is
    /// one per character.
    pub fn stem(word: &str) -> String {
        let mut s: Vec<char> = word.chars().collect();
        // stemPrefix
        for p in PREFIXES {
            let pc: Vec<char> = p.chars().collect();
            if starts_with_check_length(&s, &pc) {
                s.drain(..pc.len());
                break;
            }
        }
        // stemSuffix: every suffix in turn, each checked against the current length.
        for suf in SUFFIXES {
            let sc: Vec<char> = suf.chars().collect();
            if ends_with_check_length(&s, &sc) {
                let new_len = s.len() - sc.len();
                s.truncate(new_len);
            }
        }
        s.into_iter().collect()
    }

    fn starts_with_check_length(s: &[char], prefix: &[char]) -> bool {
        if prefix.len() == 1 && s.len() < 4 {
            // «و» requires at least three characters after it
            return false;
        }
        if s.len() < prefix.len() + 2 {
            return false;
        }
        s.starts_with(prefix)
    }

    fn ends_with_check_length(s: &[char], suffix: &[char]) -> bool {
        if s.len() < suffix.len() + 2 {
            return false;
        }
        s.ends_with(suffix)
    }

    /// The normalizer followed by the stemmer, as Lucene's `ArabicAnalyzer` chains them.
    pub fn analyze(word: &str) -> String {
        stem(&normalize(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light(s: &str) -> &str {
        &s[light_stem(s)]
    }

    #[test]
    fn suffix_groups_are_the_list() {
        let mut all: Vec<&str> = [
            SUFFIXES_ENDING_TEH,
            SUFFIXES_ENDING_NOON,
            SUFFIXES_ENDING_HEH,
            SUFFIXES_ENDING_YEH,
            SUFFIXES_ENDING_ALEF,
        ]
        .concat();
        all.sort_by_key(|s| LIGHT_SUFFIXES.iter().position(|x| x == s));
        assert_eq!(all, LIGHT_SUFFIXES);
    }

    #[test]
    fn light_stems() {
        assert_eq!(light("مفاوضات"), "مفاوض");
        assert_eq!(light("سوريه"), "سور");
        assert_eq!(light("سوريا"), "سور");
        assert_eq!(light("سوري"), "سور");
        assert_eq!(light("سوريون"), "سور");
        assert_eq!(light("وزير"), "وزير");
        assert_eq!(light("لاعبون"), "لاعب");
        assert_eq!(light("كتابا"), "كتاب");
        assert_eq!(light("بيت"), "بيت");
    }
}
