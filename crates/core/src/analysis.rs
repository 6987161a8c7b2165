//! The text layer in one call: sentences, tokens, normalized forms, clitic
//! segments and stems, every one with a span into the original text.

use crate::clitics::{CliticSegmenter, SegmentKind};
use crate::normalize::{Normalizer, OffsetMap, Profile};
use crate::sentence::{SentenceBounds, split_sentences};
use crate::stem;
use crate::token::{RawToken, TokenKind, tokenize};
use crate::{Error, Span};
use serde::{Deserialize, Serialize};

/// The form clitic segmentation works on: [`Profile::SEARCH`] but with ة and ى
/// kept, because «مدرسة» (school) must not read as «مدرس+ه» (his teacher).
/// Folding ة → ه and ى → ي afterwards keeps every byte offset (all four
/// letters are two bytes in UTF-8), so the search form of a token is derived
/// from its segmentation form without another map.
pub const SEGMENTATION_PROFILE: Profile = Profile {
    fold_teh_marbuta: false,
    fold_alef_maqsura: false,
    ..Profile::SEARCH
};

/// Which stemmer fills [`Token`] stems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StemMode {
    /// khabar's light stem of the clitic-segmented stem (a sub-slice of the word).
    #[default]
    Light,
    /// Lucene's `ArabicNormalizer` + `ArabicStemmer`, on the token's surface.
    Lucene,
}

/// Options of a [`TextAnalyzer`].
#[derive(Clone, Debug, Default)]
pub struct AnalyzerOptions {
    /// Which stemmer to use.
    pub stem_mode: StemMode,
}

/// A sentence of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Its span in the original text.
    pub span: Span,
    /// Index of its first token in [`Analysis::tokens`].
    pub first_token: u32,
    /// One past the index of its last token.
    pub end_token: u32,
}

/// A token of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Where it is in the original text.
    pub span: Span,
    /// What it is.
    pub kind: TokenKind,
    /// Index of its sentence.
    pub sentence: u32,
    norm: (u32, u32),
    stem: (u32, u32),
    segments: (u32, u32),
}

/// A clitic segment of a word token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Where it is in the original text (may be empty-width never: at least one letter).
    pub span: Span,
    /// Proclitic, stem or enclitic.
    pub kind: SegmentKind,
    form: (u32, u32),
    restored: bool,
}

impl Segment {
    /// True if the segment's form was restored because the surface lost letters:
    /// the article «ال» written «ل» after the preposition «ل» (للمرة → ل + ال + مرة).
    pub fn is_restored(&self) -> bool {
        self.restored
    }
}

/// Everything the text layer knows about one text.
///
/// Strings (normalized forms, stems, segment forms) live in one arena so an
/// analysis costs a handful of allocations however long the text is; read
/// them through [`Analysis::norm`], [`Analysis::stem`] and [`Analysis::form`].
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Sentences in text order.
    pub sentences: Vec<Sentence>,
    /// Tokens in text order.
    pub tokens: Vec<Token>,
    /// Clitic segments of all word tokens, in text order.
    pub segments: Vec<Segment>,
    arena: String,
}

impl Analysis {
    fn clear(&mut self) {
        self.sentences.clear();
        self.tokens.clear();
        self.segments.clear();
        self.arena.clear();
    }

    fn arena_str(&self, r: (u32, u32)) -> &str {
        &self.arena[r.0 as usize..r.1 as usize]
    }

    /// The token's normalized form ([`Profile::SEARCH`]).
    pub fn norm(&self, t: &Token) -> &str {
        self.arena_str(t.norm)
    }

    /// The token's stem (for matching; empty for tokens that are not words).
    pub fn stem(&self, t: &Token) -> &str {
        self.arena_str(t.stem)
    }

    /// The token's clitic segments (empty for tokens that are not Arabic words).
    pub fn segments_of(&self, t: &Token) -> &[Segment] {
        &self.segments[t.segments.0 as usize..t.segments.1 as usize]
    }

    /// The segment's normalized form; the restored «ال» for the «ل» of «للـ».
    pub fn form(&self, s: &Segment) -> &str {
        self.arena_str(s.form)
    }

    /// The tokens of a sentence.
    pub fn tokens_of(&self, s: &Sentence) -> &[Token] {
        &self.tokens[s.first_token as usize..s.end_token as usize]
    }

    /// The token's stem segment, if it is an Arabic word.
    pub fn stem_segment(&self, t: &Token) -> Option<&Segment> {
        self.segments_of(t)
            .iter()
            .find(|s| s.kind == SegmentKind::Stem)
    }
}

