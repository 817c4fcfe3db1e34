"""The filters and paging every list view, API list and Atom feed accepts, read from a query string.

``language``, ``source``, ``actor``, ``type`` (PLOVER event type), ``since`` and ``until`` (ISO dates),
``cursor`` and ``limit``. A value that cannot be used is a :class:`~newswatch.errors.QueryError` with a
message fit to show the user; empty values mean "no filter" (a form submitted with blank fields).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from newswatch.errors import QueryError
from newswatch.store.base import sort_key
from newswatch.store.queries import ArticleQuery

__all__ = ["FILTER_NAMES", "MAX_LIMIT", "ListRequest", "parse_list_request", "query_string"]

FILTER_NAMES = ("language", "source", "actor", "type", "since", "until")
MAX_LIMIT = 100
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_SOURCE = re.compile(r"[A-Za-z0-9.-]{1,253}(:\d{1,5})?")
_CURSOR = re.compile(r"[A-Za-z0-9_=-]{1,400}")


@dataclass(frozen=True, slots=True)
class ListRequest:
    """A list view's filters, the cursor of the page asked for, and the page size."""

    query: ArticleQuery
    cursor: str | None
    limit: int
    text: str | None = None  # the search words (search views only)


def _value(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _date(params: Mapping[str, str], name: str) -> str | None:
    value = _value(params, name)
    if value is not None and (len(value) > 40 or sort_key(value) is None or not value[:4].isdigit()):
        raise QueryError(f"{name}: not a date like 2026-03-04: {value[:40]!r}")
    return value


def _checked(params: Mapping[str, str], name: str, pattern: re.Pattern[str], what: str) -> str | None:
    value = _value(params, name)
    if value is not None and not pattern.fullmatch(value):
        raise QueryError(f"{name}: not {what}: {value[:40]!r}")
    return value


def parse_list_request(
    params: Mapping[str, str], *, default_limit: int = 50, search: bool = False
) -> ListRequest:
    """The list request a query string asks for; ``QueryError`` for a value that cannot be used."""
    from newswatch.understand.event_lexicon import event_types

    event_type = _value(params, "type")
    if event_type is not None:
        if event_type.upper() not in event_types():
            known = ", ".join(sorted(event_types()))
            raise QueryError(f"type: {event_type[:40]!r} is not an event type; one of {known}")
        event_type = event_type.upper()
    language = _value(params, "language")
    if language is not None:
        language = language.lower()
        if not _LANGUAGE.fullmatch(language):
            raise QueryError(f"language: not a language code like en, hy or ru: {language[:40]!r}")
    limit_text = _value(params, "limit")
    limit = default_limit
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise QueryError(f"limit: a whole number from 1 to {MAX_LIMIT}, not {limit_text[:40]!r}")
        limit = int(limit_text)
    since, until = _date(params, "since"), _date(params, "until")
    if since and until and (sort_key(since) or "") > (sort_key(until) or ""):
        raise QueryError(f"since ({since}) is after until ({until})")
    query = ArticleQuery(
        language=language,
        source=_checked(params, "source", _SOURCE, "a source like news.example"),
        actor=_checked(params, "actor", _ACTOR, "an actor id like ARM or maria-zakharova"),
        event_type=event_type,
        since=since,
        until=until,
    )
    text = _value(params, "q") if search else None
    if search and text is not None and len(text) > 500:
        raise QueryError("q: a search of at most 500 characters")
    cursor = _checked(params, "cursor", _CURSOR, "a cursor from a previous page")
    return ListRequest(query=query, cursor=cursor, limit=limit, text=text)


def query_string(request: ListRequest, **changes: str | None) -> str:
    """The query string of ``request`` with ``changes`` applied (None removes a parameter); empty
    parameters left out, in a stable order. For links to the next page, a filter, or a feed."""
    values: dict[str, str | None] = {
        "q": request.text,
        "language": request.query.language,
        "source": request.query.source,
        "actor": request.query.actor,
        "type": request.query.event_type,
        "since": request.query.since,
        "until": request.query.until,
    }
    values.update(changes)
    return urlencode([(k, v) for k, v in values.items() if v])
