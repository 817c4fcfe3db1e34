"""A web page's language versions: which of its explicit links to other languages to fetch with it.

A page read from the web names its versions in other languages (``hreflang`` alternates, "available in"
links: the ``translations`` of its record that have a ``url``). The runner fetches them with the page, so
that linking groups them with it. :func:`version_urls` chooses, purely, which addresses to fetch;
:func:`versions_to_fetch` adds what only the runner knows (where the page came from, what is stored);
:func:`read_version` fetches one through the same guarded path as any URL a user types.

The bound is ``fetch.max_versions`` fetches per page, and the depth is one: the versions' own versions are
never followed, and feed items (a feed may list hundreds) and local files are never followed at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import httpx

from newswatch.errors import MalformedInputError
from newswatch.ingest.fetch import ALLOWED_SCHEMES, fetch
from newswatch.ingest.inputs import Fetcher, read_input
from newswatch.ingest.urls import clean_url
from newswatch.model import Article, RawInput, Translation, article_id
from newswatch.pipeline import process, sniff
from newswatch.settings import Settings

__all__ = ["page_id", "read_version", "version_message", "version_urls", "versions_to_fetch"]


def _fetchable(url: str | None) -> str | None:
    """``url`` as the fetcher will request it (httpx's spelling: non-ASCII percent-encoded), or None when it
    is no http(s) address with a host, or cannot be parsed (control characters, a bad port)."""
    if not url:
        return None
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in ALLOWED_SCHEMES or not parsed.raw_host:
        return None
    return str(parsed)


def _key(url: str | None) -> str | None:
    """The address an article fetched from ``url`` is stored under (before any canonical link)."""
    fetchable = _fetchable(url)
    return clean_url(fetchable) if fetchable else None


def page_id(url: str) -> str:
    """The id a page fetched from ``url`` gets when it names no other canonical address: the pipeline's
    rule for any article with an address (:func:`~newswatch.model.article_id` of the clean URL)."""
    return article_id(url=_key(url) or url, guid=None, feed_url=None, text="")


def _candidates(article: Article, seen: set[str]) -> list[tuple[str, Translation]]:
    """The article's versions with a fetchable address not in ``seen``, each address once, in page order;
    the addresses taken are added to ``seen``."""
    out: list[tuple[str, Translation]] = []
    for version in article.translations:
        fetchable = _fetchable(version.url)
        key = clean_url(fetchable) if fetchable else None
        if fetchable is None or key is None or key in seen:
            continue
        seen.add(key)
        out.append((fetchable, version))
    return out


def version_urls(article: Article, *, own_url: str | None, limit: int) -> list[str]:
    """The addresses of ``article``'s language versions to fetch: at most ``limit``, in the page's order.

    Skipped: versions without an address, addresses that are not http(s), the page's own address
    (``own_url`` or the article's canonical ``url``: ``hreflang`` often lists the page itself), and repeats
    (compared once tracking parameters and fragments are removed).
    """
    own = {key for key in (_key(own_url), _key(article.url)) if key}
    return [url for url, _version in _candidates(article, own)[: max(limit, 0)]]


def versions_to_fetch(
    raw: RawInput, articles: Sequence[Article], *, limit: int, is_stored: Callable[[str], bool]
) -> list[Translation]:
    """The versions to fetch after ``raw`` was read and gave ``articles``, each with its fetchable ``url``.

    None unless ``raw`` came from the web (``raw.url``) and is a page, not a feed. The ``limit`` picks the
    page's first versions; of those, the ones already stored (``is_stored(page_id(url))``) are not fetched
    again, so ingesting a page twice fetches no more than ingesting it once.
    """
    if raw.url is None or limit <= 0 or sniff(raw.data, raw.content_type) == "feed":
        return []
    seen = {key for key in (_key(raw.url), _key(raw.name), *(_key(a.url) for a in articles)) if key}
    candidates = [found for article in articles for found in _candidates(article, seen)]
    return [
        Translation(language=version.language, url=url, title=version.title)
        for url, version in candidates[:limit]
        if not is_stored(page_id(url))
    ]


def read_version(
    version: Translation,
    settings: Settings,
    *,
    reference_date: datetime | None = None,
    fetcher: Fetcher = fetch,
) -> tuple[RawInput, list[Article]]:
    """Fetch one version like any URL input (the same guards) and run the pipeline on it.

    A version that turns out to be a feed is refused (:class:`MalformedInputError`): only pages are
    versions. Raises what :func:`~newswatch.ingest.inputs.read_input` and the pipeline raise.
    """
    if not version.url:
        raise MalformedInputError("a version without an address")
    raw = read_input(version.url, settings, reference_date=reference_date, fetcher=fetcher)
    if sniff(raw.data, raw.content_type) == "feed":
        raise MalformedInputError("a feed, not a page")
    return raw, process(raw, max_bytes=settings["input.max_bytes"])


def version_message(version: Translation, reason: str) -> str:
    """One line naming a version that could not be used: ``version hy https://…: reason``."""
    return " ".join(f"version {version.language} {version.url}: {reason}".split())
