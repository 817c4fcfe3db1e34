-- Events also carry the country (or organisation) of their source and target actors, as the article names
-- them, so that a pair or actor timeline for ARM also holds what Pashinyan or Armenia's foreign ministry did.
ALTER TABLE events ADD COLUMN source_country TEXT;
ALTER TABLE events ADD COLUMN target_country TEXT;

CREATE INDEX events_by_source_country ON events (source_country, date);
CREATE INDEX events_by_target_country ON events (target_country, date);

DROP TRIGGER events_on_insert;
DROP TRIGGER events_on_update;

CREATE TRIGGER events_on_insert AFTER INSERT ON articles BEGIN
    INSERT INTO events (article_seq, ordinal, type, cameo, source, target, date, location, negated, claimed_by,
                        source_country, target_country)
    SELECT new.seq, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.cameo'),
           json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), json_extract(e.value, '$.date'),
           json_extract(e.value, '$.location'), coalesce(json_extract(e.value, '$.negated'), 0),
           json_extract(e.value, '$.claimed_by'),
           (SELECT json_extract(a.value, '$.country') FROM json_each(new.record, '$.actors') AS a
             WHERE json_extract(a.value, '$.id') = json_extract(e.value, '$.source')),
           (SELECT json_extract(a.value, '$.country') FROM json_each(new.record, '$.actors') AS a
             WHERE json_extract(a.value, '$.id') = json_extract(e.value, '$.target'))
    FROM json_each(new.record, '$.events') AS e;
END;

CREATE TRIGGER events_on_update AFTER UPDATE OF record ON articles BEGIN
    DELETE FROM events WHERE article_seq = old.seq;
    INSERT INTO events (article_seq, ordinal, type, cameo, source, target, date, location, negated, claimed_by,
                        source_country, target_country)
    SELECT new.seq, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.cameo'),
           json_extract(e.value, '$.source'), json_extract(e.value, '$.target'), json_extract(e.value, '$.date'),
           json_extract(e.value, '$.location'), coalesce(json_extract(e.value, '$.negated'), 0),
           json_extract(e.value, '$.claimed_by'),
           (SELECT json_extract(a.value, '$.country') FROM json_each(new.record, '$.actors') AS a
             WHERE json_extract(a.value, '$.id') = json_extract(e.value, '$.source')),
           (SELECT json_extract(a.value, '$.country') FROM json_each(new.record, '$.actors') AS a
             WHERE json_extract(a.value, '$.id') = json_extract(e.value, '$.target'))
    FROM json_each(new.record, '$.events') AS e;
END;

UPDATE events SET
    source_country = (SELECT json_extract(a.value, '$.country')
                        FROM articles AS r, json_each(r.record, '$.actors') AS a
                       WHERE r.seq = events.article_seq AND json_extract(a.value, '$.id') = events.source),
    target_country = (SELECT json_extract(a.value, '$.country')
                        FROM articles AS r, json_each(r.record, '$.actors') AS a
                       WHERE r.seq = events.article_seq AND json_extract(a.value, '$.id') = events.target);
