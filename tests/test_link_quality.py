"""Quality gate: linking on the labelled evaluation set (``benchmarks/linking-eval``), floors that only go up.

Labels: translation pairs (one outlet's versions of an article), duplicate pairs (the same story from
another outlet, in any language, or a re-run) and hard negatives (same actors, same days, other events).
A pair is predicted a translation when its translation score reaches the threshold, a duplicate when it
is not a translation and its duplicate or coverage score reaches its threshold.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

import pytest

from newswatch.link import (
    COVERAGE_THRESHOLD,
    DUPLICATE_THRESHOLD,
    TRANSLATION_THRESHOLD,
    build_stories,
    coverage_score,
    duplicate_score,
    fingerprint,
    translation_score,
)
from newswatch.link.stories import LinkKind, Pair
from newswatch.model import Article
from newswatch.understand import understand

KINDS: tuple[LinkKind, ...] = ("translation", "duplicate", "coverage")
EVAL = Path(__file__).resolve().parents[1] / "benchmarks" / "linking-eval"
Key = tuple[str, str]


def _key(a: str, b: str) -> Key:
    return (a, b) if a < b else (b, a)


@cache
def _data() -> tuple[
    dict[str, dict[str, object]], dict[Key, tuple[float, float, float]], dict[str, set[Key]], list[Article]
]:
    if not (EVAL / "articles.jsonl").is_file() or not (EVAL / "labels.json").is_file():
        pytest.skip("benchmarks/linking-eval is not there")
    records = [
        json.loads(line)
        for line in (EVAL / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((EVAL / "labels.json").read_text(encoding="utf-8"))
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
    fps = {a.id: fingerprint(a) for a in articles}
    scores = {}
    for a, b in itertools.combinations(articles, 2):
        fa, fb = fps[a.id], fps[b.id]
        scores[_key(a.id, b.id)] = (
            translation_score(a, b, fa, fb),
            duplicate_score(a, b, fa, fb),
            coverage_score(a, b, fa, fb),
        )
    truth = {
        name: {_key(*pair) for pair in labels[name]}
        for name in (
            "translation_pairs",
            "duplicate_pairs",
            "same_language_duplicate_pairs",
            "hard_negative_pairs",
        )
    }
    return {r["id"]: r for r in records}, scores, truth, articles


def _f1(predicted: set[Key], truth: set[Key]) -> float:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _translations() -> set[Key]:
    _, scores, _, _ = _data()
    return {k for k, (t, _, _) in scores.items() if t >= TRANSLATION_THRESHOLD}


def test_translation_f1() -> None:
    assert _f1(_translations(), _data()[2]["translation_pairs"]) >= 0.95  # measured 1.0


def test_duplicate_f1() -> None:
    _, scores, truth, _ = _data()
    translations = _translations()
    predicted = {
        k
        for k, (_, d, c) in scores.items()
        if k not in translations and (d >= DUPLICATE_THRESHOLD or c >= COVERAGE_THRESHOLD)
    }
    assert _f1(predicted, truth["duplicate_pairs"]) >= 0.9  # measured 0.92–0.94
    records = _data()[0]
    same_language = {k for k in predicted if records[k[0]]["language"] == records[k[1]]["language"]}
    assert _f1(same_language, truth["same_language_duplicate_pairs"]) >= 0.95  # measured 1.0


def test_stories_match_and_hard_negatives_stay_apart() -> None:
    records, scores, truth, articles = _data()
    pairs = [Pair(a, b, kind, value[i]) for (a, b), value in scores.items() for i, kind in enumerate(KINDS)]
    story_of = {i: s.id for s in build_stories(articles, pairs) for i in s.articles}
    together = {k for k in scores if story_of[k[0]] == story_of[k[1]]}
    same_story = {k for k in scores if records[k[0]]["story"] == records[k[1]]["story"]}
    assert _f1(together, same_story) >= 0.95  # measured 1.0
    assert not together & truth["hard_negative_pairs"]
    for key in truth["hard_negative_pairs"]:
        translation, duplicate, coverage = scores[key]
        assert (
            translation < TRANSLATION_THRESHOLD
            and duplicate < DUPLICATE_THRESHOLD
            and coverage < COVERAGE_THRESHOLD
        )
