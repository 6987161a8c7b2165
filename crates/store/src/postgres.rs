//! The PostgreSQL backend, for archives that outgrow one file.
//!
//! Same tables as the SQLite schema, inside a schema of their own (`khabar`
//! unless told otherwise), plus `documents.terms`: a `tsvector` written from
//! khabar's analyzer terms (with their positions; title terms weighted `A`),
//! so PostgreSQL matches exactly what tantivy and SQLite would, spelling
//! variants and clitics included. `to_tsvector('arabic', …)` is never used.
//!
//! A writable store holds a session-level advisory lock for its lifetime, so
//! two writers are refused with [`Error::Locked`] instead of interleaving.

use crate::{
    Backend, DocumentSummary, EntityMention, Error, Filters, IndexTerm, LineSource, NewDocument,
    PutOutcome, Quote, RankedDoc, Result, SCHEMA_VERSION, Store, StoreStats, StoredDocument, Story,
    StoryLine, StoryState, StorySummary, StoryUpdate, TermQuery, pack_spans, span_of, unpack_spans,
};
use postgres::{Client, NoTls, Row, Transaction};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Migrations, in order: (version reached, SQL).
const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("../migrations/postgres/0001_init.sql"))];

/// Read connections besides the writer.
const READERS: usize = 4;

/// PostgreSQL caps a lexeme's positions at 256 and a position at 16383.
const MAX_POSITIONS_PER_TERM: usize = 255;
const MAX_POSITION: u32 = 16383;
/// Lexemes must be shorter than 2 KiB; longer "words" are not worth indexing.
const MAX_TERM_BYTES: usize = 512;

/// The PostgreSQL store.
pub struct PostgresStore {
    location: String,
    writer: Mutex<Client>,
    readers: Vec<Mutex<Client>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish()
    }
}

fn lock(m: &Mutex<Client>) -> MutexGuard<'_, Client> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How to open a PostgreSQL store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgMode {
    /// Read only; the schema must exist.
    Read,
    /// Create the schema if missing and hold the writer lock.
    Write,
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    // postgres://user:password@host/db → postgres://user:***@host/db
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        if let Some(at) = rest.find('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!(
                    "{}://{}:***{}",
                    &url[..scheme_end],
                    &userinfo[..colon],
                    &rest[at..]
                );
            }
        }
    }
    url.to_string()
}

fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl PostgresStore {
    /// Connects to `url` and uses the tables in `schema`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (read mode, no store in the schema), [`Error::Locked`]
    /// (write mode, another writer), [`Error::NewerSchema`], connection errors.
    pub fn open(url: &str, schema: &str, mode: PgMode) -> Result<PostgresStore> {
        let location = format!("{} (schema {schema})", redact(url));
        if !valid_schema(schema) {
            return Err(Error::Unsupported {
                location,
                why: "the schema name must be lowercase ASCII letters, digits and _".into(),
            });
        }
        let connect = || -> Result<Client> {
            let mut c = Client::connect(url, NoTls)?;
            c.batch_execute(&format!("SET search_path TO {schema}"))?;
            Ok(c)
        };
        let mut writer = connect()?;
        let exists: bool = writer
            .query_one(
                "SELECT EXISTS(SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'meta')",
                &[&schema],
            )?
            .get(0);
        match mode {
            PgMode::Read if !exists => return Err(Error::NotFound { location }),
            PgMode::Read => {}
            PgMode::Write => {
                let key = lock_key(schema);
                let got: bool = writer
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                    .get(0);
                if !got {
                    return Err(Error::Locked { location });
                }
                writer.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
            }
        }
        migrate(&mut writer, &location, mode == PgMode::Write)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(Mutex::new(connect()?));
        }
        Ok(PostgresStore {
            location,
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Client> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(g) = self.readers[(start + i) % n].try_lock() {
                return g;
            }
        }
        lock(&self.readers[start % n])
    }

    /// Overwrites the stored schema version (for tests of the newer-schema refusal).
    #[doc(hidden)]
    pub fn force_schema_version(&self, v: u32) -> Result<()> {
        lock(&self.writer).execute(
            "INSERT INTO meta(key, value) VALUES('schema_version', $1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            &[&v.to_string()],
        )?;
        Ok(())
    }
}

