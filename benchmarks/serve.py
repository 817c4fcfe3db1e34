"""Serving: latency and throughput of ``newswatch serve`` over synthetic stores of 100 k and 1 M articles.

Data, the first size (100 k). A SQLite database filled through the store's own writes
(``SqliteStore.put_many``, :data:`_BATCH` articles per transaction: the same rows, triggers, words and search
indexes as ingest writes; no NLP pipeline, no linking). The articles are built from the sample corpus, run
once through the real pipeline: each synthetic article takes a sample article of its language as a template
(its text, actors, quotes and events, so the article page has the real highlights to draw) and adds a title
and a paragraph of words drawn from that language's sample vocabulary with their sample frequencies (so
words are real en/hy/ru words, Zipf-distributed, and search finds frequent and rare ones). Three articles in
a row are the en, ru and hy versions of one item (same time, each naming the others' addresses), published
over two years (730 days from 2024-12-01) by 30 sources; each names two earlier articles of its source under
"Read more". Events keep their template's dates. Linking is not run, so its tables (links, stories,
related) stay empty: the pages' lookups of versions, stories and related reading run and find nothing, and a
linked store, whose pages show them, does more work per page than is measured here.

Data, a larger size that a smaller one divides (1 M = 10 × 100 k). Writing 1 M articles through
``put_many`` takes about two hours here (≈ 140 articles/s measured for the 100 k store), so the
large store is the small one *replicated* (:func:`replicate`): copy 0 is the small store as it is; copy k
renumbers its items (+ k × the small store's items, rounded up to a multiple of the 30 sources so each
address keeps its source) in every address of the record (the article's, its versions', its related
reading's), moves ``published`` back k × 730 days, and recomputes what follows from those as the store does
(id from the address, sort key, content hash, record). So the 1 M feed spans 20 years at the density of the
100 k one (≈ 137 articles a day), versions and related reading point inside their copy, and copies are
stored oldest first (storage order follows publication, as in an ingest over the years). The rows go in
with SQL, so the store's own triggers fill the title/text search index, events, article actors, event
types, quotes and source counts; the words (lead and lemmas) are copied with ``INSERT … SELECT`` and their
trigger fills the lemma search index. What is *not* new in a copy: titles, texts, lemmas, actors, quotes,
events and their dates (each copy repeats the small store's, so a word matches exactly 10 × as often),
``first_seen``/``updated_at``, and the linking tables (empty, as in the small store). :func:`verify` then
checks the copy through SQL and the store's API and exits with an error when anything disagrees: row counts
of every derived table and of both search indexes (10 × the small store's, nothing pending), the documents
matching each search word in both indexes, ``count()``, the newest feed page (the same as the small
store's), every page of a language's list (none repeated or out of order, 10 × as many), search hits, stories,
and 200 random articles (read back, content hash as stored, versions are the same item).

Serving. ``python -m newswatch serve --db … --port 0`` (the real command: uvicorn, one process) on loopback,
with each HTTP parser uvicorn can use: h11 (pure Python; its fallback) and httptools (C; its choice when
installed — hidden from the server process for the h11 run). The load generator is this process: worker
threads, each with its own keep-alive ``httpx.Client``. For each endpoint: a warm-up, then a sequential pass
(one worker: the latency of a request alone) and a concurrent pass (``--concurrency`` workers: requests/s,
and the latency under that load, queueing included). Latency is the client's wall clock per request,
response body read. Endpoints: the feed page ``/``, article pages (5000 random ids of the store), the API
list ``/api/v1/articles?language=hy``, and the API search ``/api/v1/search?q=…`` with a frequent and a rare
word of each language.

Run from the repository root:
``nice python -m benchmarks.serve [--sizes 100000,1000000] [--http h11,httptools] [--workdir DIR]
[--seconds 10] [--write]``. Databases are kept in ``--workdir`` (1 M: ≈ 21 GB) and reused when they hold the
right number of articles; all are built before any is measured.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from benchmarks.common import markdown_table, run_header, update_results

from newswatch.model import Article, Link, RawInput, Translation, article_id
from newswatch.runner import extract_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import SqliteStore
from newswatch.store.base import sort_key
from newswatch.store.queries import ArticleQuery
from newswatch.understand.lemmas import query_forms

RAW = RawInput(b"synthetic article (benchmarks/serve.py)", "benchmarks/serve.py")
_LANGUAGES = ("en", "ru", "hy")
_SOURCES = 30
#: Articles written per transaction.
_BATCH = 5000
_WORD = re.compile(r"\w{3,}")
_ADDRESS = re.compile(r"^serving (http://\S+/) \(Ctrl-C to stop\)$")


# --- data -------------------------------------------------------------------------------------------------


#: The columns of a latency table after its first two (the store size and what varies).
LATENCY_COLUMNS = (
    "endpoint", "p50 ms", "p95 ms", "p99 ms", "req/s",
    "loaded p50", "loaded p95", "loaded p99", "loaded req/s", "non-200",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Language:
    """What synthetic articles of one language are made of: sample articles and the sample's words."""

    code: str
    templates: tuple[Article, ...]
    words: tuple[str, ...]
    weights: tuple[float, ...]  # cumulative, for random.choices(cum_weights=…)
    frequent: str  # a content word in many articles
    rare: str  # a word in few


