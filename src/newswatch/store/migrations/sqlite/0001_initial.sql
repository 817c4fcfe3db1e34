-- newswatch SQLite schema, version 1: raw inputs, articles and their full-text index.
-- Migrations are append-only: never edit a released file, add the next number instead.
-- All times are UTC text written as 2026-01-28T09:30:00.000000Z (fixed width, so text order is time order).

-- The bytes every article came from, kept once per SHA-256 so that articles can be reprocessed.
CREATE TABLE raw_inputs (
    sha256          TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    data            BLOB NOT NULL,
    name            TEXT NOT NULL,
    url             TEXT,
    content_type    TEXT,
    reference_date  TEXT,
    first_seen      TEXT NOT NULL
);

-- One row per article. `record` is the whole article record (Article.to_dict() plus guid) and is the
-- truth; the other columns are copies of its fields for filtering and ordering. `seq` is an explicit
-- INTEGER PRIMARY KEY so that the rowid the full-text index points at survives VACUUM.
CREATE TABLE articles (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    url                  TEXT,
    guid                 TEXT,
    source               TEXT,
    title                TEXT,
    author               TEXT,
    language             TEXT,
    published            TEXT,
    published_precision  TEXT,
    published_sort       TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    record               TEXT NOT NULL CHECK (json_valid(record)),
    text                 TEXT GENERATED ALWAYS AS (json_extract(record, '$.text')) VIRTUAL,
    raw_sha256           TEXT NOT NULL REFERENCES raw_inputs (sha256),
    first_seen           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE INDEX articles_by_published ON articles (published_sort);
CREATE INDEX articles_by_language ON articles (language, published_sort);
CREATE INDEX articles_by_first_seen ON articles (first_seen);
CREATE INDEX articles_by_language_first_seen ON articles (language, first_seen);
CREATE INDEX articles_by_raw ON articles (raw_sha256);

-- Full-text index over title and text. External content: the words are indexed, the text is read back
-- from `articles` (for snippets), so it is not stored twice. The triggers keep it in step inside the
-- same transaction as the article write.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title,
    text,
    content = 'articles',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Relevance: BM25 with a title word worth twice a text word.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, record ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
