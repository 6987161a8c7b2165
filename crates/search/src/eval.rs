//! Known-item search evaluation under spelling variation.
//!
//! From a corpus of articles (the shared ANT multi-source corpus), pick
//! `queries` articles with a seeded hash of their id, and turn each headline
//! into a query written the way *another* outlet might spell it: hamza on or
//! off alef (أ/إ/آ ↔ ا), ة ↔ ه and ى ↔ ي at word ends, country and nisba
//! endings (سوريا ↔ سورية), hamza seats (ؤ ↔ ئ), and the conjunction و or the
//! article ال added or removed. Every rewrite is drawn from xxh3 seeded with
//! `seed`, the article id and the word index, so the query set is the same on
//! every machine. Each query is then run against four indexes of the same
//! documents (title + body), and recall@k counts the queries whose article
//! (or an article with the very same headline: wire copies) is in the top k:
//!
//! - `khabar`: tantivy with khabar's terms (what `khabar search` runs);
//! - `tantivy-default`: tantivy's default tokenizer (split on non-alphanumerics, lowercase);
//! - `fts5-unicode61`: SQLite FTS5 with its `unicode61` tokenizer, ranked by bm25;
//! - `fts5-khabar-terms`: FTS5 over khabar's terms (the analyzer without tantivy).
//!
//! The unmodified headlines are run too, as the ceiling each system reaches
//! without spelling variation.

use crate::index::{IndexDoc, IndexFilters, SearchIndex};
use crate::query::parse_query;
use crate::terms::{IndexToken, index_tokens};
use khabar::{Document, DocumentReader, InputOptions, Source};
use khabar_core::{Normalizer, Profile, TextAnalyzer};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// Errors of the evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The corpus folder has no JSONL files.
    #[error("{0}: no .jsonl files found (expected the ant_multisource folder of the shared data)")]
    NoData(String),
    /// Reading the corpus.
    #[error(transparent)]
    Input(#[from] khabar::InputError),
    /// The khabar index.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    /// tantivy.
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// SQLite.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Filesystem.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What to evaluate.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Folder with the corpus JSONL files (read in name order).
    pub data: PathBuf,
    /// Number of known-item queries.
    pub queries: usize,
    /// Seed of the article choice and of the rewrites.
    pub seed: u64,
    /// Rank cutoff.
    pub k: usize,
    /// Use only the first this-many documents (for quick runs).
    pub max_docs: Option<usize>,
    /// Scratch folder for the indexes.
    pub work_dir: PathBuf,
}

/// One query of the evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct EvalQuery {
    /// The article the query should find.
    pub target: String,
    /// Its headline.
    pub title: String,
    /// The rewritten headline.
    pub query: String,
    /// Rewrites applied to the headline (names of the rules).
    pub rewrites: Vec<&'static str>,
    /// Up to three headline keywords (four letters or more, not stop words), as written.
    pub keywords: String,
    /// The same keywords, each rewritten by at least one rule where one applies.
    pub keywords_query: String,
    /// Rewrites applied to the keywords.
    pub keyword_rewrites: Vec<&'static str>,
}

/// Recall@k and MRR of one system on one kind of query.
#[derive(Clone, Debug, Serialize)]
pub struct Score {
    /// Share of queries whose article is in the top k.
    pub recall: f64,
    /// Mean reciprocal rank within the top k.
    pub mrr: f64,
}

/// One system's scores on the four query kinds.
#[derive(Clone, Debug, Serialize)]
pub struct SystemScore {
    /// System name.
    pub system: &'static str,
    /// Keywords in another spelling (the main figure).
    pub keywords_variant: Score,
    /// The same keywords as the outlet wrote them (the ceiling without spelling variation).
    pub keywords_original: Score,
    /// Whole headlines in another spelling.
    pub headline_variant: Score,
    /// Whole headlines as written.
    pub headline_original: Score,
}

