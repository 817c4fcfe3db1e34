-- The feed, the pages and the API: what they filter and order by, as index-ordered rows, so that a page is
-- one index range read whatever the filters and however deep it is. Everything here is derived from the
-- article records (by the triggers below, or by the store when it writes an article) and goes with its article.

-- The order of lists: the publication key, '' for an article without `published` (so undated articles come
-- last, newest first, and no date filter keeps them). Computed, not stored; the indexes hold it.
ALTER TABLE articles ADD COLUMN feed_sort TEXT
    GENERATED ALWAYS AS (CASE WHEN trim(coalesce(published, '')) = '' THEN '' ELSE published_sort END) VIRTUAL;

CREATE INDEX articles_feed ON articles (feed_sort);
CREATE INDEX articles_feed_by_language ON articles (language, feed_sort);
CREATE INDEX articles_feed_by_source ON articles (source, feed_sort);

-- The actors an article mentions (one row per distinct actor id), in feed order per actor.
CREATE TABLE article_actors (
    actor        TEXT NOT NULL,
    feed_sort    TEXT NOT NULL,
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (actor, feed_sort, article_seq)
) WITHOUT ROWID;

CREATE INDEX article_actors_by_article ON article_actors (article_seq);

-- The PLOVER types of the events an article reports as happening (negated ones left out), in feed order per type.
CREATE TABLE article_types (
    type         TEXT NOT NULL,
    feed_sort    TEXT NOT NULL,
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (type, feed_sort, article_seq)
) WITHOUT ROWID;

CREATE INDEX article_types_by_article ON article_types (article_seq);

-- Quotes with a speaker, newest first per speaker; the quote itself is read from the record.
CREATE TABLE quotes (
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    speaker      TEXT NOT NULL,
    feed_sort    TEXT NOT NULL,
    PRIMARY KEY (article_seq, ordinal)
) WITHOUT ROWID;

CREATE INDEX quotes_by_speaker ON quotes (speaker, feed_sort, article_seq);

CREATE TRIGGER feed_on_insert AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO article_actors (actor, feed_sort, article_seq)
    SELECT json_extract(a.value, '$.id'), new.feed_sort, new.seq FROM json_each(new.record, '$.actors') AS a
     WHERE json_extract(a.value, '$.id') IS NOT NULL;
    INSERT OR IGNORE INTO article_types (type, feed_sort, article_seq)
    SELECT json_extract(e.value, '$.type'), new.feed_sort, new.seq FROM json_each(new.record, '$.events') AS e
     WHERE json_extract(e.value, '$.type') IS NOT NULL AND NOT coalesce(json_extract(e.value, '$.negated'), 0);
    INSERT INTO quotes (article_seq, ordinal, speaker, feed_sort)
    SELECT new.seq, CAST(q.key AS INTEGER), json_extract(q.value, '$.speaker'), new.feed_sort
      FROM json_each(new.record, '$.quotes') AS q WHERE json_extract(q.value, '$.speaker') IS NOT NULL;
END;

CREATE TRIGGER feed_on_update AFTER UPDATE OF record, published, published_sort ON articles BEGIN
    DELETE FROM article_actors WHERE article_seq = old.seq;
    DELETE FROM article_types WHERE article_seq = old.seq;
    DELETE FROM quotes WHERE article_seq = old.seq;
    INSERT OR IGNORE INTO article_actors (actor, feed_sort, article_seq)
    SELECT json_extract(a.value, '$.id'), new.feed_sort, new.seq FROM json_each(new.record, '$.actors') AS a
     WHERE json_extract(a.value, '$.id') IS NOT NULL;
    INSERT OR IGNORE INTO article_types (type, feed_sort, article_seq)
    SELECT json_extract(e.value, '$.type'), new.feed_sort, new.seq FROM json_each(new.record, '$.events') AS e
     WHERE json_extract(e.value, '$.type') IS NOT NULL AND NOT coalesce(json_extract(e.value, '$.negated'), 0);
    INSERT INTO quotes (article_seq, ordinal, speaker, feed_sort)
    SELECT new.seq, CAST(q.key AS INTEGER), json_extract(q.value, '$.speaker'), new.feed_sort
      FROM json_each(new.record, '$.quotes') AS q WHERE json_extract(q.value, '$.speaker') IS NOT NULL;
END;

CREATE TRIGGER feed_on_delete AFTER DELETE ON articles BEGIN
    DELETE FROM article_actors WHERE article_seq = old.seq;
    DELETE FROM article_types WHERE article_seq = old.seq;
    DELETE FROM quotes WHERE article_seq = old.seq;
