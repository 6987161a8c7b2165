//! Offset-preserving normalization.
//!
//! Outlets write the same word many ways: with or without hamza on alef
//! (اعادة/إعادة), ى for ي, ة for ه, harakat, tatweel, Persian letters, presentation
//! forms, Arabic-Indic digits and invisible bidi marks. A [`Normalizer`] folds
//! these per a [`Profile`] and, when asked, records an [`OffsetMap`] so any byte
//! range of the normalized text can be mapped back to the original.
//!
//! Design: normalization is a per-character table (with one small composition
//! rule for hamza above), never a whole-text NFKC, because NFKC explodes
//! ligatures such as ﷺ into phrases and does not fold alef forms or digits.
//! Every output character of a profile maps to itself, so normalization is
//! idempotent (checked by property tests).

use crate::chars::{CharClass, class};

/// What a profile folds. Build your own or use [`Profile::SEARCH`] / [`Profile::DISPLAY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Remove harakat U+064B–U+065F, superscript alef U+0670 and Quranic marks.
    pub remove_diacritics: bool,
    /// Remove tatweel U+0640.
    pub remove_tatweel: bool,
    /// أ إ آ ٱ (and the rare wavy-hamza alefs U+0672, U+0673) → ا.
    pub fold_alef: bool,
    /// ى U+0649 → ي U+064A.
    pub fold_alef_maqsura: bool,
    /// ة U+0629 → ه U+0647.
    pub fold_teh_marbuta: bool,
    /// ؤ → و and ئ → ي. Off in both built-in profiles: hamza on waw/yeh is usually meaningful.
    pub fold_hamza_carriers: bool,
    /// Persian/Urdu letters → Arabic: ک → ك, ی ې ے → ي, ھ ہ ە ۃ ۀ → ه.
    pub fold_persian: bool,
    /// Arabic-Indic and Extended Arabic-Indic digits → ASCII.
    pub fold_digits: bool,
    /// ٪ ٫ ٬ → % . , ; Arabic ، ؛ ؟ → , ; ? ; typographic quotes → `"` `'`; dashes → `-`;
    /// full-width ASCII → ASCII.
    pub fold_punctuation: bool,
    /// Lowercase letters of cased scripts (only where lowercasing gives one character).
    pub lowercase: bool,
    /// Presentation forms U+FB50–U+FDFF and U+FE70–U+FEFF → base letters (NFKC per
    /// character, but phrase ligatures such as ﷺ are kept as they are).
    pub fold_presentation_forms: bool,
    /// NBSP and the other Unicode spaces → U+0020; control characters → U+0020.
    pub fold_spaces: bool,
    /// Remove zero-width characters, bidi controls, BOM and soft hyphen.
    pub remove_invisible: bool,
}

impl Profile {
    /// For search and matching: folds every orthographic variant listed on [`Profile`]
    /// except hamza carriers.
    pub const SEARCH: Profile = Profile {
        remove_diacritics: true,
        remove_tatweel: true,
        fold_alef: true,
        fold_alef_maqsura: true,
        fold_teh_marbuta: true,
        fold_hamza_carriers: false,
        fold_persian: true,
        fold_digits: true,
        fold_punctuation: true,
        lowercase: true,
        fold_presentation_forms: true,
        fold_spaces: true,
        remove_invisible: true,
    };

    /// For display: only what never changes meaning (invisible controls, tatweel,
    /// presentation forms, odd spaces and control characters).
    pub const DISPLAY: Profile = Profile {
        remove_diacritics: false,
        remove_tatweel: true,
        fold_alef: false,
        fold_alef_maqsura: false,
        fold_teh_marbuta: false,
        fold_hamza_carriers: false,
        fold_persian: false,
        fold_digits: false,
        fold_punctuation: false,
        lowercase: false,
        fold_presentation_forms: true,
        fold_spaces: true,
        remove_invisible: true,
    };

    /// The profile with a given name (`search`, `display`).
    pub fn by_name(name: &str) -> Option<Profile> {
        match name {
            "search" => Some(Profile::SEARCH),
            "display" => Some(Profile::DISPLAY),
            _ => None,
        }
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::SEARCH
    }
}

/// The result of mapping one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mapped {
    Keep,
    Drop,
    One(char),
    /// Up to four characters (presentation-form ligatures such as ﷲ → الله).
    Many([char; 4], u8),
}