/// The evaluation's result.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// Documents indexed.
    pub documents: usize,
    /// Queries run.
    pub queries: usize,
    /// Rank cutoff.
    pub k: usize,
    /// Seed.
    pub seed: u64,
    /// How many words each rewrite rule changed over all queries.
    pub rewrite_counts: Vec<(&'static str, usize)>,
    /// Scores, one row per system.
    pub systems: Vec<SystemScore>,
    /// The queries (for inspection).
    pub query_set: Vec<EvalQuery>,
    /// Rank of the article (1-based; `None` when not in the top k) per query, for
    /// each `system/kind`, in query order.
    pub ranks: BTreeMap<String, Vec<Option<usize>>>,
}

fn hash(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::with_seed(seed);
    for p in parts {
        h.update(p);
        h.update(&[0xFF]);
    }
    h.digest()
}

/// A uniform draw in [0, 1) from the seed and a key.
fn draw(seed: u64, id: &str, word: usize, rule: &str) -> f64 {
    (hash(seed, &[id.as_bytes(), &word.to_le_bytes(), rule.as_bytes()]) >> 11) as f64
        / (1u64 << 53) as f64
}

fn replace_last(word: &str, from: &str, to: &str) -> String {
    format!("{}{}", &word[..word.len() - from.len()], to)
}

/// Rewrites one headline word the way another outlet might spell it.
/// Returns the new word and the rules applied.
fn rewrite_word(seed: u64, id: &str, i: usize, word: &str) -> (String, Vec<&'static str>) {
    let mut w = word.to_string();
    let mut rules = Vec::new();
    let letters = |s: &str| s.chars().count();
    // Hamza on alef: mostly dropped (the commonest variation), sometimes added.
    if w.contains(['أ', 'إ', 'آ']) {
        if draw(seed, id, i, "alef") < 0.8 {
            w = w.replace(['أ', 'إ', 'آ'], "ا");
            rules.push("alef-hamza-dropped");
        }
    } else if let Some(rest) = w.strip_prefix("ال").filter(|r| r.starts_with('ا'))
        && draw(seed, id, i, "alef") < 0.3
    {
        w = format!("الأ{}", &rest['ا'.len_utf8()..]);
        rules.push("alef-hamza-added");
    } else if w.starts_with('ا')
        && letters(&w) >= 4
        && !w.starts_with("ال")
        && draw(seed, id, i, "alef") < 0.3
    {
        w = format!("أ{}", &w['ا'.len_utf8()..]);
        rules.push("alef-hamza-added");
    }
    // Country and nisba endings: سوريا ↔ سورية.
    if letters(&w) >= 5 && w.ends_with("يا") && draw(seed, id, i, "iya") < 0.7 {
        w = replace_last(&w, "يا", "ية");
        rules.push("ya-alef-to-ya-taa");
    } else if letters(&w) >= 5 && w.ends_with("ية") && draw(seed, id, i, "iya") < 0.3 {
        w = replace_last(&w, "ية", "يا");
        rules.push("ya-taa-to-ya-alef");
    } else if w.ends_with('ة') && draw(seed, id, i, "taa") < 0.5 {
        w = replace_last(&w, "ة", "ه");
        rules.push("taa-marbuta-to-ha");
    } else if w.ends_with('ى') && draw(seed, id, i, "maqsura") < 0.5 {
        w = replace_last(&w, "ى", "ي");
        rules.push("alef-maqsura-to-ya");
    } else if w.ends_with('ي') && letters(&w) >= 4 && draw(seed, id, i, "maqsura") < 0.15 {
        w = replace_last(&w, "ي", "ى");
        rules.push("ya-to-alef-maqsura");
    }
    // Hamza seats.
    if w.contains('ؤ') && draw(seed, id, i, "seat") < 0.5 {
        w = w.replace('ؤ', "ئ");
        rules.push("hamza-seat-waw-to-ya");
    } else if w.contains('ئ') && draw(seed, id, i, "seat") < 0.3 {
        w = w.replace('ئ', "ؤ");
        rules.push("hamza-seat-ya-to-waw");
    }
    // Clitics: و and ال added or removed.
    if let Some(rest) = w
        .strip_prefix('و')
        .filter(|r| letters(r) >= 4 && r.starts_with("ال"))
        && draw(seed, id, i, "wa") < 0.4
    {
        w = rest.to_string();
        rules.push("wa-removed");
    } else if !w.starts_with('و') && letters(&w) >= 3 && draw(seed, id, i, "wa") < 0.15 {
        w = format!("و{w}");
        rules.push("wa-added");
    }
    if let Some(rest) = w.strip_prefix("ال").filter(|r| letters(r) >= 3)
        && draw(seed, id, i, "al") < 0.3
    {
        w = rest.to_string();
        rules.push("al-removed");
    } else if let Some(rest) = w.strip_prefix("وال").filter(|r| letters(r) >= 3)
        && draw(seed, id, i, "al") < 0.3
    {
        w = format!("و{rest}");
        rules.push("al-removed");
    } else if !w.starts_with("ال")
        && !w.starts_with('و')
        && letters(&w) >= 4
        && w.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c))
        && draw(seed, id, i, "al") < 0.15
    {
        w = format!("ال{w}");
        rules.push("al-added");
    }
    (w, rules)
}

