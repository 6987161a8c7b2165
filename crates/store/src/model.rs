//! What the archive holds: documents with their sentences, entity mentions and
//! quotes, and stories with members and summary lines. Every span is a byte
//! range into the stored document text.

use khabar_core::Span;
use serde::{Deserialize, Serialize};

/// A document to store, with what was derived from it at ingest time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewDocument {
    /// Caller's id (the JSONL `id`, or the file path). Unique in the store.
    pub id: String,
    /// The original text; every span refers to it.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date as given (ISO 8601 expected; compared as text).
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// [`content_hash`] of title and text: re-ingesting the same content is a no-op.
    pub content_hash: String,
    /// Sentence spans.
    pub sentences: Vec<Span>,
    /// Entity mentions (from the annotation hook).
    pub mentions: Vec<EntityMention>,
    /// Quotes (from the annotation hook).
    pub quotes: Vec<Quote>,
    /// Index terms of khabar's analyzer, for backends that search on their own
    /// (PostgreSQL builds its `tsvector` from them); the embedded store ignores them.
    pub terms: Vec<IndexTerm>,
}

/// One index term at one position; several terms may share a position (spelling alternates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexTerm {
    /// The term (normalized, stemmed).
    pub term: String,
    /// Token position (1-based, as PostgreSQL counts).
    pub position: u32,
    /// True for a title term (weighted higher).
    pub in_title: bool,
}

/// A named-entity mention. Mirrors `khabar_story::Mention` so a tagger's output stores as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMention {
    /// Where it is in the document text.
    pub span: Span,
    /// `PER`, `LOC`, `ORG` or `MISC`.
    pub label: String,
    /// The canonical key shared by every spelling of the entity (what search filters on).
    pub key: String,
}

/// A quote: what was said, and when known who said it and the verb or mark that introduced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted content.
    pub content: Span,
    /// The speaker's mention in the text, if found.
    pub speaker: Option<Span>,
    /// The speaker's entity key, if linked (quotes are grouped by it).
    pub speaker_key: Option<String>,
    /// The cue («قال», «أكد», a colon…), if found.
    pub cue: Option<Span>,
}

/// A stored document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredDocument {
    /// Ingest sequence number: grows with every insert; derived indexes track it.
    pub seq: i64,
    /// Caller's id.
    pub id: String,
    /// Original text.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date as given.
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// Content hash.
    pub content_hash: String,
    /// Id of an earlier document with the same content (an exact wire copy), if any.
    pub duplicate_of: Option<String>,
    /// Sentence spans.
    pub sentences: Vec<Span>,
    /// Entity mentions.
    pub mentions: Vec<EntityMention>,
    /// Quotes.
    pub quotes: Vec<Quote>,
    /// The story it belongs to, if assigned.
    pub story: Option<i64>,
}

/// A document in a list (story members, search hits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    /// Ingest sequence number.
    pub seq: i64,
    /// Caller's id.
    pub id: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date.
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
}

/// A story in the story list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StorySummary {
    /// Story id.
    pub id: i64,
    /// Its label (e.g. the first member's headline).
    pub title: String,
    /// Number of member documents.
    pub size: u64,
    /// Earliest member date.
    pub first_date: Option<String>,
    /// Latest member date.
    pub last_date: Option<String>,
}

/// A story with its members and digest lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Story {
    /// List entry.
    #[serde(flatten)]
    pub summary: StorySummary,
    /// Member documents, by date then seq.
    pub members: Vec<DocumentSummary>,
    /// Summary lines, in digest order.
    pub lines: Vec<StoryLine>,
}

/// A summary line of a story: a sentence, how many reports support it, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryLine {
    /// The line as shown.
    pub text: String,
    /// Number of member documents that say it.
    pub support: u32,
    /// The sentences it was drawn from.
    pub sources: Vec<LineSource>,
}

/// Where a summary line comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSource {
    /// Document id.
    pub doc_id: String,
    /// Span in that document's text.
    pub span: Span,
}

/// A change to one story, produced by a story assigner for one ingest batch and
/// stored in the same transaction as the batch's documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryUpdate {
    /// Story id (the assigner allocates new ids above [`Store::max_story_id`](crate::Store::max_story_id)).
    pub id: i64,
    /// New label.
    pub title: String,
    /// Documents (by id) to add as members; a document belongs to one story at a time.
    pub add_members: Vec<String>,
    /// Replacement summary lines, if the digest changed.
    pub lines: Option<Vec<StoryLine>>,
    /// The assigner's own state for this story (opaque to the store), if changed.
    pub state: Option<Vec<u8>>,
}

/// A stored story's id, title and story-assigner state (opaque to the store).
pub type StoryState = (i64, String, Option<Vec<u8>>);

/// What storing one document did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PutOutcome {
    /// New id, stored with this sequence number.
    Inserted(i64),
    /// Same id, same content: nothing written (the stored sequence number).
    Unchanged(i64),
    /// Same id, new content: the old version was replaced by this sequence number.
    Replaced(i64),
}

impl PutOutcome {
    /// The document's sequence number after the write.
    pub fn seq(self) -> i64 {
        match self {
            PutOutcome::Inserted(s) | PutOutcome::Unchanged(s) | PutOutcome::Replaced(s) => s,
        }
    }

    /// True if something was written.
    pub fn changed(self) -> bool {
        !matches!(self, PutOutcome::Unchanged(_))
    }
}

/// Counts of what a store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// Documents.
    pub documents: u64,
    /// Documents that are exact copies of an earlier one.
    pub exact_duplicates: u64,
    /// Sentences.
    pub sentences: u64,
    /// Entity mentions.
    pub mentions: u64,
    /// Quotes.
    pub quotes: u64,
    /// Stories.
    pub stories: u64,
    /// Highest ingest sequence number (0 when empty).
    pub max_seq: i64,
}

/// Filters shared by every search backend.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only documents from this outlet (exact match).
    pub source: Option<String>,
    /// Only documents mentioning this entity key.
    pub entity: Option<String>,
    /// Only documents dated on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only documents dated on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
}

/// A parsed full-text query in index terms, for backends that search themselves.
///
/// Built by `khabar-search` from the user's query with khabar's analyzer, so
/// the terms are the same ones the documents were indexed with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermQuery {
    /// Optional words: each is a set of alternative terms (one position).
    pub words: Vec<Vec<String>>,
    /// Required phrases: consecutive positions, one term each.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words: documents with any of these terms are dropped.
    pub excluded: Vec<Vec<String>>,
}

/// A search hit from a backend: which document and how well it matched.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedDoc {
    /// Ingest sequence number.
    pub seq: i64,
    /// Relevance score (higher is better; scales differ between backends).
    pub score: f32,
}

/// The content hash of a document: seeded xxh3-128 over the title, a separator and the text.
pub fn content_hash(title: Option<&str>, text: &str) -> String {
    use xxhash_rust::xxh3::Xxh3;
    /// Fixed seed so hashes stay the same across runs, machines and versions.
    const SEED: u64 = 0x6b68_6162_6172_0001;
    let mut h = Xxh3::with_seed(SEED);
    h.update(title.unwrap_or("").as_bytes());
    h.update(&[0xFF]);
    h.update(text.as_bytes());
    format!("{:032x}", h.digest128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_stable_and_separates_title_from_text() {
        let a = content_hash(Some("عنوان"), "نص");
        assert_eq!(a, content_hash(Some("عنوان"), "نص"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, content_hash(Some("عنوانن"), "ص"));
        assert_ne!(content_hash(None, "نص"), content_hash(Some(""), "نص\u{0}"));
    }
}