def load_languages() -> dict[str, Language]:
    """The sample corpus through the real pipeline, grouped by language."""
    settings = load_settings(env={})
    by_language: dict[str, list[Article]] = collections.defaultdict(list)
    for result in extract_inputs(sample_inputs(), settings, reference_date=sample_reference_date()):
        if isinstance(result, Article) and result.language in _LANGUAGES:
            by_language[result.language].append(result)
    languages = {}
    for code in _LANGUAGES:
        articles = by_language[code]
        counts = collections.Counter(w.lower() for a in articles for w in _WORD.findall(a.text))
        ranked = counts.most_common()
        words = tuple(w for w, _ in ranked)
        cumulative, total = [], 0.0
        for _, count in ranked:
            total += count
            cumulative.append(total)
        # frequent: the most common word of six letters or more (a content word, not "the");
        # rare: a word of that length seen once in the sample.
        frequent = next(w for w in words if len(w) >= 6 and not w.isdigit())
        rare = next(w for w, c in reversed(ranked) if len(w) >= 6 and not w.isdigit() and c == 1)
        languages[code] = Language(code, tuple(articles), words, tuple(cumulative), frequent, rare)
    return languages


class Synthetic:
    """Reproducible synthetic articles (see the module docstring); ``article(n)`` for n = 0, 1, 2, …"""

    def __init__(self, languages: dict[str, Language], seed: int = 20261129) -> None:
        self.languages = languages
        self.rng = random.Random(seed)
        self.start = datetime(2024, 12, 1, tzinfo=UTC)
        self._item_time = self.start
        self._recent: dict[str, list[tuple[str, str]]] = collections.defaultdict(
            list
        )  # source → (url, title)

    @staticmethod
    def url(n: int) -> str:
        item, language = divmod(n, 3)
        return f"https://site{item % _SOURCES}.example/{_LANGUAGES[language]}/news/{item}"

    @staticmethod
    def article_id(n: int) -> str:
        return article_id(url=Synthetic.url(n), guid=None, feed_url=None, text="")

    def _words(self, language: Language, count: int) -> list[str]:
        return self.rng.choices(language.words, cum_weights=language.weights, k=count)

    def article(self, n: int) -> Article:
        rng = self.rng
        item, index = divmod(n, 3)
        code = _LANGUAGES[index]
        language = self.languages[code]
        if index == 0:  # one item: three versions at the same time
            self._item_time = self.start + timedelta(seconds=rng.randrange(730 * 86400))
        template = rng.choice(language.templates)
        title = " ".join(self._words(language, rng.randint(5, 10))).capitalize()
        paragraph = " ".join(self._words(language, rng.randint(60, 240)))
        url = self.url(n)
        source = f"site{item % _SOURCES}.example"
        versions = tuple(
            Translation(_LANGUAGES[other], self.url(item * 3 + other)) for other in range(3) if other != index
        )
        recent = self._recent[source + code]
        related = tuple(Link(t, u) for u, t in rng.sample(recent, min(2, len(recent))))
        recent.append((url, title))
        if len(recent) > 50:
            del recent[0]
        return replace(
            template,
            id=self.article_id(n),
            text=f"{template.text}\n\n{paragraph}.",
            url=url,
            source=source,
            title=title,
            published=self._item_time.isoformat(),
            published_precision="datetime",
            translations=versions,
            related=related,
            guid=None,
        )


