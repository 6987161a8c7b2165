//! Prints the first-pass emission scores of every label for each token of a
//! sentence (whitespace-separated, search-normalized here), for error analysis.
//! Usage: `emission MODEL "TOKENS…"`.
use khabar_core::{Normalizer, Profile};
use khabar_ner::features::{self, Resources, Scratch, SentenceFeatures};
use khabar_ner::knn::Neighbors;
use khabar_ner::lexicon::{CorpusTags, Gazetteer, Lexicon};
use khabar_ner::perceptron::Weights;
use khabar_ner::{Label, N_LABELS};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: emission MODEL SENTENCE");
    let sentence = args.next().expect("usage: emission MODEL SENTENCE");
    let bytes = std::fs::read(path).expect("read model");
    let (_, p) = khabar_ner::model::from_bytes(&bytes).expect("load model");
    let weights = Weights::new(&p.weights).expect("weights");
    let lexicon = Lexicon::new(&p.lexicon);
    let (gazetteer, bootstrap) = (Gazetteer::new(&p.gazetteer), Gazetteer::new(&p.bootstrap));
    let (ct, xt, dt) = (
        CorpusTags::new(&p.corpus_tags),
        CorpusTags::new(&p.context_tags),
        CorpusTags::new(&p.doc_tags),
    );
    let neighbors = Neighbors::new(&p.neighbors);
    let colloc = khabar_ner::collocations::Collocations::new(&p.collocations);
    let res = Resources {
        lexicon: &lexicon,
        gazetteer: &gazetteer,
        bootstrap: &bootstrap,
        corpus_tags: &ct,
        context_tags: &xt,
        doc_tags: &dt,
        collocations: &colloc,
        neighbors: &neighbors,
    };
    let normalizer = Normalizer::new(Profile::SEARCH);
    let norms: Vec<String> = sentence
        .split_whitespace()
        .map(|w| normalizer.normalize(w).to_string())
        .collect();
    let refs: Vec<&str> = norms.iter().map(|s| s.as_str()).collect();
    let mut scratch = Scratch::default();
    let mut feats = SentenceFeatures::default();
    features::extract(res, &refs, &mut scratch, &mut feats);
    for (i, w) in refs.iter().enumerate() {
        let mut e = [0f32; N_LABELS];
        weights.score(feats.of(i), &mut e);
        let mut best: Vec<(usize, f32)> = e.iter().copied().enumerate().collect();
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> = best[..4]
            .iter()
            .map(|(l, s)| format!("{} {:.1}", Label(*l as u8).as_str(), s))
            .collect();
        println!("{w}\t{}", top.join("  "));
    }
}
