//! Prints the lexicon of a model file (`form<TAB>count<TAB>cluster`), for inspecting clusters.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump_lexicon MODEL");
    let bytes = std::fs::read(path).expect("read model");
    let (_, payload) = khabar_ner::model::from_bytes(&bytes).expect("load model");
    for w in &payload.lexicon.words {
        println!("{}\t{}\t{:06x}", w.form, w.count, w.cluster);
    }
}
