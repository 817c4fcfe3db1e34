"""What the lists of every backend share: page sizes, the lead, the cursor's encoding, the bounds of a
date filter, search snippets marked by lemma, and an article summary from its row.

A summary row is ``id, title, url, source, language, published, text-or-lead, from_record, story_id``
(the backends select it in that order); a cursor is the url-safe base64 of a JSON list whose first item
names the list it belongs to, so a cursor of one list is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from newswatch.errors import QueryError
from newswatch.store.base import MARK_END, MARK_START, EventQuery, sort_key, utc_text
from newswatch.store.queries import ArticleSummary
from newswatch.understand.lemmas import fold, lemma, words

__all__ = [
    "LEAD_CHARS",
    "MAX_PAGE",
    "SEARCH_CANDIDATES",
    "SNIPPET_WORDS",
    "check_page_limit",
    "decode_cursor",
    "encode_cursor",
    "event_where",
    "feed_language",
    "lead",
    "snippet",
    "summary_row",
    "until_bound",
]

LEAD_CHARS = 300  # the lead: at most this many characters of the text, cut at a word
SNIPPET_WORDS = 24  # words in a search snippet
_SNIPPET_BEFORE = 6  # words of context before the first match
MAX_PAGE = 500  # a page is at most this long
#: Search ranks the most recently stored matches, at most this many (so a frequent word costs no more).
SEARCH_CANDIDATES = 2000

_LANGUAGE = re.compile(r"[a-z]{2,3}")
_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def lead(text: str) -> str:
    """The first :data:`LEAD_CHARS` characters of ``text`` (whitespace runs made one space), cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= LEAD_CHARS:
        return flat
    cut = flat[: LEAD_CHARS + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > LEAD_CHARS // 2 else cut[:LEAD_CHARS]).rstrip(" ,;:—–-") + "…"


def check_page_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_PAGE}, not {limit!r}")
    return limit


def until_bound(until: str | None) -> tuple[str, str] | None:
    """The upper bound of an ``until`` filter: ``("<", key)`` for a date (the whole day, month or year
    kept) or ``("<=", key)`` for a datetime; QueryError when it is neither."""
    if until is None:
        return None
    text = until.strip()
    try:
        if _DAY.fullmatch(text):
            return "<", utc_text(_midnight(date.fromisoformat(text) + timedelta(days=1)))
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            days = calendar.monthrange(year, month)[1]
            return "<", utc_text(_midnight(date(year, month, 1) + timedelta(days=days)))
        if _YEAR.fullmatch(text):
            return "<", utc_text(_midnight(date(int(text) + 1, 1, 1)))
    except (ValueError, OverflowError):
        pass
    key = sort_key(text)
    if key is None:
        raise QueryError(f"until: not an ISO 8601 date or datetime: {until!r}")
    return "<=", key


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def feed_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower()
    if not _LANGUAGE.fullmatch(code):
        raise QueryError(f"language must be an ISO 639-1 code such as 'en', not {language!r}")
    return code


def encode_cursor(*parts: Any) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str) -> list[Any]:
    bad = QueryError("this page address is not one newswatch gave (start again from the first page)")
    if not isinstance(cursor, str) or not cursor or len(cursor) > 400:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise bad from None
    if not isinstance(parts, list) or not parts or parts[0] != kind:
        raise bad
    return parts[1:]


def summary_row(row: Sequence[Any], snippet: str | None = None, rank: float | None = None) -> ArticleSummary:
    article_id, title, url, source, language, published, text, from_record, story = row[:9]
    return ArticleSummary(
        id=article_id,
        title=title,
        url=url,
        source=source,
        language=language,
        published=published,
        lead=lead(text or "") if from_record else (text or ""),
        story=story,
        snippet=snippet,
        rank=rank,
    )


def _marked(body: str, language: str | None, targets: set[str], whole: bool) -> str | None:
    """``body`` (or, unless ``whole``, a window of it around its first match) with every matched word
    between the marks; None when no word matches."""
    tokens = list(words(body))
    hits: set[int] = set()
    first: int | None = None
    end = len(tokens)
    for index, token in enumerate(tokens):
        if index >= end:
            break
        if fold(lemma(token.group(), language)) in targets:
            hits.add(index)
            if first is None:
                first = index
                if not whole:
                    end = min(len(tokens), max(0, index - _SNIPPET_BEFORE) + SNIPPET_WORDS)
    if first is None:
        return None
    start = 0 if whole else max(0, first - _SNIPPET_BEFORE)
    begin = 0 if whole else tokens[start].start()
    stop = len(body) if whole else tokens[end - 1].end()
    pieces: list[str] = ["…" if begin > 0 else ""]
    position = begin
    for index in sorted(hits):
        token = tokens[index]
        pieces += [body[position : token.start()], MARK_START, token.group(), MARK_END]
        position = token.end()
    pieces += [body[position:stop], "…" if stop < len(body) else ""]
    return " ".join("".join(pieces).split())


def snippet(title: str | None, text: str, language: str | None, targets: set[str]) -> str:
    found = _marked(text, language, targets, whole=False)
    if found is None:
        found = _marked(title or "", language, targets, whole=True)
    return found if found is not None else lead(text)


def event_where(query: EventQuery, *, mark: str, not_negated: str) -> tuple[str, list[Any]]:
    """The WHERE clause (with its leading `` WHERE ``, or empty) and parameters of an event list over
    ``events AS e``; ``mark`` is the backend's placeholder (``?``, ``%s``) and ``not_negated`` its test
    for an event that happened. An actor stands for itself and for the people and bodies the article ties
    to it (its country)."""
    clauses: list[str] = []
    params: list[Any] = []
    source = f"(e.source = {mark} OR e.source_country = {mark})"
    target = f"(e.target = {mark} OR e.target_country = {mark})"
    if query.actor:
        clauses.append(f"({source} OR {target})")
        params += [query.actor] * 4
    if query.pair:
        a, b = query.pair
        clauses.append(f"(({source} AND {target}) OR ({source} AND {target}))")
        params += [a, a, b, b, b, b, a, a]
    if not query.negated:
        clauses.append(not_negated)
    if query.type:
        clauses.append(f"e.type = {mark}")
        params.append(query.type.upper())
    if query.since:
        clauses.append(f"e.date >= {mark}")
        params.append(query.since[:10])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
