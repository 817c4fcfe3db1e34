-- Live sources, watches, their matches and webhook deliveries: the tables of SQLite's migrations 0008 (sources)
-- and 0009 (watches), on PostgreSQL (see docs/sources.md and docs/watches.md). Times are the same fixed-width
-- UTC texts as everywhere else; those that are ordered or compared are COLLATE "C".

-- The feeds (or pages) the poller fetches on a schedule, with how their last poll went. `host` is the site a
-- source's articles are filed under (host_of its site, else of its url), so that the sources page can show a
-- source's health beside its articles (postgres_feed.sources joins it to source_counts). A url is unique through
-- its MD5, as a btree cannot hold a key of any length (a url from an OPML file may be long).
CREATE TABLE live_sources (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url            text NOT NULL,
    host           text COLLATE "C",
    name           text,
    language       text,
    interval       integer NOT NULL,
    site           text,
    added          text COLLATE "C" NOT NULL,
    next_poll      text COLLATE "C" NOT NULL,
    etag           text,
    last_modified  text,
    last_fetch     text COLLATE "C",
    last_status    integer,
    last_error     text,
    errors         integer NOT NULL DEFAULT 0,
    last_new       text COLLATE "C"
);

CREATE UNIQUE INDEX live_sources_by_url ON live_sources (md5(url));
CREATE INDEX live_sources_due ON live_sources (next_poll, id);
CREATE INDEX live_sources_by_host ON live_sources (host);

-- Watches (saved queries). A watch's filters are columns (NULL: not filtered); every one given must hold.
CREATE TABLE watches (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    language    text,
    source      text,
    actor       text,
    event_type  text,
    pair_a      text,
    pair_b      text,
    keyword     text,
    webhook     text,
    added       text COLLATE "C" NOT NULL,
    CHECK ((pair_a IS NULL) = (pair_b IS NULL))
);

-- One row per article that matched a watch, stored once however often it is matched again. Matches go with
-- their watch and with their article.
CREATE TABLE watch_matches (
    watch_id     bigint NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    article_seq  bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    matched_at   text COLLATE "C" NOT NULL,
    PRIMARY KEY (watch_id, article_seq)
);

CREATE INDEX watch_matches_by_time ON watch_matches (watch_id, matched_at, article_seq);
CREATE INDEX watch_matches_by_article ON watch_matches (article_seq);

-- One webhook delivery per new match of a watch with a webhook: pending until the receiver answers 2xx
-- (delivered) or the attempts run out (failed). next_attempt is when a pending one is due.
CREATE TABLE deliveries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    watch_id      bigint NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    article_seq   bigint NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    next_attempt  text COLLATE "C",
    last_error    text,
    delivered_at  text COLLATE "C",
    created       text COLLATE "C" NOT NULL,
    UNIQUE (watch_id, article_seq)
);

CREATE INDEX deliveries_due ON deliveries (status, next_attempt);
CREATE INDEX deliveries_by_watch ON deliveries (watch_id, created, id);
CREATE INDEX deliveries_by_article ON deliveries (article_seq);