def build(path: Path, size: int, languages: dict[str, Language]) -> float:
    """Fill a new database at ``path`` with ``size`` synthetic articles; the seconds it took."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    corpus = Synthetic(languages)
    began = time.perf_counter()
    with SqliteStore(path) as store:
        for first in range(0, size, _BATCH):
            batch = [corpus.article(n) for n in range(first, min(first + _BATCH, size))]
            store.put_many([(article, RAW) for article in batch])
            done = first + len(batch)
            if done % 50_000 == 0 or done == size:
                elapsed = time.perf_counter() - began
                print(
                    f"  {path.name}: {done:>9,} stored ({elapsed:.0f} s, {done / elapsed:,.0f}/s)",
                    file=sys.stderr,
                )
    return time.perf_counter() - began


def ensure_db(
    workdir: Path, size: int, languages: dict[str, Language], base: Path | None = None
) -> tuple[Path, float | None]:
    """The database of ``size`` articles in ``workdir``, built unless a complete one is there: replicated
    from ``base`` when given (its size must divide ``size``), else written through the store."""
    path = workdir / f"serve-{size}.db"
    done = path.with_name(path.name + ".complete")
    if path.exists() and done.exists():
        with SqliteStore(path) as store:
            if store.count() == size:
                return path, None
    done.unlink(missing_ok=True)
    if base is None:
        seconds = build(path, size, languages)
    else:
        with SqliteStore(base) as store:
            copies, rest = divmod(size, store.count())
        if rest:
            raise SystemExit(f"error: {size:,} is not a multiple of the {base.name} store")
        words = [getattr(language, kind) for language in languages.values() for kind in ("frequent", "rare")]
        seconds = replicate(base, path, copies, words)
    done.write_text(f"{size}\n", encoding="utf-8")
    return path, seconds


# --- replication: a large store from a smaller one -------------------------------------------------------

#: Days a copy is shifted back: the span of the base store's publication dates (see Synthetic).
_SPAN_DAYS = 730
_URL = re.compile(r"^(https://site\d+\.example/[a-z]+/news/)(\d+)$")
#: Tables whose rows belong to an article (``article_seq``) and are filled by the store's triggers when an
#: article is inserted; the check compares their sizes. The linking tables are written by linking (not run).
_PER_ARTICLE = ("events", "article_actors", "article_types", "quotes", "article_words")
_LINKING = ("fingerprints", "link_keys", "links", "stories", "story_members", "related")


def _shift_url(url: str | None, items: int) -> str | None:
    match = _URL.match(url or "")
    return f"{match[1]}{int(match[2]) + items}" if match else url


def shifted_row(row: sqlite3.Row, *, seq: int, items: int, days: int) -> tuple[object, ...]:
    """One article row of the base store as copy: item numbers (in its address, its versions' and its related
    reading's addresses) moved on by ``items``, publication moved back by ``days``, and what follows from
    those (id, record, sort key, content hash) recomputed as the store computes them."""
    data = json.loads(row["record"])
    data["url"] = _shift_url(data.get("url"), items)
    for link in (*data.get("translations", ()), *data.get("related", ())):
        link["url"] = _shift_url(link.get("url"), items)
    if data.get("published"):
        data["published"] = (datetime.fromisoformat(data["published"]) - timedelta(days=days)).isoformat()
    data["id"] = article_id(url=data["url"], guid=data.get("guid"), feed_url=None, text="")
    record = json.dumps(data, ensure_ascii=False, allow_nan=False)
    content = {k: v for k, v in data.items() if k not in ("id", "guid")}  # Article.content_hash
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return (
        seq,
        data["id"],
        data["url"],
        row["guid"],
        row["source"],
        row["title"],
        row["author"],
        row["language"],
        data.get("published"),
        row["published_precision"],
        sort_key(data.get("published")) or row["published_sort"],
        digest.hexdigest(),
        record,
        row["raw_sha256"],
        row["first_seen"],
        row["updated_at"],
    )


#: The insert triggers set aside while copying, and the rows they derive, copied instead (``x``: the base's
#: row, ``a``: the new article).
_SET_ASIDE = ("events_on_insert", "feed_on_insert", "source_counts_insert")
_DERIVED = {
    "events": "x.article_seq, x.ordinal, x.type, x.cameo, x.source, x.target, x.date, x.location, x.negated,"
    " x.claimed_by, x.source_country, x.target_country",
    "article_actors": "x.actor, a.feed_sort, x.article_seq",
    "article_types": "x.type, a.feed_sort, x.article_seq",
    "quotes": "x.article_seq, x.ordinal, x.speaker, a.feed_sort",
}
_PREFIX = re.compile(r"\b[ax][.]")
#: Articles copied per transaction.
_COPY_BATCH = 20000
_COPY_COLUMNS = (
    "seq, id, url, guid, source, title, author, language, published, published_precision, published_sort,"
    " content_hash, record, raw_sha256, first_seen, updated_at"
)


def replicate(base: Path, path: Path, copies: int, words: Sequence[str]) -> float:
    """A new store at ``path`` holding ``copies`` copies of the store at ``base``; the seconds it took.

    Copy 0 is the base as it is; copy k has its items renumbered (+k × the base's items, rounded up to a
    multiple of the sources so each address keeps its source) and its dates moved back k × 730 days. Copies
    are stored oldest first (storage order follows publication, as in an ingest over time). Each article
    row is inserted with SQL and the store's trigger fills its search index; its words (lead and lemmas)
    are copied with ``INSERT … SELECT`` and their trigger fills the lemma index. The rows the other insert
    triggers derive from the record (:data:`_DERIVED`) are copied from the base's with ``INSERT … SELECT``
    (new seq, new feed order) while those triggers are set aside: they re-read the whole record JSON for
    every row they write, which was most of the time of a copy. They are put back as they were, and the
    source counts computed as migration 0007 computes them."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    began = time.perf_counter()
    SqliteStore(path).close()  # the schema, by the store's own migrations
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        # Build settings (the file is thrown away if the build fails): no journal and no syncs, larger
        # transactions than ingest's; the store turns WAL back on when it opens the file.
        conn.execute("PRAGMA journal_mode = OFF").fetchone()
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -524288")
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{base}?mode=ro",))
        for table in _LINKING:
            if conn.execute(f"SELECT 1 FROM src.{table} LIMIT 1").fetchone():
                raise SystemExit(f"error: {base}: has rows in {table}; replicating linking is not supported")
        low, high = conn.execute("SELECT min(seq), max(seq) FROM src.articles").fetchone()
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)", _SET_ASIDE
        ).fetchall()
        if len(triggers) != len(_SET_ASIDE):
            raise SystemExit(f"error: {path}: the store's insert triggers are not {', '.join(_SET_ASIDE)}")
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        items = -(-(high + 2) // 3 // _SOURCES) * _SOURCES
        conn.execute("INSERT INTO raw_inputs SELECT * FROM src.raw_inputs")
        for order, copy in enumerate(reversed(range(copies))):
            offset = order * high
            for first in range(low, high + 1, _COPY_BATCH):
                last = first + _COPY_BATCH - 1
                rows = conn.execute(
                    "SELECT * FROM src.articles WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last)
                ).fetchall()
                values = [
                    shifted_row(r, seq=r["seq"] + offset, items=copy * items, days=copy * _SPAN_DAYS)
                    for r in rows
                ]
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    f"INSERT INTO articles ({_COPY_COLUMNS}) VALUES ({', '.join('?' * 16)})", values
                )
                conn.execute(
                    "INSERT INTO article_words (article_seq, lead, title_lemmas, text_lemmas)"
                    " SELECT article_seq + ?, lead, title_lemmas, text_lemmas FROM src.article_words"
                    " WHERE article_seq BETWEEN ? AND ? ORDER BY article_seq",
                    (offset, first, last),
                )
                for table, columns in _DERIVED.items():
                    conn.execute(
                        f"INSERT INTO {table} ({_PREFIX.sub('', columns)})"
                        f" SELECT {columns.replace('x.article_seq', 'x.article_seq + ?')}"
                        f" FROM src.{table} AS x JOIN main.articles AS a ON a.seq = x.article_seq + ?"
                        " WHERE x.article_seq BETWEEN ? AND ?",
                        (offset, offset, first, last),
                    )
                conn.execute("COMMIT")
            elapsed = time.perf_counter() - began
            done = (order + 1) * (high - low + 1)
            print(
                f"  {path.name}: {done:>9,} copied ({elapsed:.0f} s, {done / elapsed:,.0f}/s)",
                file=sys.stderr,
            )
        conn.execute("BEGIN IMMEDIATE")
        for _name, sql in triggers:
            conn.execute(sql)
        conn.execute(
            "INSERT INTO source_counts (source, articles)"
            " SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source"
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    verify(base, path, copies, words)
    return time.perf_counter() - began


def _counts(conn: sqlite3.Connection, schema: str) -> dict[str, int]:
    tables = [*_PER_ARTICLE, *_LINKING, "articles", "articles_fts_docsize", "articles_lemma_fts_docsize"]
    found = {t: int(conn.execute(f"SELECT count(*) FROM {schema}.{t}").fetchone()[0]) for t in tables}
    found["words_pending"] = int(conn.execute(f"SELECT count(*) FROM {schema}.words_pending").fetchone()[0])
    found["source_counts"] = int(
        conn.execute(f"SELECT coalesce(sum(articles), 0) FROM {schema}.source_counts").fetchone()[0]
    )
    return found


def verify(base: Path, path: Path, copies: int, words: Sequence[str]) -> None:
    """Check a replicated store against its base through SQL counts and the store's own API; exits with an
    ``error:`` line naming the first inconsistency."""
    problems: list[str] = []
    stored: list[tuple[str, str]] = []

    def expect(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            problems.append(f"{what}: {got!r}, expected {wanted!r}")

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{base}?mode=ro",))
        mine, theirs = _counts(conn, "main"), _counts(conn, "src")
        seqs = random.Random(7).sample(range(1, theirs["articles"] * copies + 1), 200)
        stored = conn.execute(
            f"SELECT id, content_hash FROM articles WHERE seq IN ({','.join(map(str, seqs))})"
        ).fetchall()
        for seq in seqs:  # its derived rows: the base article's, in its own feed order
            original = (seq - 1) % theirs["articles"] + 1
            for table, columns in _DERIVED.items():
                columns = _PREFIX.sub("x.", columns).replace("x.article_seq", "0")
                sql = (
                    f"SELECT {columns.replace('x.feed_sort', '0')} FROM {{}}.{table} AS x"
                    " WHERE x.article_seq = ? ORDER BY 2, 3"
                )
                got = conn.execute(sql.format("main"), (seq,)).fetchall()
                expect(f"{table} of seq {seq}", got, conn.execute(sql.format("src"), (original,)).fetchall())
            expect(
                f"feed order of the rows of seq {seq}",
                conn.execute(
                    "SELECT count(*) FROM article_actors AS x JOIN articles AS a ON a.seq = x.article_seq"
                    " WHERE x.article_seq = ? AND x.feed_sort != a.feed_sort",
                    (seq,),
                ).fetchone()[0],
                0,
            )
        for table, count in theirs.items():
            expect(f"rows in {table}", mine[table], 0 if table == "words_pending" else count * copies)
        for word in words:  # the indexes themselves: a word's documents, in each full-text index
            forms = " OR ".join(f'"{form}"' for form in query_forms(word))
            for table, term in (("articles_fts", f'"{word}"'), ("articles_lemma_fts", forms)):
                sql = f"SELECT count(*) FROM {{}}.{table} WHERE {table} MATCH ?"
                got = conn.execute(sql.format("main"), (term,)).fetchone()[0]
                wanted = conn.execute(sql.format("src"), (term,)).fetchone()[0]
                expect(f"{table} documents matching {term!r}", got, wanted * copies)
    except sqlite3.DatabaseError as exc:
        problems.append(f"SQLite: {exc}")
    finally:
        conn.close()
    with SqliteStore(base) as small, SqliteStore(path) as large:
        expect("count()", large.count(), small.count() * copies)
        first = [a.id for a in large.list_articles(ArticleQuery(), limit=50).items]
        expect("the newest page", first, [a.id for a in small.list_articles(ArticleQuery(), limit=50).items])
        seen: set[str] = set()
        cursor: str | None = None
        previous = "~"
        while True:
            page = large.list_articles(ArticleQuery(language="hy"), cursor=cursor, limit=500)
            wrong = None
            for item in page.items:
                if item.id in seen or (item.published or "") > previous:
                    wrong = item.id
                    break
                seen.add(item.id)
                previous = item.published or ""
            if wrong is not None:
                problems.append(f"list_articles(language=hy): {wrong} repeated or out of order")
                break
            if page.next is None:
                hy = sum(1 for a in small.articles(language="hy"))
                expect("list_articles(language=hy) pages", len(seen), hy * copies)
                break
            cursor = page.next
        for word in words:
            found = len(large.search(word, limit=500))
            expect(f"search({word!r}) hits", found, min(500, len(small.search(word, limit=500)) * copies))
            hits = large.search_articles(word, ArticleQuery(), limit=500).items
            want = small.search_articles(word, ArticleQuery(), limit=500).items
            expect(f"search_articles({word!r}) hits", len(hits), min(500, len(want) * copies))
        expect("stories()", sum(1 for _ in large.stories()), sum(1 for _ in small.stories()) * copies)
        for article_key, stored_hash in stored:
            article = large.get(article_key)
            if article is None or article.content_hash != stored_hash:
                problems.append(
                    f"get({article_key}): missing or its content hash differs from the stored one"
                )
                continue
            for version in article.translations:
                there = large.get(article_id(url=version.url, guid=None, feed_url=None, text=""))
                if there is not None and (
                    there.published != article.published or version.language != there.language
                ):
                    problems.append(f"{article_key}: its {version.language} version is not the same item")
    if problems:
        raise SystemExit(f"error: {path} is not a faithful copy of {base}: " + "; ".join(problems[:5]))
    print(f"  {path.name}: checked against {base.name} × {copies}", file=sys.stderr)


# --- serving and load -------------------------------------------------------------------------------------


@contextmanager
def served(db: Path, http: str) -> Iterator[str]:
    """``newswatch serve`` on a free loopback port; its base URL. Stopped with SIGINT afterwards.

    ``http`` is uvicorn's HTTP parser: ``httptools`` (what uvicorn picks when it is installed) or ``h11``
    (what it falls back to: here httptools is made unimportable in the server process)."""
    hide = "sys.modules['httptools'] = None; " if http == "h11" else ""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import runpy, sys; {hide}runpy.run_module('newswatch', run_name='__main__')",
            *("serve", "--db", str(db), "--port", "0"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "NEWSWATCH_CONFIG": os.devnull},
    )
    assert process.stdout is not None
    try:
        line = process.stdout.readline().strip()
        match = _ADDRESS.match(line)
        if match is None:
            raise SystemExit(f"newswatch serve did not start: {line!r} (exit {process.poll()})")
        yield match[1].rstrip("/")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True, slots=True)
