"""Linking benchmark: quality on ``benchmarks/linking-eval`` and cost per article as the store grows.

Quality: every labelled article is understood (``newswatch.understand.understand`` on a record built from
its fields, as the quality test does), stored in a real SQLite store and linked there one by one with
``newswatch.linking.link_articles`` — the same store lookups, caps and scores as ``newswatch ingest``.
Pairs are then read back: translation links from the store's ``links`` table, stories from
``Store.stories()``. The articles are linked in file order and in reverse; the stories must be equal.

Scale (``--scale 10000,100000,1000000 [--verify 10000]``): for each size N the store is first filled to N
synthetic articles (:class:`Synthetic`; the same generator keeps the day, actor and band bucket sizes of a
real store of that size). This prefill is not timed and does not search: articles are stored 1,000 per
transaction (``put_many``) and each is then linked through ``link_articles`` itself — the same fingerprint,
keys, ``LinkUpdate``, ``put_links`` and story rebuild — but on a store whose candidate search is answered by
the generator (:class:`_Prefill`): a rewrite is offered the earlier versions of its text, which is what the
LSH search finds for these articles, and the related-reading search gets nothing, so prefilled articles have
no ``related`` rows. The articles and their fingerprints (the same function, whose result linking then
takes) are made in a second process, one batch ahead. ``--verify N`` checks the method: N articles prefilled
and the same N linked one by one must give equal ``fingerprints``, ``link_keys``, ``links``, ``stories`` and
``story_members`` tables, row for row. Then a block of new articles (``--block``, 1,000), about one in ten a
rewrite of a recent one, is stored and linked one by one exactly as ingest does (``put``, then
``link_articles`` with the real candidate search); only this is timed, per article. Reported: the block's
articles/s (wall clock, and the process's CPU time), ms per article (p50, p95; wall and CPU — on a shared
machine the CPU figures are the fairer comparison), the process's peak RSS so far (the quality part and the
prefill included), the database file plus its WAL, the number of stories, and the links the block made (in
brackets those not to a version of the same text).

``--replicate R`` (with ``--scale 10000,100000,1000000 --replicate 10``): the largest size is not
prefilled (1 M at some 150 articles/s takes hours) but grown with SQL (:func:`replicate`) from the store of
the size before, as prefilled (before its timed block): all article rows — ``articles`` (the actor, feed
and source-count rows follow from the triggers), ``article_words``, ``fingerprints``, ``link_keys``,
``links``, ``stories``, ``story_members``, ``related`` — are copied R − 1 times with new sequence numbers,
article ids ``<id>.r<r>`` (so story ids ``s-<id>.r<r>``) and addresses ``…/news/r<r>/…``, every
publication time moved by r × the corpus's span in days (365): in the records and columns, the
fingerprints, the ``day|actor`` keys and the stories' times. Band and address keys are salted per replica
(``b7:<digest>`` → ``b7:r<r>-<digest>``), so the copies of a text are not near-duplicates of each other.
What this models: **a store that grew over R times the days at the same density** — every day|actor and
band bucket of the big store is exactly as full as in the base store; only the store (tables, indexes, the
file) is R times bigger. That is what "the cost per article stays flat as the store grows" is about: a
store grows by covering more time, not by packing more articles into each day. It does not model a store
R times denser (R times the articles per day), where the buckets too would be R times fuller until
``link_articles``'s per-key caps bind. The copies are not indexed for full-text search (the triggers of
``articles_fts`` and ``articles_lemma_fts`` are off during the copy, halving its time; linking does not
read them), so the grown file is smaller than a real one. :func:`check_replicas` asserts every copied
table has R times its rows and, for a few copied articles, that the stored fingerprint is
``fingerprint()`` of the stored (moved) record, its day|actor keys its ``evidence_keys`` and its band keys
its ``band_keys`` salted. The timed block after the replication is dated in the last replica's span
(:meth:`Synthetic.move`), so it meets buckets as full as the base store's. ``--keep DIR`` keeps the
prefilled stores (``prefill-<size>.db``) and reuses them; a grown store left there as
``replicated-<R>x-prefill-<size>.db`` (with its ``.json``: span, last sequence number, check) is used
instead of replicating again (moved, it is big).

Run from the repository root:
``python -m benchmarks.linking [--scale 10000,100000,1000000 [--replicate 10] [--keep DIR]] [--verify 10000]
[--write]``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from benchmarks.common import REPO, markdown_table, run_header, update_results

from newswatch import linking
from newswatch.link import Fingerprint, fingerprint
from newswatch.link.evidence import url_keys
from newswatch.link.fingerprint import band_keys, evidence_keys
from newswatch.linking import link_articles
from newswatch.model import Actor, Article, Mention, RawInput
from newswatch.store import SqliteStore
from newswatch.store.base import Store

EVAL = REPO / "benchmarks" / "linking-eval"
RAW = RawInput(b"benchmark", "benchmarks/linking.py")
Key = tuple[str, str]


def _key(a: str, b: str) -> Key:
    return (a, b) if a < b else (b, a)


def _prf(predicted: set[Key], truth: set[Key]) -> tuple[float, float, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_eval() -> tuple[list[Article], dict[str, dict[str, Any]], dict[str, set[Key]]]:
    from newswatch.understand import understand

    records = [json.loads(line) for line in (EVAL / "articles.jsonl").read_text("utf-8").splitlines() if line]
    labels = json.loads((EVAL / "labels.json").read_text("utf-8"))
    articles = [
        understand(
            Article(
                id=r["id"],
                text=r["text"],
                url=r["url"],
                source=r["outlet"],
                title=r["title"],
                language=r["language"],
                published=r["published"],
            )
        )
        for r in records
    ]
    truth = {
        name: {_key(*pair) for pair in labels[name]}
        for name in (
            "translation_pairs",
            "duplicate_pairs",
            "same_language_duplicate_pairs",
            "hard_negative_pairs",
        )
    }
    return articles, {r["id"]: r for r in records}, truth


def link_into(path: Path, articles: list[Article]) -> tuple[dict[Key, str], dict[str, str]]:
    """Store and link ``articles`` one by one; the links (pair → kind) and each article's story id."""
    with SqliteStore(path) as store:
        for article in articles:
            store.put(article, RAW)
            link_articles(store, [article.id])
        story_of = {m.id: s.id for s in store.stories() for m in s.members}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT a.id, b.id, l.kind FROM links AS l JOIN articles AS a ON a.seq = l.a_seq"
            " JOIN articles AS b ON b.seq = l.b_seq"
        ).fetchall()
    finally:
        conn.close()
    return {_key(a, b): kind for a, b, kind in rows}, story_of


