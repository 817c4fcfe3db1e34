-- Live sources: the feeds (or pages) the poller fetches on a schedule, with how their last poll went.
-- `host` is the site the source's articles are filed under (host_of its site, else of its url), so the
-- sources page can show a source's health beside its articles.
CREATE TABLE live_sources (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,
    host           TEXT,
    name           TEXT,
    language       TEXT,
    interval       INTEGER NOT NULL,
    site           TEXT,
    added          TEXT NOT NULL,
    next_poll      TEXT NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    last_fetch     TEXT,
    last_status    INTEGER,
    last_error     TEXT,
    errors         INTEGER NOT NULL DEFAULT 0,
    last_new       TEXT
);

CREATE INDEX live_sources_due ON live_sources (next_poll, id);
CREATE INDEX live_sources_by_host ON live_sources (host);
