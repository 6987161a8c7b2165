//! Invariants of quotes and digests on arbitrary text built from news-like pieces.

use khabar_core::TextAnalyzer;
use khabar_story::digest::{DigestDocument, DigestOptions, NoEntities, build_digest};
use khabar_story::lexicon::DocFreq;
use khabar_story::quotes::QuoteExtractor;
use khabar_story::terms::Prepared;
use proptest::prelude::*;

/// Pieces that exercise the quote scanner: cues, complementizers, quote marks of every
/// kind, punctuation, line breaks, names and filler.
const PIECES: &[&str] = &[
    "قال",
    "وقال",
    "وأضاف",
    "وتابع",
    "مضيفا",
    "قائلا:",
    "قوله",
    "بحسب ما أفاد",
    "نقلا عن",
    "إن",
    "أن",
    "أنه",
    "بأن",
    "فإن",
    "إلى أن",
    "«",
    "»",
    "“",
    "”",
    "\"",
    ":",
    "،",
    ".",
    "؟",
    "\n",
    "\n\n",
    "الرئيس الروسي",
    "بوتين",
    "الكرملين",
    "في بيان",
    "وقف إطلاق النار",
    "حلب",
    "يجب",
    "الذي",
    "لم",
    "يمكن",
    "(",
    ")",
    "-",
    "12",
    "CNN",
    "ـ",
    "\u{200f}",
    "ً",
    "🙂",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.join(" "))
}

proptest! {
    #[test]
    fn quote_spans_are_in_bounds_and_on_char_boundaries(text in text_strategy()) {
        let a = TextAnalyzer::default_analyzer().analyze(&text).unwrap();
        let p = Prepared::new(&text, a, DocFreq::builtin());
        for q in QuoteExtractor::default().extract(&p, &[]) {
            for s in [Some(q.content), Some(q.cue), q.speaker, q.channel].into_iter().flatten() {
                prop_assert!(s.start <= s.end);
                prop_assert!(text.get(s.range()).is_some(), "{s} in {text:?}");
            }
            prop_assert!(!q.content.is_empty());
        }
    }

    #[test]
    fn digests_never_fail_and_are_deterministic(a in text_strategy(), b in text_strategy()) {
        let docs = [
            DigestDocument { id: "a", text: &a, title: None },
            DigestDocument { id: "b", text: &b, title: Some("عنوان") },
        ];
        let d1 = build_digest(&docs, &NoEntities, None, &DigestOptions::default()).unwrap();
        let d2 = build_digest(&docs, &NoEntities, None, &DigestOptions::default()).unwrap();
        prop_assert_eq!(serde_json::to_string(&d1).unwrap(), serde_json::to_string(&d2).unwrap());
        for s in &d1.stories {
            for l in &s.summary {
                prop_assert!(l.support >= 1);
                for src in &l.sources {
                    let t = if src.doc == "a" { &a } else { &b };
                    prop_assert!(t.get(src.start as usize..src.end as usize).is_some());
                }
            }
        }
    }
}
