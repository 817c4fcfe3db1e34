"""Linking benchmark: quality on ``benchmarks/linking-eval`` and cost per article as the store grows.

Quality: every labelled article is understood (``newswatch.understand.understand`` on a record built from
its fields, as the quality test does), stored in a real SQLite store and linked there one by one with
``newswatch.linking.link_articles`` — the same store lookups, caps and scores as ``newswatch ingest``.
Pairs are then read back: translation links from the store's ``links`` table, stories from
``Store.stories()``. The articles are linked in file order and in reverse; the stories must be equal.

Scale (``--scale 10000,100000``): synthetic articles (see :class:`Synthetic`) stored and linked one by one
into a fresh file database.
For each block the linking rate (articles/s, store put included) and the resident memory are recorded.

Run from the repository root: ``python -m benchmarks.linking [--scale 10000,100000] [--write]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, markdown_table, run_header, update_results

from newswatch.linking import link_articles
from newswatch.model import Actor, Article, Mention, RawInput
from newswatch.store import SqliteStore

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


def _rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class Synthetic:
    """Reproducible synthetic articles: random text with a few numbers, actors from a small hot set (one of
    ten countries in most articles, ``actor-0`` in half of them) plus two to four from a long tail,
    publication times over a year, and one article in ten a light rewrite of a recent one."""

    def __init__(self, seed: int = 20261129) -> None:
        self.rng = random.Random(seed)
        self.vocab = [f"w{n}" for n in range(20_000)]
        self.hot = [f"actor-{n}" for n in range(10)]
        self.hot_weights = [10.0, *[1.0] * 9]  # actor-0 in about half the articles that have a hot one
        self.tail = [f"actor-{n}" for n in range(10, 3_000)]
        self.start = datetime(2025, 1, 1, tzinfo=UTC)
        self.recent: list[Article] = []

    def _actors(self) -> list[str]:
        rng = self.rng
        ids = set(rng.sample(self.tail, rng.randint(2, 4)))
        if rng.random() < 0.8:
            ids.add(rng.choices(self.hot, self.hot_weights)[0])
        return sorted(ids)

    def article(self, n: int) -> Article:
        rng = self.rng
        if self.recent and rng.random() < 0.1:
            original = rng.choice(self.recent)
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
            moment = self.start + timedelta(seconds=rng.randrange(365 * 86400))
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
        self.recent = [*self.recent, article][-2000:]
        return article


def scale(workdir: Path, sizes: list[int], block: int) -> list[str]:
    corpus = Synthetic()
    target = max(sizes)
    checkpoints = sorted(set(sizes))
    rows: list[tuple[object, ...]] = []
    path = workdir / "scale.db"
    started = time.perf_counter()
    with SqliteStore(path) as store:
        n = 0
        while n < target:
            batch = [corpus.article(n + i) for i in range(min(block, target - n))]
            t0 = time.perf_counter()
            for article in batch:
                store.put(article, RAW)
                link_articles(store, [article.id])
            elapsed = time.perf_counter() - t0
            n += len(batch)
            if n in checkpoints or n % (block * 10) == 0:
                size_mb = path.stat().st_size / 2**20
                print(
                    f"{n:>9,} stored: {len(batch) / elapsed:7.1f} articles/s over the last {len(batch):,},"
                    f" RSS {_rss_mb():6.0f} MB, file {size_mb:7.0f} MB ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                )
            if n in checkpoints:
                stories = sum(1 for _ in store.stories())
                rows.append(
                    (
                        f"{n:,}",
                        f"{len(batch) / elapsed:.0f}",
                        f"{1000 * elapsed / len(batch):.1f}",
                        f"{_rss_mb():.0f}",
                        f"{path.stat().st_size / 2**20:.0f}",
                        f"{stories:,}",
                    )
                )
    return markdown_table(
        ("stored articles", f"articles/s (last {block:,})", "ms/article", "RSS MB", "db MB", "stories"), rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="", help="Store sizes for the scale run, e.g. 10000,100000.")
    parser.add_argument("--block", type=int, default=1000, help="Articles per timed block (scale run).")
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
            table = scale(Path(tmp), sizes, args.block)
            for line in table:
                print(line)
            sections += [
                "",
                "Scale: synthetic articles stored and linked one by one into one file database; the rate is",
                f"over the last block of {args.block:,} before each size (put and linking), RSS at that point.",
                "",
                *table,
            ]
    if args.write:
        update_results("linking", sections)
    return 0 if same_order else 1


if __name__ == "__main__":
    sys.exit(main())
