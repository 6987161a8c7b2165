//! # khabar-store: the archive's source of truth
//!
//! Documents, their sentences, entity mentions and quotes, and stories with
//! members and summary lines, behind one [`Store`] trait with two backends:
//!
//! - [`SqliteStore`]: embedded, one file, the default (`--store DIR`);
//! - `PostgresStore` (feature `postgres`): for archives that outgrow one
//!   machine's file (`--store postgres://…`), with full-text search over a
//!   `tsvector` built from khabar's own analyzer terms.
//!
//! The schema is plain SQL in `migrations/{sqlite,postgres}/*.sql`, applied
//! in order and recorded as `meta.schema_version`. A store written by a newer
//! khabar is refused with [`Error::NewerSchema`] rather than misread.
//!
//! Writes come in batches: [`Store::commit_batch`] stores a batch's documents
//! and the story changes they caused in **one transaction**, so a crash leaves
//! either all of a batch or none of it. Documents are keyed by id and carry a
//! content hash: the same content again is a no-op, new content under a known
//! id replaces the old version with a new sequence number. Derived indexes
//! (the tantivy index in `khabar-search`) follow `documents.seq`.
//!
//! ## Should I use this crate?
//! Use it to keep analysed news in a database. For search with highlights, and
//! for ingesting files end to end, use `khabar-search`'s `Archive`, which wraps
//! a store.
//!
//! ```
//! use khabar_store::{NewDocument, SqliteStore, Store, content_hash, PutOutcome};
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::create(&dir.path().join("khabar.sqlite3")).unwrap();
//! let text = "قال الرئيس السوري إن الحرب انتهت.".to_string();
//! let doc = NewDocument {
//!     id: "a1".into(),
//!     content_hash: content_hash(None, &text),
//!     text,
//!     ..Default::default()
//! };
//! assert_eq!(store.commit_batch(&[doc.clone()], &[]).unwrap(), [PutOutcome::Inserted(1)]);
//! assert_eq!(store.commit_batch(&[doc], &[]).unwrap(), [PutOutcome::Unchanged(1)]);
//! assert_eq!(store.stats().unwrap().documents, 1);
//! ```
#![deny(missing_docs)]

mod model;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;

pub use model::*;
#[cfg(feature = "postgres")]
pub use postgres::{PgMode, PostgresStore};
pub use sqlite::SqliteStore;

use khabar_core::Span;

/// The schema version this build writes and reads. Stores with a higher
/// version are refused; lower versions are migrated forward on open.
pub const SCHEMA_VERSION: u32 = 1;

/// Errors of the store. Each says what to do when the user must act.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No store at the location.
    #[error(
        "no khabar store at {location}: run `khabar ingest --store {location} FILE…` first (or set KHABAR_HOME)"
    )]
    NotFound {
        /// Where we looked.
        location: String,
    },
    /// Another process writes to the store.
    #[error(
        "the khabar store at {location} is locked by another writer (a running `khabar ingest` or `khabar serve --write-token`); wait for it to finish or stop it"
    )]
    Locked {
        /// The store.
        location: String,
    },
    /// The store was written by a newer khabar.
    #[error(
        "the khabar store at {location} has schema version {found}, but this khabar only knows versions up to {supported}: upgrade khabar, or use another --store"
    )]
    NewerSchema {
        /// The store.
        location: String,
        /// Its schema version.
        found: u32,
        /// Highest version this build knows.
        supported: u32,
    },
    /// Stored data that cannot be decoded.
    #[error("corrupt data in the khabar store at {location}: {what}")]
    Corrupt {
        /// The store.
        location: String,
        /// What was wrong.
        what: String,
    },
    /// The location names a backend this build does not have.
    #[error("{location}: {why}")]
    Unsupported {
        /// The location.
        location: String,
        /// Why it cannot be used.
        why: String,
    },
    /// A filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// File or folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// An SQLite error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error.
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] ::postgres::Error),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which backend a store uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The archive's source of truth. Implementations are `Send + Sync` and may be
/// shared by a server's request handlers; writes are serialized inside.
pub trait Store: Send + Sync {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Where it is (a path, or the URL without its password).
    fn location(&self) -> &str;

