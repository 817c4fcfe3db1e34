"""Watches (saved queries) and their alerts: which articles match a watch, and webhook delivery.

* :func:`watch_matches` is pure: a watch and an article record in, yes or no out. Every filter the watch
  gives must hold, with the same meaning as the store's lists (``store.list_articles``, ``store.events``
  and ``store.search_articles``): an actor the article names; a PLOVER type of an event it reports as
  happening; an actor pair with an event between the two either way round, an actor also standing for the
  people and bodies the article ties to it (its ``country``); every word of a keyword in the title or text
  in any inflected form (lemmas of :mod:`newswatch.understand.lemmas`).
* :func:`create_watch` checks a new watch, saves it and **backfills** its matches from the newest stored
  articles (at most :data:`BACKFILL` articles that pass its query filters are checked) without creating
  any delivery: old news is not an alert; those articles are shown on the watch's page and feed only.
* :func:`match_new` checks newly stored articles against every watch (the poller and ``ingest`` call it)
  and records the matches; a new match of a watch with a webhook gets a pending delivery. Idempotent.
* :func:`deliver_due` POSTs the due deliveries as JSON through the guarded fetch transport (the
  ``fetch.allow_private`` rule holds for webhooks too; no redirect is followed: one is a failure), and
  retries a failure after ``alerts.retry_seconds`` doubled for each further failure, until
  ``alerts.max_attempts``. Delivery is at least once: receivers de-duplicate by the
  ``X-Newswatch-Delivery`` header.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import httpx

from newswatch.errors import NewswatchError, QueryError
from newswatch.ingest.fetch import GuardedTransport, check_url
from newswatch.model import Article
from newswatch.settings import Settings
from newswatch.store.base import Store, query_words, utc_text
from newswatch.store.live import Delivery, Watch
from newswatch.store.queries import ArticleQuery
from newswatch.understand.lemmas import fold, lemmas, query_forms, words

__all__ = [
    "BACKFILL",
    "DELIVERY_HEADER",
    "backfill",
    "check_watch",
    "create_watch",
    "deliver_due",
    "delivery_data",
    "describe",
    "match_new",
    "payload",
    "watch_data",
    "watch_matches",
]

log = logging.getLogger(__name__)

#: Stored articles (the newest that pass a new watch's query filters) checked when a watch is added.
BACKFILL = 500
#: The header that carries the delivery id, so that a receiver can drop a repeated delivery.
DELIVERY_HEADER = "X-Newswatch-Delivery"
_BATCH = 100  # deliveries read per store call
_LEAD = 300
_KEYWORD_CHARS = 200
_URL_CHARS = 2000
_ERROR_CHARS = 300
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_SOURCE = re.compile(r"[A-Za-z0-9.-]{1,253}(:\d{1,5})?")


# --- matching -----------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _tokens(text: str, language: str | None) -> tuple[str, ...]:
    """The folded lemmas of ``text`` as the lemma index holds them (one token per indexed word)."""
    return tuple(w.group() for lemma_ in lemmas(text, language) for w in words(fold(lemma_)))


@lru_cache(maxsize=256)
def _keyword_forms(keyword: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Per word of the keyword, the token sequences it may be indexed under (any one will do)."""
    found = []
    for chunk in query_words(keyword):
        forms = {tuple(w.group() for w in words(fold(form))) for form in query_forms(chunk)}
        forms.discard(())
        if forms:
            found.append(tuple(sorted(forms)))
    return tuple(found)


def _contains(tokens: Sequence[str], form: Sequence[str]) -> bool:
    size = len(form)
    first = form[0]
    return any(
        token == first and tuple(tokens[i : i + size]) == tuple(form) for i, token in enumerate(tokens)
    )


def _keyword_holds(keyword: str, article: Article) -> bool:
    try:
        wanted = _keyword_forms(keyword)
    except QueryError:
        return False
    if not wanted:
        return False
    fields = (_tokens(article.title or "", article.language), _tokens(article.text or "", article.language))
    return all(any(_contains(field, form) for form in forms for field in fields) for forms in wanted)