/// Runs the text layer. Build once, share across threads (it is `Send + Sync`),
/// and reuse an [`Analysis`] per thread with [`TextAnalyzer::analyze_into`].
#[derive(Clone, Debug, Default)]
pub struct TextAnalyzer {
    options: AnalyzerOptions,
    seg_normalizer: Normalizer,
    search_normalizer: Normalizer,
    segmenter: CliticSegmenter,
}

/// Per-call scratch space, kept in a thread-local so `analyze` needs no `&mut self`.
#[derive(Default)]
struct Scratch {
    raw: Vec<RawToken>,
    bounds: Vec<SentenceBounds>,
    word: String,
    map: OffsetMap,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl TextAnalyzer {
    /// An analyzer with the built-in segmenter.
    pub fn new(options: AnalyzerOptions) -> TextAnalyzer {
        TextAnalyzer::with_segmenter(options, CliticSegmenter::new())
    }

    /// An analyzer with another clitic model (see [`CliticSegmenter::from_bytes`]).
    pub fn with_segmenter(options: AnalyzerOptions, segmenter: CliticSegmenter) -> TextAnalyzer {
        TextAnalyzer {
            options,
            seg_normalizer: Normalizer::new(SEGMENTATION_PROFILE),
            search_normalizer: Normalizer::new(Profile::SEARCH),
            segmenter,
        }
    }

    /// The clitic segmenter in use.
    pub fn segmenter(&self) -> &CliticSegmenter {
        &self.segmenter
    }

    /// Analyzes `text`.
    ///
    /// # Errors
    /// [`Error::TextTooLarge`] if the text is longer than [`Span::MAX_TEXT_LEN`] bytes.
    pub fn analyze(&self, text: &str) -> Result<Analysis, Error> {
        let mut a = Analysis::default();
        self.analyze_into(text, &mut a)?;
        Ok(a)
    }

    /// Analyzes `text` into `out`, reusing its allocations.
    ///
    /// # Errors
    /// [`Error::TextTooLarge`] if the text is longer than [`Span::MAX_TEXT_LEN`] bytes.
    pub fn analyze_into(&self, text: &str, out: &mut Analysis) -> Result<(), Error> {
        out.clear();
        if text.len() > Span::MAX_TEXT_LEN {
            return Err(Error::TextTooLarge {
                len: text.len(),
                max: Span::MAX_TEXT_LEN,
            });
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let s = &mut *s;
            s.raw.clear();
            s.bounds.clear();
            tokenize(text, &mut s.raw);
            split_sentences(text, &s.raw, &mut s.bounds);
            out.sentences.reserve(s.bounds.len());
            out.tokens.reserve(s.raw.len());
            out.arena.reserve(text.len() + text.len() / 2);
            let raw = std::mem::take(&mut s.raw);
            let bounds = std::mem::take(&mut s.bounds);
            for (si, b) in bounds.iter().enumerate() {
                out.sentences.push(Sentence {
                    span: b.span,
                    first_token: b.first_token,
                    end_token: b.end_token,
                });
                for rt in &raw[b.first_token as usize..b.end_token as usize] {
                    self.analyze_token(text, *rt, si as u32, s, out);
                }
            }
            s.raw = raw;
            s.bounds = bounds;
        });
        Ok(())
    }

