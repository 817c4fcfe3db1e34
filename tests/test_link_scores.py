"""Pairwise scores: near-duplicates, language versions and same-event coverage.

Own-written en/ru/hy versions of one report, an English rewrite by another outlet and a same-day report
about the same two countries (a hard negative) go through the real pipeline; the sample corpus's
``story`` keys are the first check of precision and recall.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from datetime import datetime
from functools import cache
from typing import Any

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
from newswatch.link.fingerprint import Fingerprint
from newswatch.link.scores import translation_evidence
from newswatch.link.stories import Pair
from newswatch.model import Article, RawInput, Translation
from newswatch.pipeline import process
from newswatch.sample import sample_dir

EN_TEXT = """Armenian Foreign Minister Ararat Mirzoyan and his Azerbaijani counterpart Jeyhun Bayramov met in Vienna on Tuesday and agreed to exchange lists of 32 missing persons before the end of April.

"We have taken a practical step that matters to many families," Mirzoyan told journalists after the talks, which lasted about four hours.

Bayramov said the sides would also set up a working group on the demarcation of 1,250 kilometres of border. The next round is planned for 14 April in Vienna.

The meeting was hosted by the OSCE, whose representative welcomed the agreement."""
RU_TEXT = """Министр иностранных дел Армении Арарат Мирзоян и его азербайджанский коллега Джейхун Байрамов встретились во вторник в Вене и договорились до конца апреля обменяться списками 32 пропавших без вести.

«Мы сделали практический шаг, который важен для многих семей», — сказал Мирзоян журналистам после переговоров, продлившихся около четырёх часов.

По словам Байрамова, стороны также создадут рабочую группу по демаркации 1 250 километров границы. Следующий раунд запланирован на 14 апреля в Вене.

Встречу организовала ОБСЕ, представитель которой приветствовал договорённость."""
HY_TEXT = """Հայաստանի արտաքին գործերի նախարար Արարատ Միրզոյանը և նրա ադրբեջանցի գործընկեր Ջեյհուն Բայրամովը երեքշաբթի օրը հանդիպել են Վիեննայում և պայմանավորվել մինչև ապրիլի վերջ փոխանակել 32 անհետ կորածների ցուցակները։

«Մենք գործնական քայլ ենք արել, որը կարևոր է շատ ընտանիքների համար»,- բանակցություններից հետո լրագրողներին ասել է Միրզոյանը։ Բանակցությունները տևել են մոտ չորս ժամ։

Բայրամովի խոսքով՝ կողմերը նաև կստեղծեն սահմանի 1250 կիլոմետրի սահմանագծման աշխատանքային խումբ։ Հաջորդ փուլը նախատեսված է ապրիլի 14-ին Վիեննայում։

Հանդիպումը կազմակերպել էր ԵԱՀԿ-ն, որի ներկայացուցիչը ողջունել է համաձայնությունը։"""
REWRITE_TEXT = """Armenia's Foreign Minister Ararat Mirzoyan and Azerbaijani counterpart Jeyhun Bayramov met in Vienna on Tuesday and agreed to swap lists of 32 missing persons before the end of April.

"We have taken a practical step that matters to many families," Mirzoyan told reporters after the talks, which lasted around four hours.

Bayramov said the two sides would also establish a working group on the demarcation of 1,250 kilometres of the border. The next round is scheduled for 14 April in Vienna.

The OSCE hosted the meeting, and its representative welcomed the agreement."""
NEGATIVE_TEXT = """Azerbaijan's Defence Ministry accused Armenian units on Tuesday of firing at Azerbaijani positions near the village of Sadarak in the Nakhchivan direction overnight.

"The provocation was stopped by retaliatory measures," the ministry said in a statement, adding that no one was hurt.

Armenia's Defence Ministry rejected the claim as false and said its units had not opened fire. It invited the EU Mission in Armenia to visit the area.

