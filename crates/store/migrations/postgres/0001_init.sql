-- khabar store, schema 1 (PostgreSQL). Applied once, in a transaction, by khabar-store,
-- inside the store's own schema (search_path). Same tables as the SQLite schema, plus
-- a tsvector built from khabar's own analyzer terms (not to_tsvector('arabic', ...)).

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE documents (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    duplicate_of TEXT,
    title        TEXT,
    date         TEXT,
    source       TEXT,
    url          TEXT,
    text         TEXT NOT NULL,
    -- khabar's index terms with positions; title terms carry weight A.
    terms        TSVECTOR NOT NULL
);
CREATE INDEX documents_hash ON documents(content_hash);
CREATE INDEX documents_source_date ON documents(source, date);
CREATE INDEX documents_date ON documents(date);
CREATE INDEX documents_terms ON documents USING GIN (terms);

CREATE TABLE sentences (
    doc_seq BIGINT PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    spans   BYTEA NOT NULL
);

CREATE TABLE entity_mentions (
    doc_seq BIGINT NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    start   BIGINT NOT NULL,
    "end"   BIGINT NOT NULL,
    label   TEXT NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (doc_seq, idx)
);
CREATE INDEX entity_mentions_key ON entity_mentions(key, doc_seq);

CREATE TABLE quotes (
    doc_seq       BIGINT NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    content_start BIGINT NOT NULL,
    content_end   BIGINT NOT NULL,
    speaker_start BIGINT,
    speaker_end   BIGINT,
    speaker_key   TEXT,
    cue_start     BIGINT,
    cue_end       BIGINT,
    PRIMARY KEY (doc_seq, idx)
);
CREATE INDEX quotes_speaker ON quotes(speaker_key);

CREATE TABLE stories (
    id    BIGINT PRIMARY KEY,
    title TEXT NOT NULL,
    state BYTEA
);

CREATE TABLE story_members (
    doc_seq  BIGINT PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE
);
CREATE INDEX story_members_story ON story_members(story_id, doc_seq);

CREATE TABLE story_lines (
    story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    text     TEXT NOT NULL,
    support  INTEGER NOT NULL,
    sources  TEXT NOT NULL,
    PRIMARY KEY (story_id, idx)
);
