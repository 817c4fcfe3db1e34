"""Scale: feed and search latency of ``newswatch serve`` at 1 M articles on PostgreSQL beside SQLite, in one run.

Data (PostgreSQL). A fresh database (``nw_bench_1m``, dropped at the end unless ``--keep``) filled with the
synthetic articles of :mod:`benchmarks.serve` (the same generator and seed, so its first ``--base`` articles
are those of the SQLite store) through the store's own writes (``PostgresStore.put_many``: the same rows,
triggers, search columns and lemmas as ingest writes), then *replicated* in SQL to ``--size`` articles as
benchmarks/serve.py replicates its SQLite store: copy k renumbers its items (+ k × the base's items, rounded
up to a multiple of the 30 sources) in every address of the record (the article's, its versions', its related
reading's), gets the id of its new address, and moves ``published`` back k × 730 days (its sort columns
follow); the derived rows (events, article actors, event types, quotes) are copied with the new article
numbers and feed order, the source counts recomputed. The search and lemma ``tsvector`` columns and the lead
are copied as they are (the same words). While copying, the insert triggers are set aside and the secondary
indexes dropped; they are rebuilt afterwards from their own definitions, then ``VACUUM ANALYZE``. Not recomputed:
``content_hash`` (the base row's; no page reads it) and the linking tables (empty, as in the SQLite store).
:func:`verify` checks the copy through the store's API (count, the newest page, every page of a language's
list, search hits 10 × the base's, articles and their versions read back) and exits with an error when
anything disagrees.

Serving. Both stores are served by ``python -m newswatch serve --db … --port 0`` (uvicorn, one process, its
httptools parser; ``--no-poll`` for PostgreSQL) and measured with benchmarks/serve.py's load generator,
request set and search words (:func:`benchmarks.serve.load`, :func:`benchmarks.serve.measure`): for each
endpoint a warm-up, a pass of one client (latency alone) and a pass of ``--concurrency`` clients (requests/s
and latency under load). The SQLite store is benchmarks/serve.py's (``--sqlite``; built by it).

Run from the repository root: ``nice python -m benchmarks.scale_latency [--base 25000] [--size 1000000]
[--sqlite PATH [--wait]] [--seconds 10] [--budget SECONDS] [--keep] [--write]`` (about 17 min to build 1 M here;
``--wait`` lets benchmarks/serve.py build the SQLite store meanwhile: its measurement waits for the store's
``.complete`` marker; ``--write`` replaces the ``scale-latency`` block of RESULTS.md).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from benchmarks.common import markdown_table, run_header, update_results
from benchmarks.scale import ADMIN
from benchmarks.serve import (
    _ADDRESS,
    _LANGUAGES,
    _SOURCES,
    _SPAN_DAYS,
    LATENCY_COLUMNS,
    RAW,
    Language,
    Pass,
    Synthetic,
    load,
    load_languages,
    measure,
)

from newswatch.model import article_id
from newswatch.store.postgres import PostgresStore
from newswatch.store.queries import ArticleQuery

DB_NAME = "nw_bench_1m"
_BATCH = 2000
#: Tables whose rows belong to an article and are written by the insert triggers set aside while copying:
#: the columns copied, ``x`` the base row, ``a`` the new article.
_DERIVED = {
    "events": "x.article_seq + %(shift)s, x.ordinal, x.type, x.cameo, x.source, x.target, x.date, x.location,"
    " x.negated, x.claimed_by, x.source_country, x.target_country",
    "article_actors": "x.actor, a.feed_sort, a.seq",
    "article_types": "x.type, a.feed_sort, a.seq",
    "quotes": "x.article_seq + %(shift)s, x.ordinal, x.speaker, a.feed_sort",
}
_TABLES = ("articles", *_DERIVED)
#: A copy's address, publication and id, as SQL functions of the session (``pg_temp``).
_FUNCTIONS = (
    r"""CREATE FUNCTION pg_temp.shift_url(url text, items bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN url ~ '^https://site\d+\.example/[a-z]+/news/\d+$'
               THEN substring(url FROM '^(.*/)\d+$') || (substring(url FROM '(\d+)$')::bigint + items)::text
               ELSE url END $$""",
    """CREATE FUNCTION pg_temp.shift_links(links jsonb, items bigint) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_agg(l.value || jsonb_build_object('url', pg_temp.shift_url(l.value ->> 'url', items))
                                  ORDER BY l.ordinal), '[]'::jsonb)
          FROM jsonb_array_elements(links) WITH ORDINALITY AS l (value, ordinal) $$""",
    """CREATE FUNCTION pg_temp.shift_time(published text, days integer) RETURNS timestamp
        LANGUAGE sql IMMUTABLE AS $$
        SELECT (published::timestamptz - make_interval(days => days)) AT TIME ZONE 'UTC' $$""",
    """CREATE FUNCTION pg_temp.url_id(url text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT left(encode(sha256(convert_to('url:' || url, 'UTF8')), 'hex'), 16) $$""",
)
_COPY = """
INSERT INTO articles (seq, id, url, guid, source, title, author, language, published, published_precision,
                      published_sort, content_hash, record, raw_sha256, first_seen, updated_at, search_config,
                      search, lemmas, lead)
OVERRIDING SYSTEM VALUE
SELECT x.seq + %(shift)s, pg_temp.url_id(n.url), n.url, x.guid, x.source, x.title, x.author, x.language,
       n.published, x.published_precision,
       coalesce(to_char(n.moment, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), x.published_sort),
       x.content_hash,
       x.record || jsonb_build_object('id', pg_temp.url_id(n.url), 'url', n.url)
           || CASE WHEN n.published IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('published', n.published) END
           || CASE WHEN x.record ? 'translations' THEN jsonb_build_object(
                  'translations', pg_temp.shift_links(x.record -> 'translations', %(items)s)) ELSE '{}' END
           || CASE WHEN x.record ? 'related' THEN jsonb_build_object(
                  'related', pg_temp.shift_links(x.record -> 'related', %(items)s)) ELSE '{}' END,
       x.raw_sha256, x.first_seen, x.updated_at, x.search_config, x.search, x.lemmas, x.lead
  FROM articles AS x,
       LATERAL (SELECT pg_temp.shift_url(x.url, %(items)s) AS url,
                       pg_temp.shift_time(x.published, %(days)s) AS moment) AS m0,
       LATERAL (SELECT m0.url, m0.moment,
                       to_char(m0.moment, 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') AS published) AS n
 WHERE x.seq <= %(base)s
"""


def _items(articles: int) -> int:
    """The items of ``articles`` (three versions each), rounded up to a multiple of the sources."""
    return math.ceil(math.ceil(articles / 3) / _SOURCES) * _SOURCES


def _dsn(name: str) -> str:
    """A URL, as ``newswatch serve --db`` takes it."""
    return urllib.parse.urlsplit(ADMIN)._replace(path=f"/{name}").geturl()


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def create_db(name: str) -> str:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    return _dsn(name)


def build_base(dsn: str, size: int, languages: dict[str, Language]) -> float:
    """The first ``size`` synthetic articles of benchmarks/serve.py through ``put_many``; seconds taken."""
    corpus = Synthetic(languages)
    began = time.perf_counter()
    with PostgresStore(dsn) as store:
        for first in range(0, size, _BATCH):
            batch = [corpus.article(n) for n in range(first, min(first + _BATCH, size))]
            store.put_many([(article, RAW) for article in batch])
            done = first + len(batch)
            if done % 10_000 == 0 or done == size:
                elapsed = time.perf_counter() - began
                print(
                    f"  base: {done:>9,} stored ({elapsed:.0f} s, {done / elapsed:,.0f}/s)", file=sys.stderr
                )
    return time.perf_counter() - began


def _secondary_indexes(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on the copied tables that back no constraint."""
    return [
        (name, definition)
        for name, definition in conn.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index AS x"
            " JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS t ON t.oid = x.indrelid"
            " WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)",
            (list(_TABLES),),
        )
    ]


def _session(conn: psycopg.Connection[Any]) -> None:
    """The copying session: no waiting for WAL flushes, memory for index builds, the copy functions."""
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    with contextlib.suppress(psycopg.Error):  # lz4 compresses the copied records faster than pglz
        conn.execute("SET default_toast_compression = 'lz4'")
    for function in _FUNCTIONS:
        conn.execute(function)


def copy_one(conn: psycopg.Connection[Any], k: int, *, base: int, items: int) -> None:
    """Copy ``k`` of the base articles and their derived rows, in one transaction."""
    params = {"shift": k * base, "items": k * items, "days": k * _SPAN_DAYS, "base": base}
    with conn.transaction():
        conn.execute(_COPY, params)
        for table, columns in _DERIVED.items():
            sql = (
                f"INSERT INTO {table} SELECT {columns} FROM {table} AS x"
                " JOIN articles AS a ON a.seq = x.article_seq + %(shift)s"
                " WHERE x.article_seq <= %(base)s"
            )
            conn.execute(sql, params)


def replicate(dsn: str, base: int, copies: int, budget: float, workers: int = 2) -> tuple[float, int]:
    """Copies 1 … ``copies``-1 of the ``base`` articles (see the module docstring), stopping early when
    copying has taken ``budget`` seconds; the seconds taken and the copies there are (the base included)."""
    items = _items(base)  # the base's items, rounded up to the sources
    began = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        _session(conn)
        (low, high) = conn.execute("SELECT min(seq), max(seq) FROM articles").fetchone() or (0, 0)
        if (low, high) != (1, base):
            raise SystemExit(f"error: the base articles are numbered {low}…{high}, not 1…{base}")
        # A copy of day 0 is the base itself: the expressions must give back its own columns.
        same = conn.execute(
            "SELECT count(*) FROM articles AS x WHERE x.seq <= 200 AND (pg_temp.url_id(x.url) != x.id"
            ' OR to_char(pg_temp.shift_time(x.published, 0), \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\')'
            " != x.published OR to_char(pg_temp.shift_time(x.published, 0),"
            ' \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') != x.published_sort)'
        ).fetchone()
        if same is None or same[0]:
            raise SystemExit("error: the copy's id/published expressions do not reproduce the base's")
        indexes = _secondary_indexes(conn)
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("ALTER TABLE articles DISABLE TRIGGER USER")
        todo = list(range(copies - 1, 0, -1))  # popped from the end: copy 1 first
        done: list[int] = []
        failed: list[str] = []
        lock = threading.Lock()

        def work() -> None:
            with psycopg.connect(dsn, autocommit=True) as mine:
                _session(mine)
                while True:
                    with lock:
                        if not todo or time.perf_counter() - began > budget:
                            return
                        k = todo.pop()
                    try:
                        copy_one(mine, k, base=base, items=items)
                    except psycopg.Error as exc:
                        failed.append(str(exc).splitlines()[0])
                        return
                    with lock:
                        done.append(k)
                        print(
                            f"  copy {k}: {(len(done) + 1) * base:>9,} articles"
                            f" ({time.perf_counter() - began:.0f} s)",
                            file=sys.stderr,
                        )

        try:
            threads = [threading.Thread(target=work) for _ in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if failed:
                raise SystemExit(f"error: copying failed: {failed[0]}")
            if todo:  # every copy taken was finished: the copies are 1 … len(done), no gap
                print(f"  stopped: the copying budget of {budget:.0f} s is spent", file=sys.stderr)
        finally:
            conn.execute("ALTER TABLE articles ENABLE TRIGGER USER")
        with conn.transaction():
            conn.execute("DELETE FROM source_counts")
            conn.execute(
                "INSERT INTO source_counts (source, articles)"
                " SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source"
            )
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('articles', 'seq'), (SELECT max(seq) FROM articles))"
            )
        for name, definition in indexes:
            step = time.perf_counter()
            conn.execute(definition)
            print(f"  index {name}: {time.perf_counter() - step:.0f} s", file=sys.stderr)
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - began, len(done) + 1


