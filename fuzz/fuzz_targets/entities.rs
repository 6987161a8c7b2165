//! Fuzz the entity tagger: any bytes, decoded lossily, must be tagged without a
//! panic, every entity span must slice the input on char boundaries, the CoNLL
//! path must return one tag per token, and the model loader must reject
//! corrupted model bytes with an error, never a panic.
#![no_main]

use khabar_ner::Recognizer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ner = Recognizer::embedded().expect("embedded model");
    let ents = ner.recognize_text(&text).expect("text below 4 GiB");
    for e in &ents {
        assert!(text.get(e.span.range()).is_some());
        assert!(!e.span.is_empty());
        assert!((0.0..=1.0001).contains(&e.score));
    }
    let toks: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(ner.tag_tokens(&toks).len(), toks.len());
    // Model loader on garbage, and (for one input in 16: it copies the 21 MB model)
    // on the real model with a byte flipped or cut short.
    let _ = Recognizer::from_bytes(data);
    if data.len() > 1 && data[data.len() - 1] % 16 == 0 {
        let mut m = Recognizer::embedded_bytes().to_vec();
        let at = (data[0] as usize * 7919 + data.len()) % m.len();
        m[at] ^= data.get(1).copied().unwrap_or(1) | 1;
        assert!(Recognizer::from_bytes(&m).is_err());
        let cut = data.len() % m.len();
        assert!(Recognizer::from_bytes(&m[..cut]).is_err());
    }
});