/// Maps one ASCII character under `p` (what [`map_char`] gives, without the
/// class lookup: ASCII only lowercases and turns controls into spaces).
#[inline]
fn map_ascii(p: &Profile, c: char) -> Mapped {
    if p.lowercase && c.is_ascii_uppercase() {
        Mapped::One(c.to_ascii_lowercase())
    } else if p.fold_spaces
        && ((c as u32) < 0x20 || c == '\x7f')
        && !matches!(c, '\t' | '\n' | '\r' | '\x0b' | '\x0c')
    {
        Mapped::One(' ')
    } else {
        Mapped::Keep
    }
}

/// Maps one character under `p`, not looking at neighbours.
fn map_char(p: &Profile, c: char) -> Mapped {
    let cls = class(c);
    match cls {
        CharClass::ArabicLetter => map_letter(p, c),
        CharClass::ArabicMark => {
            if (0xFE70..=0xFE7F).contains(&(c as u32)) {
                // Isolated/medial harakat forms: NFKC gives space + mark, which would add a
                // token boundary; they are diacritics, so they follow the diacritics rule.
                if p.remove_diacritics {
                    Mapped::Drop
                } else {
                    Mapped::Keep
                }
            } else if p.remove_diacritics {
                Mapped::Drop
            } else {
                Mapped::Keep
            }
        }
        CharClass::Tatweel => {
            if p.remove_tatweel {
                Mapped::Drop
            } else {
                Mapped::Keep
            }
        }
        CharClass::Digit => {
            if p.fold_digits && !c.is_ascii_digit() {
                Mapped::One(
                    char::from_digit(crate::chars::digit_value(c).unwrap_or(0), 10).unwrap_or('0'),
                )
            } else {
                Mapped::Keep
            }
        }
        CharClass::Invisible => {
            if p.remove_invisible {
                Mapped::Drop
            } else {
                Mapped::Keep
            }
        }
        CharClass::Space => {
            if p.fold_spaces && c != ' ' && c != '\t' {
                Mapped::One(' ')
            } else {
                Mapped::Keep
            }
        }
        CharClass::Control => {
            if p.fold_spaces {
                Mapped::One(' ')
            } else {
                Mapped::Keep
            }
        }
        CharClass::Punct => {
            if p.fold_punctuation {
                fold_punct(c)
            } else {
                Mapped::Keep
            }
        }
        CharClass::OtherLetter => {
            if p.fold_punctuation && ('\u{FF21}'..='\u{FF5A}').contains(&c) {
                // Full-width Latin letters → ASCII (then lowercased if asked).
                let a = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
                let a = if p.lowercase {
                    a.to_ascii_lowercase()
                } else {
                    a
                };
                return Mapped::One(a);
            }
            if p.lowercase { lower(c) } else { Mapped::Keep }
        }
        CharClass::LineBreak | CharClass::OtherMark | CharClass::Symbol => {
            if p.fold_punctuation && ('\u{FF01}'..='\u{FF5E}').contains(&c) {
                return Mapped::One(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c));
            }
            Mapped::Keep
        }
    }
}

#[inline]
fn lower(c: char) -> Mapped {
    if c.is_ascii() {
        let l = c.to_ascii_lowercase();
        return if l == c { Mapped::Keep } else { Mapped::One(l) };
    }
    if !c.is_uppercase() {
        return Mapped::Keep;
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) if l != c => Mapped::One(l),
        _ => Mapped::Keep,
    }
}

fn fold_punct(c: char) -> Mapped {
    let to = match c {
        '٪' => '%',
        '٫' => '.',
        '٬' => ',',
        '،' => ',',
        '؛' => ';',
        '؟' => '?',
        '۔' => '.',
        '“' | '”' | '„' | '‟' | '«' | '»' | '″' | '〝' | '〞' => '"',
        '‘' | '’' | '‚' | '‛' | '‹' | '›' | '′' => '\'',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => return Mapped::Keep,
    };
    Mapped::One(to)
}