def verify(dsn: str, before: dict[str, Any], copies: int, words: Sequence[str]) -> None:
    """The copy against the base as the store saw it before replication (:func:`snapshot`)."""
    problems: list[str] = []

    def expect(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            problems.append(f"{what}: {got!r}, expected {wanted!r}")

    with PostgresStore(dsn) as store:
        expect("count()", store.count(), before["count"] * copies)
        first = [a.id for a in store.list_articles(ArticleQuery(), limit=50).items]
        expect("the newest page", first, before["first"])
        seen: set[str] = set()
        cursor: str | None = None
        previous = "~"
        while not problems:
            page = store.list_articles(ArticleQuery(language="hy"), cursor=cursor, limit=500)
            for item in page.items:
                if item.id in seen or (item.published or "") > previous:
                    problems.append(f"list_articles(language=hy): {item.id} repeated or out of order")
                    break
                seen.add(item.id)
                previous = item.published or ""
            if page.next is None:
                break
            cursor = page.next
        expect("list_articles(language=hy) pages", len(seen), before["hy"] * copies)
        for word in words:
            expect(f"search({word!r})", len(store.search(word, limit=500)), min(500, before[word] * copies))
            hits = store.search_articles(word, ArticleQuery(), limit=100).items
            expect(f"search_articles({word!r})", len(hits), min(100, before[word] * copies))
        rng = random.Random(7)
        for n in rng.sample(range(before["count"] * copies), 200):
            copy, original = divmod(n, before["count"])
            item, language = divmod(original, 3)
            shifted = item + copy * before["items"]
            url = Synthetic.url(shifted * 3 + language)
            article = store.get(article_id(url=url, guid=None, feed_url=None, text=""))
            if article is None or article.url != url:
                problems.append(f"article {n} ({url}): missing")
                continue
            for version in article.translations:
                there = store.get(article_id(url=version.url, guid=None, feed_url=None, text=""))
                if there is None or there.published != article.published:
                    problems.append(f"{url}: its {version.language} version is not the same item")
    if problems:
        raise SystemExit("error: the replicated PostgreSQL store is not faithful: " + "; ".join(problems[:5]))
    print(f"  {DB_NAME}: checked against the base × {copies}", file=sys.stderr)


def snapshot(dsn: str, words: Sequence[str]) -> dict[str, Any]:
    """What :func:`verify` compares with: the base store through its API."""
    with PostgresStore(dsn) as store:
        count = store.count()
        return {
            "count": count,
            "items": _items(count),
            "first": [a.id for a in store.list_articles(ArticleQuery(), limit=50).items],
            "hy": sum(1 for a in store.articles(language="hy")),
            **{word: len(store.search(word, limit=500)) for word in words},
        }


# --- serving --------------------------------------------------------------------------------------------


@contextmanager
def served_pg(dsn: str) -> Iterator[str]:
    """``newswatch serve --db postgresql://… --no-poll --port 0``; its base URL. Stopped with SIGINT."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "serve", "--db", dsn, "--no-poll", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "NEWSWATCH_CONFIG": os.devnull},
    )
    assert process.stdout is not None
    try:
        line = process.stdout.readline().strip()
        match = _ADDRESS.match(line)
        if match is None:
            raise SystemExit(f"error: newswatch serve did not start: {line!r} (exit {process.poll()})")
        yield match[1].rstrip("/")
    finally:
        process.send_signal(2)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pg_endpoints(dsn: str, languages: dict[str, Language]) -> dict[str, Callable[[random.Random], str]]:
    """benchmarks/serve.py's request set (:func:`benchmarks.serve.endpoints`), its ids drawn from PostgreSQL."""
    with psycopg.connect(dsn) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM articles TABLESAMPLE SYSTEM (1) LIMIT 5000")]

    def search(kind: str) -> Callable[[random.Random], str]:
        words = [getattr(languages[code], kind) for code in _LANGUAGES]
        return lambda rng: f"/api/v1/search?q={rng.choice(words)}"

    return {
        "feed page `/`": lambda _rng: "/",
        "article page `/articles/{id}` (random)": lambda rng: f"/articles/{rng.choice(ids)}",
        "API list `/api/v1/articles?language=hy`": lambda _rng: "/api/v1/articles?language=hy",
        "API search, a frequent word": search("frequent"),
        "API search, a rare word": search("rare"),
    }


def _row(size: int, backend: str, name: str, alone: Pass, loaded: Pass) -> list[str]:
    return [
        f"{size:,}",
        backend,
        name,
        *(f"{alone.percentile(p):.1f}" for p in (50, 95, 99)),
        f"{alone.rate:.0f}",
        *(f"{loaded.percentile(p):.1f}" for p in (50, 95, 99)),
        f"{loaded.rate:.0f}",
        str(alone.failures + loaded.failures),
    ]


def measure_pg(
    dsn: str, size: int, languages: dict[str, Language], *, seconds: float, concurrency: int
) -> list[list[str]]:
    rows = []
    with served_pg(dsn) as base:
        for name, paths in pg_endpoints(dsn, languages).items():
            load(base, paths, workers=1, seconds=min(2.0, seconds))  # warm-up
            alone = load(base, paths, workers=1, seconds=seconds)
            loaded = load(base, paths, workers=concurrency, seconds=seconds)
            print(
                f"  {size:,} PostgreSQL {name}: p50 {alone.percentile(50):.1f} p95 {alone.percentile(95):.1f}"
                f" ms alone; {loaded.rate:.0f} req/s at {concurrency}",
                file=sys.stderr,
            )
            rows.append(_row(size, "PostgreSQL", name, alone, loaded))
    return rows


def _loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--base", type=int, default=25_000, help="articles written through put_many")
    parser.add_argument("--size", type=int, default=1_000_000, help="articles after replication")
    parser.add_argument("--sqlite", default="/tmp/newswatch-serve-bench/serve-1000000.db")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed pass")
    parser.add_argument("--concurrency", type=int, default=4, help="clients in the concurrent pass")
    parser.add_argument(
        "--budget", type=float, default=float("inf"), help="stop replicating after this many seconds"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB_NAME}")
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for the SQLite store's .complete marker (benchmarks/serve.py building it meanwhile)",
    )
    parser.add_argument("--write", action="store_true", help="replace this section of RESULTS.md")
    args = parser.parse_args(argv)
    copies, rest = divmod(args.size, args.base)
    if rest:
        raise SystemExit("error: --size must be a multiple of --base")
    sqlite = Path(args.sqlite)
    done = sqlite.with_name(sqlite.name + ".complete")
    if not args.wait and not (sqlite.exists() and done.exists()):
        raise SystemExit(f"error: no complete SQLite store at {sqlite} (build it with benchmarks/serve.py)")
    print("reading the sample corpus …", file=sys.stderr)
    languages = load_languages()
    words = [getattr(languages[c], kind) for c in _LANGUAGES for kind in ("frequent", "rare")]
    dsn = create_db(DB_NAME)
    try:
        built = build_base(dsn, args.base, languages)
        before = snapshot(dsn, words)
        copied, copies = replicate(dsn, args.base, copies, args.budget)
        size = args.base * copies
        verify(dsn, before, copies, words)
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            pg_mb = (row[0] if row else 0) / 2**20
            version = conn.execute("SHOW server_version").fetchone()
        if not done.exists():
            print(f"waiting for {done} …", file=sys.stderr)
        while not done.exists():
            time.sleep(10)
        with contextlib.closing(sqlite3.connect(f"file:{sqlite}?mode=ro", uri=True)) as lite:
            sqlite_size = lite.execute("SELECT count(*) FROM articles").fetchone()[0]
        load_sqlite = _loadavg()
        rows = measure(
            sqlite, sqlite_size, "httptools", languages, seconds=args.seconds, concurrency=args.concurrency
        )
        for line in rows:
            line[1] = "SQLite"
        load_pg = _loadavg()
        rows += measure_pg(dsn, size, languages, seconds=args.seconds, concurrency=args.concurrency)
    finally:
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    order = {name: i for i, name in enumerate(dict.fromkeys(r[2] for r in rows))}
    rows.sort(key=lambda r: (order[r[2]], r[1] != "SQLite"))
    words_text = ", ".join(f"{c}: {languages[c].frequent!r} / {languages[c].rare!r}" for c in _LANGUAGES)
    lines = [
        "### Scale: latency on PostgreSQL (benchmarks/scale_latency.py)",
        "",
        *run_header(
            f"nice python -m benchmarks.scale_latency --base {args.base} --size {args.size} "
            f"--seconds {args.seconds:g} --concurrency {args.concurrency}",
            ["uvicorn", "starlette", "httpx", "httptools", "psycopg", "psycopg-pool"],
        ),
        f"- PostgreSQL {version[0] if version else '?'} on the same machine (default settings), database "
        f"{pg_mb:,.0f} MB: {args.base:,} articles through `put_many` in {built:,.0f} s "
        f"({args.base / built:,.0f}/s), replicated × {copies} in SQL in {copied:,.0f} s (copying, indexes rebuilt, VACUUM "
        f"ANALYZE), checked through the store's API. SQLite: `{sqlite}` ({sqlite_size:,} articles, "
        f"benchmarks/serve.py's store).",
        f"- Load average (1/5/15 min) when each backend's measurement began: SQLite {load_sqlite}; "
        f"PostgreSQL {load_pg}. Search words (frequent / rare): {words_text}.",
        "",
        *markdown_table(
            ["articles", "backend", *LATENCY_COLUMNS],
            rows,
        ),
    ]
    print("\n".join(lines))
    if args.write:
        update_results("scale-latency", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
