-- khabar store, schema 1 (SQLite). Applied once, in a transaction, by khabar-store.
-- SQLite is the source of truth; the tantivy index is derived from it and
-- tracks `documents.seq` (see docs/STORE.md).

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE documents (
    -- Ingest order; never reused (AUTOINCREMENT), so derived indexes can keep a watermark.
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    duplicate_of TEXT,
    title        TEXT,
    date         TEXT,
    source       TEXT,
    url          TEXT,
    text         TEXT NOT NULL
);
CREATE INDEX documents_hash ON documents(content_hash);
CREATE INDEX documents_source_date ON documents(source, date);
CREATE INDEX documents_date ON documents(date);

-- Sentence spans as one packed blob per document (little-endian u32 start/end pairs):
-- a 10k-article archive has ~200k sentences, and rows for them would double the file.
CREATE TABLE sentences (
    doc_seq INTEGER PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    spans   BLOB NOT NULL
);

CREATE TABLE entity_mentions (
    doc_seq INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    "end"   INTEGER NOT NULL,
    label   TEXT NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX entity_mentions_key ON entity_mentions(key, doc_seq);

CREATE TABLE quotes (
    doc_seq       INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    content_start INTEGER NOT NULL,
    content_end   INTEGER NOT NULL,
    speaker_start INTEGER,
    speaker_end   INTEGER,
    speaker_key   TEXT,
    cue_start     INTEGER,
    cue_end       INTEGER,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX quotes_speaker ON quotes(speaker_key);

CREATE TABLE stories (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    -- The story assigner's own state (opaque to the store).
    state      BLOB
);

CREATE TABLE story_members (
    doc_seq  INTEGER PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE
);
CREATE INDEX story_members_story ON story_members(story_id, doc_seq);

-- Summary lines; `sources` is JSON: [{"doc_id": "...", "span": {"start": 0, "end": 10}}, ...].
CREATE TABLE story_lines (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    text     TEXT NOT NULL,
    support  INTEGER NOT NULL,
    sources  TEXT NOT NULL,
    PRIMARY KEY (story_id, idx)
) WITHOUT ROWID;