fn map_letter(p: &Profile, c: char) -> Mapped {
    let u = c as u32;
    if (0xFB50..=0xFDFF).contains(&u) || (0xFE80..=0xFEFC).contains(&u) {
        if !p.fold_presentation_forms {
            return Mapped::Keep;
        }
        return map_presentation_form(p, c);
    }
    let to = match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' if p.fold_alef => 'ا',
        'ى' if p.fold_alef_maqsura => 'ي',
        'ة' if p.fold_teh_marbuta => 'ه',
        'ؤ' if p.fold_hamza_carriers => 'و',
        'ئ' if p.fold_hamza_carriers => 'ي',
        'ک' | 'ڪ' if p.fold_persian => 'ك',
        'ی' | 'ې' | 'ے' if p.fold_persian => 'ي',
        'ھ' | 'ہ' | 'ە' | 'ۃ' | 'ۀ' if p.fold_persian => {
            // ۃ is a taa marbuta (goal form): it folds to ة unless ة itself folds.
            if c == 'ۃ' && !p.fold_teh_marbuta {
                'ة'
            } else {
                'ه'
            }
        }
        _ => return Mapped::Keep,
    };
    Mapped::One(to)
}

/// NFKC of one presentation form, each resulting character mapped again by the profile.
fn map_presentation_form(p: &Profile, c: char) -> Mapped {
    let mut buf = ['\0'; 4];
    let mut n = 0usize;
    let mut too_long = false;
    let mut has_space = false;
    unicode_normalization::char::decompose_compatible(c, |d| {
        if d == ' ' {
            has_space = true;
        }
        if n < 4 {
            buf[n] = d;
            n += 1;
        } else {
            too_long = true;
        }
    });
    if too_long || has_space || n == 0 {
        // Phrase ligatures (ﷺ ﷻ ﷽ …): keep as they are instead of inventing words.
        return Mapped::Keep;
    }
    if n == 1 && buf[0] == c {
        return Mapped::Keep;
    }
    // Apply the profile to each decomposed character (e.g. ﻷ → لأ → لا under SEARCH), and
    // compose hamza/madda marks the same way `normalize` does.
    let mut out = ['\0'; 4];
    let mut m = 0usize;
    fn push(out: &mut [char; 4], m: &mut usize, x: char) {
        if *m < 4 {
            out[*m] = x;
            *m += 1;
        }
    }
    for &d in &buf[..n] {
        if m > 0
            && let Some(comp) = compose_hamza(p, out[m - 1], d)
        {
            out[m - 1] = comp;
            continue;
        }
        match map_char(p, d) {
            Mapped::Keep => push(&mut out, &mut m, d),
            Mapped::Drop => {}
            Mapped::One(x) => push(&mut out, &mut m, x),
            Mapped::Many(xs, k) => xs[..k as usize]
                .iter()
                .for_each(|&x| push(&mut out, &mut m, x)),
        }
    }
    if m == 1 {
        Mapped::One(out[0])
    } else if m == 0 {
        Mapped::Drop
    } else {
        Mapped::Many(out, m as u8)
    }
}

/// Composition of a base letter with a following combining hamza or madda, so that
/// «و» + U+0654 reads as «ؤ» under every profile. Returns the composed character
/// after the profile's own folding, or `None` if the pair does not compose.
fn compose_hamza(p: &Profile, base: char, mark: char) -> Option<char> {
    let composed = match (base, mark) {
        ('ا', '\u{0653}') => 'آ',
        ('ا', '\u{0654}') => 'أ',
        ('ا', '\u{0655}') => 'إ',
        ('و', '\u{0654}') => 'ؤ',
        ('ي' | 'ى', '\u{0654}') => 'ئ',
        ('ه', '\u{0654}') => 'ۀ',
        _ => return None,
    };
    Some(match map_char(p, composed) {
        Mapped::One(x) => x,
        Mapped::Keep => composed,
        _ => composed,
    })
}

/// What the table-driven path does with one ASCII or two-byte character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fast {
    /// Copied as it is.
    Keep,
    /// Removed.
    Drop,
    /// Replaced by one character.
    To(char),
    /// Needs the general rule (neighbours or several characters).
    Slow,
}

/// [`Fast`] actions of every code point below U+0800 (the ASCII and two-byte
/// UTF-8 characters, which is nearly all of Arabic news text) under one profile,
/// computed from [`map_ascii`] and [`map_char`] themselves so the two paths
/// cannot disagree.
struct FastTable {
    by_code_point: [Fast; 0x800],
}