def quality(workdir: Path) -> tuple[list[str], bool]:
    articles, records, truth = load_eval()
    links, story_of = link_into(workdir / "eval.db", articles)
    _, story_reversed = link_into(workdir / "eval-reversed.db", articles[::-1])
    groups = {frozenset(i for i in story_of if story_of[i] == s) for s in story_of.values()}
    groups_reversed = {
        frozenset(i for i in story_reversed if story_reversed[i] == s) for s in story_reversed.values()
    }
    same_order = groups == groups_reversed
    all_pairs = {_key(a.id, b.id) for a, b in itertools.combinations(articles, 2)}
    translations = {k for k, kind in links.items() if kind in ("translation", "explicit")}
    direct = {k for k, kind in links.items() if kind in ("duplicate", "coverage")}
    together = {k for k in all_pairs if story_of[k[0]] == story_of[k[1]]}
    same_story = {k for k in all_pairs if records[k[0]]["story"] == records[k[1]]["story"]}
    same_language = {k for k in direct if records[k[0]]["language"] == records[k[1]]["language"]}
    rows = [
        ("translations (translation links)", *_prf(translations, truth["translation_pairs"])),
        ("duplicates, direct links (duplicate or coverage)", *_prf(direct, truth["duplicate_pairs"])),
        (
            "duplicates, same language, direct links",
            *_prf(same_language, truth["same_language_duplicate_pairs"]),
        ),
        (
            "duplicates, story co-membership minus translations",
            *_prf(together - translations, truth["duplicate_pairs"]),
        ),
        ("same-story pairs (stories)", *_prf(together, same_story)),
    ]
    joined = len(together & truth["hard_negative_pairs"])
    body = markdown_table(
        ("pairs", "P", "R", "F1"), [(name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}") for name, p, r, f in rows]
    )
    body += [
        "",
        f"{len(articles)} articles, {len(groups)} stories (labels: {len({r['story'] for r in records.values()})}); "
        f"hard negatives joined: {joined} of {len(truth['hard_negative_pairs'])}; "
        f"stories equal when linked in reverse order: {'yes' if same_order else 'NO'}.",
    ]
    for line in body:
        print(line)
    return body, same_order


# --- scale ------------------------------------------------------------------------------------------------

_LANGUAGES = ("en", "ru", "hy")
SCALE_METHOD = """Scale: synthetic articles; for each size the store is prefilled untimed (articles stored
1,000 per transaction and linked by `link_articles` with the candidate search answered by the generator, see
the module docstring), then {block:,} new articles are stored and linked one by one as ingest does (`put`,
then `link_articles` with the real search), each timed (wall, and CPU of this process). Peak RSS is the
process's so far; db MB is the file plus its WAL; links made: by the block (in brackets: not to a version of
the same text)."""
#: Articles stored per transaction by the prefill.
_PREFILL_BATCH = 1000
#: Articles a rewrite may copy (the newest generated), so versions of one text are days apart at most.
_RECENT = 2000
#: Tables linking fills, compared by ``--verify`` (``related`` is left out: the prefill does not fill it).
_LINK_TABLES = {
    "fingerprints": "SELECT article_seq, content_hash, evidence, data FROM fingerprints",
    "link_keys": "SELECT key, article_seq FROM link_keys",
    "links": "SELECT a_seq, b_seq, kind, score FROM links",
    "stories": "SELECT id, representative_seq, first_seen, first_sort, sources, languages, size FROM stories",
    "story_members": "SELECT article_seq, story_id FROM story_members",
}


def _rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _db_mb(path: Path) -> float:
    files = (path, path.with_name(path.name + "-wal"))
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


class Synthetic:
    """Reproducible synthetic articles: random text with a few numbers, actors from a small hot set (one of
    ten countries in most articles, ``actor-0`` in half of them) plus two to four from a long tail,
    publication times over a year, and one article in ten a light rewrite of a recent one (same actors and
    time, one word in twenty replaced, in the language its number gives: en, ru or hy).

    ``versions(article_id)`` are the ids of the articles generated before it from the same text (the
    rewrites' originals and earlier rewrites), known while the article is among the newest generated."""

    def __init__(self, seed: int = 20261129) -> None:
        self.rng = random.Random(seed)
        self.vocab = [f"w{n}" for n in range(20_000)]
        self.hot = [f"actor-{n}" for n in range(10)]
        self.hot_weights = [10.0, *[1.0] * 9]  # actor-0 in about half the articles that have a hot one
        self.tail = [f"actor-{n}" for n in range(10, 3_000)]
        self.start = datetime(2025, 1, 1, tzinfo=UTC)
        self.span_days = 365
        self.recent: list[Article] = []
        self.family: dict[str, list[str]] = {}  # id of a recent article → the versions of its text

    def _actors(self) -> list[str]:
        rng = self.rng
        ids = set(rng.sample(self.tail, rng.randint(2, 4)))
        if rng.random() < 0.8:
            ids.add(rng.choices(self.hot, self.hot_weights)[0])
        return sorted(ids)

    def move(self, days: int) -> None:
        """Date the articles made from now on ``days`` later (the last replica's span, see :func:`replicate`);
        the recent articles are forgotten, so rewrites too are of articles dated there."""
        self.start += timedelta(days=days)
        self.recent.clear()
        self.family.clear()

    def versions(self, article_id: str) -> list[str]:
        family = self.family.get(article_id, [])
        return family[: family.index(article_id)] if article_id in family else []

    def article(self, n: int) -> Article:
        rng = self.rng
        versions: list[str] = []
        if self.recent and rng.random() < 0.1:
            original = rng.choice(self.recent)
            versions = self.family[original.id]
            ids = [a.id for a in original.actors]
            words = original.text.split()
            for _ in range(max(1, len(words) // 20)):  # the actor names in front are kept
                words[rng.randrange(len(ids), len(words))] = rng.choice(self.vocab)
            body = " ".join(words)
            published = original.published
        else:
            numbers = [str(rng.randint(10, 99_999)) for _ in range(rng.randint(2, 5))]
            words = [rng.choice(self.vocab) for _ in range(rng.randint(120, 320))]
            for number in numbers:
                words.insert(rng.randrange(len(words)), number)
            moment = self.start + timedelta(seconds=rng.randrange(self.span_days * 86400))
            published = moment.isoformat()
            ids = self._actors()
            body = " ".join(i.replace("-", "") for i in ids) + ". " + " ".join(words)
        actors, offset = [], 0
        for actor_id in ids:
            name = actor_id.replace("-", "")
            actors.append(
                Actor(actor_id, name, "person", mentions=(Mention(offset, offset + len(name), name),))
            )
            offset += len(name) + 1
        article = Article(
            id=f"syn{n:07d}",
            text=body,
            url=f"https://site{n % 40}.example/{_LANGUAGES[n % 3]}/news/{n}",
            source=f"site{n % 40}.example",
            title=" ".join(body.split()[:8]),
            language=_LANGUAGES[n % 3],
            published=published,
            actors=tuple(actors),
        )
        versions.append(article.id)
        self.family[article.id] = versions
        self.recent.append(article)
        if len(self.recent) > _RECENT:
            del self.family[self.recent.pop(0).id]
        return article


#: One generated article: the article, the ids of the earlier versions of its text, its fingerprint.
Made = tuple[Article, list[str], Fingerprint]


def _produce(conn: Connection, other_end: Connection, seed: int) -> None:
    """The second process: generate the articles in order and fingerprint them, a batch per request
    (``("make", count)``); ``("skip", count)`` generates without fingerprints and sends nothing back,
    ``("move", days)`` calls :meth:`Synthetic.move`. It ends when asked ``("stop", 0)``, or when the
    benchmark's end of the pipe is gone."""
    other_end.close()
    corpus = Synthetic(seed)
    n = 0
    while True:
        what, count = conn.recv()
        if what == "stop":
            break
        if what == "move":
            corpus.move(count)
            continue
        made: list[Made] = []
        for _ in range(count):
            article = corpus.article(n)
            if what == "make":
                made.append((article, corpus.versions(article.id), fingerprint(article)))
            n += 1
        if what == "make":
            conn.send(made)
    conn.close()


class Stream:
    """The synthetic articles 0, 1, 2 … of :class:`Synthetic` with their fingerprints, made in a second
    process (forked before any database is opened) so the prefill stores one batch while the next is made.
    It makes a batch only when asked: nothing runs beside a timed block."""

    def __init__(self, seed: int = 20261129) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("fork").Process(
            target=_produce, args=(child, self._conn, seed), daemon=True
        )
        self._process.start()
        child.close()

    def ask(self, count: int) -> None:
        self._conn.send(("make", count))

    def skip(self, count: int) -> None:
        """Pass over the next ``count`` articles (they are in a reused prefilled store)."""
        self._conn.send(("skip", count))

    def move(self, days: int) -> None:
        self._conn.send(("move", days))

    def take(self) -> list[Made]:
        made: list[Made] = self._conn.recv()
        return made

    def close(self) -> None:
        self._conn.send(("stop", 0))
        self._process.join(timeout=10)
        self._conn.close()


class _Prefill:
    """The store as linking sees it during the prefill: every call goes to the real store except the
    candidate search, which is answered from the generator — an article's earlier versions for the link
    search (its LSH band and address keys), nothing for the related-reading search (evidence keys only)."""

    def __init__(self, store: SqliteStore, versions: dict[str, list[str]]) -> None:
        self._store = store
        self._versions = versions

    def link_candidates(
        self, keys: Sequence[str], *, exclude: str, evidence: int, min_shared: int, per_key: int, limit: int
    ) -> list[str]:
        if not any(key.startswith("b") for key in keys):
            return []
        return self._versions.get(exclude, [])[:limit]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


#: The name under which ``newswatch.linking`` calls the fingerprint function.
_FINGERPRINT = "fingerprint"


@contextlib.contextmanager
def _fingerprints_known(made: dict[str, Made]) -> Iterator[None]:
    """Linking takes the fingerprint made in the second process (the same function's result) for these
    articles; any other article is fingerprinted as usual."""
    compute: Callable[[Article], Fingerprint] = getattr(linking, _FINGERPRINT)

    def known(article: Article) -> Fingerprint:
        found = made.get(article.id)
        if found is not None and found[0].content_hash == article.content_hash:
            return found[2]
        return compute(article)

    setattr(linking, _FINGERPRINT, known)
    try:
        yield
    finally:
        setattr(linking, _FINGERPRINT, compute)


def prefill(store: SqliteStore, stream: Stream, start: int, stop: int) -> None:
    """Store synthetic articles ``start`` … ``stop - 1`` in batches and link each through
    ``link_articles`` with the candidate search answered by :class:`_Prefill`."""
    versions: dict[str, list[str]] = {}
    linker = cast(Store, _Prefill(store, versions))  # a Store in all it is asked by link_articles
    began = time.perf_counter()
    firsts = range(start, stop, _PREFILL_BATCH)
    if firsts:
        stream.ask(min(_PREFILL_BATCH, stop - start))
    for first in firsts:
        made = {m[0].id: m for m in stream.take()}
        if first + _PREFILL_BATCH < stop:  # the next batch is made while this one is stored
            stream.ask(min(_PREFILL_BATCH, stop - first - _PREFILL_BATCH))
        versions.clear()
        versions.update((article_id, m[1]) for article_id, m in made.items())
        store.put_many([(m[0], RAW) for m in made.values()])
        with _fingerprints_known(made):
            for article_id in made:
                link_articles(linker, [article_id])
        done = first + len(made)
        if done % 50_000 == 0 or done == stop:
            print(
                f"  prefill {done:>9,} stored ({time.perf_counter() - began:.0f} s, RSS {_rss_mb():.0f} MB)",
                file=sys.stderr,
            )


def _table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {name: sorted(conn.execute(sql).fetchall()) for name, sql in _LINK_TABLES.items()}
    finally:
        conn.close()


def verify(workdir: Path, size: int) -> str:
    """Store ``size`` synthetic articles twice — linked one by one, and by :func:`prefill` — and compare
    the link tables row by row (sequence numbers are equal: same articles, same order)."""
    one_by_one, filled = workdir / "verify-linked.db", workdir / "verify-prefilled.db"
    corpus = Synthetic()
    with SqliteStore(one_by_one) as store:
        for n in range(size):
            article = corpus.article(n)
            store.put(article, RAW)
            link_articles(store, [article.id])
    stream = Stream()
    try:
        with SqliteStore(filled) as store:
            prefill(store, stream, 0, size)
    finally:
        stream.close()
    a, b = _table_rows(one_by_one), _table_rows(filled)
    differ = [name for name in _LINK_TABLES if a[name] != b[name]]
    counts = ", ".join(f"{name} {len(a[name]):,}" for name in _LINK_TABLES)
    verdict = "identical" if not differ else "DIFFERENT in " + ", ".join(differ)
    line = (
        f"Prefill check at {size:,} articles: the tables {', '.join(_LINK_TABLES)} of a prefilled store are"
        f" {verdict} to those of the same articles linked one by one ({counts} rows)."
    )
    print(line)
    return line


# --- replication: a big store from a prefilled one -----------------------------------------------------------

_ARTICLE_COPY = (
    "url, guid, source, title, author, language, published, published_precision, published_sort,"
    " content_hash, record, raw_sha256, first_seen, updated_at"
)
#: The tables that hold a row (or rows) per article and are copied or refilled for each replica.
_REPLICATED = (
    "articles",
    "article_words",
    "article_actors",
    "fingerprints",
    "link_keys",
    "links",
    "stories",
    "story_members",
    "related",
)


def _shift_time(value: str | None, days: int) -> str | None:
    """``value`` (an ISO time, ``2025-02-24T21:20:42+00:00`` or ``2025-02-24T21:20:42.000000Z``) ``days``
    later, in the same format."""
    if not value:
        return value
    moment = datetime.fromisoformat(value[:19]) + timedelta(days=days)
    return moment.isoformat() + value[19:]


def _replica_key(key: str, replica: int, days: int) -> str:
    """A link key of the copy (as :data:`_REPLICA_KEY` makes it in SQL): a ``day|actor`` key's day moved,
    a band (``b<n>:``) or address (``bo:``, ``bt:``) key's digest salted with the replica number."""
    if "|" in key:
        day, actor = key.split("|", 1)
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat() + "|" + actor
    return key.replace(":", f":r{replica}-", 1)


#: :func:`_replica_key` in SQL (parameters: the days, the replica's salt ``:r<r>-``).
_REPLICA_KEY = (
    "CASE WHEN instr(key, '|') > 0 THEN date(substr(key, 1, 10), ?1) || substr(key, 11)"
    " ELSE replace(key, ':', ?2) END"
)


def _replica_fingerprint(data: str, url: str | None, days: int) -> str:
    """A stored fingerprint as the copy's record gives it: publication time moved, address fields anew."""
    fp = json.loads(data)
    if fp["published"] is not None:
        fp["published"] += days * 86400.0
    site, path, numbers = url_keys(url)
    fp["site"], fp["path"], fp["url_numbers"] = site, path, sorted(numbers)
    return json.dumps(fp, ensure_ascii=False, allow_nan=False)


def _replica_url(url: str | None, replica: int) -> str | None:
    return url.replace("/news/", f"/news/r{replica}/", 1) if url else url


def _replica_articles(
    conn: sqlite3.Connection, last: int, replica: int, days: int
) -> Iterator[tuple[Any, ...]]:
    """The rows of the copies of articles 1 … ``last`` (as ``INSERT INTO articles`` takes them)."""
    rows = conn.execute(f"SELECT seq, id, {_ARTICLE_COPY} FROM articles WHERE seq <= ? ORDER BY seq", (last,))
    for seq, article_id, url, guid, *rest in rows.fetchall():
        source, title, author, language, published, precision, sort, _, record, raw, seen, updated = rest
        data = json.loads(record)
        new_id, new_url = f"{article_id}.r{replica}", _replica_url(url, replica)
        data["id"], data["url"] = new_id, new_url
        data["published"] = _shift_time(data.get("published"), days)
        hashed = {k: v for k, v in data.items() if k not in ("id", "guid")}
        content_hash = hashlib.sha256(
            json.dumps(hashed, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ).hexdigest()
        yield (
            seq + replica * last,
            new_id,
            new_url,
            guid,
            source,
            title,
            author,
            language,
            _shift_time(published, days),
            precision,
            _shift_time(sort, days),
            content_hash,
            json.dumps(data, ensure_ascii=False, allow_nan=False),
            raw,
            seen,
            updated,
        )


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _REPLICATED}


def replicate(path: Path, copies: int) -> tuple[int, int, dict[str, int]]:
    """Grow the store at ``path`` to ``copies`` times its articles with SQL: every article-related row is
    copied ``copies - 1`` times, replica r with sequence numbers + r × the last one, article ids
    ``<id>.r<r>``, addresses ``…/news/r<r>/…`` and every publication time (record, columns, fingerprint,
    ``day|actor`` keys, story times) moved r × the corpus's span in days; band and address keys are salted
    per replica, so no replica is a near-duplicate of another. The full-text, lemma, actor, event and
    source-count rows follow from the triggers (``article_words`` is copied), but not the full-text
    indexes (``articles_fts``, ``articles_lemma_fts``): their triggers are off during the copy, to save
    half its time, so the copies are not found by search (linking does not use it). Returns the span in days, the
    last sequence number of the original and its row counts."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -4000000")
        conn.execute("PRAGMA temp_store = MEMORY")
        last = int(conn.execute("SELECT max(seq) FROM articles").fetchone()[0])
        assert last == int(conn.execute("SELECT count(*) FROM articles").fetchone()[0]), "seq has gaps"
        first_day, last_day = conn.execute(
            "SELECT substr(min(published_sort), 1, 10), substr(max(published_sort), 1, 10) FROM articles"
        ).fetchone()
        span = (date.fromisoformat(last_day) - date.fromisoformat(first_day)).days + 1
        before = _counts(conn)
        conn.create_function("nw_time", 2, _shift_time, deterministic=True)
        conn.create_function("nw_fp", 3, _replica_fingerprint, deterministic=True)
        fts = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name IN ('articles_fts_insert', 'article_words_insert')"
        ).fetchall()
        for name, _ in fts:  # the copies are not indexed for full-text search (linking does not read it)
            conn.execute(f"DROP TRIGGER {name}")
        began = time.perf_counter()
        for r in range(1, copies):
            days, off, tag = r * span, r * last, f".r{r}"
            conn.execute("BEGIN")
            conn.executemany(
                f"INSERT INTO articles (seq, id, {_ARTICLE_COPY}) VALUES ({', '.join('?' * 16)})",
                _replica_articles(conn, last, r, days),
            )
            conn.execute(
                "INSERT INTO article_words (article_seq, lead, title_lemmas, text_lemmas)"
                " SELECT article_seq + ?, lead, title_lemmas, text_lemmas FROM article_words"
                " WHERE article_seq <= ?",
                (off, last),
            )
            conn.execute(
                "INSERT INTO fingerprints (article_seq, content_hash, evidence, data)"
                " SELECT f.article_seq + ?1, a.content_hash, f.evidence, nw_fp(f.data, a.url, ?2)"
                " FROM fingerprints AS f JOIN articles AS a ON a.seq = f.article_seq + ?1"
                " WHERE f.article_seq <= ?3",
                (off, days, last),
            )
            conn.execute(
                f"INSERT INTO link_keys (key, article_seq) SELECT {_REPLICA_KEY}, article_seq + ?3"
                " FROM link_keys WHERE article_seq <= ?4",
                (f"+{days} days", f":r{r}-", off, last),
            )
            for table, a, b in (("links", "a_seq", "b_seq"), ("related", "article_seq", "other_seq")):
                rest = "kind, score" if table == "links" else "score"
                conn.execute(
                    f"INSERT INTO {table} ({a}, {b}, {rest}) SELECT {a} + ?1, {b} + ?1, {rest} FROM {table}"
                    f" WHERE {a} <= ?2",
                    (off, last),
                )
            conn.execute(
                "INSERT INTO stories (id, representative_seq, first_seen, first_sort, sources, languages, size)"
                " SELECT id || ?1, representative_seq + ?2, nw_time(first_seen, ?3), nw_time(first_sort, ?3),"
                " sources, languages, size FROM stories WHERE representative_seq <= ?4",
                (tag, off, days, last),
            )
            conn.execute(
                "INSERT INTO story_members (article_seq, story_id) SELECT article_seq + ?, story_id || ?"
                " FROM story_members WHERE article_seq <= ?",
                (off, tag, last),
            )
            conn.execute("COMMIT")
            print(
                f"  replica {r} of {copies - 1} copied ({time.perf_counter() - began:.0f} s,"
                f" {_db_mb(path):,.0f} MB)",
                file=sys.stderr,
            )
        for _, sql in fts:
            conn.execute(sql)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return span, last, before


def check_replicas(path: Path, copies: int, span: int, last: int, before: dict[str, int]) -> str:
    """Assert the copy: every table ``copies`` times its rows; for a few copied articles, the stored
    fingerprint is ``fingerprint()`` of the stored record, the ``day|actor`` keys are ``evidence_keys`` of
    it and the band keys are its ``band_keys`` salted, and the story ids are ``story_id``'s."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        after = _counts(conn)
        for table, count in before.items():
            assert after[table] == copies * count, f"{table}: {after[table]} rows, not {copies} × {count}"
        rng = random.Random(7)
        sample = [rng.randrange(1, last + 1) + r * last for r in range(1, copies) for _ in range(3)]
        for seq in sample:
            r = (seq - 1) // last
            record, content_hash = conn.execute(
                "SELECT record, content_hash FROM articles WHERE seq = ?", (seq,)
            ).fetchone()
            article = Article.from_dict(json.loads(record))
            assert article.content_hash == content_hash, f"article {seq}: content hash"
            data, fp_hash = conn.execute(
                "SELECT data, content_hash FROM fingerprints WHERE article_seq = ?", (seq,)
            ).fetchone()
            fp = fingerprint(article)
            assert json.loads(data) == json.loads(json.dumps(fp.to_dict())), f"article {seq}: fingerprint"
            assert fp_hash == content_hash, f"article {seq}: fingerprint's content hash"
            keys = {k for (k,) in conn.execute("SELECT key FROM link_keys WHERE article_seq = ?", (seq,))}
            original = {
                k
                for (k,) in conn.execute("SELECT key FROM link_keys WHERE article_seq = ?", (seq - r * last,))
            }
            assert {k for k in keys if "|" in k} == set(evidence_keys(fp)), f"article {seq}: evidence keys"
            bands = {_replica_key(k, r, r * span) for k in band_keys(fp)}
            assert {k for k in keys if k.startswith("b") and k[1].isdigit()} == bands, (
                f"article {seq}: band keys"
            )
            assert keys == {_replica_key(k, r, r * span) for k in original}, f"article {seq}: keys"
            story = conn.execute(
                "SELECT m.story_id, a.id FROM story_members AS m JOIN stories AS s ON s.id = m.story_id"
                " JOIN articles AS a ON a.seq = s.representative_seq WHERE m.article_seq = ?",
                (seq,),
            ).fetchone()
            assert story is not None and story[0].endswith(f".r{r}"), f"article {seq}: story"
        return (
            f"Replication check: every table ({', '.join(_REPLICATED)}) has {copies} × its rows; for"
            f" {len(sample)} copied articles the stored fingerprint equals `fingerprint()` of the stored"
            " (moved) record, the day|actor keys equal its `evidence_keys`, the band keys its `band_keys`"
            " salted, and the article's story exists in its replica."
        )
    finally:
        conn.close()


def _percentiles(seconds: list[float]) -> tuple[str, str]:
    """p50 and p95 in milliseconds."""
    ms = sorted(1000 * t for t in seconds)
    return f"{statistics.median(ms):.1f}", f"{ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]:.1f}"


def _timed_block(store: SqliteStore, stream: Stream, path: Path, start: int, block: int) -> tuple[str, ...]:
    """Take ``block`` new articles, then store and link them one by one as ingest does (``put``, then
    ``link_articles``, which fingerprints each itself), each timed; the row of the results table."""
    stream.ask(block)
    made = stream.take()
    batch = [m[0] for m in made]
    versions = {m[0].id: set(m[1]) for m in made}
    walls: list[float] = []
    cpus: list[float] = []
    for article in batch:
        t0, c0 = time.perf_counter(), time.process_time()
        store.put(article, RAW)
        link_articles(store, [article.id])
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        pairs = conn.execute(
            "SELECT a.id, b.id FROM links AS l JOIN articles AS a ON a.seq = l.a_seq"
            " JOIN articles AS b ON b.seq = l.b_seq WHERE l.a_seq >= (SELECT seq FROM articles WHERE id = ?)"
            " OR l.b_seq >= (SELECT seq FROM articles WHERE id = ?)",
            (batch[0].id, batch[0].id),
        ).fetchall()
        stories = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    finally:
        conn.close()
    others = sum(1 for x, y in pairs if y not in versions.get(x, ()) and x not in versions.get(y, ()))
    return (
        f"{start:,}",
        f"{block / sum(walls):.0f}",
        f"{block / sum(cpus):.0f}",
        *_percentiles(walls),
        *_percentiles(cpus),
        f"{_peak_rss_mb():.0f}",
        f"{_db_mb(path):,.0f}",
        f"{stories:,}",
        f"{len(pairs)} ({others})",
    )


def _replicate_apart(base: Path, path: Path, copies: int, keep: Path | None) -> tuple[int, int, str]:
    """The store at ``path``: ``base`` copied and grown by :func:`replicate` (checked by
    :func:`check_replicas`) in a child process, so that the copy's page cache and records do not count in
    this process's peak RSS; or a grown store left in ``keep`` by an earlier run (moved, not copied: it is
    big). The span in days, the base's last sequence number, the check."""
    kept = keep / f"replicated-{copies}x-{base.name}" if keep is not None else None
    if kept is not None and kept.exists():
        span, last, checked = json.loads(kept.with_suffix(".json").read_text("utf-8"))
        _reuse(kept, path, move=True)
        return int(span), int(last), str(checked)
    ours, theirs = multiprocessing.Pipe()

    def child() -> None:
        _reuse(base, path)
        span, last, before = replicate(path, copies)
        theirs.send((span, last, check_replicas(path, copies, span, last, before)))

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join()
    if process.exitcode != 0 or not ours.poll():
        raise SystemExit(f"error: the replication failed (exit code {process.exitcode})")
    span, last, checked = ours.recv()
    return span, last, checked


def _reuse(kept: Path, path: Path, *, move: bool = False) -> None:
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)
    if move:
        kept.replace(path)
        for suffix in ("-wal", "-shm"):
            kept.with_name(kept.name + suffix).unlink(missing_ok=True)
    else:
        shutil.copyfile(kept, path)


def _keep(path: Path, kept: Path) -> None:
    source, target = sqlite3.connect(path), sqlite3.connect(kept)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def scale(
    workdir: Path, sizes: list[int], block: int, copies: int = 0, keep: Path | None = None
) -> tuple[list[str], str]:
    """For each size: prefill the store up to it (untimed; or take ``keep/prefill-<size>.db`` when there
    is one, and leave one there when not), then time ``block`` new articles. With ``copies``, the largest
    size is made instead by :func:`replicate` from the store as the previous size left it (which must be
    ``copies`` times smaller), and its block is dated in the last replica's span. The table, and the
    replication check."""
    rows: list[tuple[str, ...]] = []
    path = workdir / "scale.db"
    stored = 0
    checked = ""
    base = path
    sizes = sorted(set(sizes))
    grown = sizes.pop() if copies > 1 else 0
    if grown and (not sizes or grown != copies * sizes[-1]):
        raise SystemExit(
            f"error: --replicate {copies} needs the largest size to be {copies} × the one before"
        )
    stream = Stream()

    def measure(store: SqliteStore, count: int) -> None:
        row = _timed_block(store, stream, path, count, block)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print("  " + " | ".join(row) + f" (load average {load})", file=sys.stderr)
        rows.append((*row, f"{os.getloadavg()[0]:.1f}"))

    store = SqliteStore(path)
    try:
        for size in sizes:
            kept = keep / f"prefill-{size}.db" if keep is not None else None
            if size > stored and kept is not None and kept.exists():
                store.close()
                _reuse(kept, path)
                store = SqliteStore(path)
                stream.skip(size - stored)
                print(f"  prefill {size:>9,} taken from {kept}", file=sys.stderr)
            elif size > stored:
                prefill(store, stream, stored, size)
                if kept is not None:
                    _keep(path, kept)
            stored = max(stored, size)
            if grown and size == sizes[-1]:  # the base of the replicas: this store before its block
                base = kept if kept is not None else workdir / f"prefill-{size}.db"
                if not base.exists():
                    _keep(path, base)
            measure(store, stored)
            stored += block
        if grown:
            store.close()
            began = time.perf_counter()
            span, last, checked = _replicate_apart(base, path, copies, keep)
            print(
                f"  replicated ×{copies} in {time.perf_counter() - began:.0f} s; {checked}", file=sys.stderr
            )
            stream.move((copies - 1) * span)
            store = SqliteStore(path)
            measure(store, copies * last)
    finally:
        store.close()
        stream.close()
    table = markdown_table(
        (
            "stored articles",
            "articles/s (wall)",
            "articles/s (CPU)",
            "ms/article p50",
            "ms/article p95",
            "CPU ms/article p50",
            "CPU ms/article p95",
            "peak RSS MB",
            "db MB",
            "stories",
            "links made (not to versions)",
            "load avg (1 min)",
        ),
        rows,
    )
    return table, checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="", help="Store sizes for the scale run, e.g. 10000,100000.")
    parser.add_argument("--block", type=int, default=1000, help="Articles per timed block (scale run).")
    parser.add_argument(
        "--verify",
        type=int,
        default=0,
        help="Also check the prefill: this many articles prefilled and linked one by one, tables compared.",
    )
    parser.add_argument(
        "--replicate",
        type=int,
        default=0,
        help="Make the largest --scale size by copying the previous size's store this many times in all.",
    )
    parser.add_argument(
        "--keep", type=Path, help="Directory for prefilled stores (prefill-<size>.db), reused when present."
    )
    parser.add_argument(
        "--write", action="store_true", help="Replace this benchmark's section of RESULTS.md."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newswatch-linking-") as tmp:
        body, same_order = quality(Path(tmp))
        sections = [
            "## Linking (benchmarks/linking.py)",
            "",
            *run_header(
                " ".join(["python -m benchmarks.linking", *(argv if argv is not None else sys.argv[1:])]),
                ["newswatch", "datasketch", "rapidfuzz"],
            ),
            "",
            "Quality on `benchmarks/linking-eval` (67 invented en/hy/ru articles), each article understood,",
            "stored in SQLite and linked there one by one (`newswatch.linking.link_articles`):",
            "",
            *body,
        ]
        if args.scale:
            sizes = [int(s) for s in args.scale.split(",") if s.strip()]
            checked = verify(Path(tmp), args.verify) if args.verify else ""
            table, replicated = scale(Path(tmp), sizes, args.block, args.replicate, args.keep)
            for line in table:
                print(line)
            sections += [
                "",
                *SCALE_METHOD.format(block=args.block).splitlines(),
                *([checked] if checked else []),
                *([replicated] if replicated else []),
                "",
                *table,
            ]
    if args.write:
        update_results("linking", sections)
    return 0 if same_order else 1


if __name__ == "__main__":
    sys.exit(main())