    fn analyze_token(
        &self,
        text: &str,
        rt: RawToken,
        sentence: u32,
        s: &mut Scratch,
        out: &mut Analysis,
    ) {
        let surface = rt.span.slice(text);
        let norm_start = out.arena.len() as u32;
        let seg_start = out.segments.len() as u32;
        let mut stem = (norm_start, norm_start);
        let norm_end;
        if rt.kind == TokenKind::Word {
            s.word.clear();
            // Plain Arabic letters (the common case) keep their offsets one to one;
            // anything else (harakat, tatweel, presentation forms…) goes through the
            // normalizer and its offset map.
            let same_offsets = plain_word_forms(surface, &mut s.word, &mut out.arena);
            if !same_offsets {
                self.seg_normalizer
                    .normalize_into(surface, &mut s.word, Some(&mut s.map));
                push_search_form(&s.word, &mut out.arena);
            }
            norm_end = out.arena.len() as u32;
            if !s.word.is_empty() {
                let a = self.segmenter.analyze_word(&s.word);
                let light = self.options.stem_mode == StemMode::Light;
                let base = rt.span.start;
                if same_offsets {
                    // Offsets into the forms are offsets into the surface.
                    crate::clitics::for_each_piece(&s.word, &a, |p| {
                        let form = match p.restored {
                            Some(r) => push_restored(&mut out.arena, r),
                            None => (norm_start + p.start, norm_start + p.end),
                        };
                        if light && p.kind == SegmentKind::Stem {
                            stem = light_stem_of(&out.arena, form, a.enc != 0);
                        }
                        out.segments.push(Segment {
                            span: Span::new(base + p.start, base + p.end),
                            kind: p.kind,
                            form,
                            restored: p.restored.is_some(),
                        });
                    });
                } else {
                    let n_pieces = a.n_pieces();
                    let mut prev_end = base;
                    let mut pi = 0usize;
                    let map = &s.map;
                    crate::clitics::for_each_piece(&s.word, &a, |p| {
                        let mut orig = map.to_original(Span::new(p.start, p.end)).shifted(base);
                        // Segments tile the token: stray marks before the first letter join
                        // the first segment, anything after the last joins the last.
                        orig.start = prev_end;
                        if pi + 1 == n_pieces {
                            orig.end = rt.span.end;
                        }
                        orig.end = orig.end.max(orig.start);
                        prev_end = orig.end;
                        pi += 1;
                        let form = match p.restored {
                            Some(r) => push_restored(&mut out.arena, r),
                            None => (norm_start + p.start, norm_start + p.end),
                        };
                        if light && p.kind == SegmentKind::Stem {
                            stem = light_stem_of(&out.arena, form, a.enc != 0);
                        }
                        out.segments.push(Segment {
                            span: orig,
                            kind: p.kind,
                            form,
                            restored: p.restored.is_some(),
                        });
                    });
                }
            }
        } else {
            search_form(surface, &self.search_normalizer, &mut out.arena);
            norm_end = out.arena.len() as u32;
            if rt.kind.is_wordlike() {
                stem = (norm_start, norm_end);
            }
        }
        if rt.kind == TokenKind::Word && self.options.stem_mode == StemMode::Lucene {
            let l = stem::lucene::analyze(surface);
            let at = out.arena.len() as u32;
            out.arena.push_str(&l);
            stem = (at, out.arena.len() as u32);
        }
        out.tokens.push(Token {
            span: rt.span,
            kind: rt.kind,
            sentence,
            norm: (norm_start, norm_end),
            stem,
            segments: (seg_start, out.segments.len() as u32),
        });
    }
}

/// The forms of a word made only of plain Arabic letters (U+0621–U+063A,
/// U+0641–U+064A, U+0671), the common case: its segmentation form goes to
/// `word` (alef forms folded) and its search form is appended to `arena` (ة → ه
/// and ى → ي as well). Every letter keeps its two bytes, so offsets into the
/// forms are offsets into the surface. Returns false, writing nothing, for any
/// other word, which then takes the normalizer's path.
#[inline]
fn plain_word_forms(surface: &str, word: &mut String, arena: &mut String) -> bool {
    let b = surface.as_bytes();
    if !b.len().is_multiple_of(2) || b.len() > 128 {
        return false;
    }
    // Bit k set: the k-th letter is folded.
    let mut alef = 0u64;
    let mut search = 0u64;
    // Branch-free per letter: the lead byte alternates between D8 and D9.
    let mut bad = 0u8;
    for (k, pair) in b.chunks_exact(2).enumerate() {
        use crate::chars::{arabic_2b, arabic_2b_index};
        let f = arabic_2b::FLAGS[arabic_2b_index(pair[0], pair[1])];
        bad |= u8::from(pair[0] & 0xFE != 0xD8) | u8::from(f & arabic_2b::PLAIN == 0);
        alef |= u64::from(f & arabic_2b::ALEF_FOLD != 0) << k;
        search |= u64::from(f & arabic_2b::SEARCH_FOLD != 0) << k;
    }
    if bad != 0 {
        return false;
    }
    // Copy runs of unchanged letters between the folded ones (most words have none).
    let mut run = 0usize;
    let mut folds = alef | search;
    while folds != 0 {
        let k = folds.trailing_zeros() as usize;
        let at = 2 * k;
        let seg = if alef & (1 << k) != 0 {
            "ا"
        } else {
            &surface[at..at + 2]
        };
        let srch = match (alef & (1 << k) != 0, b[at + 1]) {
            (true, _) => "ا",
            (false, 0xA9) => "ه",
            _ => "ي",
        };
        word.push_str(&surface[run..at]);
        word.push_str(seg);
        arena.push_str(&surface[run..at]);
        arena.push_str(srch);
        run = at + 2;
        folds &= folds - 1;
    }
    word.push_str(&surface[run..]);
    arena.push_str(&surface[run..]);
    true
}

