//! The archive: a store (source of truth) plus, for the embedded backend, the
//! tantivy index derived from it; ingest and search end to end.

use crate::highlight::{Offsets, highlight_document, snippet_in, spans_at, with_utf16};
use crate::hooks::{Annotator, AssignInput, StoryAssigner};
use crate::index::{IndexDoc, IndexError, IndexFilters, SearchIndex, entity_keys};
use crate::query::{ParsedQuery, QueryError, parse_day, parse_query};
use crate::terms::{IndexToken, index_tokens};
use khabar::Document;
use khabar::story::cluster::{ArticleFeatures, Featurizer};
use khabar_core::{Analysis, Span, TextAnalyzer};
use khabar_store::{
    Filters, HitDocument, IndexTerm, NewDocument, PutOutcome, RankedDoc, SqliteStore, Store,
    StoryUpdate, TokenSpans, content_hash,
};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Errors of the archive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From the store.
    #[error(transparent)]
    Store(#[from] khabar_store::Error),
    /// From the index.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A query that cannot be run.
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    /// Reading the input failed.
    #[error(transparent)]
    Input(#[from] khabar::InputError),
    /// A document too large for 32-bit spans.
    #[error("document {id}: {source}")]
    Analysis {
        /// Its id.
        id: String,
        /// What the text layer said.
        source: khabar_core::Error,
    },
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where an archive lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A folder holding `khabar.sqlite3` and `index/`.
    Dir(PathBuf),
    /// A PostgreSQL database (and schema inside it).
    Postgres {
        /// Connection URL.
        url: String,
        /// Schema holding the tables.
        schema: String,
    },
}

impl Location {
    /// `postgres://…` or `postgresql://…` is a database; anything else a folder.
    pub fn parse(s: &str, pg_schema: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres {
                url: s.to_string(),
                schema: pg_schema.to_string(),
            }
        } else {
            Location::Dir(PathBuf::from(s))
        }
    }
}

/// Name of the SQLite file inside an archive folder.
pub const SQLITE_FILE: &str = "khabar.sqlite3";
/// Name of the index folder inside an archive folder.
pub const INDEX_DIR: &str = "index";

/// Reading or writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Search and show; the archive must exist.
    Read,
    /// Ingest: create if missing, take the writer lock, repair the index.
    Write,
}

/// An archive opened for reading or writing.
pub struct Archive {
    store: Box<dyn Store>,
    index: Option<SearchIndex>,
    analyzer: TextAnalyzer,
    mode: Mode,
    /// Documents the index caught up on when the archive was opened.
    repaired: u64,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("store", &self.store.location())
            .field("index", &self.index)
            .finish()
    }
}

/// What an ingest did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IngestReport {
    /// Documents read.
    pub read: u64,
    /// Bytes of text read.
    pub bytes: u64,
    /// New documents stored.
    pub inserted: u64,
    /// Known ids with new content.
    pub replaced: u64,
    /// Known ids with the same content (skipped).
    pub unchanged: u64,
    /// Story updates stored.
    pub story_updates: u64,
    /// Story digests (summary lines) written.
    pub story_digests: u64,
    /// Documents added to the index by the repair on open.
    pub index_repaired: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Tuning of an ingest.
#[derive(Clone, Copy, Debug)]
pub struct IngestOptions {
    /// Documents per batch (one store transaction each).
    pub batch_docs: usize,
    /// Bytes per batch, whichever comes first.
    pub batch_bytes: usize,
    /// Commit the index at least this often (it is always committed at the end).
    pub index_commit_every: Duration,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            batch_docs: 512,
            batch_bytes: 4 << 20,
            index_commit_every: Duration::from_secs(10),
        }
    }
}

/// A search request.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    /// The query (words, "phrases", -exclusions).
    pub query: String,
    /// Filters.
    pub filters: Filters,
    /// Hits per page (at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;

/// A snippet as served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnippetOut {
    /// The snippet text (a slice of the document text).
    pub text: String,
    /// Where it is in the document text.
    #[serde(flatten)]
    pub offsets: Offsets,
    /// Highlights, in document-text offsets (subtract the snippet's start for offsets into `text`).
    pub highlights: Vec<Offsets>,
}

