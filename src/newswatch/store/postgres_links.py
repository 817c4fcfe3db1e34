"""The SQL of linking on PostgreSQL: fingerprints, the keys articles are indexed under, links between
articles and the stories they form (tables of migration 0002). The same functions, arguments and answers as
:mod:`newswatch.store.sqlite_links`, over an open psycopg connection; the caller
(:class:`~newswatch.store.postgres.PostgresStore`) holds the transaction.

Linking one article rebuilds the stories of its neighbourhood, which other workers may be rebuilding at the
same time: :func:`put_links` first takes a transaction-scoped advisory lock, so story rebuilds run one at a
time across every process (as SQLite's single writer does), while reads never wait for it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import Connection

from newswatch.errors import StoreError
from newswatch.model import Article
from newswatch.store.base import LinkRow, LinkUpdate, StoredStory, StoryBuilder, StoryMember

__all__ = [
    "LINK_LOCK",
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

#: The advisory lock key (pg_advisory_xact_lock) that serialises story rebuilds ("nwlinks" in ASCII).
LINK_LOCK = 0x6E776C696E6B73

Conn = Connection[Any]


def _record(value: Any) -> dict[str, Any]:
    """A jsonb/json column as a dict (psycopg loads them; a text column holds JSON text)."""
    loaded = json.loads(value) if isinstance(value, str | bytes) else value
    if not isinstance(loaded, dict):
        raise TypeError(f"a stored record is not a JSON object: {type(loaded).__name__}")
    return loaded


def unlinked(conn: Conn, article_ids: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(article_ids))
    rows = conn.execute(
        "SELECT a.id FROM articles AS a LEFT JOIN fingerprints AS f ON f.article_seq = a.seq"
        " WHERE a.id = ANY(%s) AND (f.content_hash IS NULL OR f.content_hash <> a.content_hash)",
        (wanted,),
    ).fetchall()
    found = {row[0] for row in rows}
    return [i for i in wanted if i in found]


def _bucket_counts(conn: Conn, keys: Sequence[str], per_key: int) -> dict[int, int]:
    """For each article, how many of ``keys`` it is under, each key's bucket read newest first and cut at
    ``per_key`` (one index range per key)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT k.article_seq, count(*) FROM unnest(%s::text[]) AS q (key) CROSS JOIN LATERAL"
        " (SELECT article_seq FROM link_keys WHERE key = q.key ORDER BY article_seq DESC LIMIT %s) AS k"
        " GROUP BY k.article_seq",
        (wanted, per_key),
    ).fetchall()
    return {int(seq): int(n) for seq, n in rows}


def candidates(
    conn: Conn,
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
    if weak:
        for seq, count in conn.execute(
            "SELECT article_seq, evidence FROM fingerprints WHERE article_seq = ANY(%s)", (weak,)
        ):
            theirs[int(seq)] = int(count)
    counts = dict(bands)
    for seq, n in evidence.items():
        if seq in bands or n >= min(min_shared, own, theirs.get(seq, min_shared)):
            counts[seq] = counts.get(seq, 0) + n
    row = conn.execute("SELECT seq FROM articles WHERE id = %s", (exclude,)).fetchone()
    if row is not None:
        counts.pop(int(row[0]), None)
    best = sorted(counts, key=lambda seq: (-counts[seq], -seq))[:limit]
    ids = _ids(conn, best)
    return [ids[seq] for seq in best if seq in ids]


def _ids(conn: Conn, seqs: Sequence[int]) -> dict[int, str]:
    if not seqs:
        return {}
    rows = conn.execute("SELECT seq, id FROM articles WHERE seq = ANY(%s)", (list(seqs),)).fetchall()
    return {int(seq): article_id for seq, article_id in rows}


def link_data(conn: Conn, article_ids: Sequence[str]) -> list[tuple[Article, dict[str, Any]]]:
    """Link views of the records (no text or understanding: scoring reads the fingerprint) and their
    fingerprints, in storage order."""
    rows = conn.execute(
        "SELECT a.id, a.url, a.source, a.title, a.language, a.published, a.record -> 'translations', f.data"
        " FROM articles AS a JOIN fingerprints AS f ON f.article_seq = a.seq"
        " WHERE a.id = ANY(%s) ORDER BY a.seq",
        (list(dict.fromkeys(article_ids)),),
    ).fetchall()
    found: list[tuple[Article, dict[str, Any]]] = []
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
                "translations": translations if isinstance(translations, list) else [],
            }
        )
        found.append((view, _record(data)))
    return found


def link_fingerprints(conn: Conn, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.id, f.data FROM articles AS a JOIN fingerprints AS f ON f.article_seq = a.seq"
        " WHERE a.id = ANY(%s)",
        (list(dict.fromkeys(article_ids)),),
    ).fetchall()
    return {article_id: _record(data) for article_id, data in rows}