impl FastTable {
    fn build(p: &Profile) -> FastTable {
        let mut by_code_point = [Fast::Slow; 0x800];
        for (cp, e) in by_code_point.iter_mut().enumerate() {
            let Some(c) = char::from_u32(cp as u32) else {
                continue;
            };
            // The combining hamza and madda compose with the character before them.
            if matches!(c, '\u{0653}' | '\u{0654}' | '\u{0655}') {
                continue;
            }
            let mapped = if c.is_ascii() {
                map_ascii(p, c)
            } else {
                map_char(p, c)
            };
            *e = match mapped {
                Mapped::Keep => Fast::Keep,
                Mapped::Drop => Fast::Drop,
                Mapped::One(x) => Fast::To(x),
                Mapped::Many(..) => Fast::Slow,
            };
        }
        FastTable { by_code_point }
    }

    /// The table of a built-in profile ([`Profile::SEARCH`], [`Profile::DISPLAY`],
    /// the segmentation profile), built on first use; `None` for other profiles,
    /// which take the general rule.
    #[inline]
    fn of(p: &Profile) -> Option<&'static FastTable> {
        static SEARCH: std::sync::OnceLock<FastTable> = std::sync::OnceLock::new();
        static DISPLAY: std::sync::OnceLock<FastTable> = std::sync::OnceLock::new();
        static SEGMENTATION: std::sync::OnceLock<FastTable> = std::sync::OnceLock::new();
        let cell = if *p == Profile::SEARCH {
            &SEARCH
        } else if *p == crate::analysis::SEGMENTATION_PROFILE {
            &SEGMENTATION
        } else if *p == Profile::DISPLAY {
            &DISPLAY
        } else {
            return None;
        };
        Some(cell.get_or_init(|| FastTable::build(p)))
    }

    /// The action for the character starting at `b[i]` and its width in bytes:
    /// ASCII and two-byte characters by table, anything longer [`Fast::Slow`].
    #[inline]
    fn entry(&self, b: &[u8], i: usize) -> (Fast, usize) {
        let x = b[i];
        if x < 0x80 {
            return (self.by_code_point[usize::from(x)], 1);
        }
        // A lead byte 0xC2..=0xDF starts a two-byte character (valid UTF-8: the
        // next byte exists and continues it).
        if x < 0xE0
            && let Some(&y) = b.get(i + 1)
        {
            let cp = (usize::from(x & 0x1F) << 6) | usize::from(y & 0x3F);
            return (self.by_code_point[cp], 2);
        }
        (Fast::Slow, 1)
    }
}

/// A map from byte offsets of a normalized text back to the original.
///
/// Stored as anchor pairs `(normalized offset, original offset)` recorded only
/// where the mapping stops being a plain copy, so a text that needs no change
/// has an empty map. Between two anchors whose distances agree, bytes were
/// copied one to one; otherwise the region was replaced as a whole (a letter
/// folded to one of another length, a ligature expanded, characters removed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    norm: Vec<u32>,
    orig: Vec<u32>,
    norm_len: u32,
    orig_len: u32,
}

impl OffsetMap {
    /// An empty map (identity over an empty text).
    pub fn new() -> OffsetMap {
        OffsetMap::default()
    }