def _pair_holds(pair: tuple[str, str], article: Article) -> bool:
    country = {actor.id: actor.country for actor in article.actors}

    def side(actor_id: str | None, wanted: str) -> bool:
        return actor_id is not None and (actor_id == wanted or country.get(actor_id) == wanted)

    a, b = pair
    return any(
        not event.negated
        and (
            (side(event.source, a) and side(event.target, b))
            or (side(event.source, b) and side(event.target, a))
        )
        for event in article.events
    )


def watch_matches(watch: Watch, article: Article) -> bool:
    """Whether ``article`` matches every filter ``watch`` gives (see the module docstring); a watch
    without any filter matches nothing."""
    query = watch.query
    given = False
    if query.language:
        given = True
        if (article.language or "").strip().lower() != query.language.strip().lower():
            return False
    if query.source:
        given = True
        if article.source != query.source.strip():
            return False
    if query.actor:
        given = True
        if all(actor.id != query.actor.strip() for actor in article.actors):
            return False
    if query.event_type:
        given = True
        kind = query.event_type.strip().upper()
        if not any(event.type == kind and not event.negated for event in article.events):
            return False
    if watch.pair:
        given = True
        if not _pair_holds(watch.pair, article):
            return False
    if watch.keyword:
        given = True
        if not _keyword_holds(watch.keyword, article):
            return False
    return given


# --- creating -----------------------------------------------------------------------------------------


def check_watch(
    query: ArticleQuery,
    *,
    pair: tuple[str, str] | None = None,
    keyword: str | None = None,
    webhook: str | None = None,
) -> None:
    """Refuse (``QueryError``, one line for the user) a watch whose filters cannot be used: no filter at
    all, a language that is no ISO 639 code, an actor id that cannot be one, an unknown PLOVER type, a
    keyword without a word, a webhook that is not an http(s) address."""
    from newswatch.understand.event_lexicon import event_types

    if query.since or query.until:
        raise QueryError("a watch follows what comes next: it takes no since or until")
    if not any((query.language, query.source, query.actor, query.event_type, pair, keyword)):
        raise QueryError("a watch needs at least one filter (it would match every article)")
    if query.language and not _LANGUAGE.fullmatch(query.language.strip()):
        raise QueryError(f"language: not a language code like en, hy or ru: {query.language[:40]!r}")
    if query.source and not _SOURCE.fullmatch(query.source.strip()):
        raise QueryError(f"source: not a site name like news.example: {query.source[:40]!r}")
    actors = [query.actor] if query.actor else []
    if pair is not None:
        if len(pair) != 2 or pair[0].strip() == pair[1].strip():
            raise QueryError("pair: two different actor ids")
        actors += list(pair)
    for actor in actors:
        if not _ACTOR.fullmatch(actor.strip()):
            raise QueryError(f"actor: not an actor id like ARM or un: {actor[:40]!r}")
    if query.event_type:
        known = sorted(event_types())
        if query.event_type.strip().upper() not in known:
            raise QueryError(
                f"type: {query.event_type[:40]!r} is not a PLOVER type; one of {', '.join(known)}"
            )
    if keyword is not None:
        if len(keyword) > _KEYWORD_CHARS:
            raise QueryError(f"keyword: at most {_KEYWORD_CHARS} characters")
        query_words(keyword)  # QueryError when there is no word in it
        if not _keyword_forms(keyword):
            raise QueryError(f"keyword: nothing to look for in {keyword[:40]!r}")
    if webhook is not None:
        _check_webhook(webhook)


def _check_webhook(webhook: str) -> None:
    try:
        url = httpx.URL(webhook.strip())
    except (httpx.InvalidURL, TypeError):
        raise QueryError(f"webhook: not a valid URL: {webhook[:80]!r}") from None
    if url.scheme not in ("http", "https") or not url.host or len(webhook) > _URL_CHARS:
        raise QueryError(f"webhook: give an http or https address, not {webhook[:80]!r}")


