"""Plain-text captures: a page copied as text, like ``examples/seed-un-ceasefire-en.txt``.

:func:`parse_capture` separates the article from what came with it: the dateline ("January 28") becomes
``published``, "This text available in Հայերեն and Русский" becomes ``translations``, the titles under a
"Read more:" heading become ``related``, a "By …" line becomes ``author``, a short first line becomes
``title``, and page chrome ("Show news feed", share buttons, copyright, credits) is dropped. The language
of the capture is not decided here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from newswatch.errors import EmptyInputError
from newswatch.extract.chrome import (
    available_in,
    byline,
    is_chrome,
    language_code,
    read_more_heading,
    read_more_inline,
)
from newswatch.extract.dates import locate_dateline
from newswatch.extract.encoding import INVISIBLE
from newswatch.model import Link, Precision, Translation

__all__ = ["Capture", "parse_capture"]

#: A headline or a related title is at most this long.
_MAX_TITLE = 200

#: Characters that end a sentence, not a headline.
_SENTENCE_END = (".", "։", "…", ":", ",", ";")


@dataclass(frozen=True, slots=True)
class Capture:
    """What a plain-text capture says, with its chrome taken out.

    ``text`` is the article body: paragraphs separated by one blank line, the lines of a paragraph by a
    newline, whitespace inside lines collapsed. ``published`` and ``published_precision`` are those of
    the dateline (None without one). ``translations`` are the other language versions the capture names
    (language only; the capture's own language is decided elsewhere, so a list naming it keeps it).
    """

    title: str | None
    text: str
    published: str | None
    published_precision: Precision | None
    translations: tuple[Translation, ...]
    related: tuple[Link, ...]
    author: str | None


_WRAP_WIDTH = 100
_SENTENCE_ENDS = (".", "!", "?", "։", "…", "»", '"', "”", "“", ":")


def _lines(text: str) -> list[str]:
    return [" ".join(line.translate(INVISIBLE).split()) for line in text.splitlines()]


def _title_like(line: str) -> bool:
    return len(line) <= _MAX_TITLE and not line.endswith(_SENTENCE_END)


@dataclass
class _Reading:
    """What the walk over the lines collects."""

    kept: list[str]
    translations: list[str]
    related: list[str]
    author: str | None = None


def _next_content(lines: list[str | None], start: int) -> int:
    """The index of the first non-blank line at or after ``start`` (len(lines) when none)."""
    index = start
    while index < len(lines) and not lines[index]:
        index += 1
    return index


def _read_related(lines: list[str | None], start: int, reading: _Reading) -> int:
    """Collect the titles after a "Read more" heading; return where the article goes on."""
    index = _next_content(lines, start)
    first = lines[index] if index < len(lines) else None
    if first is None or not _title_like(first):
        return start  # nothing that looks like a list of titles: the heading stood alone
    while index < len(lines):
        line = lines[index]
        if not line:
            break
        if not is_chrome(line):
            if not _title_like(line):
                break
            if line not in reading.related:
                reading.related.append(line)
        index += 1
    return index


def _read_languages(lines: list[str | None], start: int, reading: _Reading) -> int:
    """After an "available in" heading with no names: one language name per line."""
    index = start
    while index < len(lines):
        line = lines[index]
        code = language_code(line) if line else None
        if code is None:
            break
        if code not in reading.translations:
            reading.translations.append(code)
        index += 1
    return index


def _walk(lines: list[str | None]) -> _Reading:
    reading = _Reading(kept=[], translations=[], related=[])
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line is None:
            continue
        if not line:
            reading.kept.append("")
            continue
        codes = available_in(line)
        if codes is not None:
            reading.translations.extend(code for code in codes if code not in reading.translations)
            if not codes:
                index = _read_languages(lines, index, reading)
            continue
        if read_more_heading(line):
            index = _read_related(lines, index, reading)
            continue
        if (title := read_more_inline(line)) is not None:
            if title not in reading.related:
                reading.related.append(title)
            continue
        # before chrome: a wire credit ("Reporting by Jane Doe; editing by …") is chrome that names the author
        if reading.author is None and (name := byline(line)) is not None:
            reading.author = name
            continue
        if is_chrome(line):
            continue
        reading.kept.append(line)
    return reading


def _paragraphs(lines: list[str]) -> Iterator[list[str]]:
    paragraph: list[str] = []
    for line in lines:
        if line:
            paragraph.append(line)
        elif paragraph:
            yield paragraph
            paragraph = []
    if paragraph:
        yield paragraph


def _unwrap(lines: list[str]) -> list[str]:
    """The paragraphs of a block of consecutive lines.

    Hard-wrapped text (every line at most :data:`_WRAP_WIDTH` characters) is one paragraph whose lines are
    joined by spaces. Longer lines are whole paragraphs written one per line: a line that ends a sentence
    ends its paragraph, and a line that does not is continued by the next.
    """
    if len(lines) == 1:
        return lines
    if max(len(line) for line in lines) <= _WRAP_WIDTH:
        return [" ".join(lines)]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        current.append(line)
        if line.rstrip().endswith(_SENTENCE_ENDS):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _split_title(paragraphs: list[list[str]]) -> str | None:
    """Take a headline off the front of ``paragraphs``: a short first line, three words or more, that
    is not a sentence and is followed by the body (a blank line or a line that does not continue it)."""
    if not paragraphs:
        return None
    first = paragraphs[0]
    line = first[0]
    if not _title_like(line) or len(line.split()) < 3:
        return None
    if len(first) > 1 and first[1][:1].islower():
        return None  # a hard-wrapped paragraph whose sentence goes on
    if len(first) == 1 and len(paragraphs) == 1:
        return None  # nothing would be left: this is the text, not its title
    if len(first) == 1:
        paragraphs.pop(0)
    else:
        first.pop(0)
    return line


def _drop_masthead(lines: list[str | None], dateline: int) -> None:
    """Above the dateline, a line too short to be a headline (under three words) is the site's name or
    section ("Yerevan Daily", "РИА Регион", "Politics"), not article text."""
    for index in range(dateline):
        line = lines[index]
        if line and len(line.split()) < 3 and not line.endswith(_SENTENCE_END):
            lines[index] = None


def parse_capture(text: str, *, reference: datetime | None) -> Capture:
    """Read a plain-text capture; ``reference`` (capture or fetch time) resolves a year-less dateline.

    Raises :class:`~newswatch.errors.EmptyInputError` when ``text`` holds nothing but whitespace. A
    capture that is all chrome gives an empty ``text``.
    """
    if not text.strip():
        raise EmptyInputError("the capture is empty")
    lines: list[str | None] = list(_lines(text))
    published: str | None = None
    precision: Precision | None = None
    dateline = locate_dateline([line or "" for line in lines], reference=reference)
    if dateline is not None:
        lines[dateline.index] = dateline.rest or None
        _drop_masthead(lines, dateline.index)
        if dateline.date is not None:
            published, precision = dateline.date.value, dateline.date.precision
    reading = _walk(lines)
    paragraphs = list(_paragraphs(reading.kept))
    title = _split_title(paragraphs)
    return Capture(
        title=title,
        text="\n\n".join(part for paragraph in paragraphs for part in _unwrap(paragraph)),
        published=published,
        published_precision=precision,
        translations=tuple(Translation(language=code) for code in reading.translations),
        related=tuple(Link(title=related) for related in reading.related),
        author=reading.author,
    )
