//! Prints what a model knows about words: lexical form, corpus count and
//! cluster, corpus tag counts, neighbour votes, gazetteer roles (for error analysis).
//! Usage: `inspect_word MODEL WORD…` (words as written; they are search-normalized).
use khabar_core::{Normalizer, Profile};
use khabar_ner::lexicon::{Gazetteer, Lexicon};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: inspect_word MODEL WORD…");
    let bytes = std::fs::read(path).expect("read model");
    let (_, p) = khabar_ner::model::from_bytes(&bytes).expect("load model");
    let lexicon = Lexicon::new(&p.lexicon);
    let gaz = Gazetteer::new(&p.gazetteer);
    let boot = Gazetteer::new(&p.bootstrap);
    let find = |d: &khabar_ner::lexicon::CorpusTagsData, f: &str| {
        d.entries.iter().find(|(w, _)| w == f).map(|(_, c)| *c)
    };
    let normalizer = Normalizer::new(Profile::SEARCH);
    for word in args {
        let norm = normalizer.normalize(&word).to_string();
        let mut lex = String::new();
        lexicon.lex_form(&norm, &mut lex);
        println!(
            "{word}: norm {norm} lex {lex} count {} cluster {:06x}",
            lexicon.count(&lex),
            lexicon.cluster(&lex)
        );
        println!("  corpus tags {:?}", find(&p.corpus_tags, &lex));
        println!("  context tags {:?}", find(&p.context_tags, &lex));
        println!("  doc tags {:?}", find(&p.doc_tags, &lex));
        println!(
            "  neighbours {:?}",
            p.neighbors
                .entries
                .iter()
                .find(|(w, _)| *w == lex)
                .map(|e| e.1)
        );
        println!(
            "  gaz roles {} boot roles {} gaz name {} boot name {}",
            gaz.token_roles(&lex),
            boot.token_roles(&lex),
            gaz.lookup(&lex),
            boot.lookup(&lex)
        );
    }
}
