"""What is read back from the store: the article record as served, and a story with its events.

The store keeps each article's record as the pipeline made it (what the page itself said). Reading adds
what only the whole store knows:

- :func:`linked_record` — ``translations`` lists the article's versions in other languages: those the
  page named (with ``id`` filled when that version is stored) and those linking found (explicit and
  translation links, followed two steps so a Russian version linked through the English one is listed
  on the Armenian page too); ``related`` keeps the publisher's "Read more" links (with ``id`` and
  ``story`` when stored) and adds the top related stories, each shown by its representative article;
- :func:`story_detail` — a story's articles and its events counted once
  (:func:`~newswatch.link.story_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from newswatch.ingest.urls import clean_url
from newswatch.link import story_events
from newswatch.link.events import Report
from newswatch.model import Article, Event, Link, Translation, article_id
from newswatch.store.base import Store, StoredStory

__all__ = ["VERSION_KINDS", "StoryDetail", "linked_record", "story_detail"]

#: Link kinds that make two articles versions of one another.
VERSION_KINDS = frozenset({"explicit", "translation"})
#: Versions listed at most (a site can have dozens of languages).
_MAX_VERSIONS = 30


def _page_id(url: str | None) -> str | None:
    cleaned = clean_url(url) if url else None
    return article_id(url=cleaned, guid=None, feed_url=None, text="") if cleaned else None


def _versions(store: Store, article: Article) -> tuple[Translation, ...]:
    listed: list[Translation] = []
    known: set[str] = {article.id}
    for translation in article.translations:
        candidate = _page_id(translation.url)
        stored = store.get(candidate) if candidate and candidate != article.id else None
        if stored is not None:
            known.add(stored.id)
            translation = replace(translation, id=stored.id, title=translation.title or stored.title)
        listed.append(translation)
    found: list[str] = []
    frontier = [article.id]
    seen = {article.id}
    for _step in range(2):
        following: list[str] = []
        for current in frontier:
            for other, kind, _score in store.links_of(current):
                if kind in VERSION_KINDS and other not in seen:
                    seen.add(other)
                    following.append(other)
        found += following
        frontier = following
    for other_id in found:
        if len(listed) >= _MAX_VERSIONS:
            break
        if other_id in known:
            continue
        version = store.get(other_id)
        if version is None or (version.language and version.language == article.language):
            continue
        known.add(other_id)
        # A capture's "available in Հայերեն" names the language only: the linked version is that one.
        unnamed = next(
            (
                i
                for i, t in enumerate(listed)
                if t.id is None and not t.url and t.language == version.language
            ),
            None,
        )
        if unnamed is not None:
            title = listed[unnamed].title or version.title
            listed[unnamed] = Translation(version.language or "und", version.url, title, version.id)
        else:
            listed.append(Translation(version.language or "und", version.url, version.title, version.id))
    return tuple(listed)


def _related(store: Store, article: Article, count: int) -> tuple[Link, ...]:
    own_links = list(article.related)
    page_ids = [_page_id(link.url) for link in own_links]
    candidates = store.related_of(article.id, limit=50) if count > 0 else []
    stories = store.story_ids([article.id, *(i for i in page_ids if i), *(c for c, _ in candidates)])
    own_story = stories.get(article.id)
    links: list[Link] = []
    shown: set[str] = set()
    for link, page in zip(own_links, page_ids, strict=True):
        story = stories.get(page) if page else None
        if story is not None and page is not None:
            link = replace(link, id=page, story=story)
            shown.add(story)
        links.append(link)
    added = 0
    for other_id, _score in candidates:
        if added >= count:
            break
        story_id = stories.get(other_id, "s-" + other_id)
        if story_id == own_story or story_id in shown:
            continue
        shown.add(story_id)
        found = store.story(story_id)
        if found is None:
            continue
        rep = found.representative
        links.append(Link(rep.title or rep.url or rep.id, rep.url, rep.id, found.id))
        added += 1
    return tuple(links)


def linked_record(store: Store, article: Article, *, related: int = 5) -> Article:
    """The record as served: the stored one with its linked versions and up to ``related`` related
    stories (see the module docstring). Nothing is written."""
    return replace(article, translations=_versions(store, article), related=_related(store, article, related))


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with its articles (publication order) and its events, each once with every report."""

    story: StoredStory
    articles: tuple[Article, ...]
    events: tuple[tuple[Event, tuple[Report, ...]], ...]


def story_detail(store: Store, story_id: str) -> StoryDetail | None:
    """A story by id (an old id leads to the story that holds its article now), or None."""
    story = store.story(story_id)
    if story is None:
        return None
    articles: Sequence[Article] = [a for m in story.members if (a := store.get(m.id)) is not None]
    events = tuple((event, tuple(reports)) for event, reports in story_events(articles))
    return StoryDetail(story, tuple(articles), events)