class Pass:
    """One pass of requests: latencies in ms, wall-clock seconds, failures (status other than 200)."""

    latencies: tuple[float, ...]
    seconds: float
    failures: int

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def load(base: str, paths: Callable[[random.Random], str], *, workers: int, seconds: float) -> Pass:
    """``workers`` threads each requesting ``paths(rng)`` one after another for ``seconds``."""
    stop_at = time.perf_counter() + seconds
    results: queue.Queue[tuple[list[float], int]] = queue.Queue()

    def work(seed: int) -> None:
        rng = random.Random(seed)
        latencies, failures = [], 0
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < stop_at:
                path = paths(rng)
                began = time.perf_counter()
                response = client.get(path)
                _ = response.content
                latencies.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    failures += 1
        results.put((latencies, failures))

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies: list[float] = []
    failures = 0
    while not results.empty():
        got, failed = results.get()
        latencies += got
        failures += failed
    return Pass(tuple(latencies), elapsed, failures)


def sample_ids(db: Path, count: int = 5000, seed: int = 5) -> list[str]:
    """``count`` article ids drawn at random from the store (the article pages requested)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        low, high = conn.execute("SELECT min(seq), max(seq) FROM articles").fetchone()
        rng = random.Random(seed)
        seqs = [rng.randint(low, high) for _ in range(count)]
        return [
            row[0]
            for row in conn.execute(f"SELECT id FROM articles WHERE seq IN ({','.join(map(str, seqs))})")
        ]
    finally:
        conn.close()


def endpoints(db: Path, languages: dict[str, Language]) -> dict[str, Callable[[random.Random], str]]:
    """What is requested: a name for the table and a function giving the next path."""
    ids = sample_ids(db)

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


def measure(
    db: Path, size: int, http: str, languages: dict[str, Language], *, seconds: float, concurrency: int
) -> list[list[str]]:
    rows = []
    with served(db, http) as base:
        for name, paths in endpoints(db, languages).items():
            load(base, paths, workers=1, seconds=min(2.0, seconds))  # warm-up: caches, page cache
            alone = load(base, paths, workers=1, seconds=seconds)
            loaded = load(base, paths, workers=concurrency, seconds=seconds)
            print(
                f"  {size:,} {http} {name}: p50 {alone.percentile(50):.1f} p95 {alone.percentile(95):.1f}"
                f" ms alone; {loaded.rate:.0f} req/s at {concurrency}",
                file=sys.stderr,
            )
            rows.append(
                [
                    f"{size:,}",
                    http,
                    name,
                    f"{alone.percentile(50):.1f}",
                    f"{alone.percentile(95):.1f}",
                    f"{alone.percentile(99):.1f}",
                    f"{alone.rate:.0f}",
                    f"{loaded.percentile(50):.1f}",
                    f"{loaded.percentile(95):.1f}",
                    f"{loaded.percentile(99):.1f}",
                    f"{loaded.rate:.0f}",
                    str(alone.failures + loaded.failures),
                ]
            )
    return rows


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _db_mb(path: Path) -> float:
    files = (path, path.with_name(path.name + "-wal"))
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000,1000000", help="article counts, comma-separated")
    parser.add_argument(
        "--workdir", default="/tmp/newswatch-serve-bench", help="where the databases are kept"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed pass")
    parser.add_argument("--concurrency", type=int, default=4, help="workers in the concurrent pass")
    parser.add_argument(
        "--http",
        default="h11,httptools",
        help="uvicorn HTTP parsers to measure, comma-separated (httptools when importable)",
    )
    parser.add_argument("--build-only", action="store_true", help="build the databases and stop")
    parser.add_argument("--write", action="store_true", help="replace the Serving section of RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print("reading the sample corpus …", file=sys.stderr)
    languages = load_languages()
    rows: list[list[str]] = []
    builds: list[str] = []
    dbs: list[tuple[int, Path]] = []
    for size in sizes:  # a size that a smaller one divides is replicated from it
        base = next((db for smaller, db in reversed(dbs) if size % smaller == 0), None)
        db, took = ensure_db(workdir, size, languages, base)
        how = f"replicated from {base.name}" if base else "built through put_many"
        built = f"{how} in {took:,.0f} s ({size / took:,.0f} articles/s)" if took else "reused"
        builds.append(f"{size:,} articles: {_db_mb(db):,.0f} MB, {built}")
        dbs.append((size, db))
    parsers = [h for h in args.http.split(",") if h and (h != "httptools" or _importable("httptools"))]
    load_before = ""
    if not args.build_only:
        for size, db in dbs:
            for http in parsers:
                load_before += f"{'; ' if load_before else ''}{size:,} {http}: " + " ".join(
                    f"{x:.1f}" for x in os.getloadavg()
                )
                rows += measure(db, size, http, languages, seconds=args.seconds, concurrency=args.concurrency)
    if args.build_only:
        print("\n".join(builds))
        return 0
    words = ", ".join(f"{c}: {languages[c].frequent!r} / {languages[c].rare!r}" for c in _LANGUAGES)
    lines = [
        "## Serving (benchmarks/serve.py)",
        "",
        *run_header(
            f"python -m benchmarks.serve --sizes {args.sizes} --seconds {args.seconds:g} "
            f"--concurrency {args.concurrency} --http {','.join(parsers)}",
            ["uvicorn", "starlette", "httpx", "h11", "httptools"],
        ),
        "",
        "Synthetic stores (see the module docstring): "
        + "; ".join(builds)
        + ". Served by `newswatch serve` (uvicorn, one process; *HTTP*: its parser, h11 or httptools) on "
        "loopback; the load generator (httpx "
        "threads) runs on the same 2 cores. *Alone*: one request at a time; *loaded*: "
        f"{args.concurrency} concurrent keep-alive clients (latency includes queueing). Each pass "
        f"{args.seconds:g} s after a warm-up. Search words (frequent / rare): {words}. "
        f"Load average when the measurement began: {load_before}.",
        "",
        *markdown_table(
            ["articles", "HTTP", *LATENCY_COLUMNS],
            rows,
        ),
    ]
    print("\n".join(lines))
    if args.write:
        update_results("serve", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
