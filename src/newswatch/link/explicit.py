"""Explicit language versions: a page that names another among its versions (hreflang alternates,
"available in" links) is linked to it without any scoring.

Two articles are explicit versions when one's address is among the other's translation addresses
(compared cleaned: no fragment or tracking parameters, lower-case scheme and host) and their languages
differ (or one is unknown). Two pages that merely list the same third address are not linked by that
alone: a site-wide language switcher can point every article at one section page.

The store indexes an article under :func:`address_keys` and asks with :func:`address_queries`: a page is
found by the pages that list it, and finds the pages it lists, whichever was stored first.
"""

from __future__ import annotations

import hashlib

from newswatch.ingest.urls import clean_url
from newswatch.model import Article

__all__ = ["address_keys", "address_queries", "is_explicit_version", "version_addresses"]


def _clean(url: str | None) -> str | None:
    return clean_url(url) if url else None


def version_addresses(article: Article) -> frozenset[str]:
    """The cleaned addresses the article names as its versions in other languages (its own left out)."""
    own = _clean(article.url)
    found = {_clean(t.url) for t in article.translations if t.url}
    return frozenset(url for url in found if url and url != own)


def is_explicit_version(a: Article, b: Article) -> bool:
    """True when one article names the other's address among its language versions."""
    if a.language and b.language and a.language == b.language:
        return False
    url_a, url_b = _clean(a.url), _clean(b.url)
    if not url_a or not url_b or url_a == url_b:
        return False
    return url_b in version_addresses(a) or url_a in version_addresses(b)


def _digest(url: str) -> str:
    return hashlib.blake2b(url.encode("utf-8"), digest_size=10).hexdigest()


def address_keys(article: Article) -> list[str]:
    """Keys an article is indexed under: ``bo:`` its own address, ``bt:`` each address it lists."""
    own = _clean(article.url)
    keys = [f"bo:{_digest(own)}"] if own else []
    return keys + sorted(f"bt:{_digest(url)}" for url in version_addresses(article))


def address_queries(article: Article) -> list[str]:
    """Keys to ask with: the pages listing this one's address, and the pages at the addresses it lists.
    They start with ``b`` so the store keeps every match as a candidate, like an LSH band match."""
    own = _clean(article.url)
    keys = [f"bt:{_digest(own)}"] if own else []
    return keys + sorted(f"bo:{_digest(url)}" for url in version_addresses(article))
