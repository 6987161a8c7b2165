//! The tantivy index of an embedded archive, fed with khabar's own terms.
//!
//! Titles and bodies go in as `PreTokenizedString`s built from
//! [`crate::terms`], so the index holds exactly khabar's terms with token
//! offsets into the original text. The same terms are registered as the
//! `khabar` tokenizer, so anything that tokenizes through tantivy (a plain
//! text field, a snippet) agrees with what was indexed.
//!
//! **Consistency.** The index is derived from the store and never ahead of
//! it. Each commit records a watermark in tantivy's commit payload: the
//! highest document `seq` whose batch it contains. Documents are added in seq
//! order, and a tantivy commit is atomic, so after any crash the index holds
//! exactly the documents up to its watermark; [`SearchIndex::catch_up`] adds
//! the rest from the store (deleting an older version of the same id first).

use crate::query::{ParsedQuery, day_of};
use crate::terms::{IndexToken, index_tokens};
use khabar_core::TextAnalyzer;
use khabar_store::{EntityMention, Store, StoredDocument};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{PreTokenizedString, Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Version of the index layout (schema and term scheme). An index with another
/// version is rebuilt from the store.
pub const INDEX_FORMAT: u32 = 1;

/// Title matches count this much more than body matches.
const TITLE_BOOST: f32 = 2.0;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Another process holds the index writer.
    #[error("the search index at {0} is locked by another writer")]
    Locked(String),
    /// The index is missing or from another format and cannot be rebuilt in read mode.
    #[error(
        "the search index at {0} is missing or from another khabar version: run `khabar ingest --store DIR --repair` to rebuild it from the store"
    )]
    NeedsRebuild(String),
    /// A tantivy error.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A store error while catching up.
    #[error(transparent)]
    Store(#[from] khabar_store::Error),
    /// A filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// File or folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

#[derive(Clone, Copy, Debug)]
struct Fields {
    id: Field,
    seq: Field,
    title: Field,
    body: Field,
    source: Field,
    entity: Field,
    day: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        seq: b.add_u64_field("seq", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        source: b.add_text_field("source", STRING),
        entity: b.add_text_field("entity", STRING),
        day: b.add_i64_field("day", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// Name under which khabar's analyzer is registered in tantivy.
pub const TOKENIZER_NAME: &str = "khabar";

/// khabar's analyzer as a tantivy tokenizer (primary and alternate terms, original offsets).
#[derive(Clone, Debug, Default)]
pub struct KhabarTokenizer {
    analyzer: TextAnalyzer,
}

impl KhabarTokenizer {
    /// A tokenizer over the default analyzer.
    pub fn new() -> KhabarTokenizer {
        KhabarTokenizer {
            analyzer: TextAnalyzer::default_analyzer(),
        }
    }
}

/// Tokens of one text, handed out one by one.
#[derive(Debug)]
pub struct KhabarTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for KhabarTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

impl Tokenizer for KhabarTokenizer {
    type TokenStream<'a> = KhabarTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KhabarTokenStream {
        let mut tokens = Vec::new();
        if let Ok(a) = self.analyzer.analyze(text) {
            let mut its = Vec::new();
            index_tokens(text, &a, 0, &mut its);
            tokens = to_tantivy_tokens(&its);
        }
        if tokens.is_empty() {
            // `token()` must be callable even on an empty stream.
            return KhabarTokenStream {
                tokens: vec![Token::default()],
                next: 1,
            };
        }
        KhabarTokenStream { tokens, next: 0 }
    }
}

/// Index tokens as tantivy tokens.
pub fn to_tantivy_tokens(its: &[IndexToken]) -> Vec<Token> {
    its.iter()
        .map(|t| Token {
            offset_from: t.span.start as usize,
            offset_to: t.span.end as usize,
            position: t.position as usize,
            text: t.term.clone(),
            position_length: 1,
        })
        .collect()
}

/// A document ready for the index: its id, seq, terms and filter fields.
#[derive(Clone, Debug)]
pub struct IndexDoc {
    /// Store id.
    pub id: String,
    /// Store sequence number.
    pub seq: i64,
    /// Title text and its tokens.
    pub title: Option<(String, Vec<IndexToken>)>,
    /// Body text and its tokens.
    pub body: (String, Vec<IndexToken>),
    /// Outlet.
    pub source: Option<String>,
    /// Date (ISO 8601).
    pub date: Option<String>,
    /// Entity keys mentioned.
    pub entities: Vec<String>,
}

impl IndexDoc {
    /// Analyses a stored document for the index.
    pub fn from_stored(analyzer: &TextAnalyzer, d: &StoredDocument) -> IndexDoc {
        let tokens_of = |text: &str| -> Vec<IndexToken> {
            let mut out = Vec::new();
            if let Ok(a) = analyzer.analyze(text) {
                index_tokens(text, &a, 0, &mut out);
            }
            out
        };
        IndexDoc {
            id: d.id.clone(),
            seq: d.seq,
            title: d.title.as_ref().map(|t| (t.clone(), tokens_of(t))),
            body: (d.text.clone(), tokens_of(&d.text)),
            source: d.source.clone(),
            date: d.date.clone(),
            entities: entity_keys(&d.mentions),
        }
    }
}

/// Distinct entity keys of mentions, sorted.
pub fn entity_keys(mentions: &[EntityMention]) -> Vec<String> {
    let mut keys: Vec<String> = mentions.iter().map(|m| m.key.clone()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Filters resolved for the index.
#[derive(Clone, Debug, Default)]
pub struct IndexFilters {
    /// Outlet.
    pub source: Option<String>,
    /// Entity key.
    pub entity: Option<String>,
    /// First day (YYYYMMDD), inclusive.
    pub from_day: Option<i64>,
    /// Last day (YYYYMMDD), inclusive.
    pub to_day: Option<i64>,
}

/// The tantivy side of an embedded archive.
pub struct SearchIndex {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
    watermark: i64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.path)
            .field("watermark", &self.watermark)
            .finish()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    format: u32,
    watermark: i64,
}

fn read_payload(index: &Index) -> Result<Option<Payload>, IndexError> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<Payload>(p).ok()))
}

fn io_err(path: &Path, e: std::io::Error) -> IndexError {
    IndexError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

impl SearchIndex {
    /// Opens the index at `path` for searching only.
    ///
    /// # Errors
    /// [`IndexError::NeedsRebuild`] if it is missing or of another format.
    pub fn open_read(path: &Path) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        let index = Index::open_in_dir(path)
            .map_err(|_| IndexError::NeedsRebuild(path.display().to_string()))?;
        let payload = read_payload(&index)?;
        let watermark = match payload {
            Some(p) if p.format == INDEX_FORMAT => p.watermark,
            None if index.searchable_segment_ids()?.is_empty() => 0,
            _ => return Err(IndexError::NeedsRebuild(path.display().to_string())),
        };
        if index.schema() != schema {
            return Err(IndexError::NeedsRebuild(path.display().to_string()));
        }
        Self::finish(path, index, fields, None, watermark)
    }

    /// Opens (or creates, or rebuilds if its format changed) the index at
    /// `path` and takes its writer lock.
    ///
    /// # Errors
    /// [`IndexError::Locked`] if another process writes to it.
    pub fn open_write(path: &Path) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(path).map_err(|e| io_err(path, e))?;
        let opened = Index::open_in_dir(path);
        let (index, watermark) = match opened {
            Ok(index) => {
                let payload = read_payload(&index)?;
                match payload {
                    Some(p) if p.format == INDEX_FORMAT && index.schema() == schema => {
                        (index, p.watermark)
                    }
                    None if index.schema() == schema => (index, 0),
                    _ => (Self::recreate(path, &schema)?, 0),
                }
            }
            Err(_) => (Self::recreate(path, &schema)?, 0),
        };
        let writer: IndexWriter =
            index
                .writer_with_num_threads(2, 256 << 20)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(..) => {
                        IndexError::Locked(path.display().to_string())
                    }
                    e => e.into(),
                })?;
        Self::finish(path, index, fields, Some(writer), watermark)
    }

    fn recreate(path: &Path, schema: &Schema) -> Result<Index, IndexError> {
        // The index is derived data: remove whatever is there and start over.
        if path.exists() {
            std::fs::remove_dir_all(path).map_err(|e| io_err(path, e))?;
        }
        std::fs::create_dir_all(path).map_err(|e| io_err(path, e))?;
        Ok(Index::create_in_dir(path, schema.clone())?)
    }

    fn finish(
        path: &Path,
        index: Index,
        fields: Fields,
        writer: Option<IndexWriter>,
        watermark: i64,
    ) -> Result<SearchIndex, IndexError> {
        index
            .tokenizers()
            .register(TOKENIZER_NAME, KhabarTokenizer::new());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            path: path.to_path_buf(),
            index,
            reader,
            writer,
            fields,
            watermark,
        })
    }

    /// Highest store `seq` the committed index contains.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// Where the index lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Re-reads the committed index (for readers that must see a commit at once).
    ///
    /// # Errors
    /// tantivy errors.
    pub fn reload(&mut self) -> Result<(), IndexError> {
        self.reader.reload()?;
        if let Some(p) = read_payload(&self.index)?
            && p.format == INDEX_FORMAT
        {
            self.watermark = p.watermark;
        }
        Ok(())
    }

    fn writer(&self) -> Result<&IndexWriter, IndexError> {
        self.writer
            .as_ref()
            .ok_or_else(|| IndexError::Locked(self.path.display().to_string()))
    }

    /// Adds (or replaces, by id) documents; visible after [`SearchIndex::commit`].
    ///
    /// # Errors
    /// [`IndexError::Locked`] if opened for reading; tantivy errors.
    pub fn add(&self, docs: Vec<IndexDoc>) -> Result<(), IndexError> {
        let w = self.writer()?;
        let f = self.fields;
        for d in docs {
            w.delete_term(Term::from_field_text(f.id, &d.id));
            let mut doc = TantivyDocument::default();
            doc.add_text(f.id, &d.id);
            doc.add_u64(f.seq, d.seq.max(0) as u64);
            if let Some((text, tokens)) = d.title {
                doc.add_pre_tokenized_text(
                    f.title,
                    PreTokenizedString {
                        tokens: to_tantivy_tokens(&tokens),
                        text,
                    },
                );
            }
            let (text, tokens) = d.body;
            doc.add_pre_tokenized_text(
                f.body,
                PreTokenizedString {
                    tokens: to_tantivy_tokens(&tokens),
                    text,
                },
            );
            if let Some(s) = &d.source {
                doc.add_text(f.source, s);
            }
            if let Some(day) = d.date.as_deref().and_then(day_of) {
                doc.add_i64(f.day, day);
            }
            for e in &d.entities {
                doc.add_text(f.entity, e);
            }
            w.add_document(doc)?;
        }
        Ok(())
    }

    /// Commits what was added, recording `watermark` (the highest store seq now in the index).
    ///
    /// # Errors
    /// tantivy errors.
    pub fn commit(&mut self, watermark: i64) -> Result<(), IndexError> {
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| IndexError::Locked(self.path.display().to_string()))?;
        let mut pc = w.prepare_commit()?;
        let payload = serde_json::to_string(&Payload {
            format: INDEX_FORMAT,
            watermark,
        })
        .unwrap_or_default();
        pc.set_payload(&payload);
        pc.commit()?;
        self.watermark = watermark;
        self.reader.reload()?;
        Ok(())
    }

    /// Adds every stored document above the watermark, in batches, and commits.
    /// Returns how many documents were (re)indexed.
    ///
    /// # Errors
    /// Store and tantivy errors.
    pub fn catch_up(
        &mut self,
        store: &dyn Store,
        analyzer: &TextAnalyzer,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, IndexError> {
        use rayon::prelude::*;
        let target = store.stats()?.max_seq;
        let mut after = self.watermark;
        let mut n = 0u64;
        while after < target {
            let docs = store.documents_after(after, 512)?;
            let Some(last) = docs.last() else { break };
            after = last.seq;
            let prepared: Vec<IndexDoc> = docs
                .par_iter()
                .map(|d| IndexDoc::from_stored(analyzer, d))
                .collect();
            n += prepared.len() as u64;
            progress(prepared.len() as u64);
            self.add(prepared)?;
        }
        if n > 0 || self.watermark != target {
            self.commit(target.max(self.watermark))?;
        }
        Ok(n)
    }

    /// Searches: returns the total number of matches and `(seq, score)` of the
    /// hits from `offset` to `offset + limit`, best first (ties by seq).
    ///
    /// # Errors
    /// tantivy errors.
    pub fn search(
        &self,
        q: &ParsedQuery,
        filters: &IndexFilters,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<(i64, f32)>), IndexError> {
        let query = self.build_query(q, filters);
        let searcher = self.reader.searcher();
        let (top, total) = searcher.search(
            &query,
            &(
                TopDocs::with_limit(limit.max(1))
                    .and_offset(offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(seq) = doc.get_first(self.fields.seq).and_then(|v| v.as_u64()) {
                hits.push((seq as i64, score));
            }
        }
        // BM25 ties are broken by ingest order so results are deterministic.
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if limit == 0 {
            hits.clear();
        }
        Ok((total, hits))
    }

    fn term_query(&self, field: Field, term: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// One word (its alternative terms) in title or body.
    fn word_query(&self, terms: &[String]) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in terms {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(self.term_query(f.title, t), TITLE_BOOST)),
            ));
            clauses.push((Occur::Should, self.term_query(f.body, t)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn phrase_query(&self, terms: &[String]) -> Box<dyn Query> {
        let f = self.fields;
        let in_field = |field: Field| -> Box<dyn Query> {
            if terms.len() == 1 {
                self.term_query(field, &terms[0])
            } else {
                Box::new(PhraseQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            }
        };
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(in_field(f.title), TITLE_BOOST)),
            ),
            (Occur::Should, in_field(f.body)),
        ]))
    }

    fn build_query(&self, q: &ParsedQuery, filters: &IndexFilters) -> Box<dyn Query> {
        let f = self.fields;
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !q.words.is_empty() {
            let words: Vec<(Occur, Box<dyn Query>)> = q
                .words
                .iter()
                .map(|w| (Occur::Should, self.word_query(&w.terms)))
                .collect();
            // Words are optional among themselves but at least one must match,
            // unless a phrase already makes the document a match.
            let occur = if q.phrases.is_empty() {
                Occur::Must
            } else {
                Occur::Should
            };
            top.push((occur, Box::new(BooleanQuery::new(words))));
        }
        for p in &q.phrases {
            top.push((Occur::Must, self.phrase_query(p)));
        }
        for w in &q.excluded {
            top.push((Occur::MustNot, self.word_query(&w.terms)));
        }
        let filter = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
        };
        if let Some(s) = &filters.source {
            top.push(filter(self.term_query(f.source, s)));
        }
        if let Some(e) = &filters.entity {
            top.push(filter(self.term_query(f.entity, e)));
        }
        if filters.from_day.is_some() || filters.to_day.is_some() {
            let lo = filters.from_day.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_i64(f.day, d))
            });
            let hi = filters.to_day.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_i64(f.day, d))
            });
            top.push(filter(Box::new(RangeQuery::new(lo, hi))));
        }
        Box::new(BooleanQuery::new(top))
    }

    /// Number of documents in the committed index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// Cuts `s` to at most `max` bytes on a char boundary (for labels).
pub(crate) fn clip(s: &str, max: usize) -> &str {
    let mut i = s.len().min(max);
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}
