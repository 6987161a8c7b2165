//! Invariants of the text layer on arbitrary input (proptest).
//!
//! The generator mixes Arabic letters, harakat, tatweel, presentation forms,
//! digits of three sets, bidi controls, quotes, punctuation, Latin, controls and
//! arbitrary Unicode, because real news text mixes all of them.

use khabar_core::{Normalizer, Profile, Span, TextAnalyzer, TokenKind};
use proptest::prelude::*;

fn news_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::char::range('\u{0621}', '\u{064A}'),
        2 => prop::char::range('\u{064B}', '\u{0655}'),
        1 => Just('\u{0640}'),
        1 => Just('\u{0670}'),
        1 => prop::char::range('\u{0660}', '\u{0669}'),
        1 => prop::char::range('\u{06F0}', '\u{06F9}'),
        1 => prop::char::range('\u{FB50}', '\u{FDFF}'),
        1 => prop::char::range('\u{FE70}', '\u{FEFF}'),
        1 => prop::sample::select(vec!['\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202B}', '\u{2067}', '\u{061C}', '\u{FEFF}', '\u{00AD}']),
        3 => prop::sample::select(vec![' ', ' ', '\n', '\t', '\u{00A0}', '\r', '\u{2029}']),
        2 => prop::sample::select(vec!['.', '،', '؟', '!', '«', '»', '“', '”', '"', '(', ')', ':', '-', '–', '…', '٪', '٫', '٬', '%', '/', '@', '#', '_', '\'']),
        2 => prop::char::range('a', 'z'),
        1 => prop::char::range('A', 'Z'),
        1 => prop::char::range('0', '9'),
        1 => prop::sample::select(vec!['\0', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\u{9C}']),
        1 => any::<char>(),
    ]
}

fn news_text() -> impl Strategy<Value = String> {
    prop::collection::vec(news_char(), 0..120).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn normalization_is_idempotent(text in news_text()) {
        for p in [Profile::SEARCH, Profile::DISPLAY] {
            let n = Normalizer::new(p);
            let once = n.normalize(&text).into_owned();
            let twice = n.normalize(&once).into_owned();
            prop_assert_eq!(&once, &twice);
            prop_assert!(n.first_change(&once).is_none(), "first_change on normalized text: {:?}", once);
        }
    }

    #[test]
    fn offset_map_lands_on_char_boundaries_in_order(text in news_text()) {
        for p in [Profile::SEARCH, Profile::DISPLAY] {
            let (norm, map) = Normalizer::new(p).normalize_with_map(&text);
            let mut prev_end = 0u32;
            let mut offsets: Vec<usize> = norm.char_indices().map(|(i, _)| i).collect();
            offsets.push(norm.len());
            for w in offsets.windows(2) {
                let sp = map.to_original(Span::from_usize(w[0], w[1]));
                prop_assert!(text.is_char_boundary(sp.start as usize) && text.is_char_boundary(sp.end as usize));
                prop_assert!(sp.start <= sp.end && sp.end as usize <= text.len());
                prop_assert!(sp.start >= prev_end.min(sp.start));
                prev_end = sp.end;
            }
            let whole = map.to_original(Span::from_usize(0, norm.len()));
            prop_assert!(whole.end as usize <= text.len());
            // Normalizing the mapped-back piece of each char gives that char back.
            for w in offsets.windows(2) {
                let sp = map.to_original(Span::from_usize(w[0], w[1]));
                let piece = Normalizer::new(p).normalize(sp.slice(&text)).into_owned();
                prop_assert!(piece.contains(&norm[w[0]..w[1]]) || norm[w[0]..w[1]].contains(piece.as_str()),
                    "piece {:?} of {:?} normalizes to {:?}, expected {:?}", sp.slice(&text), text, piece, &norm[w[0]..w[1]]);
            }
        }
    }

    #[test]
    fn analysis_spans_slice_the_original(text in news_text()) {
        let a = TextAnalyzer::default_analyzer().analyze(&text).unwrap();
        let mut prev_end = 0u32;
        for s in &a.sentences {
            prop_assert!(text.get(s.span.range()).is_some());
            prop_assert!(s.span.start >= prev_end);
            prev_end = s.span.end;
            prop_assert!(s.first_token < s.end_token);
            let toks = a.tokens_of(s);
            prop_assert_eq!(toks.first().unwrap().span.start, s.span.start);
            prop_assert_eq!(toks.last().unwrap().span.end, s.span.end);
        }
        let mut prev = 0u32;
        for t in &a.tokens {
            prop_assert!(!t.span.is_empty());
            prop_assert!(t.span.start >= prev);
            prev = t.span.end;
            prop_assert!(text.get(t.span.range()).is_some());
            let segs = a.segments_of(t);
            if t.kind == TokenKind::Word && !a.norm(t).is_empty() {
                prop_assert!(!segs.is_empty());
                // Segments tile the token in order.
                prop_assert_eq!(segs.first().unwrap().span.start, t.span.start);
                prop_assert_eq!(segs.last().unwrap().span.end, t.span.end);
                for w in segs.windows(2) {
                    prop_assert_eq!(w[0].span.end, w[1].span.start);
                }
            }
            for sg in segs {
                prop_assert!(text.get(sg.span.range()).is_some());
            }
            // The normalized form of a token is the normalization of its surface.
            let n = Normalizer::new(Profile::SEARCH).normalize(t.span.slice(&text)).into_owned();
            prop_assert_eq!(a.norm(t), n.as_str());
        }
        // Nothing is lost: every byte outside tokens is whitespace, control or invisible.
        let mut covered = vec![false; text.len()];
        for t in &a.tokens { for b in t.span.range() { covered[b] = true; } }
        for (i, c) in text.char_indices() {
            if !covered[i] {
                let cls = khabar_core::chars::class(c);
                prop_assert!(matches!(cls, khabar_core::chars::CharClass::Space | khabar_core::chars::CharClass::LineBreak
                    | khabar_core::chars::CharClass::Control | khabar_core::chars::CharClass::Invisible), "dropped {:?} in {:?}", c, text);
            }
        }
    }
}