/// A search hit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    /// Document id.
    pub id: String,
    /// Store sequence number.
    pub seq: i64,
    /// Relevance (BM25 on the embedded index; `ts_rank` on PostgreSQL).
    pub score: f32,
    /// Headline.
    pub title: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// Story id.
    pub story: Option<i64>,
    /// Highlights in the title (offsets into `title`).
    pub title_highlights: Vec<Offsets>,
    /// The best passage of the body.
    pub snippet: SnippetOut,
}

/// Search results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Index terms the query was turned into (what was matched).
    pub terms: Vec<String>,
    /// Total number of matching documents (the embedded index counts them; PostgreSQL does not).
    pub total: Option<usize>,
    /// Offset of the first hit.
    pub offset: usize,
    /// Hits, best first.
    pub hits: Vec<Hit>,
}

/// Health of an archive.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Health {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Documents in the store.
    pub documents: u64,
    /// Stories.
    pub stories: u64,
    /// Documents in the search index (embedded only).
    pub indexed: Option<u64>,
    /// Stored documents not yet in the index (an ingest is running, or was killed: the next ingest repairs it).
    pub index_lag: Option<i64>,
}

/// Turns store + index fields into the index's filter form.
fn index_filters(f: &Filters) -> Result<IndexFilters> {
    Ok(IndexFilters {
        source: f.source.clone(),
        entity: f.entity.clone(),
        from_day: f
            .from
            .as_deref()
            .map(|d| parse_day("from", d))
            .transpose()?,
        to_day: f.to.as_deref().map(|d| parse_day("to", d)).transpose()?,
    })
}

/// Index terms of a title and of a body.
type TitleAndBodyTerms = (Vec<IndexToken>, Vec<IndexToken>);

/// A batch after the content check and analysis.
struct PreparedBatch {
    docs: Vec<Prepared>,
    /// Documents skipped because the store holds the same content.
    unchanged: u64,
}

/// What storing one batch did.
#[derive(Default)]
struct StoredBatch {
    inserted: u64,
    replaced: u64,
    unchanged: u64,
    story_updates: u64,
    story_digests: u64,
    /// True if the index got documents.
    indexed: bool,
}

impl IngestReport {
    fn add(&mut self, s: &StoredBatch) {
        self.inserted += s.inserted;
        self.replaced += s.replaced;
        self.unchanged += s.unchanged;
        self.story_updates += s.story_updates;
        self.story_digests += s.story_digests;
    }
}

/// A document analysed for storing and indexing.
struct Prepared {
    doc: NewDocument,
    title_terms: Vec<IndexToken>,
    body_terms: Vec<IndexToken>,
    features: Option<ArticleFeatures>,
    /// The body's analysis, kept for a story assigner that wants it.
    analysis: Option<Analysis>,
}

/// One span per index position (alternates share their token's position and span).
fn position_spans(tokens: &[IndexToken]) -> Vec<Span> {
    tokens
        .iter()
        .filter(|t| !t.alternate)
        .map(|t| t.span)
        .collect()
}

/// What [`prepare`] keeps besides what every store needs.
#[derive(Clone, Copy)]
struct Keep {
    /// The index terms, for a backend that searches on its own.
    terms: bool,
    /// The body's analysis, for a story assigner that wants it.
    analysis: bool,
}