    /// Forgets everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.norm.clear();
        self.orig.clear();
        self.norm_len = 0;
        self.orig_len = 0;
    }

    fn anchor(&mut self, norm: u32, orig: u32) {
        if let (Some(&n), Some(&o)) = (self.norm.last(), self.orig.last())
            && n == norm
            && o == orig
        {
            return;
        }
        self.norm.push(norm);
        self.orig.push(orig);
    }

    /// Drops the anchors at or after `(norm, orig)`, when a character already
    /// written is replaced by a composition.
    fn truncate_from(&mut self, norm: u32, orig: u32) {
        while let (Some(&n), Some(&o)) = (self.norm.last(), self.orig.last()) {
            if n > norm || (n == norm && o >= orig) {
                self.norm.pop();
                self.orig.pop();
            } else {
                break;
            }
        }
    }

    /// Drops the anchors after normalized offset `norm`.
    fn drop_after(&mut self, norm: u32) {
        while self.norm.last().is_some_and(|&n| n > norm) {
            self.norm.pop();
            self.orig.pop();
        }
    }

    /// Number of anchors (a measure of how much normalization changed).
    pub fn anchors(&self) -> usize {
        self.norm.len()
    }

    /// Maps a normalized offset that *starts* a range back to the original:
    /// characters removed just before it are not included.
    pub fn to_original_start(&self, norm: u32) -> u32 {
        self.map(norm, true)
    }

    /// Maps a normalized offset that *ends* a range back to the original:
    /// characters removed just before it (harakat after the last letter) are included.
    pub fn to_original_end(&self, norm: u32) -> u32 {
        self.map(norm, false)
    }

    /// Maps a normalized span to the original span it came from.
    pub fn to_original(&self, span: crate::Span) -> crate::Span {
        let start = self.to_original_start(span.start);
        let end = self.to_original_end(span.end).max(start);
        crate::Span::new(start, end)
    }

    /// Anchor `k` of the virtual sequence `(0,0), anchors…, (norm_len, orig_len)`.
    fn virtual_anchor(&self, k: usize) -> (u32, u32) {
        if k == 0 {
            (0, 0)
        } else if k <= self.norm.len() {
            (self.norm[k - 1], self.orig[k - 1])
        } else {
            (self.norm_len, self.orig_len)
        }
    }

    fn map(&self, x: u32, is_start: bool) -> u32 {
        let x = x.min(self.norm_len);
        // The last anchor at or before x. Removed characters at x are thus
        // attached to what precedes them: a span starting at x skips them and a
        // span ending at x includes them (harakat and tatweel belong to the
        // letter before them).
        let k = self.norm.partition_point(|&n| n <= x);
        let (n0, o0) = self.virtual_anchor(k);
        if x == n0 {
            return o0;
        }
        let (n1, o1) = self.virtual_anchor(k + 1);
        if n1 - n0 == o1 - o0 {
            o0 + (x - n0)
        } else if is_start {
            // Inside a replaced region: a start goes to its start, an end to its end.
            o0
        } else {
            o1
        }
    }
}

/// Normalizes text according to a [`Profile`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Normalizer {
    profile: Profile,
}

impl Normalizer {
    /// A normalizer for `profile`.
    pub const fn new(profile: Profile) -> Normalizer {
        Normalizer { profile }
    }