/// Words in segmentation form, weighted towards the letters clitics are made of.
fn seg_word() -> impl Strategy<Value = String> {
    let letter = prop_oneof![
        4 => prop::sample::select(vec!['و', 'ف', 'ب', 'ك', 'ل', 'س', 'ا', 'ه', 'ي', 'ن', 'م', 'ة', 'ى', 'ت']),
        3 => prop::char::range('\u{0621}', '\u{063A}'),
        2 => prop::char::range('\u{0641}', '\u{064A}'),
        1 => prop::sample::select(vec!['ٱ', 'پ', 'ی', 'ﷲ']),
    ];
    let plain =
        prop::collection::vec(letter, 1..14).prop_map(|v| v.into_iter().collect::<String>());
    let built = (
        prop::sample::select(vec![
            "", "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "لل", "ولل", "وس", "فب",
        ]),
        prop::collection::vec(prop::char::range('\u{0621}', '\u{064A}'), 1..8),
        prop::sample::select(vec!["", "ه", "ها", "هم", "هما", "ك", "كم", "ي", "ني", "نا"]),
    )
        .prop_map(|(p, stem, e)| format!("{p}{}{e}", stem.into_iter().collect::<String>()));
    prop_oneof![plain, built]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn segments_tile_the_word(word in seg_word()) {
        use khabar_core::clitics::{CliticSegmenter, SegmentKind};
        let seg = CliticSegmenter::new();
        let mut pieces = Vec::new();
        seg.segment(&word, &mut pieces);
        prop_assert!(!pieces.is_empty());
        prop_assert_eq!(pieces[0].start, 0);
        prop_assert_eq!(pieces.last().unwrap().end as usize, word.len());
        for w in pieces.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
        }
        let mut stems = 0;
        for (i, p) in pieces.iter().enumerate() {
            prop_assert!(p.start < p.end, "empty piece in {:?}: {:?}", word, pieces);
            let surface = word.get(p.start as usize..p.end as usize);
            prop_assert!(surface.is_some(), "piece off a char boundary in {:?}", word);
            // A restored form only where the article was written «ل» after «ل».
            if let Some(r) = p.restored {
                prop_assert_eq!(r, "ال");
                prop_assert_eq!(surface.unwrap(), "ل");
                prop_assert_eq!(p.kind, SegmentKind::Proclitic);
                prop_assert!(i > 0 && &word[pieces[i - 1].start as usize..pieces[i - 1].end as usize] == "ل");
            }
            match p.kind {
                SegmentKind::Stem => stems += 1,
                SegmentKind::Proclitic => prop_assert_eq!(stems, 0, "proclitic after the stem in {:?}", word),
                SegmentKind::Enclitic => prop_assert!(stems == 1 && i + 1 == pieces.len()),
            }
        }
        prop_assert_eq!(stems, 1);
        // Same word, same segmentation.
        let mut again = Vec::new();
        seg.segment(&word, &mut again);
        prop_assert_eq!(pieces, again);
    }
}
