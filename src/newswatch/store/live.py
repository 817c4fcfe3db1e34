"""Live sources and watches as the store keeps them: what is polled, how the last poll went, which saved
queries are watched, which articles matched them and which webhook deliveries are due.

The poller (:mod:`newswatch.poller`) and the alerts (:mod:`newswatch.alerts`) read and write these
through the :class:`~newswatch.store.base.Store` methods of the sections "live sources" and "watches".
Times are UTC texts of :func:`~newswatch.store.base.utc_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newswatch.store.queries import ArticleQuery

__all__ = ["Delivery", "DeliveryStatus", "PollResult", "Source", "Watch"]


@dataclass(frozen=True, slots=True)
class Source:
    """A feed (or page) polled on a schedule."""

    id: int
    url: str  # the address polled: a feed, or a page when the site has no feed
    name: str | None
    language: str | None  # a hint for items that do not say
    interval: int  # seconds between polls when all is well
    site: str | None  # the home page the feed was discovered from, if any
    added: str
    next_poll: str
    etag: str | None = None
    last_modified: str | None = None
    last_fetch: str | None = None  # when it was last fetched (any answer)
    last_status: int | None = None  # the HTTP status of that answer (304 included); None: no answer
    last_error: str | None = None  # one line; None after a good poll
    errors: int = 0  # failures in a row (drives the back-off)
    last_new: str | None = None  # when a poll last found a new or changed article


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of a source did; :meth:`Store.record_poll` stores it and schedules the next."""

    fetched_at: str
    next_poll: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    new: int = 0  # articles new or updated by this poll


@dataclass(frozen=True, slots=True)
class Watch:
    """A saved query: articles matching all of its filters are its matches (shown on its page and in its
    Atom feed) and, with a ``webhook``, are POSTed there as JSON."""

    id: int
    name: str
    query: ArticleQuery  # language, source, actor, event type (since/until unused)
    pair: tuple[str, str] | None = None  # an event between these two actors, either way round
    keyword: str | None = None  # words that must all appear (in any inflected form)
    webhook: str | None = None
    added: str = ""


DeliveryStatus = Literal["pending", "delivered", "failed"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery of one matched article to one watch, with its attempts."""

    id: int
    watch_id: int
    article_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt: str | None
    last_error: str | None
    delivered_at: str | None
    created: str
