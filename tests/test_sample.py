"""The bundled sample corpus comes out as its manifest says: every article's title, date, language, links."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.ingest.urls import clean_url
from newswatch.model import Article, RawInput
from newswatch.pipeline import process
from newswatch.sample import sample_dir, sample_inputs, sample_reference_date

MANIFEST = json.loads((sample_dir() / "manifest.json").read_text(encoding="utf-8"))


def _articles(entry: dict[str, Any]) -> list[Article]:
    path = sample_dir() / entry["path"]
    reference = datetime.fromisoformat(entry.get("reference_date") or MANIFEST["reference_date"])
    return process(RawInput(data=path.read_bytes(), name=str(path), reference_date=reference))


def _expected_articles(entry: dict[str, Any]) -> list[dict[str, Any]]:
    if entry["kind"] != "feed":
        return [entry]
    return [item for item in entry["items"] if item.get("duplicate_of") is None]


def _compare(article: Article, expected: dict[str, Any]) -> None:
    assert article.title == expected["title"]
    assert article.language == expected["language"]
    assert article.published == expected["published"]
    assert article.published_precision == expected["published_precision"]
    if "author" in expected:
        assert article.author == expected["author"]
    if expected.get("url"):
        assert article.url == clean_url(expected["url"])
    if "translations" in expected:
        assert sorted((t.language, t.url) for t in article.translations) == sorted(
            (t["language"], t.get("url")) for t in expected["translations"]
        )
    if "related" in expected:
        assert [(r.title, r.url) for r in article.related] == [
            (r["title"], r.get("url")) for r in expected["related"]
        ]
    if expected.get("lead"):
        # The manifest's lead is the first paragraph as written, with any "CITY, date (Wire) —" lead-in,
        # which the extractor reads as the dateline and removes from the text.
        first = article.text.split("\n\n", 1)[0]
        assert len(first) > 0.6 * len(expected["lead"]) and expected["lead"].endswith(first)


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=[Path(f["path"]).name for f in MANIFEST["files"]])
def test_sample_file_matches_manifest(entry: dict[str, Any]) -> None:
    articles = _articles(entry)
    expected = _expected_articles(entry)
    assert len(articles) == len(expected)
    for article, item in zip(articles, expected, strict=True):
        _compare(article, item)


def test_manifest_lists_every_sample_file() -> None:
    listed = {str(sample_dir() / f["path"]) for f in MANIFEST["files"]}
    assert listed == set(sample_inputs())


def test_corpus_shape() -> None:
    articles = [a for entry in MANIFEST["files"] for a in _expected_articles(entry)]
    assert len(articles) >= 40
    assert {a["language"] for a in articles} >= {"en", "hy", "ru"}
    days = {a["published"][:10] for a in articles if a["published"]}
    assert len(days) >= 5
    assert sample_reference_date().isoformat() == MANIFEST["reference_date"]