/// The analysis shared by everything ingest derives from a document: index terms,
/// token spans, story features, entities and quotes come from one analysis of the
/// body (plus one of the title).
fn prepare(
    analyzer: &TextAnalyzer,
    annotator: &dyn Annotator,
    featurizer: Option<&Featurizer>,
    doc: Document,
    hash: String,
    keep: Keep,
    analysis: &mut Analysis,
) -> Result<Prepared> {
    let Keep {
        terms: with_terms,
        analysis: keep_analysis,
    } = keep;
    let too_large = |doc: &Document| Error::Analysis {
        id: doc.id.clone(),
        source: khabar_core::Error::TextTooLarge {
            len: doc.text.len(),
            max: Span::MAX_TEXT_LEN,
        },
    };
    if doc.text.len() > Span::MAX_TEXT_LEN {
        return Err(too_large(&doc));
    }
    let features = match featurizer {
        // The featurizer analyses the title, then the body, into `analysis`: what is
        // left there is the body's analysis (checked by a test), used for the rest.
        Some(f) => Some(f.features(doc.title.as_deref(), &doc.text, analysis)),
        None => {
            analyzer
                .analyze_into(&doc.text, analysis)
                .map_err(|_| too_large(&doc))?;
            None
        }
    };
    let mut body_terms = Vec::new();
    index_tokens(&doc.text, analysis, 0, &mut body_terms);
    let mut title_terms = Vec::new();
    if let Some(t) = &doc.title
        && let Ok(a) = analyzer.analyze(t)
    {
        index_tokens(t, &a, 0, &mut title_terms);
    }
    let ann = annotator.annotate(&doc, analysis);
    // Positions as PostgreSQL counts them: title 1.., then a gap, then the body.
    let body_start = title_terms.last().map_or(1, |t| t.position + 3);
    let terms = if !with_terms {
        Vec::new()
    } else {
        title_terms
            .iter()
            .map(|t| IndexTerm {
                term: t.term.clone(),
                position: t.position + 1,
                in_title: true,
            })
            .chain(body_terms.iter().map(|t| IndexTerm {
                term: t.term.clone(),
                position: t.position + body_start,
                in_title: false,
            }))
            .collect()
    };
    let text_len = doc.text.len();
    let valid = |s: &Span| s.start <= s.end && (s.end as usize) <= text_len;
    let new = NewDocument {
        sentences: analysis.sentences.iter().map(|s| s.span).collect(),
        mentions: ann
            .mentions
            .into_iter()
            .filter(|m| valid(&m.span))
            .collect(),
        quotes: ann
            .quotes
            .into_iter()
            .filter(|q| {
                valid(&q.content)
                    && q.speaker.is_none_or(|s| valid(&s))
                    && q.cue.is_none_or(|s| valid(&s))
                    && q.channel.is_none_or(|s| valid(&s))
            })
            .collect(),
        terms,
        tokens: TokenSpans {
            title: position_spans(&title_terms),
            body: position_spans(&body_terms),
        },
        content_hash: hash,
        id: doc.id,
        text: doc.text,
        title: doc.title,
        date: doc.date,
        source: doc.source,
        url: doc.url,
    };
    Ok(Prepared {
        doc: new,
        title_terms,
        body_terms,
        features,
        // A copy of exact size: the scratch analysis keeps its capacity for the next
        // document (moving it out made every document grow fresh vectors: slower).
        analysis: keep_analysis.then(|| analysis.clone()),
    })
}

