"""Understanding: who is named, who said what, who did what to whom — each fact tied to a span of text.

The stages run in order over the clean text of an article:

1. :func:`newswatch.understand.sentences.split_sentences` — sentences with offsets;
2. :func:`newswatch.understand.actors.find_actors` — countries, organisations, people and places from the
   gazetteer and role cues, with every mention;
3. :func:`newswatch.understand.quotes.find_quotes` — direct and indirect quotations and their speakers;
4. :func:`newswatch.understand.events.find_events` — PLOVER/CAMEO coded events between actors.

Every stage is a pure function; language knowledge lives under ``newswatch/data``.
"""

from __future__ import annotations

from dataclasses import replace

from newswatch.model import Article
from newswatch.understand.actors import find_actors
from newswatch.understand.events import find_events
from newswatch.understand.quotes import find_quotes
from newswatch.understand.sentences import split_sentences

__all__ = ["understand"]


def understand(article: Article) -> Article:
    """The article with its ``actors``, ``quotes`` and ``events`` filled from its text.

    Requires ``text``, ``language`` and ``published`` (events are dated against it); assigns ``actors``,
    ``quotes`` and ``events``. A language without lexicons gets what its data allows (often nothing).
    """
    sentences = split_sentences(article.text, article.language)
    actors = find_actors(article.text, article.language, sentences)
    quotes = find_quotes(article.text, article.language, sentences, actors)
    events = find_events(
        article.text, article.language, sentences, actors, quotes, published=article.published
    )
    return replace(article, actors=actors, quotes=quotes, events=events)
