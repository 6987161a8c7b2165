//! The embedded backend: one SQLite file in WAL mode.
//!
//! One connection writes (behind a mutex); a few more read, so a server's
//! request handlers do not queue behind each other or behind an ingest.
//! `synchronous=NORMAL` with WAL keeps every committed batch across a killed
//! process; a power cut may lose the last batches but never corrupts the file.

use crate::{
    Backend, DocumentSummary, EntityMention, Error, Filters, HitDocument, JournalEntry, LineSource,
    NewDocument, PutOutcome, Quote, RankedDoc, Result, SCHEMA_VERSION, Store, StoreStats,
    StoredDocument, Story, StoryLine, StoryState, StorySummary, StoryUpdate, TermQuery, TokenSpans,
    pack_spans, span_of, unpack_spans,
};
use khabar_core::Span;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Migrations, in order: (version reached, SQL).
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_tokens_quotes_journal.sql"),
    ),
];

/// Read connections besides the writer.
const READERS: usize = 4;

/// The embedded store.
pub struct SqliteStore {
    location: String,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .finish()
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
    // back on drop), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file and schema if missing.
    ///
    /// # Errors
    /// [`Error::NewerSchema`] for a store from a newer khabar; SQLite errors.
    pub fn create(path: &Path) -> Result<SqliteStore> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                path: parent.display().to_string(),
                source: e,
            })?;
        }
        Self::open_with(path, true)
    }

    /// Opens an existing store.
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no file; [`Error::NewerSchema`]; SQLite errors.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        if !path.is_file() {
            return Err(Error::NotFound {
                location: path.parent().unwrap_or(path).display().to_string(),
            });
        }
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<SqliteStore> {
        let location = path.display().to_string();
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let writer = Connection::open_with_flags(path, flags)?;
        configure(&writer)?;
        migrate(&writer, &location)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            stable_plans(&c)?;
            c.busy_timeout(std::time::Duration::from_secs(10))?;
            readers.push(Mutex::new(c));
        }
        Ok(SqliteStore {
            location,
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(g) = self.readers[(start + i) % n].try_lock() {
                return g;
            }
        }
        lock(&self.readers[start % n])
    }

    /// Reads the stored schema version (for tests and diagnostics).
    pub fn schema_version(&self) -> Result<u32> {
        read_version(&lock(&self.writer)).map(|v| v.unwrap_or(0))
    }

    /// Overwrites the stored schema version (for tests of the newer-schema refusal).
    #[doc(hidden)]
    pub fn force_schema_version(&self, v: u32) -> Result<()> {
        lock(&self.writer).execute(
            "INSERT INTO meta(key, value) VALUES('schema_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![v.to_string()],
        )?;
        Ok(())
    }
}

/// Keeps each prepared statement's plan once made. The bundled SQLite is built
/// with STAT4, under which a statement whose parameter meets an indexed column
/// (`WHERE seq = ?1`) is compiled again on every new binding: 37% of the search
/// server's CPU went to re-parsing `hit_document`'s query. The archive runs no
/// `ANALYZE`, so the plans are the same ones.
fn stable_plans(c: &Connection) -> Result<()> {
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

fn configure(c: &Connection) -> Result<()> {
    stable_plans(c)?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn read_version(c: &Connection) -> Result<Option<u32>> {
    let has_meta: bool = c.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    let v: Option<String> = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()))
}

