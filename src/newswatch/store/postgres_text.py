"""How articles are indexed for search on PostgreSQL, and how a user's words become a ``tsquery``.

Each article gets two ``tsvector`` columns (see migration 0001):

* ``search`` — title (weight A) and text (weight B) under the text search configuration of the article's
  language (its stemmer and stop words: ``english``, ``russian``, ``armenian``, … as listed in
  ``data/languages/text-search.tsv`` and present on the server, else ``simple``), plus the same words folded
  (lowercase, no diacritics, ``ё`` as ``е``) under ``simple``, so that every word is also found as written,
  stop words and accents included;
* ``lemmas`` — the folded lemmas of title (A) and text (B) from :mod:`newswatch.understand.lemmas` under
  ``simple``: what :meth:`~newswatch.store.base.Store.search_articles` matches.

A query word matches when any of its forms does: its stems under the configurations of English, Armenian and
Russian (and of the language filter, when given) and its folded form; every word must match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newswatch.model import Article
from newswatch.understand.lemmas import fold, lemmas

__all__ = [
    "INDEX_CHARS",
    "QUERY_LANGUAGES",
    "Indexed",
    "config_names",
    "indexed",
    "search_query",
]

#: Title and text are indexed up to this many characters each (a ``tsvector`` holds at most 1 MB).
INDEX_CHARS = 100_000

#: The languages whose stemmers every search query is put through (the language of a query is unknown).
QUERY_LANGUAGES = ("en", "hy", "ru")

#: The ``tsvector`` expressions of the two search columns, over the parameters of :class:`Indexed`.
SEARCH_SQL = (
    "setweight(to_tsvector(%(config)s::regconfig, %(title)s), 'A')"
    " || setweight(to_tsvector(%(config)s::regconfig, %(text)s), 'B')"
    " || setweight(to_tsvector('simple', %(title_folded)s), 'A')"
    " || setweight(to_tsvector('simple', %(text_folded)s), 'B')"
)
LEMMAS_SQL = (
    "setweight(to_tsvector('simple', %(title_lemmas)s), 'A')"
    " || setweight(to_tsvector('simple', %(text_lemmas)s), 'B')"
)


@cache
def config_names() -> dict[str, str]:
    """The text search configuration of each ISO 639-1 code, as the data file lists them."""
    data = resources.files("newswatch").joinpath("data/languages/text-search.tsv").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for line in data.splitlines():
        if line.strip() and not line.startswith("#"):
            code, name = line.split("\t")
            found[code.strip()] = name.strip()
    return found


def config_for(language: str | None, available: frozenset[str]) -> str:
    """The configuration to index an article in ``language`` with: its own when the server has it."""
    name = config_names().get((language or "").strip().lower())
    return name if name is not None and name in available else "simple"


@dataclass(frozen=True, slots=True)
class Indexed:
    """The search parameters of one article (the named parameters of :data:`SEARCH_SQL` and
    :data:`LEMMAS_SQL`)."""

    config: str
    title: str
    text: str
    title_folded: str
    text_folded: str
    title_lemmas: str
    text_lemmas: str

    def params(self) -> dict[str, str]:
        return {
            "config": self.config,
            "title": self.title,
            "text": self.text,
            "title_folded": self.title_folded,
            "text_folded": self.text_folded,
            "title_lemmas": self.title_lemmas,
            "text_lemmas": self.text_lemmas,
        }


def _folded_lemmas(text: str, language: str | None) -> str:
    return " ".join(fold(word) for word in lemmas(text, language))


def indexed(article: Article, language: str | None, available: frozenset[str]) -> Indexed:
    """What the search columns of ``article`` are computed from."""
    title = (article.title or "")[:INDEX_CHARS]
    text = (article.text or "")[:INDEX_CHARS]
    return Indexed(
        config=config_for(language, available),
        title=title,
        text=text,
        title_folded=fold(title),
        text_folded=fold(text),
        title_lemmas=_folded_lemmas(title, article.language),
        text_lemmas=_folded_lemmas(text, article.language),
    )


def search_query(words: Sequence[str], configs: Iterable[str]) -> tuple[str, list[str]]:
    """The SQL ``tsquery`` expression (and its parameters) that every one of ``words`` must match, each in
    any of its forms: under each of ``configs`` and folded under ``simple``. Words are parameters, phrases
    to the parser, never ``tsquery`` syntax."""
    names = list(dict.fromkeys(configs))
    parts: list[str] = []
    params: list[str] = []
    for word in words:
        forms = ["phraseto_tsquery(%s::regconfig, %s)"] * (len(names) + 1)
        parts.append("(" + " || ".join(forms) + ")")
        for name in names:
            params += [name, word]
        params += ["simple", fold(word)]
    return "(" + " && ".join(parts) + ")", params
