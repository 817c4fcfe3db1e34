-- Coded events as rows, for lists and timelines by actor, pair, type and date. The article record stays the
-- truth: these rows are derived from its `events` list by the triggers below, in the same transaction as the
-- article write, so they can never disagree with it.
CREATE TABLE events (
    article_seq  INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    type         TEXT NOT NULL,
    cameo        TEXT,
    source       TEXT,
    target       TEXT,
    date         TEXT,
    location     TEXT,
    negated      INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    PRIMARY KEY (article_seq, ordinal)
);

CREATE INDEX events_by_source ON events (source, date);
CREATE INDEX events_by_target ON events (target, date);
CREATE INDEX events_by_type ON events (type, date);
CREATE INDEX events_by_date ON events (date);

CREATE TRIGGER events_on_insert AFTER INSERT ON articles BEGIN
    INSERT INTO events (article_seq, ordinal, type, cameo, source, target, date, location, negated, claimed_by)
    SELECT new.seq, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.cameo'),
           json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), json_extract(e.value, '$.date'),
           json_extract(e.value, '$.location'), coalesce(json_extract(e.value, '$.negated'), 0),
           json_extract(e.value, '$.claimed_by')
    FROM json_each(new.record, '$.events') AS e;
END;

CREATE TRIGGER events_on_update AFTER UPDATE OF record ON articles BEGIN
    DELETE FROM events WHERE article_seq = old.seq;
    INSERT INTO events (article_seq, ordinal, type, cameo, source, target, date, location, negated, claimed_by)
    SELECT new.seq, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.cameo'),
           json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), json_extract(e.value, '$.date'),
           json_extract(e.value, '$.location'), coalesce(json_extract(e.value, '$.negated'), 0),
           json_extract(e.value, '$.claimed_by')
    FROM json_each(new.record, '$.events') AS e;
END;

CREATE TRIGGER events_on_delete AFTER DELETE ON articles BEGIN
    DELETE FROM events WHERE article_seq = old.seq;
END;

-- Articles stored before this migration.
INSERT INTO events (article_seq, ordinal, type, cameo, source, target, date, location, negated, claimed_by)
SELECT a.seq, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.cameo'),
       json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), json_extract(e.value, '$.date'),
       json_extract(e.value, '$.location'), coalesce(json_extract(e.value, '$.negated'), 0),
       json_extract(e.value, '$.claimed_by')
FROM articles AS a, json_each(a.record, '$.events') AS e;
