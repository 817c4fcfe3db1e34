-- Linking: each article's fingerprint and the keys it is indexed under (LSH bands, day|actor evidence), the
-- accepted links between articles (one row per pair, a_seq < b_seq) and the stories they form. All of it is
-- derived from the article records by newswatch.linking and can be rebuilt; rows go with their article.
CREATE TABLE fingerprints (
    article_seq   INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,
    evidence      INTEGER NOT NULL,  -- distinct actor ids under its day|actor keys
    data          TEXT NOT NULL
);

CREATE TABLE link_keys (
    key          TEXT NOT NULL,
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    PRIMARY KEY (key, article_seq)
) WITHOUT ROWID;

CREATE INDEX link_keys_by_article ON link_keys (article_seq);

CREATE TABLE links (
    a_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    b_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    kind   TEXT NOT NULL,
    score  REAL NOT NULL,
    PRIMARY KEY (a_seq, b_seq),
    CHECK (a_seq < b_seq)
) WITHOUT ROWID;

CREATE INDEX links_by_b ON links (b_seq);

CREATE TABLE stories (
    id                  TEXT PRIMARY KEY,
    representative_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    first_seen          TEXT,
    first_sort          TEXT NOT NULL,
    sources             TEXT NOT NULL,
    languages           TEXT NOT NULL,
    size                INTEGER NOT NULL
);

CREATE INDEX stories_by_first_sort ON stories (first_sort);

CREATE TABLE story_members (
    article_seq  INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    story_id     TEXT NOT NULL
);

CREATE INDEX story_members_by_story ON story_members (story_id);