/// Strips punctuation around a word.
fn trim_word(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Builds the query set from documents (deterministic in `seed`).
pub fn make_queries(docs: &[Document], n: usize, seed: u64) -> Vec<EvalQuery> {
    let mut candidates: Vec<(u64, &Document)> = docs
        .iter()
        .filter(|d| {
            d.title.as_deref().is_some_and(|t| {
                t.split_whitespace()
                    .filter(|w| !trim_word(w).is_empty())
                    .count()
                    >= 4
            })
        })
        .map(|d| (hash(seed, &[d.id.as_bytes()]), d))
        .collect();
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    candidates
        .into_iter()
        .take(n)
        .map(|(_, d)| {
            let title = d.title.clone().unwrap_or_default();
            let mut words = Vec::new();
            let mut rewrites = Vec::new();
            for (i, raw) in title.split_whitespace().enumerate() {
                let w = trim_word(raw);
                if w.is_empty() {
                    continue;
                }
                let (nw, rules) = rewrite_word(seed, &d.id, i, w);
                rewrites.extend(rules);
                words.push(nw);
            }
            if rewrites.is_empty() {
                // Every query differs from its headline in at least one word.
                for (i, w) in words.iter_mut().enumerate() {
                    let (nw, rules) = rewrite_word(seed ^ 0x5eed, &d.id, i + 1000, w);
                    if !rules.is_empty() {
                        *w = nw;
                        rewrites.extend(rules);
                        break;
                    }
                }
            }
            let (keywords, keywords_query, keyword_rewrites) = keyword_query(seed, &d.id, &title);
            EvalQuery {
                target: d.id.clone(),
                title,
                query: words.join(" "),
                rewrites,
                keywords,
                keywords_query,
                keyword_rewrites,
            }
        })
        .collect()
}

/// Up to three headline keywords (seeded choice, headline order kept), and the
/// same keywords rewritten: for each, the first of 32 seeded draws that applies a rule.
fn keyword_query(seed: u64, id: &str, title: &str) -> (String, String, Vec<&'static str>) {
    let stop: Vec<&str> = crate::hooks::STOP_WORDS.to_vec();
    let mut cands: Vec<(u64, usize, &str)> = title
        .split_whitespace()
        .map(trim_word)
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 4 && !stop.contains(w))
        .map(|(i, w)| (hash(seed, &[id.as_bytes(), w.as_bytes(), b"kw"]), i, w))
        .collect();
    cands.sort();
    cands.truncate(3);
    cands.sort_by_key(|c| c.1);
    let mut original = Vec::new();
    let mut rewritten = Vec::new();
    let mut rules = Vec::new();
    for (_, i, w) in cands {
        original.push(w.to_string());
        let mut chosen = (w.to_string(), Vec::new());
        for attempt in 0..32u64 {
            let (nw, r) = rewrite_word(seed ^ (attempt * 0x9E37_79B9), id, i, w);
            if !r.is_empty() {
                chosen = (nw, r);
                break;
            }
        }
        rewritten.push(chosen.0);
        rules.extend(chosen.1);
    }
    (original.join(" "), rewritten.join(" "), rules)
}

