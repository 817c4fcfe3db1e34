"""Serving: latency and throughput of ``newswatch serve`` over synthetic stores of 100 k and 1 M articles.

Data. For each size N a SQLite database is filled through the store's own writes (``SqliteStore.put_many``,
:data:`_BATCH` articles per transaction: the same rows, triggers, words and search index as ingest writes;
no NLP pipeline, no linking). The articles are built from the sample corpus, run once through the real
pipeline: each synthetic article takes a sample article of its language as a template (its text, actors,
quotes and events, so the article page has the real highlights to draw) and adds a title and a paragraph of
words drawn from that language's sample vocabulary with their sample frequencies (so words are real en/hy/ru
words, Zipf-distributed, and search finds frequent and rare ones). Three articles in a row are the en, ru and
hy versions of one item (same time, each naming the others' addresses), published over two years by 30
sources; each names two earlier articles of its source under "Read more". The links and stories tables stay
empty (versions are found from the addresses in the records, as for a publisher's "available in" links).

Serving. ``python -m newswatch serve --db … --port 0`` (the real command: uvicorn, one process) on loopback.
The load generator is this process: worker threads, each with its own keep-alive ``httpx.Client``. For each
endpoint: a warm-up, then a sequential pass (one worker: the latency of a request alone) and a concurrent pass
(``--concurrency`` workers: requests/s, and the latency under that load, queueing included). Latency is
the client's wall clock per request, response body read. Endpoints: the feed page ``/``, article pages
(random ids), the API list ``/api/v1/articles?language=hy``, and the API search ``/api/v1/search?q=…`` with a
frequent and a rare word of each language.

Run from the repository root:
``python -m benchmarks.serve [--sizes 100000,1000000] [--workdir DIR] [--seconds 10] [--write]``.
Databases are kept in ``--workdir`` and reused when they hold the right number of articles.
"""

from __future__ import annotations

import argparse
import collections
import os
import queue
import random
import re
import signal
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

RAW = RawInput(b"synthetic article (benchmarks/serve.py)", "benchmarks/serve.py")
_LANGUAGES = ("en", "ru", "hy")
_SOURCES = 30
#: Articles written per transaction.
_BATCH = 5000
_WORD = re.compile(r"\w{3,}")
_ADDRESS = re.compile(r"^serving (http://\S+/) \(Ctrl-C to stop\)$")


# --- data -------------------------------------------------------------------------------------------------


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


def ensure_db(workdir: Path, size: int, languages: dict[str, Language]) -> tuple[Path, float | None]:
    """The database of ``size`` articles in ``workdir``, built unless a complete one is there."""
    path = workdir / f"serve-{size}.db"
    done = path.with_name(path.name + ".complete")
    if path.exists() and done.exists():
        with SqliteStore(path) as store:
            if store.count() == size:
                return path, None
    done.unlink(missing_ok=True)
    seconds = build(path, size, languages)
    done.write_text(f"{size}\n", encoding="utf-8")
    return path, seconds


# --- serving and load -------------------------------------------------------------------------------------


@contextmanager
def served(db: Path) -> Iterator[str]:
    """``newswatch serve`` on a free loopback port; its base URL. Stopped with SIGINT afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "serve", "--db", str(db), "--port", "0"],
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


def endpoints(size: int, languages: dict[str, Language]) -> dict[str, Callable[[random.Random], str]]:
    """What is requested: a name for the table and a function giving the next path."""

    def article(rng: random.Random) -> str:
        return f"/articles/{Synthetic.article_id(rng.randrange(size))}"

    def search(kind: str) -> Callable[[random.Random], str]:
        words = [getattr(languages[code], kind) for code in _LANGUAGES]
        return lambda rng: f"/api/v1/search?q={rng.choice(words)}"

    return {
        "feed page `/`": lambda _rng: "/",
        "article page `/articles/{id}` (random)": article,
        "API list `/api/v1/articles?language=hy`": lambda _rng: "/api/v1/articles?language=hy",
        "API search, a frequent word": search("frequent"),
        "API search, a rare word": search("rare"),
    }


def measure(
    db: Path, size: int, languages: dict[str, Language], *, seconds: float, concurrency: int
) -> list[list[str]]:
    rows = []
    with served(db) as base:
        for name, paths in endpoints(size, languages).items():
            load(base, paths, workers=1, seconds=min(2.0, seconds))  # warm-up: caches, page cache
            alone = load(base, paths, workers=1, seconds=seconds)
            loaded = load(base, paths, workers=concurrency, seconds=seconds)
            print(
                f"  {size:,} {name}: p50 {alone.percentile(50):.1f} p95 {alone.percentile(95):.1f} ms alone; "
                f"{loaded.rate:.0f} req/s at {concurrency}",
                file=sys.stderr,
            )
            rows.append(
                [
                    f"{size:,}",
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
    load_before = ""
    for size in sizes:
        db, took = ensure_db(workdir, size, languages)
        built = f"built in {took:,.0f} s ({size / took:,.0f} articles/s)" if took else "reused"
        builds.append(f"{size:,} articles: {_db_mb(db):,.0f} MB, {built}")
        if not args.build_only:
            load_before += f"{'; ' if load_before else ''}{size:,}: " + " ".join(
                f"{x:.1f}" for x in os.getloadavg()
            )
            rows += measure(db, size, languages, seconds=args.seconds, concurrency=args.concurrency)
    if args.build_only:
        print("\n".join(builds))
        return 0
    words = ", ".join(f"{c}: {languages[c].frequent!r} / {languages[c].rare!r}" for c in _LANGUAGES)
    lines = [
        "## Serving (benchmarks/serve.py)",
        "",
        *run_header(
            f"python -m benchmarks.serve --sizes {args.sizes} --seconds {args.seconds:g} "
            f"--concurrency {args.concurrency}",
            ["uvicorn", "starlette", "httpx"],
        ),
        "",
        "Synthetic stores filled through `SqliteStore.put_many` (see the module docstring); "
        + "; ".join(builds)
        + ". Served by `newswatch serve` (uvicorn, one process) on loopback; the load generator (httpx "
        "threads) runs on the same 2 cores. *Alone*: one request at a time; *loaded*: "
        f"{args.concurrency} concurrent keep-alive clients (latency includes queueing). Each pass "
        f"{args.seconds:g} s after a warm-up. Search words (frequent / rare): {words}. "
        f"Load average when the measurement began: {load_before}.",
        "",
        *markdown_table(
            [
                "articles",
                "endpoint",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "req/s",
                "loaded p50",
                "loaded p95",
                "loaded p99",
                "loaded req/s",
                "non-200",
            ],
            rows,
        ),
    ]
    print("\n".join(lines))
    if args.write:
        update_results("serve", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
