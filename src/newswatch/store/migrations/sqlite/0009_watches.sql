-- Watches (saved queries), the articles that matched them and the webhook deliveries of those matches.
-- A watch's filters are columns (NULL: not filtered); every one given must hold. Matches and deliveries go
-- with their watch and with their article.
CREATE TABLE watches (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    language    TEXT,
    source      TEXT,
    actor       TEXT,
    event_type  TEXT,
    pair_a      TEXT,
    pair_b      TEXT,
    keyword     TEXT,
    webhook     TEXT,
    added       TEXT NOT NULL,
    CHECK ((pair_a IS NULL) = (pair_b IS NULL))
);

-- One row per article that matched a watch, stored once however often it is matched again.
CREATE TABLE watch_matches (
    watch_id     INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    matched_at   TEXT NOT NULL,
    UNIQUE (watch_id, article_seq)
);

CREATE INDEX watch_matches_by_time ON watch_matches (watch_id, matched_at, article_seq);
CREATE INDEX watch_matches_by_article ON watch_matches (article_seq);

-- One webhook delivery per new match of a watch with a webhook: pending until the receiver answers 2xx
-- (delivered) or the attempts run out (failed). next_attempt is when a pending one is due.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    watch_id      INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    article_seq   INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  TEXT,
    last_error    TEXT,
    delivered_at  TEXT,
    created       TEXT NOT NULL,
    UNIQUE (watch_id, article_seq)
);

CREATE INDEX deliveries_due ON deliveries (status, next_attempt);
CREATE INDEX deliveries_by_article ON deliveries (article_seq);