/// Reads the corpus JSONL files of a folder, in name order.
pub fn read_corpus(dir: &Path, max_docs: Option<usize>) -> Result<Vec<Document>, EvalError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(EvalError::NoData(dir.display().to_string()));
    }
    let sources: Vec<Source> = files.into_iter().map(Source::Path).collect();
    let reader = DocumentReader::new(&sources, InputOptions::default())?;
    let mut docs = Vec::new();
    for d in reader {
        docs.push(d?);
        if max_docs.is_some_and(|m| docs.len() >= m) {
            break;
        }
    }
    Ok(docs)
}

/// The headline key used to accept wire copies as the known item.
fn title_key(n: &Normalizer, t: Option<&str>) -> String {
    n.normalize(t.unwrap_or(""))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Scorer<'a> {
    relevant: Vec<Vec<usize>>,
    queries: &'a [EvalQuery],
    k: usize,
}

impl Scorer<'_> {
    /// Rank (1-based) of the article in each query's top k.
    fn ranks(&self, ranked: &[Vec<usize>]) -> Vec<Option<usize>> {
        ranked
            .iter()
            .enumerate()
            .map(|(qi, r)| {
                r.iter()
                    .take(self.k)
                    .position(|d| self.relevant[qi].contains(d))
                    .map(|p| p + 1)
            })
            .collect()
    }

    /// Recall@k and MRR from ranks.
    fn score(&self, ranks: &[Option<usize>]) -> Score {
        let n = self.queries.len().max(1) as f64;
        Score {
            recall: ranks.iter().filter(|r| r.is_some()).count() as f64 / n,
            mrr: ranks.iter().flatten().map(|r| 1.0 / *r as f64).sum::<f64>() / n,
        }
    }
}

