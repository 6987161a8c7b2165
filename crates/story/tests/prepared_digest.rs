//! `build_digest_prepared` (documents analysed and tagged by the caller, as ingest does)
//! gives byte for byte the digest `build_digest` gives on the same documents: on the
//! user's sample (one document of paragraphs) and on the mini corpus (40 articles of
//! several stories, as documents).

use khabar_core::TextAnalyzer;
use khabar_story::digest::{
    Digest, DigestDocument, DigestOptions, EntityTagger, NoEntities, PreparedDocument,
    build_digest, build_digest_prepared,
};
use khabar_story::gazetteer::Gazetteer;

const EXAMPLE: &str = include_str!("../../../examples/multi-outlet-report.ar.txt");
const MINI: &str = include_str!("../../../testdata/corpus/mini-news.jsonl");
const TEST_GAZETTEER: &str = include_str!("data/test-gazetteer.tsv");

struct Article {
    id: String,
    title: Option<String>,
    text: String,
}

fn mini() -> Vec<Article> {
    MINI.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Article {
                id: v["id"].as_str().unwrap().to_string(),
                title: v["title"].as_str().map(str::to_string),
                text: v["text"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// Analysis and mentions made outside the digest, as ingest makes them.
fn prepare(
    docs: &[DigestDocument],
    tagger: &dyn EntityTagger,
    opts: &DigestOptions,
) -> Vec<PreparedDocument> {
    let analyzer = TextAnalyzer::default_analyzer();
    docs.iter()
        .map(|d| {
            let analysis = analyzer.analyze(d.text).unwrap();
            let mut mentions = tagger.tag(d.text, &analysis);
            // Ingest hands mentions over in its own order: the digest sorts them.
            mentions.reverse();
            PreparedDocument::new(d.text, analysis, mentions, opts)
        })
        .collect()
}

fn json(d: &Digest) -> String {
    serde_json::to_string(d).unwrap()
}

fn digest_documents(articles: &[Article]) -> Vec<DigestDocument<'_>> {
    articles
        .iter()
        .map(|a| DigestDocument {
            id: &a.id,
            text: &a.text,
            title: a.title.as_deref(),
        })
        .collect()
}

#[test]
fn prepared_digest_of_the_sample_is_the_plain_one() {
    let tagger = Gazetteer::parse(TEST_GAZETTEER).unwrap();
    let docs = [DigestDocument {
        id: "multi-outlet-report.ar.txt",
        text: EXAMPLE,
        title: None,
    }];
    let opts = DigestOptions::default();
    let plain = build_digest(&docs, &tagger, None, &opts).unwrap();
    let prepared =
        build_digest_prepared(&docs, prepare(&docs, &tagger, &opts), None, &opts).unwrap();
    assert!(!plain.stories[0].summary.is_empty());
    assert!(!plain.stories[0].quotes.is_empty());
    assert_eq!(json(&plain), json(&prepared));
}

#[test]
fn prepared_digest_of_the_mini_corpus_is_the_plain_one() {
    let tagger = Gazetteer::parse(TEST_GAZETTEER).unwrap();
    let articles = mini();
    let docs = digest_documents(&articles);
    // Several stories of several reports; ingest's options (documents, no keyphrases)
    // and the defaults.
    let stories: Vec<Vec<usize>> = (0..docs.len())
        .collect::<Vec<_>>()
        .chunks(6)
        .map(<[usize]>::to_vec)
        .collect();
    let ingest = DigestOptions::documents_without_keyphrases();
    for opts in [DigestOptions::default(), ingest] {
        let plain = build_digest(&docs, &tagger, Some(&stories), &opts).unwrap();
        let prepared =
            build_digest_prepared(&docs, prepare(&docs, &tagger, &opts), Some(&stories), &opts)
                .unwrap();
        assert_eq!(plain.stories.len(), stories.len());
        assert!(
            plain
                .stories
                .iter()
                .any(|s| s.summary.iter().any(|l| l.support >= 2))
        );
        assert_eq!(json(&plain), json(&prepared));
    }
}

#[test]
fn a_prepared_document_of_another_text_is_prepared_again() {
    let articles = mini();
    let docs = digest_documents(&articles[..4]);
    let opts = DigestOptions::default();
    let plain = build_digest(&docs, &NoEntities, None, &opts).unwrap();
    // Each document gets the next one's analysis (other lengths), the last none.
    let mut wrong = prepare(&docs[1..], &NoEntities, &opts);
    assert!(wrong.iter().zip(&docs).all(|(_, d)| !d.text.is_empty()));
    wrong.truncate(3);
    let prepared = build_digest_prepared(&docs, wrong, None, &opts).unwrap();
    assert_eq!(json(&plain), json(&prepared));
}