/// Appends a restored form to the arena, returning its range.
#[inline]
fn push_restored(arena: &mut String, r: &str) -> (u32, u32) {
    let at = arena.len() as u32;
    arena.push_str(r);
    (at, arena.len() as u32)
}

/// The light stem of the stem segment whose form is `form` in the arena. Before
/// an enclitic, a final ت is the feminine ة (حكومت+ه): it goes like the ه of
/// «حكومه», so «حكومته» and «الحكومة» share the stem «حكوم».
#[inline]
fn light_stem_of(arena: &str, form: (u32, u32), before_enclitic: bool) -> (u32, u32) {
    let st = arena.get(form.0 as usize..form.1 as usize).unwrap_or("");
    let mut r = stem::light_stem(st);
    if before_enclitic && r.end == st.len() && st.ends_with('ت') && st.chars().count() >= 4 {
        r.end -= 'ت'.len_utf8();
    }
    (form.0 + r.start as u32, form.0 + r.end as u32)
}

/// Appends the search form of a segmentation form: ة → ه and ى → ي, the two
/// folds [`Profile::SEARCH`] adds to [`SEGMENTATION_PROFILE`]. All four letters
/// are two bytes, so offsets are kept.
fn push_search_form(seg: &str, arena: &mut String) {
    let mut run = 0usize;
    for (i, c) in seg.char_indices() {
        let to = match c {
            'ة' => 'ه',
            'ى' => 'ي',
            _ => continue,
        };
        arena.push_str(&seg[run..i]);
        arena.push(to);
        run = i + c.len_utf8();
    }
    arena.push_str(&seg[run..]);
}

/// Appends the search form of a token that is not an Arabic word: ASCII tokens
/// (numbers, Latin words, punctuation) only need lowercasing.
#[inline]
fn search_form(surface: &str, normalizer: &Normalizer, arena: &mut String) {
    let b = surface.as_bytes();
    if b.iter().all(|&c| c.is_ascii_graphic()) {
        if b.iter().any(u8::is_ascii_uppercase) {
            arena.extend(surface.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            arena.push_str(surface);
        }
        return;
    }
    normalizer.normalize_into(surface, arena, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_of_a_news_sentence() {
        let text = "وقال الرئيسُ الروسي إن «الخطوةَ التالية» للمرة الأولى، ١٢٫٥٪.";
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        assert_eq!(a.sentences.len(), 1);
        let norms: Vec<&str> = a.tokens.iter().map(|t| a.norm(t)).collect();
        assert_eq!(
            norms,
            [
                "وقال",
                "الرئيس",
                "الروسي",
                "ان",
                "\"",
                "الخطوه",
                "التاليه",
                "\"",
                "للمره",
                "الاولي",
                ",",
                "12.5%",
                "."
            ]
        );
        let t = &a.tokens[1];
        assert_eq!(t.span.slice(text), "الرئيسُ");
        let segs = a.segments_of(t);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].span.slice(text), "ال");
        assert_eq!(segs[1].span.slice(text), "رئيسُ");
        assert_eq!(a.form(&segs[1]), "رئيس");
        let lil = &a.tokens[8];
        let forms: Vec<&str> = a.segments_of(lil).iter().map(|s| a.form(s)).collect();
        assert_eq!(forms, ["ل", "ال", "مره"]);
        let spans: Vec<&str> = a
            .segments_of(lil)
            .iter()
            .map(|s| s.span.slice(text))
            .collect();
        assert_eq!(spans, ["ل", "ل", "مرة"]);
    }

    #[test]
    fn light_stems_meet_across_clitics() {
        let text = "وبحكومته الحكومة الحكومات لحكوماتهم";
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let stems: Vec<&str> = a.tokens.iter().map(|t| a.stem(t)).collect();
        assert_eq!(stems, ["حكوم", "حكوم", "حكوم", "حكوم"]);
    }

    #[test]
    fn every_span_slices_the_original() {
        let text = "\u{FEFF}قال\u{200F} ﻻ بُد ـ مدرســـة ﷲ!";
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        for t in &a.tokens {
            assert!(text.get(t.span.range()).is_some());
            for s in a.segments_of(t) {
                assert!(t.span.contains(s.span));
                assert!(text.get(s.span.range()).is_some());
            }
        }
    }
}