impl Archive {
    /// Opens the archive at `location`.
    ///
    /// In [`Mode::Write`] a folder archive is created if missing, its index
    /// writer lock is taken (a second writer gets [`khabar_store::Error::Locked`]),
    /// and the index catches up with the store (the repair after a crash).
    ///
    /// # Errors
    /// Missing store (read mode), lock held, newer schema, I/O and database errors.
    pub fn open(location: &Location, mode: Mode) -> Result<Archive> {
        let analyzer = TextAnalyzer::default_analyzer();
        match location {
            Location::Dir(dir) => {
                let db = dir.join(SQLITE_FILE);
                let index_path = dir.join(INDEX_DIR);
                let (store, mut index) = match mode {
                    Mode::Read => {
                        if !db.is_file() {
                            return Err(khabar_store::Error::NotFound {
                                location: dir.display().to_string(),
                            }
                            .into());
                        }
                        let store = SqliteStore::open(&db)?;
                        (store, SearchIndex::open_read(&index_path)?)
                    }
                    Mode::Write => {
                        std::fs::create_dir_all(dir).map_err(|e| khabar_store::Error::Io {
                            path: dir.display().to_string(),
                            source: e,
                        })?;
                        // The index lock first: it is the archive's writer lock.
                        let index = SearchIndex::open_write(&index_path).map_err(|e| match e {
                            IndexError::Locked(_) => Error::Store(khabar_store::Error::Locked {
                                location: dir.display().to_string(),
                            }),
                            e => e.into(),
                        })?;
                        (SqliteStore::create(&db)?, index)
                    }
                };
                let mut repaired = 0;
                if mode == Mode::Write {
                    repaired = index.catch_up(&store, &analyzer, |_| {})?;
                }
                Ok(Archive {
                    store: Box::new(store),
                    index: Some(index),
                    analyzer,
                    mode,
                    repaired,
                })
            }
            Location::Postgres { url, schema } => {
                #[cfg(feature = "postgres")]
                {
                    use khabar_store::{PgMode, PostgresStore};
                    let pg_mode = match mode {
                        Mode::Read => PgMode::Read,
                        Mode::Write => PgMode::Write,
                    };
                    let store = PostgresStore::open(url, schema, pg_mode)?;
                    Ok(Archive {
                        store: Box::new(store),
                        index: None,
                        analyzer,
                        mode,
                        repaired: 0,
                    })
                }
                #[cfg(not(feature = "postgres"))]
                {
                    let _ = schema;
                    Err(khabar_store::Error::Unsupported {
                        location: url.clone(),
                        why: "this khabar was built without PostgreSQL support (cargo feature `postgres`)".into(),
                    }
                    .into())
                }
            }
        }
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The analyzer used for documents and queries.
    pub fn analyzer(&self) -> &TextAnalyzer {
        &self.analyzer
    }

    /// Documents the index caught up on when the archive was opened for writing.
    pub fn repaired_on_open(&self) -> u64 {
        self.repaired
    }

    /// Re-reads the index if another process committed to it.
    ///
    /// # Errors
    /// Index errors.
    pub fn refresh(&mut self) -> Result<()> {
        if let Some(i) = &mut self.index {
            i.reload()?;
        }
        Ok(())
    }

    /// Store and index counts.
    ///
    /// # Errors
    /// Store errors.
    pub fn health(&self) -> Result<Health> {
        let s = self.store.stats()?;
        Ok(Health {
            backend: match self.store.backend() {
                khabar_store::Backend::Sqlite => "sqlite",
                khabar_store::Backend::Postgres => "postgres",
            },
            documents: s.documents,
            stories: s.stories,
            indexed: self.index.as_ref().map(|i| i.num_docs()),
            index_lag: self.index.as_ref().map(|i| s.max_seq - i.watermark()),
        })
    }

    /// Ingests documents: analyses them in parallel, stores each batch (with
    /// its annotations and story changes) in one transaction, and indexes it.
    /// Documents already stored with the same content are skipped.
    /// `progress` is called after each batch with the running totals.
    ///
    /// # Errors
    /// Input, store and index errors; the batches committed before stay.
    pub fn ingest<I>(
        &mut self,
        docs: I,
        options: IngestOptions,
        annotator: &dyn Annotator,
        assigner: &mut dyn StoryAssigner,
        mut progress: impl FnMut(&IngestReport),
    ) -> Result<IngestReport>
    where
        I: IntoIterator<Item = Result<Document, khabar::InputError>>,
    {
        if self.mode != Mode::Write {
            return Err(khabar_store::Error::Locked {
                location: self.store.location().to_string(),
            }
            .into());
        }
        let started = Instant::now();
        let mut report = IngestReport {
            index_repaired: self.repaired,
            ..Default::default()
        };
        assigner.resume(self.store.as_ref())?;
        // A copy, so batch N+1 is featurized while the assigner (lent to the thread
        // that stores batch N) clusters batch N.
        let featurizer = assigner.featurizer().cloned();
        let keep_analyses = assigner.wants_analyses();
        let mut assigner = Some(assigner);
        let mut last_commit = Instant::now();
        let mut dirty_index = false;
        let mut iter = docs.into_iter();
        // An analysed batch carried over an index commit.
        let mut carry: Option<PreparedBatch> = None;
        let mut end = false;
        // Pipeline: one thread assigns, commits and indexes batch N while this one
        // reads and analyses batch N+1 (on all cores). Commits stay in input order,
        // so what is stored, and a resume after a crash, are as without the overlap;
        // batch N is stored as soon as it is analysed, without waiting for more input.
        // The index commit needs the archive to itself: the pipeline drains for it.
        loop {
            let this = &*self;
            let featurizer = featurizer.as_ref();
            let commit_due = std::thread::scope(|scope| -> Result<bool> {
                let mut inflight = None;
                // Lends the assigner to a thread that stores the batch and hands it back.
                macro_rules! spawn_store {
                    ($p:expr) => {
                        assigner.take().map(|a| {
                            let p = $p;
                            scope.spawn(move || {
                                let r = this.store_prepared(p, &mut *a);
                                (r, a)
                            })
                        })
                    };
                }
                if let Some(p) = carry.take() {
                    inflight = spawn_store!(p);
                }
                loop {
                    let mut docs: Vec<Document> = Vec::new();
                    let mut bytes = 0usize;
                    // At least one document a batch, whatever the limits say.
                    while !end
                        && (docs.is_empty()
                            || (docs.len() < options.batch_docs && bytes < options.batch_bytes))
                    {
                        match iter.next() {
                            Some(d) => {
                                let d = d?;
                                bytes += d.text.len();
                                report.read += 1;
                                report.bytes += d.text.len() as u64;
                                docs.push(d);
                            }
                            None => end = true,
                        }
                    }
                    let mut prepared = if docs.is_empty() {
                        None
                    } else {
                        Some(this.prepare_batch(docs, annotator, featurizer, keep_analyses)?)
                    };
                    if let Some(h) = inflight.take() {
                        let (stored, a) = h
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                        assigner = Some(a);
                        let stored = stored?;
                        report.add(&stored);
                        dirty_index |= stored.indexed;
                        report.seconds = started.elapsed().as_secs_f64();
                        progress(&report);
                    }
                    if let Some(p) = &mut prepared {
                        // Analysed before batch N was committed: its documents whose
                        // id batch N stored are checked against the store again.
                        report.unchanged += this.drop_unchanged(p)?;
                    }
                    let due = dirty_index && last_commit.elapsed() >= options.index_commit_every;
                    match prepared {
                        Some(p) if due => {
                            carry = Some(p);
                            return Ok(true);
                        }
                        Some(p) => inflight = spawn_store!(p),
                        None if end => return Ok(false),
                        None => {}
                    }
                }
            })?;
            if commit_due {
                self.commit_index()?;
                dirty_index = false;
                last_commit = Instant::now();
                continue;
            }
            break;
        }
        let Some(assigner) = assigner else {
            unreachable!("the assigner comes back from every batch's thread")
        };
        report.seconds = started.elapsed().as_secs_f64();
        progress(&report);
        // Changes that wait for the end of the run (digests of stories still open).
        let last = assigner.finish(self.store.as_ref())?;
        if !last.is_empty() {
            self.store
                .commit_batch_journaled(&[], &last.updates, &last.journal)?;
            report.story_updates += last.updates.len() as u64;
            report.story_digests += digests(&last.updates);
        }
        if dirty_index {
            self.commit_index()?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    fn commit_index(&mut self) -> Result<()> {
        if let Some(index) = &mut self.index {
            let max = self.store.stats()?.max_seq;
            index.commit(max)?;
        }
        Ok(())
    }

    /// Skips documents stored with the same content and analyses the rest, in
    /// parallel. Every document is checked against the store as it is now; the
    /// caller re-checks those the batch before may still store.
    fn prepare_batch(
        &self,
        docs: Vec<Document>,
        annotator: &dyn Annotator,
        featurizer: Option<&Featurizer>,
        keep_analyses: bool,
    ) -> Result<PreparedBatch> {
        let hashes: Vec<String> = docs
            .iter()
            .map(|d| content_hash(d.title.as_deref(), &d.text))
            .collect();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let stored = self.store.content_hashes(&ids)?;
        let mut todo: Vec<(Document, String)> = Vec::with_capacity(docs.len());
        let mut unchanged = 0;
        for ((d, h), s) in docs.into_iter().zip(hashes).zip(stored) {
            if s.as_deref() == Some(h.as_str()) {
                unchanged += 1;
            } else {
                todo.push((d, h));
            }
        }
        let analyzer = &self.analyzer;
        // Only a backend that searches on its own needs the terms stored with the document.
        let with_terms = self.index.is_none();
        let docs: Vec<Prepared> = todo
            .into_par_iter()
            .map_init(Analysis::default, |analysis, (d, h)| {
                prepare(
                    analyzer,
                    annotator,
                    featurizer,
                    d,
                    h,
                    Keep {
                        terms: with_terms,
                        analysis: keep_analyses,
                    },
                    analysis,
                )
            })
            .collect::<Result<_>>()?;
        Ok(PreparedBatch { docs, unchanged })
    }

    /// Drops from `batch` the documents whose content the store now holds (stored by
    /// the batch before, after `batch` was checked); returns how many.
    fn drop_unchanged(&self, batch: &mut PreparedBatch) -> Result<u64> {
        if batch.docs.is_empty() {
            return Ok(0);
        }
        let ids: Vec<&str> = batch.docs.iter().map(|p| p.doc.id.as_str()).collect();
        let stored = self.store.content_hashes(&ids)?;
        let mut keep = stored
            .into_iter()
            .zip(&batch.docs)
            .map(|(s, p)| s.as_deref() != Some(p.doc.content_hash.as_str()))
            .collect::<Vec<bool>>()
            .into_iter();
        let before = batch.docs.len();
        batch.docs.retain(|_| keep.next().unwrap_or(true));
        Ok((before - batch.docs.len()) as u64)
    }

    /// Assigns stories to an analysed batch, stores it with their changes in one
    /// transaction and indexes it.
    fn store_prepared(
        &self,
        batch: PreparedBatch,
        assigner: &mut dyn StoryAssigner,
    ) -> Result<StoredBatch> {
        let mut out = StoredBatch {
            unchanged: batch.unchanged,
            ..StoredBatch::default()
        };
        if batch.docs.is_empty() {
            return Ok(out);
        }
        let mut new_docs = Vec::with_capacity(batch.docs.len());
        let mut terms: Vec<TitleAndBodyTerms> = Vec::with_capacity(batch.docs.len());
        let mut features = Vec::with_capacity(batch.docs.len());
        let mut analyses = Vec::new();
        for p in batch.docs {
            new_docs.push(p.doc);
            terms.push((p.title_terms, p.body_terms));
            features.push(p.features);
            analyses.extend(p.analysis);
        }
        if analyses.len() == new_docs.len() && assigner.wants_analyses() {
            assigner.keep_analyses(analyses);
        }
        let inputs: Vec<AssignInput<'_>> = new_docs
            .iter()
            .zip(&terms)
            .zip(&features)
            .map(|((doc, (t, b)), f)| AssignInput {
                doc,
                title_terms: t,
                body_terms: b,
                features: f.as_ref(),
            })
            .collect();
        let stories = assigner.assign(self.store.as_ref(), &inputs)?;
        drop(inputs);
        drop(features);
        let outcomes =
            self.store
                .commit_batch_journaled(&new_docs, &stories.updates, &stories.journal)?;
        out.story_updates = stories.updates.len() as u64;
        out.story_digests = digests(&stories.updates);
        let mut index_docs = Vec::new();
        for ((d, (title_terms, body_terms)), o) in new_docs.into_iter().zip(terms).zip(outcomes) {
            match o {
                PutOutcome::Inserted(_) => out.inserted += 1,
                PutOutcome::Replaced(_) => out.replaced += 1,
                PutOutcome::Unchanged(_) => {
                    out.unchanged += 1;
                    continue;
                }
            }
            index_docs.push(IndexDoc {
                id: d.id,
                seq: o.seq(),
                title: d.title.map(|t| (t, title_terms)),
                body: (d.text, body_terms),
                source: d.source,
                date: d.date,
                entities: entity_keys(&d.mentions),
            });
        }
        let any = !index_docs.is_empty();
        if let Some(index) = &self.index {
            index.add(index_docs)?;
        }
        out.indexed = any && self.index.is_some();
        Ok(out)
    }

    /// Parses a query (for callers that want the error before searching).
    ///
    /// # Errors
    /// [`QueryError`].
    pub fn parse(&self, query: &str) -> Result<ParsedQuery> {
        Ok(parse_query(&self.analyzer, query)?)
    }

    /// Searches the archive: BM25 over khabar's terms (embedded) or `ts_rank`
    /// over the same terms (PostgreSQL), with filters, highlights and snippets.
    ///
    /// Highlights come from where the index (or the `tsvector`) says the query's
    /// terms are, mapped to spans through the token table stored with each
    /// document: no hit's text is analysed (documents stored before token tables
    /// existed are, the old way).
    ///
    /// # Errors
    /// Bad queries or filters ([`Error::Query`]); store and index errors.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let q = parse_query(&self.analyzer, &req.query)?;
        let filters = index_filters(&req.filters)?;
        let limit = req.limit.min(MAX_LIMIT);
        let terms = q.highlight_terms();
        let (total, ranked): (Option<usize>, Vec<RankedDoc>) = match &self.index {
            Some(index) => {
                let (total, hits) = index.search(&q, &filters, limit, req.offset, &terms)?;
                let ranked = hits
                    .into_iter()
                    .map(|h| RankedDoc {
                        seq: h.seq,
                        score: h.score,
                        title_positions: h.title_positions,
                        body_positions: h.body_positions,
                        tokens: None,
                    })
                    .collect();
                (Some(total), ranked)
            }
            None => {
                let hits = self
                    .store
                    .full_text(&q.to_term_query(), &req.filters, limit + req.offset, &terms)?
                    .unwrap_or_default();
                (None, hits.into_iter().skip(req.offset).collect())
            }
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for r in ranked {
            // A hit the store no longer has (replaced since the index commit) is skipped.
            let Some(d) = self.store.hit_document(r.seq)? else {
                continue;
            };
            hits.push(self.hit(d, r, &terms));
        }
        Ok(SearchResults {
            query: req.query.clone(),
            terms,
            total,
            offset: req.offset,
            hits,
        })
    }

    fn hit(&self, mut d: HitDocument, r: RankedDoc, terms: &[String]) -> Hit {
        let tokens = r.tokens.or(d.tokens.take());
        let (title_spans, snippet) = match &tokens {
            Some(tokens) => {
                let title_spans = d
                    .title
                    .as_deref()
                    .map(|t| spans_at(t, &tokens.title, &r.title_positions))
                    .unwrap_or_default();
                let body = spans_at(&d.text, &tokens.body, &r.body_positions);
                (title_spans, snippet_in(&d.text, &d.sentences, &body))
            }
            None => highlight_document(&self.analyzer, d.title.as_deref(), &d.text, terms),
        };
        let title_highlights = match &d.title {
            Some(t) => with_utf16(t, &title_spans),
            None => Vec::new(),
        };
        let mut all = Vec::with_capacity(snippet.highlights.len() + 1);
        all.push(snippet.span);
        all.extend(snippet.highlights.iter().copied());
        let offs = with_utf16(&d.text, &all);
        Hit {
            snippet: SnippetOut {
                text: d.text.get(snippet.span.range()).unwrap_or("").to_string(),
                offsets: offs[0],
                highlights: offs[1..].to_vec(),
            },
            id: d.id,
            seq: d.seq,
            score: r.score,
            title: d.title,
            date: d.date,
            source: d.source,
            url: d.url,
            story: d.story,
            title_highlights,
        }
    }
}

/// Story updates that carry a digest.
fn digests(updates: &[StoryUpdate]) -> u64 {
    updates.iter().filter(|u| u.lines.is_some()).count() as u64
}

/// The default archive folder: `$KHABAR_HOME`, else `./khabar-data`.
pub fn default_location() -> String {
    std::env::var("KHABAR_HOME")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "khabar-data".to_string())
}

/// True if `path` looks like an archive folder.
pub fn is_archive_dir(path: &Path) -> bool {
    path.join(SQLITE_FILE).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{NoAnnotations, TermOverlapStories};

    /// Zero limits still make batches of one document, and every document is stored
    /// once, through the pipeline, with progress after each batch.
    #[test]
    fn zero_batch_limits_still_ingest_one_document_a_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::open(&Location::Dir(dir.path().into()), Mode::Write).unwrap();
        let docs: Vec<_> = [
            "هدأت العاصفة في الكويت.",
            "عادت الملاحة.",
            "هدأت العاصفة في الكويت.",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Ok(Document::new(format!("d{}", i % 2), *t)))
        .collect();
        let mut calls = 0;
        let r = a
            .ingest(
                docs,
                IngestOptions {
                    batch_docs: 0,
                    batch_bytes: 0,
                    ..IngestOptions::default()
                },
                &NoAnnotations,
                &mut TermOverlapStories::new(),
                |_| calls += 1,
            )
            .unwrap();
        assert_eq!((r.read, r.inserted, r.unchanged, r.replaced), (3, 2, 1, 0));
        assert!(calls >= 3, "{calls}");
        assert_eq!(a.health().unwrap().documents, 2);
    }
}
