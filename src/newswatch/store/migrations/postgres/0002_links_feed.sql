-- Linking and the feed: the tables of SQLite's migrations 0005 (links), 0006 (related) and 0007 (feed), on
-- PostgreSQL. Everything here is derived from the article records (by newswatch.linking through the store, or
-- by the triggers below) and goes with its article. Text that is sorted or compared for order is COLLATE "C".

-- Linking: each article's fingerprint and the keys it is indexed under (LSH bands, day|actor evidence), the
-- accepted links between articles (one row per pair, a_seq < b_seq) and the stories they form.
CREATE TABLE fingerprints (
    article_seq   bigint PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    content_hash  text NOT NULL,
    evidence      integer NOT NULL,  -- distinct actor ids under its day|actor keys
    data          json NOT NULL      -- json, not jsonb: read back exactly as written
);

CREATE TABLE link_keys (
    key          text COLLATE "C" NOT NULL,
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (key, article_seq)
);

CREATE INDEX link_keys_by_article ON link_keys (article_seq);

CREATE TABLE links (
    a_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    b_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    kind   text NOT NULL,
    score  double precision NOT NULL,
    PRIMARY KEY (a_seq, b_seq),
    CHECK (a_seq < b_seq)
);

CREATE INDEX links_by_b ON links (b_seq);

CREATE TABLE stories (
    id                  text COLLATE "C" PRIMARY KEY,
    representative_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    first_seen          text COLLATE "C",
    first_sort          text COLLATE "C" NOT NULL,
    sources             text[] NOT NULL,
    languages           text[] NOT NULL,
    size                integer NOT NULL
);

CREATE INDEX stories_by_first_sort ON stories (first_sort, id);

CREATE TABLE story_members (
    article_seq  bigint PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    story_id     text COLLATE "C" NOT NULL
);

CREATE INDEX story_members_by_story ON story_members (story_id);

-- Related reading: for each linked article, the articles it found most related when it was linked (its own
-- rows, replaced when it is linked again). An article reads the rows on both sides.
CREATE TABLE related (
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    other_seq    bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    score        double precision NOT NULL,
    PRIMARY KEY (article_seq, other_seq)
);

CREATE INDEX related_by_other ON related (other_seq);

-- The feed, the pages and the API: what they filter and order by, as index-ordered rows, so that a page is one
-- index range read whatever the filters and however deep it is. Lists order by (feed_sort, seq), newest first.
CREATE INDEX articles_feed ON articles (feed_sort, seq);
CREATE INDEX articles_feed_by_language ON articles (language, feed_sort, seq);
CREATE INDEX articles_feed_by_source ON articles (source, feed_sort, seq);
CREATE INDEX articles_by_source_first_seen ON articles (source, first_seen);

-- The actors an article mentions (one row per distinct actor id), in feed order per actor.
CREATE TABLE article_actors (
    actor        text COLLATE "C" NOT NULL,
    feed_sort    text COLLATE "C" NOT NULL,
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (actor, feed_sort, article_seq)
);

CREATE INDEX article_actors_by_article ON article_actors (article_seq);

-- The PLOVER types of the events an article reports as happening (negated ones left out), in feed order per type.
CREATE TABLE article_types (
    type         text COLLATE "C" NOT NULL,
    feed_sort    text COLLATE "C" NOT NULL,
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (type, feed_sort, article_seq)
);

CREATE INDEX article_types_by_article ON article_types (article_seq);

-- Quotes with a speaker, newest first per speaker; the quote itself is read from the record (its index in the
-- record's quotes array is `ordinal`).
CREATE TABLE quotes (
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    ordinal      integer NOT NULL,
    speaker      text COLLATE "C" NOT NULL,
    feed_sort    text COLLATE "C" NOT NULL,
    PRIMARY KEY (article_seq, ordinal)
);

CREATE INDEX quotes_by_speaker ON quotes (speaker, feed_sort, article_seq);

CREATE FUNCTION newswatch_array(value jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'array' THEN value ELSE '[]'::jsonb END
$$;

CREATE FUNCTION newswatch_feed_rows(seq bigint, feed_sort text, record jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO article_actors (actor, feed_sort, article_seq)
    SELECT DISTINCT a.value ->> 'id', feed_sort, seq
      FROM jsonb_array_elements(newswatch_array(record -> 'actors')) AS a (value)
     WHERE a.value ->> 'id' IS NOT NULL
    ON CONFLICT DO NOTHING;
    INSERT INTO article_types (type, feed_sort, article_seq)
    SELECT DISTINCT e.value ->> 'type', feed_sort, seq
      FROM jsonb_array_elements(newswatch_array(record -> 'events')) AS e (value)
     WHERE e.value ->> 'type' IS NOT NULL AND NOT coalesce((e.value ->> 'negated')::boolean, false)
    ON CONFLICT DO NOTHING;
    INSERT INTO quotes (article_seq, ordinal, speaker, feed_sort)
    SELECT seq, (q.ordinal - 1)::integer, q.value ->> 'speaker', feed_sort
      FROM jsonb_array_elements(newswatch_array(record -> 'quotes')) WITH ORDINALITY AS q (value, ordinal)
     WHERE q.value ->> 'speaker' IS NOT NULL;
$$;

CREATE FUNCTION newswatch_feed_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM article_actors WHERE article_seq = OLD.seq;
        DELETE FROM article_types WHERE article_seq = OLD.seq;
        DELETE FROM quotes WHERE article_seq = OLD.seq;
    END IF;
    PERFORM newswatch_feed_rows(NEW.seq, NEW.feed_sort, NEW.record);
    RETURN NULL;
END
$$;

CREATE TRIGGER feed_on_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_feed_sync();
CREATE TRIGGER feed_on_update AFTER UPDATE OF record, published, published_sort ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_feed_sync();

-- Articles stored before this migration.
SELECT newswatch_feed_rows(seq, feed_sort, record) FROM articles;

-- Sources: how many articles each has (kept by triggers, so the sources page reads no article). A write locks
-- its source's row until it commits, so concurrent writers of one source take turns on that row only.
CREATE TABLE source_counts (
    source    text COLLATE "C" PRIMARY KEY,
    articles  bigint NOT NULL
);

CREATE FUNCTION newswatch_source_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.source IS NOT NULL THEN
        UPDATE source_counts SET articles = articles - 1 WHERE source = OLD.source;
        DELETE FROM source_counts WHERE source = OLD.source AND articles <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.source IS NOT NULL THEN
        INSERT INTO source_counts (source, articles) VALUES (NEW.source, 1)
            ON CONFLICT (source) DO UPDATE SET articles = source_counts.articles + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER source_counts_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_source_counts();
CREATE TRIGGER source_counts_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION newswatch_source_counts();
CREATE TRIGGER source_counts_update AFTER UPDATE OF source ON articles
    FOR EACH ROW WHEN (OLD.source IS DISTINCT FROM NEW.source) EXECUTE FUNCTION newswatch_source_counts();

INSERT INTO source_counts (source, articles)
SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source;
