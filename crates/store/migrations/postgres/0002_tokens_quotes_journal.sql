-- khabar store, schema 2 (PostgreSQL). Same changes as the SQLite migration 0002:
-- quotes keep direct/reported and the relaying channel, documents keep their token
-- spans for highlighting, and the story assigner keeps a replay journal.

ALTER TABLE quotes ADD COLUMN direct BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE quotes ADD COLUMN channel_start BIGINT;
ALTER TABLE quotes ADD COLUMN channel_end BIGINT;

ALTER TABLE sentences ADD COLUMN tokens BYTEA;

CREATE TABLE story_journal (
    pos   BIGINT PRIMARY KEY,
    entry BYTEA NOT NULL
);
