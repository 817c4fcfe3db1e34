"""The SQL of linking on SQLite: fingerprints, the keys articles are indexed under, links between articles
and the stories they form (tables of migration 0005). Functions over an open connection; the caller
(:class:`~newswatch.store.sqlite.SqliteStore`) holds the lock and the transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from newswatch.model import Article
from newswatch.store.base import LinkRow, LinkUpdate, StoredStory, StoryBuilder, StoryMember

__all__ = [
    "candidates",
    "link_data",
    "link_fingerprints",
    "links_of",
    "put_links",
    "related_of",
    "stories",
    "story",
    "story_ids",
    "story_key",
    "story_of",
    "unlinked",
]

_CHUNK = 500  # ids per IN (...) list
#: Terms of one compound SELECT (SQLite's default limit is 500).
_KEYS_PER_QUERY = 400


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def unlinked(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        rows = conn.execute(
            "SELECT a.id FROM articles AS a LEFT JOIN fingerprints AS f ON f.article_seq = a.seq"
            f" WHERE a.id IN ({_marks(chunk)})"
            " AND (f.content_hash IS NULL OR f.content_hash != a.content_hash)",
            tuple(chunk),
        ).fetchall()
        found.update(row[0] for row in rows)
    return [i for i in dict.fromkeys(article_ids) if i in found]


def _bucket_counts(conn: sqlite3.Connection, keys: Sequence[str], per_key: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk in _chunks(list(dict.fromkeys(keys)), _KEYS_PER_QUERY):
        term = (
            "SELECT * FROM (SELECT article_seq FROM link_keys WHERE key = ?"
            " ORDER BY article_seq DESC LIMIT ?)"
        )
        sql = " UNION ALL ".join([term] * len(chunk))
        params: list[Any] = []
        for key in chunk:
            params += [key, per_key]
        for (seq,) in conn.execute(sql, params):
            counts[seq] = counts.get(seq, 0) + 1
    return counts


def candidates(
    conn: sqlite3.Connection,
    keys: Sequence[str],
    *,
    exclude: str,
    need: tuple[int, int],
    per_key: int,
    limit: int,
) -> list[str]:
    """Each key's bucket read newest first and cut at ``per_key`` (a busy day|actor bucket stays
    bounded); band matches always kept, evidence-only matches when they share enough actors (see
    :meth:`~newswatch.store.base.Store.link_candidates`, ``need`` = (evidence, min_shared)); then the
    articles sharing the most keys first, ties by the newest."""
    bands = _bucket_counts(conn, [k for k in keys if k.startswith("b")], per_key)
    evidence = _bucket_counts(conn, [k for k in keys if not k.startswith("b")], per_key)
    own, min_shared = need
    weak = [seq for seq, n in evidence.items() if seq not in bands and n < min(min_shared, own)]
    theirs: dict[int, int] = {}
    for chunk in _chunks(weak):
        for seq, count in conn.execute(
            f"SELECT article_seq, evidence FROM fingerprints WHERE article_seq IN ({_marks(chunk)})",
            tuple(chunk),
        ):
            theirs[seq] = count
    counts = dict(bands)
    for seq, n in evidence.items():
        if seq in bands or n >= min(min_shared, own, theirs.get(seq, min_shared)):
            counts[seq] = counts.get(seq, 0) + n
    row = conn.execute("SELECT seq FROM articles WHERE id = ?", (exclude,)).fetchone()
    if row is not None:
        counts.pop(row[0], None)
    best = sorted(counts, key=lambda seq: (-counts[seq], -seq))[:limit]
    ids: dict[int, str] = {}
    for chunk in _chunks(best):
        for seq, article_id in conn.execute(
            f"SELECT seq, id FROM articles WHERE seq IN ({_marks(chunk)})", tuple(chunk)
        ):
            ids[seq] = article_id
    return [ids[seq] for seq in best if seq in ids]


def link_data(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[tuple[Article, dict[str, Any]]]:
    """Link views of the records (no text or understanding: scoring reads the fingerprint) and their
    fingerprints, in storage order."""
    found: list[tuple[Article, dict[str, Any]]] = []
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        rows = conn.execute(
            "SELECT a.id, a.url, a.source, a.title, a.language, a.published,"
            " json_extract(a.record, '$.translations'), f.data"
            " FROM articles AS a JOIN fingerprints AS f ON f.article_seq = a.seq"
            f" WHERE a.id IN ({_marks(chunk)}) ORDER BY a.seq",
            tuple(chunk),
        ).fetchall()
        for article_id, url, source, title, language, published, translations, data in rows:
            view = Article.from_dict(
                {
                    "id": article_id,
                    "text": "",
                    "url": url,
                    "source": source,
                    "title": title,
                    "language": language,
                    "published": published,
                    "translations": json.loads(translations or "[]"),
                }
            )
            found.append((view, json.loads(data)))
    return found


def link_fingerprints(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        for article_id, data in conn.execute(
            "SELECT a.id, f.data FROM articles AS a JOIN fingerprints AS f ON f.article_seq = a.seq"
            f" WHERE a.id IN ({_marks(chunk)})",
            tuple(chunk),
        ):
            found[article_id] = json.loads(data)
    return found


def _seqs(conn: sqlite3.Connection, article_ids: Iterable[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(article_ids))
    seqs: dict[str, int] = {}
    for chunk in _chunks(wanted):
        for article_id, seq in conn.execute(
            f"SELECT id, seq FROM articles WHERE id IN ({_marks(chunk)})", tuple(chunk)
        ):
            seqs[article_id] = seq
    return seqs


def _neighbours(conn: sqlite3.Connection, seqs: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(seqs):
        marks = _marks(chunk)
        for a, b in conn.execute(
            f"SELECT a_seq, b_seq FROM links WHERE a_seq IN ({marks}) UNION ALL"
            f" SELECT a_seq, b_seq FROM links WHERE b_seq IN ({marks})",
            (*chunk, *chunk),
        ):
            found.update((a, b))
    return found


def _component(conn: sqlite3.Connection, seeds: set[int], limit: int) -> set[int]:
    """The articles connected to ``seeds`` by links, breadth first, at most ``limit`` (seeds always in)."""
    seen = set(seeds)
    frontier = sorted(seeds)
    while frontier and len(seen) < limit:
        fresh = sorted(_neighbours(conn, frontier) - seen)[: limit - len(seen)]
        seen.update(fresh)
        frontier = fresh
    return seen


def put_links(
    conn: sqlite3.Connection, update: LinkUpdate, build: StoryBuilder, max_component: int
) -> list[str]:
    row = conn.execute("SELECT seq FROM articles WHERE id = ?", (update.article_id,)).fetchone()
    if row is None:
        return []
    seq: int = row[0]
    old = _neighbours(conn, [seq]) - {seq}
    conn.execute(
        "INSERT INTO fingerprints (article_seq, content_hash, evidence, data) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (article_seq) DO UPDATE SET content_hash = excluded.content_hash,"
        " evidence = excluded.evidence, data = excluded.data",
        (
            seq,
            update.content_hash,
            update.evidence,
            json.dumps(update.fingerprint, ensure_ascii=False, allow_nan=False),
        ),
    )
    conn.execute("DELETE FROM link_keys WHERE article_seq = ?", (seq,))
    conn.executemany(
        "INSERT OR IGNORE INTO link_keys (key, article_seq) VALUES (?, ?)", ((k, seq) for k in update.keys)
    )
    conn.execute("DELETE FROM links WHERE a_seq = ? OR b_seq = ?", (seq, seq))
    others = _seqs(conn, (other for other, _, _ in update.links))
    best: dict[int, tuple[str, float]] = {}
    for other_id, kind, score in update.links:
        other = others.get(other_id)
        if other is not None and other != seq and (other not in best or best[other][1] < score):
            best[other] = (kind, score)
    conn.executemany(
        "INSERT INTO links (a_seq, b_seq, kind, score) VALUES (?, ?, ?, ?)",
        ((min(seq, o), max(seq, o), kind, score) for o, (kind, score) in best.items()),
    )
    conn.execute("DELETE FROM related WHERE article_seq = ?", (seq,))
    related = _seqs(conn, (other for other, _ in update.related))
    conn.executemany(
        "INSERT OR REPLACE INTO related (article_seq, other_seq, score) VALUES (?, ?, ?)",
        ((seq, related[o], score) for o, score in update.related if o in related and related[o] != seq),
    )
    nodes = sorted(_component(conn, {seq} | old | set(best), max_component))
    return _rebuild(conn, nodes, build)


def _rebuild(conn: sqlite3.Connection, nodes: Sequence[int], build: StoryBuilder) -> list[str]:
    articles: list[Article] = []
    id_of: dict[int, str] = {}
    old_ids: set[str] = set()
    for chunk in _chunks(nodes):
        marks = _marks(chunk)
        for seq, record in conn.execute(
            f"SELECT seq, record FROM articles WHERE seq IN ({marks})", tuple(chunk)
        ):
            article = Article.from_dict(json.loads(record))
            articles.append(article)
            id_of[seq] = article.id
        old_ids.update(
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT story_id FROM story_members WHERE article_seq IN ({marks})", tuple(chunk)
            )
        )
    links: list[LinkRow] = []
    for chunk in _chunks(nodes):
        for a, b, kind, score in conn.execute(
            f"SELECT a_seq, b_seq, kind, score FROM links WHERE a_seq IN ({_marks(chunk)})", tuple(chunk)
        ):
            if b in id_of:
                links.append((id_of[a], id_of[b], kind, score))
    records = build(articles, links)
    seq_of = {article_id: seq for seq, article_id in id_of.items()}
    for chunk in _chunks(nodes):
        conn.execute(f"DELETE FROM story_members WHERE article_seq IN ({_marks(chunk)})", tuple(chunk))
    written: list[str] = []
    for story in records:
        members = [seq_of[i] for i in story.articles if i in seq_of]
        if not members or story.representative not in seq_of:
            continue
        conn.executemany(
            "INSERT INTO story_members (article_seq, story_id) VALUES (?, ?)",
            ((m, story.id) for m in members),
        )
        first_sort = conn.execute(
            f"SELECT min(published_sort) FROM articles WHERE seq IN ({_marks(members)})", tuple(members)
        ).fetchone()[0]
        conn.execute(
            "INSERT OR REPLACE INTO stories (id, representative_seq, first_seen, first_sort, sources,"
            " languages, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                story.id,
                seq_of[story.representative],
                story.first_seen,
                first_sort,
                json.dumps(list(story.sources), ensure_ascii=False),
                json.dumps(list(story.languages), ensure_ascii=False),
                len(members),
            ),
        )
        written.append(story.id)
    for story_id in sorted(old_ids - set(written)):
        conn.execute(
            "DELETE FROM stories WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM story_members WHERE story_id = ?)",
            (story_id, story_id),
        )
    return written


_MEMBER_COLUMNS = "a.id, a.title, a.url, a.language, a.source, a.published"


def _member(row: Sequence[Any]) -> StoryMember:
    return StoryMember(row[0], row[1], row[2], row[3], row[4], row[5])


def _story(conn: sqlite3.Connection, row: Sequence[Any]) -> StoredStory:
    story_id, first_seen, sources, languages, representative_seq = row
    members = conn.execute(
        f"SELECT {_MEMBER_COLUMNS}, a.seq FROM story_members AS m JOIN articles AS a ON a.seq = m.article_seq"
        " WHERE m.story_id = ? ORDER BY a.published_sort, a.id",
        (story_id,),
    ).fetchall()
    representative = next((r for r in members if r[6] == representative_seq), members[0])
    return StoredStory(
        id=story_id,
        first_seen=first_seen,
        representative=_member(representative),
        sources=tuple(json.loads(sources)),
        languages=tuple(json.loads(languages)),
        members=tuple(_member(r) for r in members),
    )


_STORY_COLUMNS = "s.id, s.first_seen, s.sources, s.languages, s.representative_seq"


def stories(
    conn: sqlite3.Connection,
    *,
    since: str | None,
    language: str | None,
    limit: int | None,
    after: tuple[str, str] | None,
    page: int,
) -> list[StoredStory]:
    """One page of stories, newest first (by ``first_sort``, then id), after the key ``after``."""
    clauses: list[str] = []
    params: list[Any] = []
    if since is not None:
        clauses.append("s.first_sort >= ?")
        params.append(since)
    if language is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(s.languages) WHERE value = ?)")
        params.append(language)
    if after is not None:
        clauses.append("(s.first_sort, s.id) < (?, ?)")
        params += list(after)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    count = page if limit is None else min(page, limit)
    rows = conn.execute(
        f"SELECT {_STORY_COLUMNS}, s.first_sort FROM stories AS s{where}"
        " ORDER BY s.first_sort DESC, s.id DESC LIMIT ?",
        (*params, count),
    ).fetchall()
    return [_story(conn, row[:5]) for row in rows if row is not None]


def story_key(conn: sqlite3.Connection, story_id: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT first_sort, id FROM stories WHERE id = ?", (story_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def story_of(conn: sqlite3.Connection, article_id: str) -> StoredStory | None:
    row = conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM articles AS a JOIN story_members AS m ON m.article_seq = a.seq"
        " JOIN stories AS s ON s.id = m.story_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    return None if row is None else _story(conn, row)


def story(conn: sqlite3.Connection, story_id: str) -> StoredStory | None:
    row = conn.execute(f"SELECT {_STORY_COLUMNS} FROM stories AS s WHERE s.id = ?", (story_id,)).fetchone()
    if row is not None:
        return _story(conn, row)
    return story_of(conn, story_id[2:]) if story_id.startswith("s-") else None


def story_ids(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        for article_id, story_id in conn.execute(
            "SELECT a.id, m.story_id FROM articles AS a JOIN story_members AS m ON m.article_seq = a.seq"
            f" WHERE a.id IN ({_marks(chunk)})",
            tuple(chunk),
        ):
            found[article_id] = story_id
    return found


def links_of(conn: sqlite3.Connection, article_id: str) -> list[tuple[str, str, float]]:
    row = conn.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return []
    rows = conn.execute(
        "SELECT o.id, l.kind, l.score FROM links AS l JOIN articles AS o ON o.seq = l.b_seq"
        " WHERE l.a_seq = ? UNION ALL"
        " SELECT o.id, l.kind, l.score FROM links AS l JOIN articles AS o ON o.seq = l.a_seq"
        " WHERE l.b_seq = ?",
        (row[0], row[0]),
    ).fetchall()
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda r: (-r[2], r[0]))


def related_of(conn: sqlite3.Connection, article_id: str, limit: int) -> list[tuple[str, float]]:
    row = conn.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return []
    best: dict[int, float] = {}
    for other, score in conn.execute(
        "SELECT other_seq, score FROM related WHERE article_seq = ? UNION ALL"
        " SELECT article_seq, score FROM related WHERE other_seq = ?",
        (row[0], row[0]),
    ):
        best[other] = max(score, best.get(other, 0.0))
    ids: dict[int, str] = {}
    for chunk in _chunks(list(best)):
        ids.update(conn.execute(f"SELECT seq, id FROM articles WHERE seq IN ({_marks(chunk)})", tuple(chunk)))
    ranked = sorted(((ids[s], v) for s, v in best.items() if s in ids), key=lambda r: (-r[1], r[0]))
    return ranked[:limit]
