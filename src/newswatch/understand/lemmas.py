"""The lemmas of a text, for search that finds inflected forms ("Армении" finds "Армения").

Words are the runs of letters and digits (the same split as the store's full-text tokenizer), each reduced
to its dictionary form by ``simplemma`` and lowercased, with the Russian ``ё`` folded to ``е``. A word is
looked up in the article's own language first and then in the other languages newswatch reads (English,
Armenian, Russian), so a Russian name in an English article still gets its Russian lemma; a word no
dictionary knows stays as written (lowercased). A query word is lemmatised in each of those languages,
because the language of a query is unknown: :func:`query_forms` gives every form it may be indexed under.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import simplemma

__all__ = ["LANGUAGES", "fold", "lemma", "lemmas", "query_forms", "words"]

#: The languages whose dictionaries are consulted, in the order tried after the article's own.
LANGUAGES = ("en", "hy", "ru")

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ё": "е", "Ё": "е"})


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` (runs of letters and digits) with their offsets."""
    return _WORD.finditer(text)


def _order(language: str | None) -> tuple[str, ...]:
    code = (language or "").strip().lower()
    return (code, *(other for other in LANGUAGES if other != code)) if code in LANGUAGES else LANGUAGES


@lru_cache(maxsize=65536)
def _lemma(word: str, order: tuple[str, ...]) -> str:
    try:
        found = simplemma.lemmatize(word, lang=order)
    except (ValueError, KeyError):  # a dictionary simplemma cannot load: keep the word
        found = word
    return found.lower().translate(_FOLD)


def lemma(word: str, language: str | None) -> str:
    """The lemma of one word of a text in ``language`` (None: unknown)."""
    if word.isdigit():
        return word
    return _lemma(word, _order(language))


def lemmas(text: str, language: str | None) -> list[str]:
    """The lemma of every word of ``text``, in order."""
    order = _order(language)
    return [word if word.isdigit() else _lemma(word, order) for word in _WORD.findall(text)]


def query_forms(chunk: str) -> list[str]:
    """The forms a query chunk may be indexed under: its lemma in each language, as space-joined words
    (a chunk such as ``U.N.`` has several), without repeats, the first-language form first."""
    parts = _WORD.findall(chunk)
    forms = (" ".join(lemma(part, code) for part in parts) for code in LANGUAGES)
    return [form for form in dict.fromkeys(forms) if form]


def fold(word: str) -> str:
    """A word for comparison: lowercased, ``ё`` as ``е``, diacritics removed (as the tokenizer does)."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