def _seqs(conn: Conn, article_ids: Iterable[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return {}
    rows = conn.execute("SELECT id, seq FROM articles WHERE id = ANY(%s)", (wanted,)).fetchall()
    return {article_id: int(seq) for article_id, seq in rows}


def _neighbours(conn: Conn, seqs: Sequence[int]) -> set[int]:
    found: set[int] = set()
    if not seqs:
        return found
    wanted = list(seqs)
    for a, b in conn.execute(
        "SELECT a_seq, b_seq FROM links WHERE a_seq = ANY(%s) UNION ALL"
        " SELECT a_seq, b_seq FROM links WHERE b_seq = ANY(%s)",
        (wanted, wanted),
    ):
        found.update((int(a), int(b)))
    return found


def _component(conn: Conn, seeds: set[int], limit: int) -> set[int]:
    """The articles connected to ``seeds`` by links, breadth first, at most ``limit`` (seeds always in)."""
    seen = set(seeds)
    frontier = sorted(seeds)
    while frontier and len(seen) < limit:
        fresh = sorted(_neighbours(conn, frontier) - seen)[: limit - len(seen)]
        seen.update(fresh)
        frontier = fresh
    return seen


def put_links(conn: Conn, update: LinkUpdate, build: StoryBuilder, max_component: int) -> list[str]:
    try:
        data = json.dumps(update.fingerprint, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"article {update.article_id}: fingerprint cannot be stored: {exc}") from None
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LINK_LOCK,))
    row = conn.execute("SELECT seq FROM articles WHERE id = %s", (update.article_id,)).fetchone()
    if row is None:
        return []
    seq = int(row[0])
    old = _neighbours(conn, [seq]) - {seq}
    conn.execute(
        "INSERT INTO fingerprints (article_seq, content_hash, evidence, data) VALUES (%s, %s, %s, %s::json)"
        " ON CONFLICT (article_seq) DO UPDATE SET content_hash = excluded.content_hash,"
        " evidence = excluded.evidence, data = excluded.data",
        (seq, update.content_hash, update.evidence, data),
    )
    conn.execute("DELETE FROM link_keys WHERE article_seq = %s", (seq,))
    conn.execute(
        "INSERT INTO link_keys (key, article_seq) SELECT DISTINCT k, %s::bigint FROM unnest(%s::text[]) AS k"
        " ON CONFLICT DO NOTHING",
        (seq, list(update.keys)),
    )
    conn.execute("DELETE FROM links WHERE a_seq = %s OR b_seq = %s", (seq, seq))
    others = _seqs(conn, (other for other, _, _ in update.links))
    best: dict[int, tuple[str, float]] = {}
    for other_id, kind, score in update.links:
        other = others.get(other_id)
        if other is not None and other != seq and (other not in best or best[other][1] < score):
            best[other] = (kind, score)
    if best:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO links (a_seq, b_seq, kind, score) VALUES (%s, %s, %s, %s)",
                [(min(seq, o), max(seq, o), kind, score) for o, (kind, score) in best.items()],
            )
    conn.execute("DELETE FROM related WHERE article_seq = %s", (seq,))
    related = _seqs(conn, (other for other, _ in update.related))
    chosen: dict[int, float] = {}  # the last score given wins, as INSERT OR REPLACE does on SQLite
    for other_id, score in update.related:
        if other_id in related and related[other_id] != seq:
            chosen[related[other_id]] = score
    if chosen:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO related (article_seq, other_seq, score) VALUES (%s, %s, %s)",
                [(seq, other, score) for other, score in chosen.items()],
            )
    nodes = sorted(_component(conn, {seq} | old | set(best), max_component))
    return _rebuild(conn, nodes, build)


def _rebuild(conn: Conn, nodes: Sequence[int], build: StoryBuilder) -> list[str]:
    articles: list[Article] = []
    id_of: dict[int, str] = {}
    wanted = list(nodes)
    for seq, record in conn.execute("SELECT seq, record FROM articles WHERE seq = ANY(%s)", (wanted,)):
        article = Article.from_dict(_record(record))
        articles.append(article)
        id_of[int(seq)] = article.id
    old_ids = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT story_id FROM story_members WHERE article_seq = ANY(%s)", (wanted,)
        )
    }
    links: list[LinkRow] = []
    for a, b, kind, score in conn.execute(
        "SELECT a_seq, b_seq, kind, score FROM links WHERE a_seq = ANY(%s) ORDER BY a_seq, b_seq", (wanted,)
    ):
        if int(b) in id_of:
            links.append((id_of[int(a)], id_of[int(b)], kind, float(score)))
    records = build(articles, links)
    seq_of = {article_id: seq for seq, article_id in id_of.items()}
    conn.execute("DELETE FROM story_members WHERE article_seq = ANY(%s)", (wanted,))
    written: list[str] = []
    for built in records:
        members = [seq_of[i] for i in built.articles if i in seq_of]
        if not members or built.representative not in seq_of:
            continue
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO story_members (article_seq, story_id) VALUES (%s, %s)",
                [(m, built.id) for m in members],
            )
        conn.execute(
            "INSERT INTO stories (id, representative_seq, first_seen, first_sort, sources, languages, size)"
            " SELECT %s, %s, %s, min(published_sort), %s, %s, %s FROM articles WHERE seq = ANY(%s)"
            " ON CONFLICT (id) DO UPDATE SET representative_seq = excluded.representative_seq,"
            " first_seen = excluded.first_seen, first_sort = excluded.first_sort, sources = excluded.sources,"
            " languages = excluded.languages, size = excluded.size",
            (
                built.id,
                seq_of[built.representative],
                built.first_seen,
                list(built.sources),
                list(built.languages),
                len(members),
                members,
            ),
        )
        written.append(built.id)
    gone = sorted(old_ids - set(written))
    if gone:
        conn.execute(
            "DELETE FROM stories AS s WHERE s.id = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM story_members AS m WHERE m.story_id = s.id)",
            (gone,),
        )
    return written


