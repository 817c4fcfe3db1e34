"""Fixtures carry their expectations: every input under ``tests/fixtures/{text,html,feed,bad}`` sits beside a
hand-written ``NAME.expected.json`` listing what a correct extractor must produce. The expectations were
written with the inputs, not generated from our output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.errors import NewswatchError
from newswatch.ingest.urls import clean_url
from newswatch.model import Article, RawInput
from newswatch.pipeline import process

ROOT = Path(__file__).parent / "fixtures"
#: Without a stated reference, year-less datelines resolve against the end of the fixtures' period.
DEFAULT_REFERENCE = datetime(2026, 3, 31, tzinfo=UTC)


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(path, id=path.name.removesuffix(".expected.json"))
        for path in sorted((ROOT / kind).glob("*.expected.json"))
    ]


def _reference(expected: dict[str, Any]) -> datetime:
    value = expected.get("reference_date")
    if not value:
        return DEFAULT_REFERENCE
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _run(expected_path: Path) -> tuple[dict[str, Any], list[Article]]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    source = expected_path.parent / expected["input"]
    raw = RawInput(data=source.read_bytes(), name=str(source), reference_date=_reference(expected))
    return expected, process(raw)


def _check(article: Article, expected: dict[str, Any]) -> None:
    for field in ("title", "language", "published", "published_precision", "author"):
        if field in expected:
            assert getattr(article, field) == expected[field], field
    if expected.get("canonical_url"):
        assert article.url == clean_url(expected["canonical_url"])
    if expected.get("url"):
        assert article.url == clean_url(expected["url"])
    if "translations" in expected:
        want = sorted((t["language"], t.get("url", "*")) for t in expected["translations"])
        got = sorted(
            (t.language, t.url if "*" not in (w[1] for w in want) else "*") for t in article.translations
        )
        assert got == want, "translations"
    if "related" in expected:
        assert [(r.title, r.url) for r in article.related] == [
            (r["title"], r.get("url")) for r in expected["related"]
        ]
    for snippet in expected.get("text_must_contain", []):
        assert snippet in article.text, snippet
    for snippet in expected.get("text_must_not_contain", []):
        assert snippet not in article.text, snippet


@pytest.mark.parametrize("expected_path", _cases("text") + _cases("html"))
def test_article_fixture(expected_path: Path) -> None:
    expected, articles = _run(expected_path)
    (article,) = articles
    _check(article, expected)


@pytest.mark.parametrize("expected_path", _cases("feed"))
def test_feed_fixture(expected_path: Path) -> None:
    expected, articles = _run(expected_path)
    assert len(articles) == len(expected["items"])
    for article, item in zip(articles, expected["items"], strict=True):
        if "guid" in item:
            assert article.guid == item["guid"]
        _check(article, item)


@pytest.mark.parametrize("expected_path", _cases("bad"))
def test_bad_fixture(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    if expected["outcome"] == "error":
        with pytest.raises(NewswatchError) as caught:
            _run(expected_path)
        message = str(caught.value)
        assert message and "\n" not in message
        for snippet in expected.get("output_must_not_contain", []):
            assert snippet not in message
        return
    _expected, articles = _run(expected_path)
    (article,) = articles
    _check(article, expected)
    output = article.to_json()
    for snippet in expected.get("output_must_not_contain", []):
        assert snippet not in output, snippet