fn migrate(c: &Connection, location: &str) -> Result<()> {
    let current = read_version(c)?.unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            location: location.to_string(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for &(version, sql) in MIGRATIONS {
        if version <= current {
            continue;
        }
        let tx = c.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('schema_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![version.to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

fn corrupt(location: &str, what: impl Into<String>) -> Error {
    Error::Corrupt {
        location: location.to_string(),
        what: what.into(),
    }
}

const DOC_COLUMNS: &str = "d.seq, d.id, d.text, d.title, d.date, d.source, d.url, d.content_hash, d.duplicate_of, s.spans, m.story_id";
const DOC_FROM: &str = "documents d LEFT JOIN sentences s ON s.doc_seq = d.seq LEFT JOIN story_members m ON m.doc_seq = d.seq";

fn doc_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(StoredDocument, Option<Vec<u8>>)> {
    Ok((
        StoredDocument {
            seq: r.get(0)?,
            id: r.get(1)?,
            text: r.get(2)?,
            title: r.get(3)?,
            date: r.get(4)?,
            source: r.get(5)?,
            url: r.get(6)?,
            content_hash: r.get(7)?,
            duplicate_of: r.get(8)?,
            sentences: Vec::new(),
            mentions: Vec::new(),
            quotes: Vec::new(),
            story: r.get(10)?,
        },
        r.get(9)?,
    ))
}

fn complete(
    c: &Connection,
    location: &str,
    (mut d, spans): (StoredDocument, Option<Vec<u8>>),
) -> Result<StoredDocument> {
    if let Some(b) = spans {
        d.sentences = unpack_spans(&b).ok_or_else(|| corrupt(location, "sentence spans"))?;
    }
    let mut st = c.prepare_cached(
        "SELECT start, \"end\", label, key FROM entity_mentions WHERE doc_seq = ?1 ORDER BY idx",
    )?;
    let rows = st.query_map(params![d.seq], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get(2)?,
            r.get(3)?,
        ))
    })?;
    for row in rows {
        let (s, e, label, key) = row?;
        let span = span_of(s, e).ok_or_else(|| corrupt(location, "mention span"))?;
        d.mentions.push(EntityMention { span, label, key });
    }
    let mut st = c.prepare_cached(
        "SELECT content_start, content_end, speaker_start, speaker_end, speaker_key, cue_start, cue_end,
                direct, channel_start, channel_end
         FROM quotes WHERE doc_seq = ?1 ORDER BY idx",
    )?;
    let rows = st.query_map(params![d.seq], |r| {
        Ok((
            (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
            (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<i64>>(3)?),
            r.get::<_, Option<String>>(4)?,
            (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<i64>>(6)?),
            r.get::<_, bool>(7)?,
            (r.get::<_, Option<i64>>(8)?, r.get::<_, Option<i64>>(9)?),
        ))
    })?;
    let opt_span = |(s, e): (Option<i64>, Option<i64>), what: &str| -> Result<Option<Span>> {
        match (s, e) {
            (Some(s), Some(e)) => Ok(Some(span_of(s, e).ok_or_else(|| corrupt(location, what))?)),
            _ => Ok(None),
        }
    };
    for row in rows {
        let ((cs, ce), speaker, speaker_key, cue, direct, channel) = row?;
        let content = span_of(cs, ce).ok_or_else(|| corrupt(location, "quote span"))?;
        d.quotes.push(Quote {
            content,
            speaker: opt_span(speaker, "speaker span")?,
            speaker_key,
            cue: opt_span(cue, "cue span")?,
            direct,
            channel: opt_span(channel, "channel span")?,
        });
    }
    Ok(d)
}

fn insert_doc(tx: &rusqlite::Transaction<'_>, doc: &NewDocument) -> Result<PutOutcome> {
    let existing: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, content_hash FROM documents WHERE id = ?1")?
        .query_row(params![doc.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let outcome = match existing {
        Some((seq, ref h)) if *h == doc.content_hash => return Ok(PutOutcome::Unchanged(seq)),
        Some((seq, _)) => {
            tx.prepare_cached("DELETE FROM documents WHERE seq = ?1")?
                .execute(params![seq])?;
            PutOutcome::Replaced(0)
        }
        None => PutOutcome::Inserted(0),
    };
    let duplicate_of: Option<String> = tx
        .prepare_cached(
            "SELECT id FROM documents WHERE content_hash = ?1 AND duplicate_of IS NULL ORDER BY seq LIMIT 1",
        )?
        .query_row(params![doc.content_hash], |r| r.get(0))
        .optional()?;
    tx.prepare_cached(
        "INSERT INTO documents(id, content_hash, duplicate_of, title, date, source, url, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        doc.id,
        doc.content_hash,
        duplicate_of,
        doc.title,
        doc.date,
        doc.source,
        doc.url,
        doc.text
    ])?;
    let seq = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO sentences(doc_seq, spans, tokens) VALUES (?1, ?2, ?3)")?
        .execute(params![seq, pack_spans(&doc.sentences), doc.tokens.pack()])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO entity_mentions(doc_seq, idx, start, \"end\", label, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, m) in doc.mentions.iter().enumerate() {
        st.execute(params![
            seq,
            i as i64,
            m.span.start,
            m.span.end,
            m.label,
            m.key
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO quotes(doc_seq, idx, content_start, content_end, speaker_start, speaker_end, speaker_key,
                            cue_start, cue_end, direct, channel_start, channel_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (i, q) in doc.quotes.iter().enumerate() {
        st.execute(params![
            seq,
            i as i64,
            q.content.start,
            q.content.end,
            q.speaker.map(|s| s.start),
            q.speaker.map(|s| s.end),
            q.speaker_key,
            q.cue.map(|s| s.start),
            q.cue.map(|s| s.end),
            q.direct,
            q.channel.map(|s| s.start),
            q.channel.map(|s| s.end)
        ])?;
    }
    Ok(match outcome {
        PutOutcome::Replaced(_) => PutOutcome::Replaced(seq),
        _ => PutOutcome::Inserted(seq),
    })
}

fn apply_story(tx: &rusqlite::Transaction<'_>, u: &StoryUpdate) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO stories(id, title, state) VALUES (?1, COALESCE(?2, ''), ?3)
         ON CONFLICT(id) DO UPDATE SET title = COALESCE(?2, stories.title), state = COALESCE(excluded.state, stories.state)",
    )?
    .execute(params![u.id, u.title, u.state])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO story_members(doc_seq, story_id) SELECT seq, ?1 FROM documents WHERE id = ?2
         ON CONFLICT(doc_seq) DO UPDATE SET story_id = excluded.story_id",
    )?;
    for id in &u.add_members {
        st.execute(params![u.id, id])?;
    }
    if let Some(lines) = &u.lines {
        tx.prepare_cached("DELETE FROM story_lines WHERE story_id = ?1")?
            .execute(params![u.id])?;
        let mut st = tx.prepare_cached(
            "INSERT INTO story_lines(story_id, idx, text, support, sources) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, l) in lines.iter().enumerate() {
            let sources = serde_json::to_string(&l.sources).unwrap_or_else(|_| "[]".into());
            st.execute(params![u.id, i as i64, l.text, l.support, sources])?;
        }
    }
    Ok(())
}

const STORY_SUMMARY_SQL: &str = "SELECT st.id, st.title, COUNT(m.doc_seq), MIN(d.date), MAX(d.date)
     FROM stories st JOIN story_members m ON m.story_id = st.id JOIN documents d ON d.seq = m.doc_seq";

fn story_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<StorySummary> {
    Ok(StorySummary {
        id: r.get(0)?,
        title: r.get(1)?,
        size: r.get::<_, i64>(2)? as u64,
        first_date: r.get(3)?,
        last_date: r.get(4)?,
    })
}

impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn location(&self) -> &str {
        &self.location
    }

    fn content_hashes(&self, ids: &[&str]) -> Result<Vec<Option<String>>> {
        let c = self.reader();
        let mut st = c.prepare_cached("SELECT content_hash FROM documents WHERE id = ?1")?;
        ids.iter()
            .map(|id| Ok(st.query_row(params![id], |r| r.get(0)).optional()?))
            .collect()
    }

    fn commit_batch_journaled(
        &self,
        docs: &[NewDocument],
        stories: &[StoryUpdate],
        journal: &[JournalEntry],
    ) -> Result<Vec<PutOutcome>> {
        let mut c = lock(&self.writer);
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| busy_to_locked(e, &self.location))?;
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            out.push(insert_doc(&tx, d)?);
        }
        for u in stories {
            apply_story(&tx, u)?;
        }
        {
            let mut st =
                tx.prepare_cached("INSERT INTO story_journal(pos, entry) VALUES (?1, ?2)")?;
            for e in journal {
                st.execute(params![e.pos, e.data])?;
            }
        }
        tx.commit().map_err(|e| busy_to_locked(e, &self.location))?;
        Ok(out)
    }

    fn journal(&self, after: i64, limit: usize) -> Result<Vec<JournalEntry>> {
        let c = self.reader();
        let rows = c
            .prepare_cached(
                "SELECT pos, entry FROM story_journal WHERE pos > ?1 ORDER BY pos LIMIT ?2",
            )?
            .query_map(params![after, limit as i64], |r| {
                Ok(JournalEntry {
                    pos: r.get(0)?,
                    data: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn journal_end(&self) -> Result<i64> {
        Ok(self
            .reader()
            .query_row("SELECT COALESCE(MAX(pos), 0) FROM story_journal", [], |r| {
                r.get(0)
            })?)
    }

    fn hit_document(&self, seq: i64) -> Result<Option<HitDocument>> {
        let c = self.reader();
        let row = c
            .prepare_cached(
                "SELECT d.seq, d.id, d.title, d.date, d.source, d.url, m.story_id, d.text, s.spans, s.tokens
                 FROM documents d LEFT JOIN sentences s ON s.doc_seq = d.seq
                 LEFT JOIN story_members m ON m.doc_seq = d.seq WHERE d.seq = ?1",
            )?
            .query_row(params![seq], |r| {
                Ok((
                    HitDocument {
                        seq: r.get(0)?,
                        id: r.get(1)?,
                        title: r.get(2)?,
                        date: r.get(3)?,
                        source: r.get(4)?,
                        url: r.get(5)?,
                        story: r.get(6)?,
                        text: r.get(7)?,
                        sentences: Vec::new(),
                        tokens: None,
                    },
                    r.get::<_, Option<Vec<u8>>>(8)?,
                    r.get::<_, Option<Vec<u8>>>(9)?,
                ))
            })
            .optional()?;
        let Some((mut d, spans, tokens)) = row else {
            return Ok(None);
        };
        if let Some(b) = spans {
            d.sentences =
                unpack_spans(&b).ok_or_else(|| corrupt(&self.location, "sentence spans"))?;
        }
        if let Some(b) = tokens {
            d.tokens =
                Some(TokenSpans::unpack(&b).ok_or_else(|| corrupt(&self.location, "token spans"))?);
        }
        Ok(Some(d))
    }

    fn document(&self, id: &str) -> Result<Option<StoredDocument>> {
        let c = self.reader();
        let row = c
            .prepare_cached(&format!(
                "SELECT {DOC_COLUMNS} FROM {DOC_FROM} WHERE d.id = ?1"
            ))?
            .query_row(params![id], doc_from_row)
            .optional()?;
        row.map(|r| complete(&c, &self.location, r)).transpose()
    }

    fn document_by_seq(&self, seq: i64) -> Result<Option<StoredDocument>> {
        let c = self.reader();
        let row = c
            .prepare_cached(&format!(
                "SELECT {DOC_COLUMNS} FROM {DOC_FROM} WHERE d.seq = ?1"
            ))?
            .query_row(params![seq], doc_from_row)
            .optional()?;
        row.map(|r| complete(&c, &self.location, r)).transpose()
    }

    fn documents_after(&self, after: i64, limit: usize) -> Result<Vec<StoredDocument>> {
        let c = self.reader();
        let rows: Vec<_> = c
            .prepare_cached(&format!(
                "SELECT {DOC_COLUMNS} FROM {DOC_FROM} WHERE d.seq > ?1 ORDER BY d.seq LIMIT ?2"
            ))?
            .query_map(params![after, limit as i64], doc_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|r| complete(&c, &self.location, r))
            .collect()
    }

    fn stats(&self) -> Result<StoreStats> {
        let c = self.reader();
        let count =
            |sql: &str| -> Result<u64> { Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        // Blob lengths come from record headers: no span data is read.
        let sentences = count("SELECT COALESCE(SUM(length(spans)), 0) / 8 FROM sentences")?;
        Ok(StoreStats {
            documents: count("SELECT COUNT(*) FROM documents")?,
            exact_duplicates: count(
                "SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL",
            )?,
            sentences,
            mentions: count("SELECT COUNT(*) FROM entity_mentions")?,
            quotes: count("SELECT COUNT(*) FROM quotes")?,
            stories: count(
                "SELECT COUNT(*) FROM stories WHERE id IN (SELECT story_id FROM story_members)",
            )?,
            max_seq: c.query_row("SELECT COALESCE(MAX(seq), 0) FROM documents", [], |r| {
                r.get(0)
            })?,
        })
    }

    fn stories(&self, limit: usize, offset: usize) -> Result<Vec<StorySummary>> {
        let c = self.reader();
        let rows = c
            .prepare_cached(&format!(
                "{STORY_SUMMARY_SQL} GROUP BY st.id ORDER BY MAX(d.date) DESC, COUNT(m.doc_seq) DESC, st.id LIMIT ?1 OFFSET ?2"
            ))?
            .query_map(params![limit as i64, offset as i64], story_summary)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn story(&self, id: i64) -> Result<Option<Story>> {
        let c = self.reader();
        let Some(summary) = c
            .prepare_cached(&format!(
                "{STORY_SUMMARY_SQL} WHERE st.id = ?1 GROUP BY st.id"
            ))?
            .query_row(params![id], story_summary)
            .optional()?
        else {
            return Ok(None);
        };
        let members = c
            .prepare_cached(
                "SELECT d.seq, d.id, d.title, d.date, d.source FROM story_members m JOIN documents d ON d.seq = m.doc_seq
                 WHERE m.story_id = ?1 ORDER BY d.date, d.seq",
            )?
            .query_map(params![id], |r| {
                Ok(DocumentSummary {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    title: r.get(2)?,
                    date: r.get(3)?,
                    source: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let raw: Vec<(String, u32, String)> = c
            .prepare_cached(
                "SELECT text, support, sources FROM story_lines WHERE story_id = ?1 ORDER BY idx",
            )?
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut lines = Vec::with_capacity(raw.len());
        for (text, support, sources) in raw {
            let sources: Vec<LineSource> = serde_json::from_str(&sources)
                .map_err(|e| corrupt(&self.location, format!("story line sources: {e}")))?;
            lines.push(StoryLine {
                text,
                support,
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
            .query_row("SELECT COALESCE(MAX(id), 0) FROM stories", [], |r| r.get(0))?)
    }

    fn story_states(&self) -> Result<Vec<StoryState>> {
        let c = self.reader();
        let rows = c
            .prepare("SELECT id, title, state FROM stories ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn story_state(&self, id: i64) -> Result<Option<StoryState>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT id, title, state FROM stories WHERE id = ?1")?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    fn full_text(
        &self,
        _query: &TermQuery,
        _filters: &Filters,
        _limit: usize,
        _highlight: &[String],
    ) -> Result<Option<Vec<RankedDoc>>> {
        Ok(None)
    }

    fn matches_filters(&self, seq: i64, f: &Filters) -> Result<bool> {
        let c = self.reader();
        let ok: bool = c
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM documents d WHERE d.seq = ?1
                   AND (?2 IS NULL OR d.source = ?2)
                   AND (?3 IS NULL OR substr(d.date, 1, 10) >= ?3)
                   AND (?4 IS NULL OR substr(d.date, 1, 10) <= ?4)
                   AND (?5 IS NULL OR EXISTS(SELECT 1 FROM entity_mentions e WHERE e.doc_seq = d.seq AND e.key = ?5)))",
            )?
            .query_row(params![seq, f.source, f.from, f.to, f.entity], |r| r.get(0))?;
        Ok(ok)
    }
}

fn busy_to_locked(e: rusqlite::Error, location: &str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            Error::Locked {
                location: location.to_string(),
            }
        }
        _ => Error::Sqlite(e),
    }
}
