//! Fuzz the text layer: any bytes, decoded lossily, must analyze without a
//! panic, and every span must slice the input on char boundaries.
#![no_main]

use khabar_core::{Normalizer, Profile, Span, TextAnalyzer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let analyzer = TextAnalyzer::default_analyzer();
    let a = analyzer.analyze(&text).expect("text below 4 GiB");
    for s in &a.sentences {
        assert!(text.get(s.span.range()).is_some());
    }
    for t in &a.tokens {
        assert!(text.get(t.span.range()).is_some());
        for seg in a.segments_of(t) {
            assert!(text.get(seg.span.range()).is_some());
        }
    }
    for p in [Profile::SEARCH, Profile::DISPLAY] {
        let n = Normalizer::new(p);
        let (norm, map) = n.normalize_with_map(&text);
        assert_eq!(n.normalize(&norm), norm.as_str());
        let whole = map.to_original(Span::from_usize(0, norm.len()));
        assert!(text.get(whole.range()).is_some());
    }
    for r in khabar_core::chunk::chunk_ranges(&text, 64) {
        assert!(text.get(r).is_some());
    }
});