/// Runs the evaluation.
///
/// # Errors
/// Missing data, I/O, index and SQLite errors.
pub fn run(opts: &EvalOptions, mut log: impl FnMut(&str)) -> Result<EvalReport, EvalError> {
    let docs = read_corpus(&opts.data, opts.max_docs)?;
    log(&format!("read {} documents", docs.len()));
    let queries = make_queries(&docs, opts.queries, opts.seed);
    let norm = Normalizer::new(Profile::SEARCH);
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        by_title
            .entry(title_key(&norm, d.title.as_deref()))
            .or_default()
            .push(i);
    }
    let index_of: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let relevant: Vec<Vec<usize>> = queries
        .iter()
        .map(|q| {
            let mut r = by_title
                .get(&title_key(&norm, Some(&q.title)))
                .cloned()
                .unwrap_or_default();
            if let Some(&i) = index_of.get(q.target.as_str())
                && !r.contains(&i)
            {
                r.push(i);
            }
            r
        })
        .collect();
    let scorer = Scorer {
        relevant,
        queries: &queries,
        k: opts.k,
    };
    std::fs::create_dir_all(&opts.work_dir)?;
    let analyzer = TextAnalyzer::default_analyzer();
    let terms_of = |text: &str| -> Vec<IndexToken> {
        let mut out = Vec::new();
        if let Ok(a) = analyzer.analyze(text) {
            index_tokens(text, &a, 0, &mut out);
        }
        out
    };

    // khabar: tantivy over khabar's terms.
    log("indexing: khabar terms in tantivy");
    let kdir = opts.work_dir.join("khabar");
    if kdir.exists() {
        std::fs::remove_dir_all(&kdir)?;
    }
    let mut kindex = SearchIndex::open_write(&kdir)?;
    let prepared: Vec<(IndexDoc, String, String)> = docs
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let title = d.title.clone().unwrap_or_default();
            let tt = terms_of(&title);
            let bt = terms_of(&d.text);
            let join = |ts: &[IndexToken]| {
                ts.iter()
                    .map(|t| t.term.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (tj, bj) = (join(&tt), join(&bt));
            (
                IndexDoc {
                    id: d.id.clone(),
                    seq: i as i64 + 1,
                    title: Some((title, tt)),
                    body: (d.text.clone(), bt),
                    source: d.source.clone(),
                    date: d.date.clone(),
                    entities: Vec::new(),
                },
                tj,
                bj,
            )
        })
        .collect();
    let mut joined_terms = Vec::with_capacity(prepared.len());
    let mut kdocs = Vec::with_capacity(prepared.len());
    for (d, tj, bj) in prepared {
        kdocs.push(d);
        joined_terms.push((tj, bj));
    }
    kindex.add(kdocs)?;
    kindex.commit(docs.len() as i64)?;
    let run_khabar = |text: &str| -> Vec<usize> {
        match parse_query(&analyzer, text) {
            Ok(q) => kindex
                .search(&q, &IndexFilters::default(), opts.k, 0)
                .map(|(_, hits)| hits.into_iter().map(|(seq, _)| seq as usize - 1).collect())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    };

    // tantivy's default tokenizer.
    log("indexing: tantivy default tokenizer");
    let mut sb = Schema::builder();
    let f_idx = sb.add_u64_field("i", STORED);
    let f_title = sb.add_text_field("title", TEXT);
    let f_body = sb.add_text_field("body", TEXT);
    let _ = STRING;
    let schema = sb.build();
    let tdir = opts.work_dir.join("tantivy-default");
    if tdir.exists() {
        std::fs::remove_dir_all(&tdir)?;
    }
    std::fs::create_dir_all(&tdir)?;
    let tindex = Index::create_in_dir(&tdir, schema)?;
    {
        let mut w: IndexWriter = tindex.writer_with_num_threads(2, 256 << 20)?;
        for (i, d) in docs.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_u64(f_idx, i as u64);
            doc.add_text(f_title, d.title.as_deref().unwrap_or(""));
            doc.add_text(f_body, &d.text);
            w.add_document(doc)?;
        }
        w.commit()?;
    }
    let treader = tindex.reader()?;
    let tsearcher = treader.searcher();
    let mut parser = QueryParser::for_index(&tindex, vec![f_title, f_body]);
    parser.set_field_boost(f_title, 2.0);
    let run_tantivy = |text: &str| -> Vec<usize> {
        let (q, _) = parser.parse_query_lenient(text);
        tsearcher
            .search(&q, &TopDocs::with_limit(opts.k).order_by_score())
            .map(|top| {
                top.into_iter()
                    .filter_map(|(_, a)| {
                        let d: TantivyDocument = tsearcher.doc(a).ok()?;
                        d.get_first(f_idx)
                            .and_then(|v| v.as_u64())
                            .map(|v| v as usize)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };

    // SQLite FTS5: unicode61 over the raw text, and over khabar's terms.
    log("indexing: SQLite FTS5 (unicode61; khabar terms)");
    let db_path = opts.work_dir.join("fts5.sqlite3");
    if db_path.exists() {
        std::fs::remove_file(&db_path)?;
    }
    let mut db = rusqlite::Connection::open(&db_path)?;
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE VIRTUAL TABLE raw USING fts5(title, body, tokenize = 'unicode61');
         CREATE VIRTUAL TABLE terms USING fts5(title, body, tokenize = 'unicode61');",
    )?;
    {
        let tx = db.transaction()?;
        {
            let mut ins_raw =
                tx.prepare("INSERT INTO raw(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            let mut ins_terms =
                tx.prepare("INSERT INTO terms(rowid, title, body) VALUES (?1, ?2, ?3)")?;
            for (i, d) in docs.iter().enumerate() {
                ins_raw.execute(rusqlite::params![
                    i as i64,
                    d.title.as_deref().unwrap_or(""),
                    d.text
                ])?;
                let (tj, bj) = &joined_terms[i];
                ins_terms.execute(rusqlite::params![i as i64, tj, bj])?;
            }
        }
        tx.commit()?;
    }
    let fts_match = |table: &str, expr: &str| -> Vec<usize> {
        if expr.is_empty() {
            return Vec::new();
        }
        let sql = format!(
            "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY bm25({table}, 2.0, 1.0) LIMIT ?2"
        );
        let Ok(mut st) = db.prepare(&sql) else {
            return Vec::new();
        };
        st.query_map(rusqlite::params![expr, opts.k as i64], |r| {
            r.get::<_, i64>(0)
        })
        .map(|rows| rows.filter_map(|r| r.ok()).map(|r| r as usize).collect())
        .unwrap_or_default()
    };
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let run_fts_raw = |text: &str| -> Vec<usize> {
        let expr: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(quote)
            .collect();
        fts_match("raw", &expr.join(" OR "))
    };
    let run_fts_terms = |text: &str| -> Vec<usize> {
        let Ok(q) = parse_query(&analyzer, text) else {
            return Vec::new();
        };
        let expr: Vec<String> = q
            .words
            .iter()
            .flat_map(|w| w.terms.iter().map(|t| quote(t)))
            .collect();
        fts_match("terms", &expr.join(" OR "))
    };

    log("querying");
    type Runner<'r> = &'r dyn Fn(&str) -> Vec<usize>;
    let systems: [(&'static str, Runner<'_>); 4] = [
        ("khabar", &run_khabar),
        ("tantivy-default", &run_tantivy),
        ("fts5-unicode61", &run_fts_raw),
        ("fts5-khabar-terms", &run_fts_terms),
    ];
    let mut scores = Vec::new();
    let mut all_ranks = BTreeMap::new();
    for (name, run) in systems {
        let mut kind = |label: &str, text: &dyn Fn(&EvalQuery) -> &str| -> Score {
            // Every system gets the same plain words: query syntax («"», «-», «:»)
            // left in a headline is not what is measured here.
            let ranked: Vec<Vec<usize>> = queries
                .iter()
                .map(|q| {
                    let plain: String = text(q)
                        .chars()
                        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                        .collect();
                    run(&plain)
                })
                .collect();
            let ranks = scorer.ranks(&ranked);
            let score = scorer.score(&ranks);
            all_ranks.insert(format!("{name}/{label}"), ranks);
            score
        };
        let keywords_variant = kind("keywords_variant", &|q| &q.keywords_query);
        let keywords_original = kind("keywords_original", &|q| &q.keywords);
        let headline_variant = kind("headline_variant", &|q| &q.query);
        let headline_original = kind("headline_original", &|q| &q.title);
        scores.push(SystemScore {
            system: name,
            keywords_variant,
            keywords_original,
            headline_variant,
            headline_original,
        });
    }
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for q in &queries {
        for r in q.rewrites.iter().chain(&q.keyword_rewrites) {
            *counts.entry(r).or_default() += 1;
        }
    }
    Ok(EvalReport {
        documents: docs.len(),
        queries: queries.len(),
        k: opts.k,
        seed: opts.seed,
        rewrite_counts: counts.into_iter().collect(),
        systems: scores,
        query_set: queries,
        ranks: all_ranks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_are_deterministic_and_change_every_query() {
        let docs: Vec<Document> = (0..30)
            .map(|i| {
                let mut d = Document::new(format!("d{i}"), "نص");
                d.title = Some(format!(
                    "الرئيس السوري يلتقي وزير الخارجية الروسية في موسكو {i}"
                ));
                d
            })
            .collect();
        let a = make_queries(&docs, 20, 7);
        let b = make_queries(&docs, 20, 7);
        assert_eq!(a.len(), 20);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.query, y.query);
            assert_eq!(x.keywords_query, y.keywords_query);
            assert!(!x.keyword_rewrites.is_empty());
            assert_ne!(x.keywords, x.keywords_query);
            assert_ne!(x.query, x.title.replace(['«', '»'], ""));
            assert!(!x.rewrites.is_empty());
        }
        assert_ne!(
            a.iter().map(|q| &q.query).collect::<Vec<_>>(),
            make_queries(&docs, 20, 8)
                .iter()
                .map(|q| &q.query)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn rewrite_rules_do_what_they_say() {
        // Find a seed-independent effect by trying many word indexes.
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..200 {
            for w in ["سوريا", "الأسد", "مسؤول", "المدينة", "مصطفى", "والرئيس"]
            {
                let (nw, rules) = rewrite_word(1, "x", i, w);
                for r in &rules {
                    seen.insert(*r);
                }
                if rules.contains(&"ya-alef-to-ya-taa") {
                    assert!(nw.ends_with("ية"));
                }
                if rules.contains(&"alef-hamza-dropped") {
                    assert!(!nw.contains('أ'));
                }
            }
        }
        for r in [
            "ya-alef-to-ya-taa",
            "alef-hamza-dropped",
            "hamza-seat-waw-to-ya",
            "wa-removed",
            "al-removed",
            "taa-marbuta-to-ha",
            "alef-maqsura-to-ya",
        ] {
            assert!(seen.contains(r), "{r} never applied");
        }
    }
}