/// Advisory-lock key of a schema: seeded xxh3 of its name.
fn lock_key(schema: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(schema.as_bytes(), 0x6b68_6162_6172) as i64
}

fn read_version(c: &mut Client) -> Result<Option<u32>> {
    let exists: bool = c
        .query_one(
            "SELECT EXISTS(SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'meta')",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = c.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?;
    Ok(row.and_then(|r| r.get::<_, String>(0).parse().ok()))
}

fn migrate(c: &mut Client, location: &str, may_write: bool) -> Result<()> {
    let current = read_version(c)?.unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            location: location.to_string(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if current == SCHEMA_VERSION || !may_write {
        return Ok(());
    }
    for &(version, sql) in MIGRATIONS {
        if version <= current {
            continue;
        }
        let mut tx = c.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('schema_version', $1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            &[&version.to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Quotes a lexeme for a `tsvector`/`tsquery` literal.
fn quote_lexeme(out: &mut String, term: &str) {
    out.push('\'');
    for c in term.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('\'');
}

/// The `tsvector` literal of a document's index terms (deterministic: lexemes sorted).
pub(crate) fn tsvector_literal(terms: &[IndexTerm]) -> String {
    let mut by_term: BTreeMap<&str, Vec<(u32, bool)>> = BTreeMap::new();
    for t in terms {
        if t.term.is_empty() || t.term.len() > MAX_TERM_BYTES {
            continue;
        }
        let positions = by_term.entry(t.term.as_str()).or_default();
        if positions.len() < MAX_POSITIONS_PER_TERM {
            positions.push((t.position.clamp(1, MAX_POSITION), t.in_title));
        }
    }
    let mut out = String::new();
    for (term, mut positions) in by_term {
        positions.sort_unstable();
        positions.dedup_by_key(|p| p.0);
        if !out.is_empty() {
            out.push(' ');
        }
        quote_lexeme(&mut out, term);
        for (i, (p, title)) in positions.iter().enumerate() {
            out.push(if i == 0 { ':' } else { ',' });
            let _ = write!(out, "{p}{}", if *title { "A" } else { "" });
        }
    }
    out
}

fn alternatives(out: &mut String, alts: &[String]) {
    out.push('(');
    for (i, a) in alts.iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        quote_lexeme(out, a);
    }
    out.push(')');
}

/// `(match, rank)` tsquery literals of a term query; `None` if it has no terms.
pub(crate) fn tsquery_literals(q: &TermQuery) -> Option<(String, String)> {
    let clean = |alts: &Vec<String>| -> Vec<String> {
        alts.iter()
            .filter(|a| !a.is_empty() && a.len() <= MAX_TERM_BYTES)
            .cloned()
            .collect()
    };
    let words: Vec<Vec<String>> = q
        .words
        .iter()
        .map(clean)
        .filter(|a| !a.is_empty())
        .collect();
    let phrases: Vec<Vec<String>> = q
        .phrases
        .iter()
        .map(|p| {
            p.iter()
                .filter(|t| !t.is_empty() && t.len() <= MAX_TERM_BYTES)
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect();
    let excluded: Vec<Vec<String>> = q
        .excluded
        .iter()
        .map(clean)
        .filter(|a| !a.is_empty())
        .collect();
    let mut words_q = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            words_q.push_str(" | ");
        }
        alternatives(&mut words_q, w);
    }
    let mut phrases_q = String::new();
    for (i, p) in phrases.iter().enumerate() {
        if i > 0 {
            phrases_q.push_str(" & ");
        }
        phrases_q.push('(');
        for (j, t) in p.iter().enumerate() {
            if j > 0 {
                phrases_q.push_str(" <-> ");
            }
            quote_lexeme(&mut phrases_q, t);
        }
        phrases_q.push(')');
    }
    let required = match (words_q.is_empty(), phrases_q.is_empty()) {
        (true, true) => return None,
        (false, true) => format!("({words_q})"),
        (_, false) => format!("({phrases_q})"),
    };
    let rank = match (words_q.is_empty(), phrases_q.is_empty()) {
        (false, false) => format!("({words_q}) | ({phrases_q})"),
        _ => required.clone(),
    };
    let mut matching = required;
    for e in &excluded {
        matching.push_str(" & !");
        alternatives(&mut matching, e);
    }
    Some((matching, rank))
}

/// PostgreSQL text cannot hold U+0000; a space has the same length, so every span stays valid.
fn pg_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', " "))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn pg_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| pg_text(s).into_owned())
}

fn insert_doc(tx: &mut Transaction<'_>, doc: &NewDocument) -> Result<PutOutcome> {
    let existing = tx.query_opt(
        "SELECT seq, content_hash FROM documents WHERE id = $1",
        &[&pg_text(&doc.id).as_ref()],
    )?;
    let outcome = match existing {
        Some(r) if r.get::<_, String>(1) == doc.content_hash => {
            return Ok(PutOutcome::Unchanged(r.get(0)));
        }
        Some(r) => {
            tx.execute(
                "DELETE FROM documents WHERE seq = $1",
                &[&r.get::<_, i64>(0)],
            )?;
            PutOutcome::Replaced(0)
        }
        None => PutOutcome::Inserted(0),
    };
    let duplicate_of: Option<String> = tx
        .query_opt(
            "SELECT id FROM documents WHERE content_hash = $1 AND duplicate_of IS NULL ORDER BY seq LIMIT 1",
            &[&doc.content_hash],
        )?
        .map(|r| r.get(0));
    let tsv = tsvector_literal(&doc.terms);
    let seq: i64 = tx
        .query_one(
            "INSERT INTO documents(id, content_hash, duplicate_of, title, date, source, url, text, terms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::tsvector) RETURNING seq",
            &[
                &pg_text(&doc.id).as_ref(),
                &doc.content_hash,
                &duplicate_of,
                &pg_opt(&doc.title),
                &pg_opt(&doc.date),
                &pg_opt(&doc.source),
                &pg_opt(&doc.url),
                &pg_text(&doc.text).as_ref(),
                &tsv,
            ],
        )?
        .get(0);
    tx.execute(
        "INSERT INTO sentences(doc_seq, spans) VALUES ($1, $2)",
        &[&seq, &pack_spans(&doc.sentences)],
    )?;
    if !doc.mentions.is_empty() {
        let st = tx.prepare(
            "INSERT INTO entity_mentions(doc_seq, idx, start, \"end\", label, key) VALUES ($1, $2, $3, $4, $5, $6)",
        )?;
        for (i, m) in doc.mentions.iter().enumerate() {
            tx.execute(
                &st,
                &[
                    &seq,
                    &(i as i32),
                    &i64::from(m.span.start),
                    &i64::from(m.span.end),
                    &m.label,
                    &m.key,
                ],
            )?;
        }
    }
    if !doc.quotes.is_empty() {
        let st = tx.prepare(
            "INSERT INTO quotes(doc_seq, idx, content_start, content_end, speaker_start, speaker_end, speaker_key, cue_start, cue_end)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )?;
        for (i, q) in doc.quotes.iter().enumerate() {
            tx.execute(
                &st,
                &[
                    &seq,
                    &(i as i32),
                    &i64::from(q.content.start),
                    &i64::from(q.content.end),
                    &q.speaker.map(|s| i64::from(s.start)),
                    &q.speaker.map(|s| i64::from(s.end)),
                    &q.speaker_key,
                    &q.cue.map(|s| i64::from(s.start)),
                    &q.cue.map(|s| i64::from(s.end)),
                ],
            )?;
        }
    }
    Ok(match outcome {
        PutOutcome::Replaced(_) => PutOutcome::Replaced(seq),
        _ => PutOutcome::Inserted(seq),
    })
}

fn apply_story(tx: &mut Transaction<'_>, u: &StoryUpdate) -> Result<()> {
    tx.execute(
        "INSERT INTO stories(id, title, state) VALUES ($1, $2, $3)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, state = COALESCE(excluded.state, stories.state)",
        &[&u.id, &u.title, &u.state],
    )?;
    for id in &u.add_members {
        tx.execute(
            "INSERT INTO story_members(doc_seq, story_id) SELECT seq, $1 FROM documents WHERE id = $2
             ON CONFLICT(doc_seq) DO UPDATE SET story_id = excluded.story_id",
            &[&u.id, id],
        )?;
    }
    if let Some(lines) = &u.lines {
        tx.execute("DELETE FROM story_lines WHERE story_id = $1", &[&u.id])?;
        for (i, l) in lines.iter().enumerate() {
            let sources = serde_json::to_string(&l.sources).unwrap_or_else(|_| "[]".into());
            tx.execute(
                "INSERT INTO story_lines(story_id, idx, text, support, sources) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &u.id,
                    &(i as i32),
                    &l.text,
                    &(i32::try_from(l.support).unwrap_or(i32::MAX)),
                    &sources,
                ],
            )?;
        }
    }
    Ok(())
}

fn corrupt(location: &str, what: impl Into<String>) -> Error {
    Error::Corrupt {
        location: location.to_string(),
        what: what.into(),
    }
}

const DOC_SQL: &str = "SELECT d.seq, d.id, d.text, d.title, d.date, d.source, d.url, d.content_hash, d.duplicate_of, s.spans, m.story_id
     FROM documents d LEFT JOIN sentences s ON s.doc_seq = d.seq LEFT JOIN story_members m ON m.doc_seq = d.seq";

fn complete(c: &mut Client, location: &str, r: &Row) -> Result<StoredDocument> {
    let seq: i64 = r.get(0);
    let spans: Option<Vec<u8>> = r.get(9);
    let mut d = StoredDocument {
        seq,
        id: r.get(1),
        text: r.get(2),
        title: r.get(3),
        date: r.get(4),
        source: r.get(5),
        url: r.get(6),
        content_hash: r.get(7),
        duplicate_of: r.get(8),
        sentences: match spans {
            Some(b) => unpack_spans(&b).ok_or_else(|| corrupt(location, "sentence spans"))?,
            None => Vec::new(),
        },
        mentions: Vec::new(),
        quotes: Vec::new(),
        story: r.get(10),
    };
    for r in c.query(
        "SELECT start, \"end\", label, key FROM entity_mentions WHERE doc_seq = $1 ORDER BY idx",
        &[&seq],
    )? {
        let span = span_of(r.get(0), r.get(1)).ok_or_else(|| corrupt(location, "mention span"))?;
        d.mentions.push(EntityMention {
            span,
            label: r.get(2),
            key: r.get(3),
        });
    }
    for r in c.query(
        "SELECT content_start, content_end, speaker_start, speaker_end, speaker_key, cue_start, cue_end
         FROM quotes WHERE doc_seq = $1 ORDER BY idx",
        &[&seq],
    )? {
        let content = span_of(r.get(0), r.get(1)).ok_or_else(|| corrupt(location, "quote span"))?;
        let opt = |a: Option<i64>, b: Option<i64>, what: &str| -> Result<Option<khabar_core::Span>> {
            match (a, b) {
                (Some(a), Some(b)) => Ok(Some(span_of(a, b).ok_or_else(|| corrupt(location, what))?)),
                _ => Ok(None),
            }
        };
        d.quotes.push(Quote {
            content,
            speaker: opt(r.get(2), r.get(3), "speaker span")?,
            speaker_key: r.get(4),
            cue: opt(r.get(5), r.get(6), "cue span")?,
        });
    }
    Ok(d)
}

const STORY_SUMMARY_SQL: &str = "SELECT st.id, st.title, COUNT(m.doc_seq), MIN(d.date), MAX(d.date)
     FROM stories st JOIN story_members m ON m.story_id = st.id JOIN documents d ON d.seq = m.doc_seq";

fn story_summary(r: &Row) -> StorySummary {
    StorySummary {
        id: r.get(0),
        title: r.get(1),
        size: r.get::<_, i64>(2) as u64,
        first_date: r.get(3),
        last_date: r.get(4),
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn location(&self) -> &str {
        &self.location
    }

    fn content_hashes(&self, ids: &[&str]) -> Result<Vec<Option<String>>> {
        let mut c = self.reader();
        let ids_owned: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let rows = c.query(
            "SELECT id, content_hash FROM documents WHERE id = ANY($1)",
            &[&ids_owned],
        )?;
        let found: std::collections::HashMap<String, String> =
            rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(ids.iter().map(|id| found.get(*id).cloned()).collect())
    }

    fn commit_batch(
        &self,
        docs: &[NewDocument],
        stories: &[StoryUpdate],
    ) -> Result<Vec<PutOutcome>> {
        let mut c = lock(&self.writer);
        let mut tx = c.transaction()?;
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            out.push(insert_doc(&mut tx, d)?);
        }
        for u in stories {
            apply_story(&mut tx, u)?;
        }
        tx.commit()?;
        Ok(out)
    }

    fn document(&self, id: &str) -> Result<Option<StoredDocument>> {
        let mut c = self.reader();
        let row = c.query_opt(&format!("{DOC_SQL} WHERE d.id = $1"), &[&id])?;
        row.map(|r| complete(&mut c, &self.location, &r))
            .transpose()
    }

    fn document_by_seq(&self, seq: i64) -> Result<Option<StoredDocument>> {
        let mut c = self.reader();
        let row = c.query_opt(&format!("{DOC_SQL} WHERE d.seq = $1"), &[&seq])?;
        row.map(|r| complete(&mut c, &self.location, &r))
            .transpose()
    }

    fn documents_after(&self, after: i64, limit: usize) -> Result<Vec<StoredDocument>> {
        let mut c = self.reader();
        let rows = c.query(
            &format!("{DOC_SQL} WHERE d.seq > $1 ORDER BY d.seq LIMIT $2"),
            &[&after, &(limit as i64)],
        )?;
        rows.iter()
            .map(|r| complete(&mut c, &self.location, r))
            .collect()
    }

    fn stats(&self) -> Result<StoreStats> {
        let mut c = self.reader();
        let r = c.query_one(
            "SELECT (SELECT COUNT(*) FROM documents),
                    (SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL),
                    (SELECT COALESCE(SUM(length(spans) / 8), 0)::BIGINT FROM sentences),
                    (SELECT COUNT(*) FROM entity_mentions),
                    (SELECT COUNT(*) FROM quotes),
                    (SELECT COUNT(DISTINCT story_id) FROM story_members),
                    (SELECT COALESCE(MAX(seq), 0) FROM documents)",
            &[],
        )?;
        let n = |i: usize| r.get::<_, i64>(i) as u64;
        Ok(StoreStats {
            documents: n(0),
            exact_duplicates: n(1),
            sentences: n(2),
            mentions: n(3),
            quotes: n(4),
            stories: n(5),
            max_seq: r.get(6),
        })
    }

    fn stories(&self, limit: usize, offset: usize) -> Result<Vec<StorySummary>> {
        let mut c = self.reader();
        let rows = c.query(
            &format!(
                "{STORY_SUMMARY_SQL} GROUP BY st.id ORDER BY MAX(d.date) DESC NULLS LAST, COUNT(m.doc_seq) DESC, st.id LIMIT $1 OFFSET $2"
            ),
            &[&(limit as i64), &(offset as i64)],
        )?;
        Ok(rows.iter().map(story_summary).collect())
    }

    fn story(&self, id: i64) -> Result<Option<Story>> {
        let mut c = self.reader();
        let Some(r) = c.query_opt(
            &format!("{STORY_SUMMARY_SQL} WHERE st.id = $1 GROUP BY st.id"),
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let summary = story_summary(&r);
        let members = c
            .query(
                "SELECT d.seq, d.id, d.title, d.date, d.source FROM story_members m JOIN documents d ON d.seq = m.doc_seq
                 WHERE m.story_id = $1 ORDER BY d.date, d.seq",
                &[&id],
            )?
            .iter()
            .map(|r| DocumentSummary {
                seq: r.get(0),
                id: r.get(1),
                title: r.get(2),
                date: r.get(3),
                source: r.get(4),
            })
            .collect();
        let mut lines = Vec::new();
        for r in c.query(
            "SELECT text, support, sources FROM story_lines WHERE story_id = $1 ORDER BY idx",
            &[&id],
        )? {
            let sources: Vec<LineSource> = serde_json::from_str(r.get(2))
                .map_err(|e| corrupt(&self.location, format!("story line sources: {e}")))?;
            lines.push(StoryLine {
                text: r.get(0),
                support: r.get::<_, i32>(1).max(0) as u32,
                sources,
            });
        }
        Ok(Some(Story {
            summary,
            members,
            lines,
        }))
    }

    fn max_story_id(&self) -> Result<i64> {
        Ok(self
            .reader()
            .query_one("SELECT COALESCE(MAX(id), 0)::BIGINT FROM stories", &[])?
            .get(0))
    }

    fn story_states(&self) -> Result<Vec<StoryState>> {
        Ok(self
            .reader()
            .query("SELECT id, title, state FROM stories ORDER BY id", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    fn full_text(
        &self,
        query: &TermQuery,
        f: &Filters,
        limit: usize,
    ) -> Result<Option<Vec<RankedDoc>>> {
        let Some((matching, rank)) = tsquery_literals(query) else {
            return Ok(Some(Vec::new()));
        };
        let mut c = self.reader();
        let rows = c.query(
            "SELECT d.seq, ts_rank(d.terms, $1::text::tsquery, 1) AS r FROM documents d
             WHERE d.terms @@ $2::text::tsquery
               AND ($3::text IS NULL OR d.source = $3)
               AND ($4::text IS NULL OR substr(d.date, 1, 10) >= $4)
               AND ($5::text IS NULL OR substr(d.date, 1, 10) <= $5)
               AND ($6::text IS NULL OR EXISTS(SELECT 1 FROM entity_mentions e WHERE e.doc_seq = d.seq AND e.key = $6))
             ORDER BY r DESC, d.seq LIMIT $7",
            &[&rank, &matching, &f.source, &f.from, &f.to, &f.entity, &(limit as i64)],
        )?;
        Ok(Some(
            rows.iter()
                .map(|r| RankedDoc {
                    seq: r.get(0),
                    score: r.get(1),
                })
                .collect(),
        ))
    }

    fn matches_filters(&self, seq: i64, f: &Filters) -> Result<bool> {
        let mut c = self.reader();
        Ok(c.query_one(
            "SELECT EXISTS(SELECT 1 FROM documents d WHERE d.seq = $1
               AND ($2::text IS NULL OR d.source = $2)
               AND ($3::text IS NULL OR substr(d.date, 1, 10) >= $3)
               AND ($4::text IS NULL OR substr(d.date, 1, 10) <= $4)
               AND ($5::text IS NULL OR EXISTS(SELECT 1 FROM entity_mentions e WHERE e.doc_seq = d.seq AND e.key = $5)))",
            &[&seq, &f.source, &f.from, &f.to, &f.entity],
        )?
        .get(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsvector_literal_groups_positions_and_escapes() {
        let t = |term: &str, position, in_title| IndexTerm {
            term: term.into(),
            position,
            in_title,
        };
        let lit = tsvector_literal(&[t("سور", 1, true), t("it's", 3, false), t("سور", 4, false)]);
        assert_eq!(lit, "'it''s':3 'سور':1A,4");
    }

    #[test]
    fn tsquery_literals_combine_words_phrases_and_exclusions() {
        let q = TermQuery {
            words: vec![vec!["اسد".into(), "سد".into()]],
            phrases: vec![vec!["بشار".into(), "اسد".into()]],
            excluded: vec![vec!["روس".into()]],
        };
        let (m, r) = tsquery_literals(&q).unwrap();
        assert_eq!(m, "(('بشار' <-> 'اسد')) & !('روس')");
        assert_eq!(r, "(('اسد' | 'سد')) | (('بشار' <-> 'اسد'))");
        assert!(tsquery_literals(&TermQuery::default()).is_none());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@127.0.0.1:5432/db"),
            "postgres://u:***@127.0.0.1:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