Foreign ministers Ararat Mirzoyan and Jeyhun Bayramov were meeting in Vienna at the time."""

VERSIONS = {
    "en": (
        "Mirzoyan and Bayramov agree to exchange lists of missing persons",
        EN_TEXT,
        "2026-03-10T14:00:00+00:00",
    ),
    "ru": (
        "Мирзоян и Байрамов договорились обменяться списками пропавших",
        RU_TEXT,
        "2026-03-10T15:30:00+03:00",
    ),
    "hy": (
        "Միրզոյանը և Բայրամովը պայմանավորվել են փոխանակել անհետ կորածների ցուցակները",
        HY_TEXT,
        "2026-03-10T18:00:00+04:00",
    ),
    "rewrite": (
        "Mirzoyan, Bayramov agree to swap lists of missing persons",
        REWRITE_TEXT,
        "2026-03-10T16:10:00+00:00",
    ),
    "negative": (
        "Baku accuses Armenian units of firing near Sadarak",
        NEGATIVE_TEXT,
        "2026-03-10T09:00:00+00:00",
    ),
}


@cache
def _processed(key: str) -> tuple[Article, Fingerprint]:
    title, text, published = VERSIONS[key]
    article = process(RawInput(data=f"{title}\n\n{text}".encode(), name=key))[0]
    article = dataclasses.replace(article, published=published)
    return article, fingerprint(article)


def _scores(x: str, y: str) -> tuple[float, float, float]:
    (a, fa), (b, fb) = _processed(x), _processed(y)
    return duplicate_score(a, b, fa, fb), translation_score(a, b, fa, fb), coverage_score(a, b, fa, fb)


def test_the_pipeline_reads_the_snippets() -> None:
    for key in ("en", "ru", "hy"):
        article, fp = _processed(key)
        assert article.language == key
        assert {"ararat-mirzoyan", "jeyhun-bayramov", "vienna"} <= fp.actors
        assert fp.numbers == {"32", "1250"}
        assert fp.dates == {"03-10", "04-14"}


@pytest.mark.parametrize(("x", "y"), [("en", "ru"), ("en", "hy"), ("ru", "hy"), ("hy", "rewrite")])
def test_language_versions_are_linked(x: str, y: str) -> None:
    duplicate, translation, _ = _scores(x, y)
    assert translation >= TRANSLATION_THRESHOLD + 0.2
    assert duplicate < 0.05  # different languages share no shingles
    assert _scores(y, x)[1] == pytest.approx(translation)  # symmetric


def test_a_rewrite_is_a_duplicate() -> None:
    duplicate, translation, coverage = _scores("en", "rewrite")
    assert duplicate >= DUPLICATE_THRESHOLD + 0.2
    assert translation == 0.0  # same language: not a language version
    assert coverage >= COVERAGE_THRESHOLD


def test_an_identical_copy_scores_one() -> None:
    (a, fa) = _processed("en")
    copy = dataclasses.replace(a, id="copy", url="https://other.example/copy")
    assert duplicate_score(a, copy, fa, fingerprint(copy)) == pytest.approx(1.0)


@pytest.mark.parametrize("other", ["en", "ru", "hy", "rewrite"])
def test_same_actors_same_day_different_event_stay_apart(other: str) -> None:
    duplicate, translation, coverage = _scores("negative", other)
    assert duplicate < DUPLICATE_THRESHOLD / 2
    assert translation < TRANSLATION_THRESHOLD - 0.15
    assert coverage < COVERAGE_THRESHOLD


def test_versions_too_far_apart_in_time_are_not_linked() -> None:
    (a, _), (b, _) = _processed("en"), _processed("ru")
    later = dataclasses.replace(b, published="2026-03-13T12:00:00+00:00")
    assert translation_score(a, later, fingerprint(a), fingerprint(later)) == 0.0
    assert coverage_score(a, later, fingerprint(a), fingerprint(later)) == 0.0


def test_an_explicit_link_is_certain() -> None:
    (a, fa), (b, fb) = _processed("en"), _processed("negative")
    b = dataclasses.replace(b, url="https://example.com/ru/1")
    linked = dataclasses.replace(a, translations=(Translation("ru", url="https://example.com/ru/1"),))
    assert translation_score(linked, b, fingerprint(linked), fb) == 1.0
    assert translation_score(a, b, fa, fb) < TRANSLATION_THRESHOLD


def test_evidence_is_explained() -> None:
    (_, fa), (_, fb) = _processed("en"), _processed("ru")
    evidence = {e.name: e.value for e in translation_evidence(fa, fb)}
    assert evidence["actors"] == 1.0 and evidence["numbers"] == 1.0 and evidence["dates"] == 1.0
    assert "url" not in evidence  # neither has an address: no evidence either way
    assert all(0.0 <= value <= 1.0 for value in evidence.values())


# --- the sample corpus: a first check of precision and recall ---------------------------------------------

MANIFEST = json.loads((sample_dir() / "manifest.json").read_text(encoding="utf-8"))


@cache
def _sample() -> tuple[tuple[Article, str, str], ...]:
    """Every sample article with its story key and outlet, explicit language links removed (so that the
    implicit evidence is what is measured)."""
    found = []
    for entry in MANIFEST["files"]:
        path = sample_dir() / entry["path"]
        reference = datetime.fromisoformat(entry.get("reference_date") or MANIFEST["reference_date"])
        articles = process(RawInput(data=path.read_bytes(), name=str(path), reference_date=reference))
        items: list[dict[str, Any]] = [entry] if entry["kind"] != "feed" else entry["items"]
        items = [item for item in items if item.get("duplicate_of") is None]
        assert len(items) == len(articles)
        for article, item in zip(articles, items, strict=True):
            found.append((dataclasses.replace(article, translations=()), item["story"], entry["outlet"]))
    return tuple(found)


def _prf(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(predicted & truth)
    return (hits / len(predicted) if predicted else 1.0), (hits / len(truth) if truth else 1.0)


def test_sample_language_versions() -> None:
    """Pairs in two languages from one outlet about one story are its language versions."""
    sample = _sample()
    fps = {a.id: fingerprint(a) for a, _, _ in sample}
    truth, predicted = set(), set()
    for (a, story_a, outlet_a), (b, story_b, outlet_b) in itertools.combinations(sample, 2):
        if a.language == b.language:
            continue
        if (story_a, outlet_a) == (story_b, outlet_b):
            truth.add((a.id, b.id))
        if translation_score(a, b, fps[a.id], fps[b.id]) >= TRANSLATION_THRESHOLD:
            predicted.add((a.id, b.id))
    precision, recall = _prf(predicted, truth)
    assert len(truth) >= 20
    assert recall >= 0.95
    assert precision >= 0.75  # the misses are other outlets' reports of the same story, in another language


def test_sample_stories() -> None:
    """All links together group the sample as its story keys do; hard negatives stay apart."""
    sample = _sample()
    fps = {a.id: fingerprint(a) for a, _, _ in sample}
    pairs = []
    for (a, _, _), (b, _, _) in itertools.combinations(sample, 2):
        fa, fb = fps[a.id], fps[b.id]
        pairs.append(Pair(a.id, b.id, "translation", translation_score(a, b, fa, fb)))
        pairs.append(Pair(a.id, b.id, "duplicate", duplicate_score(a, b, fa, fb)))
        pairs.append(Pair(a.id, b.id, "coverage", coverage_score(a, b, fa, fb)))
    stories = build_stories([a for a, _, _ in sample], pairs)
    story_of = {article_id: story.id for story in stories for article_id in story.articles}
    truth, predicted = set(), set()
    for (a, story_a, _), (b, story_b, _) in itertools.combinations(sample, 2):
        if story_a == story_b:
            truth.add((a.id, b.id))
        if story_of[a.id] == story_of[b.id]:
            predicted.add((a.id, b.id))
    precision, recall = _prf(predicted, truth)
    assert precision == 1.0  # no hard negative joins a story
    assert recall >= 0.9


def _link(a: Article, b: Article) -> list[Pair]:
    fa, fb = fingerprint(a), fingerprint(b)
    return [
        Pair(a.id, b.id, "translation", translation_score(a, b, fa, fb)),
        Pair(a.id, b.id, "duplicate", duplicate_score(a, b, fa, fb)),
        Pair(a.id, b.id, "coverage", coverage_score(a, b, fa, fb)),
    ]


def test_arrival_order_gives_the_same_stories() -> None:
    """Articles arriving one by one, each scored against those already there, end in the same stories."""
    articles = [_processed(key)[0] for key in VERSIONS]
    expected = None
    for seed in range(6):
        order = articles[:]
        random.Random(seed).shuffle(order)
        pairs = [pair for i, new in enumerate(order) for old in order[:i] for pair in _link(new, old)]
        stories = [story.articles for story in build_stories(order, pairs)]
        expected = expected or stories
        assert stories == expected
    negative = _processed("negative")[0].id
    assert expected is not None and sorted(len(s) for s in expected) == [1, 4]
    assert (negative,) in expected
