"""Sentences of an article's text, with their character offsets.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and at the Armenian full stop ``։``, or a colon used in its
place before an Armenian capital), optionally followed by closing quotes or brackets, when what follows
starts a new sentence (a capital letter, a digit, an opening quote or a dash) — unless the full stop
belongs to an abbreviation listed in ``data/sentences/<lang>.txt`` ("Mr.", "г.", "թ.") or to an initial
("M. Jenca"). Paragraph breaks always end a sentence. Offsets are into the text given, so a sentence's
``text`` is ``text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Sentence", "abbreviations", "split_sentences"]


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


_END = re.compile(r"(?:[.!?…]+|։|:(?=\s+[Ա-Ֆ]))[\"'”»’)\]]*(?=\s)")
_NEXT = re.compile(r"\s+([\"'“«„‘(\[—–-]?\s*[^\W_a-zа-яёա-ֆ]|\d)", re.UNICODE)
_PARAGRAPH = re.compile(r"\n\s*\n")
_INITIAL = re.compile(r"(?:^|[\s(])\w\.$")


@cache
def abbreviations(language: str | None) -> frozenset[str]:
    """The abbreviations of a language (empty for a language without a list), loaded once."""
    if not language or not language.isalpha():
        return frozenset()
    path = resources.files("newswatch").joinpath(f"data/sentences/{language}.txt")
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_abbreviation(text: str, stop: int, known: frozenset[str]) -> bool:
    """Whether the full stop ending at ``stop`` closes an abbreviation or an initial."""
    word_start = max(text.rfind(" ", 0, stop), text.rfind("\n", 0, stop)) + 1
    word = text[word_start:stop].lstrip("(\"'«“")
    return word in known or bool(_INITIAL.search(text[max(0, stop - 3) : stop]))


def _split_paragraph(text: str, start: int, end: int, known: frozenset[str]) -> list[Sentence]:
    sentences: list[Sentence] = []
    begin = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        if not _NEXT.match(text, stop, end):
            continue
        single_stop = match.group().startswith(".") and len(match.group().rstrip("\"'”»’)]")) == 1
        if single_stop and _is_abbreviation(text, match.start() + 1, known):
            continue
        sentences.append(Sentence(begin, stop, text[begin:stop]))
        begin = _NEXT.match(text, stop, end).start(1)  # type: ignore[union-attr]
    tail = text[begin:end].rstrip()
    if tail.strip():
        sentences.append(Sentence(begin, begin + len(tail), tail))
    return sentences


def split_sentences(text: str, language: str | None = None) -> tuple[Sentence, ...]:
    """The sentences of ``text`` in order; every sentence is ``text[start:end]`` without outer whitespace."""
    known = abbreviations(language)
    sentences: list[Sentence] = []
    position = 0
    for brk in [*_PARAGRAPH.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        paragraph_start = position
        while paragraph_start < stop and text[paragraph_start].isspace():
            paragraph_start += 1
        if paragraph_start < stop:
            sentences += _split_paragraph(text, paragraph_start, stop, known)
        position = brk.end() if brk else len(text)
    return tuple(sentences)
