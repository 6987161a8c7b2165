//! Invariants of the tagger and the keys on arbitrary input.

use khabar_ner::tags::{Tag, repair, spans};
use khabar_ner::{Recognizer, keys};
use proptest::prelude::*;

fn arabicish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("بوتين".to_string()),
            Just("و".to_string()),
            Just("ال".to_string()),
            Just("حلب".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("«".to_string()),
            Just(".".to_string()),
            Just("ـ".to_string()),
            Just("\u{064E}".to_string()),
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn entities_slice_the_input(text in arabicish()) {
        let ner = Recognizer::embedded().unwrap();
        let ents = ner.recognize_text(&text).unwrap();
        let mut prev_end = 0;
        for e in &ents {
            prop_assert!(text.get(e.span.range()).is_some());
            prop_assert!(!e.span.is_empty());
            prop_assert!(e.span.start >= prev_end, "entities are ordered and disjoint");
            prev_end = e.span.end;
            prop_assert!((0.0..=1.0).contains(&e.score));
        }
        // Deterministic.
        prop_assert_eq!(ents, ner.recognize_text(&text).unwrap());
    }

    #[test]
    fn one_tag_per_token_and_well_formed(tokens in prop::collection::vec("[^\\s]{1,8}", 0..30)) {
        let ner = Recognizer::embedded().unwrap();
        let tags = ner.tag_tokens(&tokens);
        prop_assert_eq!(tags.len(), tokens.len());
        let mut prev = None;
        for t in &tags {
            prop_assert!(t.may_follow(prev));
            prev = Some(*t);
        }
    }

    #[test]
    fn repair_keeps_spans(raw in prop::collection::vec(0u8..9, 0..30)) {
        let tags: Vec<Tag> = raw.into_iter().map(Tag).collect();
        let mut r = tags.clone();
        repair(&mut r);
        prop_assert_eq!(spans(&tags), spans(&r));
    }

    #[test]
    fn keys_are_stable_under_resolution(text in arabicish()) {
        let ner = Recognizer::embedded().unwrap();
        let mut ents = ner.recognize_text(&text).unwrap();
        let before = ents.clone();
        keys::resolve_document(&mut ents);
        // Resolving again changes nothing, and spans and labels never change.
        prop_assert_eq!(before.len(), ents.len());
        for (a, b) in before.iter().zip(&ents) {
            prop_assert_eq!(a.span, b.span);
            prop_assert_eq!(a.ty, b.ty);
            prop_assert_eq!(&a.key, &b.key);
        }
    }
}