def _blank_none(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def create_watch(
    store: Store,
    name: str,
    query: ArticleQuery,
    *,
    pair: tuple[str, str] | None = None,
    keyword: str | None = None,
    webhook: str | None = None,
) -> tuple[Watch, int]:
    """Check and save a watch, then record its matches among the newest stored articles (at most
    :data:`BACKFILL` checked) without deliveries. Returns the watch and how many matches it starts with."""
    query = ArticleQuery(
        language=_blank_none(query.language),
        source=_blank_none(query.source),
        actor=_blank_none(query.actor),
        event_type=_blank_none(query.event_type),
        since=query.since,
        until=query.until,
    )
    keyword, webhook = _blank_none(keyword), _blank_none(webhook)
    check_watch(query, pair=pair, keyword=keyword, webhook=webhook)
    watch = store.add_watch(name, query, pair=pair, keyword=keyword, webhook=webhook)
    return watch, backfill(store, watch)


def backfill(store: Store, watch: Watch, *, limit: int = BACKFILL) -> int:
    """Record the watch's matches among the newest ``limit`` stored articles its query filters pass (the
    pair and keyword checked on each record), without deliveries; returns how many are new."""
    found: list[str] = []
    page = store.list_articles(watch.query, limit=min(limit, 500))
    seen = 0
    while True:
        for item in page.items:
            exact = watch.pair is None and watch.keyword is None  # the query filters said it all
            if exact or ((article := store.get(item.id)) is not None and watch_matches(watch, article)):
                found.append(item.id)
        seen += len(page.items)
        if page.next is None or seen >= limit:
            break
        page = store.list_articles(watch.query, cursor=page.next, limit=min(limit - seen, 500))
    return store.record_matches(watch.id, found, deliver=False) if found else 0


# --- matching new articles ----------------------------------------------------------------------------


def match_new(store: Store, articles: Iterable[Article]) -> int:
    """Check stored ``articles`` (just stored or updated) against every watch and record the matches,
    with a pending delivery for each new match of a watch with a webhook. Returns the number of new
    matches; running it again on the same articles records nothing new."""
    watches = store.list_watches()
    if not watches:
        return 0
    given = list(articles)
    added = 0
    for watch in watches:
        ids = [article.id for article in given if watch_matches(watch, article)]
        if ids:
            added += store.record_matches(watch.id, ids, deliver=True)
    return added


# --- JSON shapes --------------------------------------------------------------------------------------


def _origin(url: str | None) -> str | None:
    """Only the scheme, host and port of a webhook (its path may carry a secret)."""
    if not url:
        return None
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


def watch_data(watch: Watch, *, full_webhook: bool = False) -> dict[str, Any]:
    """A watch as JSON-ready data. The webhook is shown as its origin only unless ``full_webhook`` (its
    address may hold a secret: only the admin's command line shows it whole)."""
    path = f"/watches/{watch.id}"
    return {
        "id": watch.id,
        "name": watch.name,
        "language": watch.query.language,
        "source": watch.query.source,
        "actor": watch.query.actor,
        "type": watch.query.event_type,
        "pair": list(watch.pair) if watch.pair else None,
        "keyword": watch.keyword,
        "webhook": watch.webhook if full_webhook else _origin(watch.webhook),
        "added": watch.added,
        "html_url": path,
        "feed_url": f"{path}/feed.atom",
    }


def describe(watch: Watch) -> str:
    """The watch's filters in one line: ``actor ARM, type ACCUSE, keyword "ceasefire"``."""
    query = watch.query
    parts = [
        f"{name} {value}"
        for name, value in (
            ("language", query.language),
            ("source", query.source),
            ("actor", query.actor),
            ("type", query.event_type),
            ("pair", " ".join(watch.pair) if watch.pair else None),
        )
        if value
    ]
    if watch.keyword:
        parts.append(f"keyword {json.dumps(watch.keyword, ensure_ascii=False)}")
    return ", ".join(parts)


def delivery_data(delivery: Delivery) -> dict[str, Any]:
    """A delivery of the log as JSON-ready data."""
    return {
        "id": delivery.id,
        "watch": delivery.watch_id,
        "article": delivery.article_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt": delivery.next_attempt,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created": delivery.created,
    }


def _lead(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _LEAD:
        return flat
    cut = flat[:_LEAD].rsplit(" ", 1)[0] or flat[:_LEAD]
    return cut.rstrip(",;:") + "…"


def _public(url: str | None) -> str | None:
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def payload(watch: Watch, article: Article) -> dict[str, Any]:
    """What a webhook receives: the watch and the article's summary, its address and our page's path."""
    return {
        "watch": {k: v for k, v in watch_data(watch).items() if k != "webhook"},
        "article": {
            "id": article.id,
            "title": article.title,
            "url": _public(article.url),
            "source": article.source,
            "language": article.language,
            "published": article.published,
            "lead": _lead(article.text or ""),
            "html_url": f"/articles/{quote(article.id, safe='')}",
            "api_url": f"/api/v1/articles/{quote(article.id, safe='')}",
        },
    }


# --- delivering ---------------------------------------------------------------------------------------


def _post(sender: httpx.BaseTransport, url: str, body: bytes, delivery_id: int, settings: Settings) -> None:
    """One POST; returns on a 2xx answer, raises ``NewswatchError`` with one line otherwise."""
    allow_private = bool(settings["fetch.allow_private"])
    target = check_url(url, allow_private=allow_private)
    timeout = float(settings["alerts.timeout"])
    request = httpx.Request(
        "POST",
        target,
        content=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": str(settings["fetch.user_agent"]),
            DELIVERY_HEADER: str(delivery_id),
        },
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    try:
        response = sender.handle_request(request)
        response.close()
    except httpx.TimeoutException:
        raise NewswatchError(f"no answer within {timeout:g} s (the alerts.timeout setting)") from None
    except (httpx.HTTPError, httpx.StreamError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise NewswatchError(f"the request failed: {detail}") from None
    status = response.status_code
    if 300 <= status < 400:
        raise NewswatchError(f"HTTP {status}: a redirect, not followed (give the final address)")
    if not 200 <= status < 300:
        reason = f" {response.reason_phrase}" if response.reason_phrase else ""
        raise NewswatchError(f"HTTP {status}{reason}")


def _attempt(store: Store, settings: Settings, sender: httpx.BaseTransport, delivery: Delivery) -> str | None:
    """Try one delivery; None when the receiver took it, else the error in one line."""
    watch = store.get_watch(delivery.watch_id)
    article = store.get(delivery.article_id)
    if watch is None or article is None:
        return "the watch or the article is gone"
    if not watch.webhook:
        return "the watch has no webhook"
    body = json.dumps(payload(watch, article), ensure_ascii=False).encode("utf-8")
    try:
        _post(sender, watch.webhook, body, delivery.id, settings)
    except NewswatchError as exc:
        return " ".join(str(exc).split())[:_ERROR_CHARS]
    return None


def deliver_due(
    store: Store,
    settings: Settings,
    *,
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """POST every delivery due at ``now`` (default: the current time) to its watch's webhook; returns how
    many were delivered. A failure is kept as the delivery's ``last_error`` and retried at
    ``now + alerts.retry_seconds × 2^(attempts − 1)``; after ``alerts.max_attempts`` it is failed for good.
    ``transport`` replaces the network (default: :class:`~newswatch.ingest.fetch.GuardedTransport`)."""
    moment = now or datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    max_attempts = int(settings["alerts.max_attempts"])
    retry = float(settings["alerts.retry_seconds"])
    sender = transport or GuardedTransport(allow_private=bool(settings["fetch.allow_private"]))
    delivered = 0
    tried: set[int] = set()
    try:
        while due := [d for d in store.due_deliveries(moment, _BATCH) if d.id not in tried]:
            for delivery in due:
                tried.add(delivery.id)
                error = _attempt(store, settings, sender, delivery)
                if error is None:
                    delivered += 1
                    store.record_delivery(delivery.id, ok=True, error=None, next_attempt=None)
                    continue
                attempts = delivery.attempts + 1
                following = None
                if attempts < max_attempts:
                    following = utc_text(moment + timedelta(seconds=retry * 2 ** (attempts - 1)))
                log.warning("webhook delivery %d (attempt %d): %s", delivery.id, attempts, error)
                store.record_delivery(delivery.id, ok=False, error=error, next_attempt=following)
    finally:
        if transport is None:
            sender.close()
    return delivered