    /// The profile in use.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Normalizes `text`, returning the text unchanged (borrowed) when nothing folds.
    pub fn normalize<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        match self.first_change(text) {
            None => std::borrow::Cow::Borrowed(text),
            Some(_) => {
                let mut out = String::with_capacity(text.len());
                self.normalize_into(text, &mut out, None);
                std::borrow::Cow::Owned(out)
            }
        }
    }

    /// Normalizes `text` and returns the offset map back to it.
    pub fn normalize_with_map(&self, text: &str) -> (String, OffsetMap) {
        let mut out = String::with_capacity(text.len());
        let mut map = OffsetMap::new();
        self.normalize_into(text, &mut out, Some(&mut map));
        (out, map)
    }

    /// Byte offset of the first character that this profile would change, if any.
    pub fn first_change(&self, text: &str) -> Option<usize> {
        match FastTable::of(&self.profile) {
            Some(t) => self.first_change_fast(t, text),
            None => self.first_change_slow(text),
        }
    }

    /// [`Normalizer::first_change`] with one table lookup per ASCII or two-byte
    /// character; anything the table marks [`Fast::Slow`] takes the general rule.
    fn first_change_fast(&self, t: &FastTable, text: &str) -> Option<usize> {
        let b = text.as_bytes();
        let mut i = 0usize;
        while i < b.len() {
            let (e, w) = t.entry(b, i);
            match e {
                Fast::Keep => i += w,
                Fast::Slow => {
                    let c = text[i..].chars().next().unwrap_or('\0');
                    let prev = text[..i].chars().next_back().unwrap_or('\0');
                    if map_char(&self.profile, c) != Mapped::Keep
                        || compose_hamza(&self.profile, prev, c).is_some()
                    {
                        return Some(i);
                    }
                    i += c.len_utf8();
                }
                Fast::Drop | Fast::To(_) => return Some(i),
            }
        }
        None
    }

    /// The general rule of [`Normalizer::first_change`], one character at a time.
    fn first_change_slow(&self, text: &str) -> Option<usize> {
        let mut prev = '\0';
        for (i, c) in text.char_indices() {
            if c.is_ascii() && c != '\0' {
                if (self.profile.lowercase && c.is_ascii_uppercase())
                    || (self.profile.fold_spaces && class(c) == CharClass::Control)
                {
                    return Some(i);
                }
                prev = c;
                continue;
            }
            if map_char(&self.profile, c) != Mapped::Keep
                || compose_hamza(&self.profile, prev, c).is_some()
            {
                return Some(i);
            }
            prev = c;
        }
        None
    }

    /// Appends the normalized form of `text` to `out`; if `map` is given, it is
    /// cleared and filled so that offsets into `out` (relative to where this call
    /// started writing) map back to offsets into `text`.
    pub fn normalize_into(&self, text: &str, out: &mut String, map: Option<&mut OffsetMap>) {
        match (map, FastTable::of(&self.profile)) {
            (None, Some(t)) => self.normalize_fast(t, text, out),
            (map, _) => self.normalize_slow(text, out, map),
        }
    }

    /// [`Normalizer::normalize_into`] without an offset map, by table: runs of
    /// characters the profile keeps are copied whole, one table lookup per ASCII
    /// or two-byte character; the rest (three- and four-byte characters, the
    /// combining hamza and madda, multi-character results) takes the general rule.
    ///
    /// Valid because without a map the general rule's only state is the last
    /// character written, which is the last character of `out` past `base`.
    fn normalize_fast(&self, t: &FastTable, text: &str, out: &mut String) {
        let base = out.len();
        let b = text.as_bytes();
        let mut i = 0usize;
        // Start of the run of kept characters not yet copied to `out`.
        let mut run = 0usize;
        while i < b.len() {
            let (e, w) = t.entry(b, i);
            if e == Fast::Keep {
                i += w;
                continue;
            }
            out.push_str(&text[run..i]);
            match e {
                Fast::Keep | Fast::Drop => i += w,
                Fast::To(x) => {
                    out.push(x);
                    i += w;
                }
                Fast::Slow => {
                    let c = text[i..].chars().next().unwrap_or('\0');
                    self.push_slow_char(c, out, base);
                    i += c.len_utf8();
                }
            }
            run = i;
        }
        out.push_str(&text[run..]);
    }

    /// Appends the normalization of one character the way the general rule of
    /// [`Normalizer::normalize_into`] does without a map: a combining hamza or
    /// madda composes with the last character written since `base`.
    fn push_slow_char(&self, c: char, out: &mut String, base: usize) {
        let p = &self.profile;
        if matches!(c, '\u{0653}' | '\u{0654}' | '\u{0655}')
            && let Some(prev) = out[base..].chars().next_back()
            && let Some(comp) = compose_hamza(p, prev, c)
        {
            out.truncate(out.len() - prev.len_utf8());
            out.push(comp);
            return;
        }
        let mapped = if c.is_ascii() {
            map_ascii(p, c)
        } else {
            map_char(p, c)
        };
        match mapped {
            Mapped::Keep => out.push(c),
            Mapped::Drop => {}
            Mapped::One(x) => out.push(x),
            Mapped::Many(xs, k) => xs[..k as usize].iter().for_each(|&x| out.push(x)),
        }
    }

    /// The general rule of [`Normalizer::normalize_into`], one character at a
    /// time, recording the offset map if asked.
    fn normalize_slow(&self, text: &str, out: &mut String, mut map: Option<&mut OffsetMap>) {
        let base = out.len();
        if let Some(m) = map.as_deref_mut() {
            m.clear();
        }
        let p = &self.profile;
        // The last character written: where it starts in `out`, the character, and
        // where it came from in `text` (`None` inside a ligature's expansion).
        let mut last_kept: Option<(usize, char, Option<u32>)> = None;
        for (i, c) in text.char_indices() {
            let i32_ = i as u32;
            let clen = c.len_utf8() as u32;
            let mapped = if c.is_ascii() {
                map_ascii(p, c)
            } else {
                map_char(p, c)
            };
            // Combining hamza/madda after a letter composes with it.
            if let Some((at, prev, prev_orig)) = last_kept
                && matches!(c, '\u{0653}' | '\u{0654}' | '\u{0655}')
                && let Some(comp) = compose_hamza(p, prev, c)
            {
                {
                    let rel_at = (at - base) as u32;
                    out.truncate(at);
                    out.push(comp);
                    if let Some(m) = map.as_deref_mut() {
                        match prev_orig {
                            // The letter was copied or mapped alone: the composition
                            // replaces it and the mark together.
                            Some(o) => {
                                m.truncate_from(rel_at, o);
                                m.anchor(rel_at, o);
                            }
                            // The letter ended an expansion (a ligature): the whole
                            // expansion and the mark become one replaced region.
                            None => m.drop_after(rel_at),
                        }
                        m.anchor((out.len() - base) as u32, i32_ + clen);
                    }
                    last_kept = Some((at, comp, prev_orig));
                    continue;
                }
            }
            let n_before = (out.len() - base) as u32;
            match mapped {
                Mapped::Keep => {
                    out.push(c);
                    last_kept = Some((base + n_before as usize, c, Some(i32_)));
                    continue;
                }
                Mapped::Drop => {
                    if let Some(m) = map.as_deref_mut() {
                        m.anchor(n_before, i32_);
                        m.anchor(n_before, i32_ + clen);
                    }
                    continue;
                }
                Mapped::One(x) => {
                    out.push(x);
                    last_kept = Some((base + n_before as usize, x, Some(i32_)));
                    if x.len_utf8() as u32 == clen {
                        continue;
                    }
                }
                Mapped::Many(xs, k) => {
                    for &x in &xs[..k as usize] {
                        last_kept = Some((out.len(), x, None));
                        out.push(x);
                    }
                }
            }
            if let Some(m) = map.as_deref_mut() {
                m.anchor(n_before, i32_);
                m.anchor((out.len() - base) as u32, i32_ + clen);
            }
        }
        if let Some(m) = map {
            m.norm_len = (out.len() - base) as u32;
            m.orig_len = text.len() as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn search(s: &str) -> String {
        Normalizer::new(Profile::SEARCH).normalize(s).into_owned()
    }
    fn display(s: &str) -> String {
        Normalizer::new(Profile::DISPLAY).normalize(s).into_owned()
    }

    #[test]
    fn search_folds_the_outlet_variants() {
        assert_eq!(search("إعادة"), "اعاده");
        assert_eq!(search("اعادة"), "اعاده");
        assert_eq!(search("أستانة"), "استانه");
        assert_eq!(search("استانا"), "استانا");
        assert_eq!(search("سورية"), "سوريه");
        assert_eq!(search("مستشفى"), "مستشفي");
        assert_eq!(search("ٱلرَّحْمَٰنِ"), "الرحمن");
        assert_eq!(search("مدرســـة"), "مدرسه");
        assert_eq!(search("کوردستانی"), "كوردستاني");
        assert_eq!(search("١٢٫٥٪"), "12.5%");
        assert_eq!(search("۱۳۹۹"), "1399");
        assert_eq!(search("“سانا” «سانا» – —"), "\"سانا\" \"سانا\" - -");
        assert_eq!(search("a\u{00A0}b"), "a b");
        assert_eq!(search("\u{FEFF}\u{200F}بوتين\u{200E}"), "بوتين");
        assert_eq!(search("U.S. Army"), "u.s. army");
        assert_eq!(search("مسؤول بيئة"), "مسؤول بيئه");
    }

    #[test]
    fn presentation_forms_fold_without_exploding_phrases() {
        assert_eq!(search("ﻻ"), "لا");
        assert_eq!(search("ﻷ"), "لا");
        assert_eq!(display("ﻷ"), "لأ");
        assert_eq!(search("ﷲ"), "الله");
        // Phrase ligatures stay one character.
        assert_eq!(search("ﷺ"), "ﷺ");
        assert_eq!(search("\u{FE8E}"), "ا");
        // Isolated harakat forms are diacritics.
        assert_eq!(search("ب\u{FE70}"), "ب");
    }

    #[test]
    fn hamza_above_composes() {
        assert_eq!(search("و\u{0654}"), "ؤ");
        assert_eq!(search("ا\u{0654}"), "ا");
        assert_eq!(display("ا\u{0654}"), "أ");
        assert_eq!(display("ي\u{0654}"), "ئ");
    }

    #[test]
    fn display_keeps_meaning() {
        assert_eq!(display("إِعادةُ ٣ مسـتشفى"), "إِعادةُ ٣ مستشفى");
        assert_eq!(display("a\u{200F}b\u{00A0}c"), "ab c");
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        assert!(matches!(
            Normalizer::new(Profile::SEARCH).normalize("بوتين قال"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(matches!(
            Normalizer::new(Profile::SEARCH).normalize("أبو"),
            std::borrow::Cow::Owned(_)
        ));
    }

    /// The built-in profiles, which take the table-driven path.
    fn fast_profiles() -> [Profile; 3] {
        [
            Profile::SEARCH,
            Profile::DISPLAY,
            crate::analysis::SEGMENTATION_PROFILE,
        ]
    }

    /// Characters worth pairing: every class, the composing marks and what they compose with.
    fn probe_chars() -> Vec<char> {
        let mut v: Vec<char> =
            "اأإآٱوىيهةۀbB \t\n\0\u{7f}\u{85}\u{a0}٪«ﻷﷲﷺ\u{FE70}ـ\u{064E}\u{0670}\u{200F}😀ｈＡ١۱ک"
                .chars()
                .collect();
        v.extend(['\u{0653}', '\u{0654}', '\u{0655}']);
        v
    }

    #[test]
    fn fast_path_agrees_with_the_general_rule_on_every_short_character() {
        for p in fast_profiles() {
            let n = Normalizer::new(p);
            let t = FastTable::of(&p).expect("built-in profile has a table");
            for cp in 0u32..0x800 {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                for prev in probe_chars() {
                    for text in [format!("{c}"), format!("{prev}{c}"), format!("{c}{prev}x")] {
                        let mut fast = String::from("#");
                        n.normalize_fast(t, &text, &mut fast);
                        let mut slow = String::from("#");
                        n.normalize_slow(&text, &mut slow, None);
                        assert_eq!(fast, slow, "{p:?} {text:?}");
                        assert_eq!(
                            n.first_change_fast(t, &text),
                            n.first_change_slow(&text),
                            "{p:?} {text:?}"
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]

        #[test]
        fn fast_path_agrees_with_the_general_rule(
            chars in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(probe_chars()),
                    proptest::char::range('\u{0600}', '\u{06FF}'),
                    proptest::char::range('\u{FB50}', '\u{FEFF}'),
                    proptest::char::range('\0', '\u{07FF}'),
                    proptest::char::any(),
                ],
                0..40,
            )
        ) {
            let text: String = chars.into_iter().collect();
            for p in fast_profiles() {
                let n = Normalizer::new(p);
                let t = FastTable::of(&p).expect("built-in profile has a table");
                let mut fast = String::new();
                n.normalize_fast(t, &text, &mut fast);
                let mut slow = String::new();
                n.normalize_slow(&text, &mut slow, None);
                proptest::prop_assert_eq!(&fast, &slow);
                proptest::prop_assert_eq!(n.first_change_fast(t, &text), n.first_change_slow(&text));
            }
        }
    }

    #[test]
    fn offset_map_points_back_into_the_original() {
        let text = "قال «إِعادةُ» ﷲ ١٢ مسـتشفى.";
        let (norm, map) = Normalizer::new(Profile::SEARCH).normalize_with_map(text);
        assert_eq!(norm, "قال \"اعاده\" الله 12 مستشفي.");
        let find = |needle: &str| {
            let s = norm.find(needle).unwrap();
            let sp = map.to_original(Span::from_usize(s, s + needle.len()));
            sp.slice(text).to_string()
        };
        assert_eq!(find("اعاده"), "إِعادةُ");
        assert_eq!(find("الله"), "ﷲ");
        assert_eq!(find("12"), "١٢");
        assert_eq!(find("مستشفي"), "مسـتشفى");
        assert_eq!(find("قال"), "قال");
        assert_eq!(find("\"اعاده\""), "«إِعادةُ»");
        // Inside an expansion: a start maps to the ligature's start, an end to its end.
        let s = norm.find("الله").unwrap();
        assert_eq!(
            map.to_original(Span::from_usize(s + 2, s + 4)).slice(text),
            "ﷲ"
        );
    }
}
