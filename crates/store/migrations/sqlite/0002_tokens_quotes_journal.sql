-- khabar store, schema 2 (SQLite). Applied once, in a transaction, on top of schema 1.
--
-- * quotes keep whether they are the speaker's own words and who relayed them;
-- * sentences.tokens: the byte span of every searchable token by index position
--   (packed varints), so search hits are highlighted from the index's positions
--   without analysing their text again (NULL for documents stored under schema 1:
--   those are highlighted the old way);
-- * story_journal: the story assigner's replay log (opaque entries, written in the
--   same transaction as the batch they describe), so a resumed ingest continues
--   exactly where the last committed batch left off.

ALTER TABLE quotes ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN channel_start INTEGER;
ALTER TABLE quotes ADD COLUMN channel_end INTEGER;

ALTER TABLE sentences ADD COLUMN tokens BLOB;

CREATE TABLE story_journal (
    pos   INTEGER PRIMARY KEY,
    entry BLOB NOT NULL
);
