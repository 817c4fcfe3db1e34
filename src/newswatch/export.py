"""Exports of stored articles: JSON Lines (the full record) and CSV (one flat row per article)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from newswatch.model import Article

__all__ = ["CSV_COLUMNS", "write_csv", "write_jsonl"]

CSV_COLUMNS = (
    "id", "published", "published_precision", "language", "source", "url", "title", "author",
    "translations", "related", "text",
)  # fmt: skip


def write_jsonl(articles: Iterable[Article], out: TextIO) -> int:
    """One article record per line; returns how many were written."""
    count = 0
    for article in articles:
        out.write(article.to_json() + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[Article], out: TextIO) -> int:
    """A header and one row per article.

    Translations are ``lang url`` pairs and related titles, both joined by `` | ``.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for article in articles:
        writer.writerow(
            [
                article.id,
                article.published or "",
                article.published_precision or "",
                article.language or "",
                article.source or "",
                article.url or "",
                article.title or "",
                article.author or "",
                " | ".join(f"{t.language} {t.url or ''}".strip() for t in article.translations),
                " | ".join(link.title for link in article.related),
                article.text,
            ]
        )
        count += 1
    return count