END;

-- Articles stored before this migration.
INSERT OR IGNORE INTO article_actors (actor, feed_sort, article_seq)
SELECT json_extract(a.value, '$.id'), r.feed_sort, r.seq FROM articles AS r, json_each(r.record, '$.actors') AS a
 WHERE json_extract(a.value, '$.id') IS NOT NULL;
INSERT OR IGNORE INTO article_types (type, feed_sort, article_seq)
SELECT json_extract(e.value, '$.type'), r.feed_sort, r.seq FROM articles AS r, json_each(r.record, '$.events') AS e
 WHERE json_extract(e.value, '$.type') IS NOT NULL AND NOT coalesce(json_extract(e.value, '$.negated'), 0);
INSERT INTO quotes (article_seq, ordinal, speaker, feed_sort)
SELECT r.seq, CAST(q.key AS INTEGER), json_extract(q.value, '$.speaker'), r.feed_sort
  FROM articles AS r, json_each(r.record, '$.quotes') AS q WHERE json_extract(q.value, '$.speaker') IS NOT NULL;

-- Sources: how many articles each has (kept by triggers, so the sources page reads no article), and an index
-- for the last time one of its articles was stored.
CREATE TABLE source_counts (
    source    TEXT PRIMARY KEY,
    articles  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX articles_by_source_first_seen ON articles (source, first_seen);

CREATE TRIGGER source_counts_insert AFTER INSERT ON articles WHEN new.source IS NOT NULL BEGIN
    INSERT INTO source_counts (source, articles) VALUES (new.source, 1)
        ON CONFLICT (source) DO UPDATE SET articles = articles + 1;
END;

CREATE TRIGGER source_counts_delete AFTER DELETE ON articles WHEN old.source IS NOT NULL BEGIN
    UPDATE source_counts SET articles = articles - 1 WHERE source = old.source;
    DELETE FROM source_counts WHERE source = old.source AND articles <= 0;
END;

CREATE TRIGGER source_counts_update AFTER UPDATE OF source ON articles
    WHEN old.source IS NOT new.source BEGIN
    UPDATE source_counts SET articles = articles - 1 WHERE source = old.source;
    DELETE FROM source_counts WHERE source = old.source AND articles <= 0;
    INSERT INTO source_counts (source, articles) SELECT new.source, 1 WHERE new.source IS NOT NULL
        ON CONFLICT (source) DO UPDATE SET articles = articles + 1;
END;

INSERT INTO source_counts (source, articles)
SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source;

-- What a list shows and search reads that the record holds only in full: the lead (the start of the text, cut
-- at a word) and the lemmas of title and text. Written by the store (Python) with every article write; the
-- lemma index reads them (external content), kept in step by the triggers below.
CREATE TABLE article_words (
    article_seq   INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    lead          TEXT NOT NULL,
    title_lemmas  TEXT NOT NULL,
    text_lemmas   TEXT NOT NULL
);

CREATE VIRTUAL TABLE articles_lemma_fts USING fts5 (
    title_lemmas,
    text_lemmas,
    content = 'article_words',
    content_rowid = 'article_seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO articles_lemma_fts (articles_lemma_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');

CREATE TRIGGER article_words_insert AFTER INSERT ON article_words BEGIN
    INSERT INTO articles_lemma_fts (rowid, title_lemmas, text_lemmas)
    VALUES (new.article_seq, new.title_lemmas, new.text_lemmas);
END;

CREATE TRIGGER article_words_delete AFTER DELETE ON article_words BEGIN
    INSERT INTO articles_lemma_fts (articles_lemma_fts, rowid, title_lemmas, text_lemmas)
    VALUES ('delete', old.article_seq, old.title_lemmas, old.text_lemmas);
END;

CREATE TRIGGER article_words_update AFTER UPDATE ON article_words BEGIN
    INSERT INTO articles_lemma_fts (articles_lemma_fts, rowid, title_lemmas, text_lemmas)
    VALUES ('delete', old.article_seq, old.title_lemmas, old.text_lemmas);
    INSERT INTO articles_lemma_fts (rowid, title_lemmas, text_lemmas)
    VALUES (new.article_seq, new.title_lemmas, new.text_lemmas);
END;

-- Articles stored before this migration get their words when a store opens the database (in batches, see
-- newswatch.store.sqlite_feed.fill_pending); until then a list reads their lead from the record and search
-- does not find them.
CREATE TABLE words_pending (
    article_seq  INTEGER PRIMARY KEY
);

INSERT INTO words_pending (article_seq) SELECT seq FROM articles;