_MEMBER_COLUMNS = "a.id, a.title, a.url, a.language, a.source, a.published"


def _member(row: Sequence[Any]) -> StoryMember:
    return StoryMember(row[0], row[1], row[2], row[3], row[4], row[5])


def _story(conn: Conn, row: Sequence[Any]) -> StoredStory:
    story_id, first_seen, sources, languages, representative_seq = row
    members = conn.execute(
        f"SELECT {_MEMBER_COLUMNS}, a.seq FROM story_members AS m JOIN articles AS a ON a.seq = m.article_seq"
        ' WHERE m.story_id = %s ORDER BY a.published_sort COLLATE "C", a.id COLLATE "C"',
        (story_id,),
    ).fetchall()
    representative = next((r for r in members if r[6] == representative_seq), members[0])
    return StoredStory(
        id=story_id,
        first_seen=first_seen,
        representative=_member(representative),
        sources=tuple(sources),
        languages=tuple(languages),
        members=tuple(_member(r) for r in members),
    )


_STORY_COLUMNS = "s.id, s.first_seen, s.sources, s.languages, s.representative_seq"


def stories(
    conn: Conn,
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
        clauses.append("s.first_sort >= %s")
        params.append(since)
    if language is not None:
        clauses.append("s.languages @> ARRAY[%s]::text[]")
        params.append(language)
    if after is not None:
        clauses.append("(s.first_sort, s.id) < (%s, %s)")
        params += list(after)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    count = page if limit is None else min(page, limit)
    rows = conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM stories AS s{where} ORDER BY s.first_sort DESC, s.id DESC LIMIT %s",
        (*params, count),
    ).fetchall()
    return [_story(conn, row) for row in rows]


def story_key(conn: Conn, story_id: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT first_sort, id FROM stories WHERE id = %s", (story_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def story_of(conn: Conn, article_id: str) -> StoredStory | None:
    row = conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM articles AS a JOIN story_members AS m ON m.article_seq = a.seq"
        " JOIN stories AS s ON s.id = m.story_id WHERE a.id = %s",
        (article_id,),
    ).fetchone()
    return None if row is None else _story(conn, row)


def story(conn: Conn, story_id: str) -> StoredStory | None:
    row = conn.execute(f"SELECT {_STORY_COLUMNS} FROM stories AS s WHERE s.id = %s", (story_id,)).fetchone()
    if row is not None:
        return _story(conn, row)
    return story_of(conn, story_id[2:]) if story_id.startswith("s-") else None


def story_ids(conn: Conn, article_ids: Sequence[str]) -> dict[str, str]:
    rows = conn.execute(
        "SELECT a.id, m.story_id FROM articles AS a JOIN story_members AS m ON m.article_seq = a.seq"
        " WHERE a.id = ANY(%s)",
        (list(dict.fromkeys(article_ids)),),
    ).fetchall()
    return {article_id: story_id for article_id, story_id in rows}


def links_of(conn: Conn, article_id: str) -> list[tuple[str, str, float]]:
    row = conn.execute("SELECT seq FROM articles WHERE id = %s", (article_id,)).fetchone()
    if row is None:
        return []
    rows = conn.execute(
        "SELECT o.id, l.kind, l.score FROM links AS l JOIN articles AS o ON o.seq = l.b_seq"
        " WHERE l.a_seq = %s UNION ALL"
        " SELECT o.id, l.kind, l.score FROM links AS l JOIN articles AS o ON o.seq = l.a_seq"
        " WHERE l.b_seq = %s",
        (row[0], row[0]),
    ).fetchall()
    return sorted(((r[0], r[1], float(r[2])) for r in rows), key=lambda r: (-r[2], r[0]))


def related_of(conn: Conn, article_id: str, limit: int) -> list[tuple[str, float]]:
    row = conn.execute("SELECT seq FROM articles WHERE id = %s", (article_id,)).fetchone()
    if row is None:
        return []
    best: dict[int, float] = {}
    for other, score in conn.execute(
        "SELECT other_seq, score FROM related WHERE article_seq = %s UNION ALL"
        " SELECT article_seq, score FROM related WHERE other_seq = %s",
        (row[0], row[0]),
    ):
        best[int(other)] = max(float(score), best.get(int(other), 0.0))
    ids = _ids(conn, list(best))
    ranked = sorted(((ids[s], v) for s, v in best.items() if s in ids), key=lambda r: (-r[1], r[0]))
    return ranked[:limit]