    /// The content hash stored for each id (`None` for unknown ids), in the order given.
    fn content_hashes(&self, ids: &[&str]) -> Result<Vec<Option<String>>>;

    /// Stores documents and story updates in one transaction. Documents whose
    /// id and content hash are already stored are left alone; a known id with
    /// new content replaces the old version (its mentions, quotes and story
    /// membership go with it). Returns one outcome per document.
    fn commit_batch(
        &self,
        docs: &[NewDocument],
        stories: &[StoryUpdate],
    ) -> Result<Vec<PutOutcome>>;

    /// A document by id.
    fn document(&self, id: &str) -> Result<Option<StoredDocument>>;

    /// A document by sequence number.
    fn document_by_seq(&self, seq: i64) -> Result<Option<StoredDocument>>;

    /// Up to `limit` documents with `seq > after`, in seq order (for index catch-up).
    fn documents_after(&self, after: i64, limit: usize) -> Result<Vec<StoredDocument>>;

    /// Counts.
    fn stats(&self) -> Result<StoreStats>;

    /// Stories, most recent first (by latest member date, then size, then id).
    fn stories(&self, limit: usize, offset: usize) -> Result<Vec<StorySummary>>;

    /// A story with members and lines.
    fn story(&self, id: i64) -> Result<Option<Story>>;

    /// Highest story id (0 when there are none); new stories get higher ids.
    fn max_story_id(&self) -> Result<i64>;

    /// Every story's id, title and assigner state, by id (for an assigner to resume).
    fn story_states(&self) -> Result<Vec<StoryState>>;

    /// Full-text search inside the database, for backends that have it
    /// (PostgreSQL); `Ok(None)` means "use the external index" (SQLite).
    fn full_text(
        &self,
        query: &TermQuery,
        filters: &Filters,
        limit: usize,
    ) -> Result<Option<Vec<RankedDoc>>>;

    /// True if the document passes the filters (used to post-filter hits).
    fn matches_filters(&self, seq: i64, filters: &Filters) -> Result<bool>;
}

/// Packs sentence spans as little-endian u32 pairs.
pub(crate) fn pack_spans(spans: &[Span]) -> Vec<u8> {
    let mut out = Vec::with_capacity(spans.len() * 8);
    for s in spans {
        out.extend_from_slice(&s.start.to_le_bytes());
        out.extend_from_slice(&s.end.to_le_bytes());
    }
    out
}

/// Unpacks [`pack_spans`]; `None` if the blob is not a whole number of pairs or a span is reversed.
pub(crate) fn unpack_spans(blob: &[u8]) -> Option<Vec<Span>> {
    if !blob.len().is_multiple_of(8) {
        return None;
    }
    blob.chunks_exact(8)
        .map(|c| {
            let s = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let e = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
            (s <= e).then(|| Span::new(s, e))
        })
        .collect()
}

/// Converts a stored integer to a span offset, rejecting values out of range.
pub(crate) fn offset(v: i64) -> Option<u32> {
    u32::try_from(v).ok()
}

/// A span from two stored offsets.
pub(crate) fn span_of(s: i64, e: i64) -> Option<Span> {
    let (s, e) = (offset(s)?, offset(e)?);
    (s <= e).then(|| Span::new(s, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn spans_round_trip(v in proptest::collection::vec((0u32..1000, 0u32..1000), 0..50)) {
            let spans: Vec<Span> = v.iter().map(|&(a, b)| Span::new(a.min(b), a.max(b))).collect();
            prop_assert_eq!(unpack_spans(&pack_spans(&spans)), Some(spans));
        }
    }

    #[test]
    fn bad_span_blobs_are_rejected() {
        assert_eq!(unpack_spans(&[1, 2, 3]), None);
        let mut b = 5u32.to_le_bytes().to_vec();
        b.extend_from_slice(&2u32.to_le_bytes());
        assert_eq!(unpack_spans(&b), None);
    }
}
