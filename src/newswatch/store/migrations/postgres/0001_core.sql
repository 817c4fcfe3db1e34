-- newswatch PostgreSQL schema, version 1: raw inputs, articles, their search columns and their events.
-- Migrations are append-only: never edit a released file, add the next number instead. Each file runs in one
-- transaction, under an advisory lock, and is recorded in schema_migrations (see store/postgres_migrations.py).
-- Times are UTC text written as 2026-01-28T09:30:00.000000Z (fixed width, so text order is time order), as on
-- SQLite, so that both backends order, filter and page alike. Text that is sorted or compared for order uses
-- COLLATE "C" (byte order, like SQLite), whatever the database's own collation.

-- The bytes every article came from, kept once per SHA-256 so that articles can be reprocessed.
CREATE TABLE raw_inputs (
    sha256          text COLLATE "C" PRIMARY KEY CHECK (length(sha256) = 64),
    data            bytea NOT NULL,
    name            text NOT NULL,
    url             text,
    content_type    text,
    reference_date  text,
    first_seen      text COLLATE "C" NOT NULL
);

-- One row per article. `record` is the whole article record (Article.to_dict() plus guid) and is the truth;
-- the other columns are copies of its fields for filtering and ordering, or derived from it by the store:
--   published_sort  the publication time as UTC text (first_seen when there is none), for articles()
--   feed_sort       the same, '' for an article without `published` (lists put undated articles last)
--   search_config   the text search configuration of its language (english, russian, armenian, …; simple)
--   search          title (weight A) and text (weight B) under search_config, plus their words folded
--                   (lowercase, no diacritics, ё as е) under 'simple', for Store.search
--   lemmas          the folded lemmas of title (A) and text (B) under 'simple', for Store.search_articles
--   lead            the start of the text, cut at a word, for lists
CREATE TABLE articles (
    seq                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   text COLLATE "C" NOT NULL UNIQUE,
    url                  text,
    guid                 text,
    source               text COLLATE "C",
    title                text,
    author               text,
    language             text COLLATE "C",
    published            text,
    published_precision  text,
    published_sort       text COLLATE "C" NOT NULL,
    feed_sort            text COLLATE "C" NOT NULL GENERATED ALWAYS AS (
                             CASE WHEN btrim(coalesce(published, '')) = '' THEN '' ELSE published_sort END
                         ) STORED,
    content_hash         text NOT NULL,
    record               jsonb NOT NULL,
    raw_sha256           text COLLATE "C" NOT NULL REFERENCES raw_inputs (sha256) DEFERRABLE INITIALLY DEFERRED,
    first_seen           text COLLATE "C" NOT NULL,
    updated_at           text COLLATE "C" NOT NULL,
    search_config        regconfig NOT NULL,
    search               tsvector NOT NULL,
    lemmas               tsvector NOT NULL,
    lead                 text NOT NULL
);

CREATE INDEX articles_by_published ON articles (published_sort, seq);
CREATE INDEX articles_by_language ON articles (language, published_sort, seq);
CREATE INDEX articles_by_first_seen ON articles (first_seen, seq);
CREATE INDEX articles_by_language_first_seen ON articles (language, first_seen, seq);
CREATE INDEX articles_by_raw ON articles (raw_sha256);
CREATE INDEX articles_by_guid ON articles (guid, source) WHERE guid IS NOT NULL;
CREATE INDEX articles_search ON articles USING gin (search);
CREATE INDEX articles_lemmas ON articles USING gin (lemmas);

-- Coded events as rows, for lists and timelines by actor, pair, type and date. The record stays the truth:
-- these rows are derived from its `events` list (and the countries of its `actors`) by the trigger below, in
-- the same transaction as the article write, so they can never disagree with it. `ordinal` indexes the
-- record's events array.
CREATE TABLE events (
    article_seq     bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    ordinal         integer NOT NULL,
    type            text COLLATE "C" NOT NULL,
    cameo           text,
    source          text COLLATE "C",
    target          text COLLATE "C",
    date            text COLLATE "C",
    location        text,
    negated         boolean NOT NULL DEFAULT false,
    claimed_by      text,
    source_country  text COLLATE "C",
    target_country  text COLLATE "C",
    PRIMARY KEY (article_seq, ordinal)
);

CREATE INDEX events_by_source ON events (source, date);
CREATE INDEX events_by_target ON events (target, date);
CREATE INDEX events_by_type ON events (type, date);
CREATE INDEX events_by_date ON events (date);
CREATE INDEX events_by_source_country ON events (source_country, date);
CREATE INDEX events_by_target_country ON events (target_country, date);

CREATE FUNCTION newswatch_events_of(article_seq bigint, record jsonb) RETURNS SETOF events
LANGUAGE sql STABLE AS $$
    SELECT article_seq, (e.ordinal - 1)::integer, e.value ->> 'type', e.value ->> 'cameo',
           e.value ->> 'source', e.value ->> 'target', e.value ->> 'date', e.value ->> 'location',
           coalesce((e.value ->> 'negated')::boolean, false), e.value ->> 'claimed_by',
           (SELECT a.value ->> 'country' FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(record -> 'actors') = 'array' THEN record -> 'actors' ELSE '[]' END) AS a
             WHERE a.value ->> 'id' = e.value ->> 'source' LIMIT 1),
           (SELECT a.value ->> 'country' FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(record -> 'actors') = 'array' THEN record -> 'actors' ELSE '[]' END) AS a
             WHERE a.value ->> 'id' = e.value ->> 'target' LIMIT 1)
      FROM jsonb_array_elements(
               CASE WHEN jsonb_typeof(record -> 'events') = 'array' THEN record -> 'events' ELSE '[]' END
           ) WITH ORDINALITY AS e (value, ordinal)
     WHERE e.value ->> 'type' IS NOT NULL
$$;

CREATE FUNCTION newswatch_events_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM events WHERE article_seq = OLD.seq;
    END IF;
    INSERT INTO events SELECT * FROM newswatch_events_of(NEW.seq, NEW.record);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_on_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_events_sync();
CREATE TRIGGER events_on_update AFTER UPDATE OF record ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_events_sync();
