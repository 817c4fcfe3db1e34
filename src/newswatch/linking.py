"""Linking stored articles: the store's candidates, the pure link layer's scores, the store's stories.

For each stored article not yet linked in its current version: compute its fingerprint, look up the
articles sharing one of its keys (LSH bands for near-duplicates, day|actor keys within ±2 days for other
languages; every bucket cut at its newest :data:`PER_KEY` articles, so the cost per article does not grow
with the store), score the pair with :func:`~newswatch.link.translation_score`,
:func:`~newswatch.link.duplicate_score` and :func:`~newswatch.link.coverage_score`, keep the kinds that
reach their threshold, and let the store replace the article's links and rebuild the stories of the
components touched in one transaction. Scores are symmetric and candidate lookup is too, so the links
and stories do not depend on the order articles arrive in (unless a bucket overflows its cap).

A page that names another among its language versions (hreflang, "available in") is linked to it as an
``explicit`` version before any score is computed (:mod:`newswatch.link.explicit`). Related reading is
found in the same pass: the articles sharing an actor within :data:`RELATED_WINDOW_DAYS` days are scored
on their fingerprints (:func:`~newswatch.link.related.fingerprint_relatedness`) and the best
:data:`RELATED_KEEP` kept beside the links; the article on the other side of such a row reads it too, so
older articles learn of newer related ones. Thresholds and windows come from the ``link.*`` settings
(:class:`LinkConfig`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newswatch.link import (
    COVERAGE_THRESHOLD,
    DUPLICATE_THRESHOLD,
    TRANSLATION_THRESHOLD,
    Fingerprint,
    Pair,
    band_keys,
    build_stories,
    coverage_score,
    duplicate_score,
    evidence_keys,
    fingerprint,
    translation_score,
)
from newswatch.link.evidence import published_at
from newswatch.link.explicit import address_keys, address_queries, is_explicit_version
from newswatch.link.related import MIN_RELATED_SCORE, fingerprint_relatedness
from newswatch.link.stories import LinkKind
from newswatch.model import Article
from newswatch.store.base import LinkRow, LinkUpdate, Store, StoryRecord

__all__ = [
    "CANDIDATE_LIMIT",
    "DEFAULT_CONFIG",
    "MAX_COMPONENT",
    "MIN_SHARED",
    "PER_KEY",
    "RELATED_KEEP",
    "RELATED_WINDOW_DAYS",
    "WINDOW_DAYS",
    "LinkConfig",
    "best_link",
    "link_articles",
    "link_stored",
    "story_records",
]

#: Newest articles read from one key's bucket.
PER_KEY = 500
#: Candidates scored per article (those sharing the most keys first).
CANDIDATE_LIMIT = 500
#: Articles read when a story's component is rebuilt.
MAX_COMPONENT = 2000
#: An article found only under day|actor keys is a candidate when it shares this many actors with the
#: asking one (or all of them, when either has fewer): one shared busy actor (a day's ``ARM``) is not
#: enough to be read and scored.
MIN_SHARED = 2
#: Days either side of the publication day searched for versions in other languages.
WINDOW_DAYS = 2
#: Days either side of the publication day searched for related reading.
RELATED_WINDOW_DAYS = 3
#: Related articles kept per article (more than any page shows: some fall in the article's own story).
RELATED_KEEP = 20
#: Newest articles read from one key's bucket, and candidates scored, for related reading.
_RELATED_PER_KEY = 50
_RELATED_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """Thresholds and windows of linking: the ``link.*`` settings (``docs/settings.md``)."""

    translation_threshold: float = TRANSLATION_THRESHOLD
    duplicate_threshold: float = DUPLICATE_THRESHOLD
    coverage_threshold: float = COVERAGE_THRESHOLD
    window_days: int = WINDOW_DAYS
    duplicate_window_days: int = 30
    related: int = 5

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> LinkConfig:
        return cls(
            translation_threshold=settings["link.translation_threshold"],
            duplicate_threshold=settings["link.duplicate_threshold"],
            coverage_threshold=settings["link.coverage_threshold"],
            window_days=settings["link.window_days"],
            duplicate_window_days=settings["link.duplicate_window_days"],
            related=settings["link.related"],
        )


DEFAULT_CONFIG = LinkConfig()

_KIND_OF: dict[str, LinkKind] = {
    "explicit": "explicit",
    "translation": "translation",
    "duplicate": "duplicate",
    "coverage": "coverage",
}


def _days_apart(a: Article, b: Article) -> float | None:
    x, y = published_at(a.published), published_at(b.published)
    return None if x is None or y is None else abs((x - y).total_seconds()) / 86400.0


def best_link(
    a: Article, b: Article, fa: Fingerprint, fb: Fingerprint, config: LinkConfig = DEFAULT_CONFIG
) -> tuple[LinkKind, float] | None:
    """The link two articles get, or None: an explicit version (one names the other's address among its
    language versions), else a translation when its score reaches the threshold, else a duplicate (dated
    copies at most ``duplicate_window_days`` apart), else same-event coverage — the first kind that
    reaches its threshold, with its score."""
    if is_explicit_version(a, b):
        return "explicit", 1.0
    value = translation_score(a, b, fa, fb)
    if value >= config.translation_threshold:
        return "translation", value
    apart = _days_apart(a, b)
    if apart is None or apart <= config.duplicate_window_days:
        value = duplicate_score(a, b, fa, fb)
        if value >= config.duplicate_threshold:
            return "duplicate", value
    value = coverage_score(a, b, fa, fb)
    if value >= config.coverage_threshold:
        return "coverage", value
    return None


#: Stored links were accepted against the thresholds of their day: a story is rebuilt from all of them.
_STORED: Mapping[LinkKind, float] = dict.fromkeys(_KIND_OF.values(), 0.0)


def story_records(articles: list[Article], links: list[LinkRow]) -> list[StoryRecord]:
    """The stories of one component (the store's :data:`~newswatch.store.base.StoryBuilder`)."""
    pairs = [Pair(a, b, _KIND_OF[kind], score) for a, b, kind, score in links if kind in _KIND_OF]
    return [
        StoryRecord(s.id, s.articles, s.representative, s.first_seen, s.sources, s.languages)
        for s in build_stories(articles, pairs, _STORED)
    ]


def _related(
    store: Store, article: Article, fp: Fingerprint, read: dict[str, Fingerprint]
) -> list[tuple[str, float]]:
    """The articles most related to ``article`` (not those it is linked to), best first; scored on their
    stored fingerprints (``read`` holds those already read), never their whole records."""
    if fp.published is None or not article.actors:
        return []
    ids = store.link_candidates(
        evidence_keys(fp, window_days=RELATED_WINDOW_DAYS),
        exclude=article.id,
        evidence=1,
        min_shared=1,
        per_key=_RELATED_PER_KEY,
        limit=_RELATED_LIMIT,
    )
    missing = [i for i in ids if i not in read]
    for other_id, data in store.link_fingerprints(missing).items():
        read[other_id] = Fingerprint.from_dict(data)
    scored = []
    for other_id in ids:
        other = read.get(other_id)
        if other is not None:
            score = fingerprint_relatedness(fp, other)
            if score >= MIN_RELATED_SCORE:
                scored.append((other_id, round(score, 4)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:RELATED_KEEP]


def _link_one(store: Store, article: Article, config: LinkConfig) -> None:
    fp = fingerprint(article)
    bands = band_keys(fp)
    query = bands + address_queries(article) + evidence_keys(fp, window_days=config.window_days)
    evidence = len(fp.actors | fp.speakers) if fp.published is not None else 0
    ids = store.link_candidates(
        query,
        exclude=article.id,
        evidence=evidence,
        min_shared=MIN_SHARED,
        per_key=PER_KEY,
        limit=CANDIDATE_LIMIT,
    )
    links: list[tuple[str, str, float]] = []
    read: dict[str, Fingerprint] = {}
    for other, data in store.link_data(ids):
        other_fp = read[other.id] = Fingerprint.from_dict(data)
        found = best_link(article, other, fp, other_fp, config)
        if found is not None:
            links.append((other.id, found[0], found[1]))
    linked = {other_id for other_id, _, _ in links}
    related = [item for item in _related(store, article, fp, read) if item[0] not in linked]
    update = LinkUpdate(
        article_id=article.id,
        content_hash=article.content_hash,
        fingerprint=fp.to_dict(),
        keys=tuple(bands + address_keys(article) + evidence_keys(fp)),
        evidence=evidence,
        links=tuple(links),
        related=tuple(related),
    )
    store.put_links(update, story_records, max_component=MAX_COMPONENT)


def link_articles(store: Store, article_ids: Sequence[str], config: LinkConfig = DEFAULT_CONFIG) -> int:
    """Link those of ``article_ids`` that are stored and not linked in their current version; returns
    how many were linked. Each article is one transaction."""
    linked = 0
    for article_id in store.unlinked(article_ids):
        article = store.get(article_id)
        if article is not None:
            _link_one(store, article, config)
            linked += 1
    return linked


def link_stored(store: Store, articles: Iterable[Article], config: LinkConfig = DEFAULT_CONFIG) -> int:
    """Link what an input's articles became in the store: each under its own id, or under the id of the
    stored feed item with its guid (the runner keeps that id when an item's address changes)."""
    ids: list[str] = []
    for article in articles:
        ids.append(article.id)
        if article.guid:
            stored = store.find_by_guid(article.guid, article.source)
            if stored is not None:
                ids.append(stored.id)
    return link_articles(store, ids, config)
