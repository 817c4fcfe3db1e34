"""Page chrome in plain text: the lines of a captured page that are not the article.

Navigation labels ("Show news feed", "Лента новостей", "Ցույց տալ լրահոսը"), share/subscribe/print
buttons, copyright notices, wire and photo credits, "Read more:" headings, "This text available in
Հայերեն and Русский" notes and bylines. What each language calls them is data: the sections of
``data/chrome/<lang>.txt`` (see ``en.txt`` for the format); language names are
``data/languages/names.tsv``. Adding a language means adding a file. Everything is loaded once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from newswatch.extract.encoding import INVISIBLE

__all__ = ["available_in", "byline", "is_chrome", "language_code", "read_more_heading", "read_more_inline"]

_SECTIONS = ("chrome", "read-more", "available-in", "list-words", "byline", "byline-ends", "byline-joiners")

#: A chrome pattern describes a short line; longer lines are article text whatever they start with.
_MAX_CHROME_LENGTH = 250

#: Bullets, arrows and punctuation around a chrome label: "• Share", "Read more:", "Читайте также »".
_EDGE = " \t•·|>»›→←«‹<:։՝.…-–—*"
_LIST_PUNCTUATION = re.compile(r"\s*[,;|/·•&]\s*")
#: What separates the buttons of a row of chrome: "Share | Print | Subscribe", "Home • News".
_BARS = re.compile(r"\s*[|•·]\s*")
_AFTER_PREFIX = re.compile(r"\s*[:։՝—–-]?\s*")


def _normal(text: str) -> str:
    """Case-folded (which also reads "և" as "եւ"), whitespace collapsed, bullets and colons stripped."""
    text = " ".join(text.translate(INVISIBLE).split()).casefold()
    return text.strip(_EDGE)


def _prefix_regex(literal: str) -> re.Pattern[str]:
    """A literal as a case-insensitive prefix of a line: any whitespace between words, "և" or "եւ"."""
    words = [re.escape(word).replace("եւ", "(?:եւ|և)") for word in _normal(literal).split()]
    return re.compile(r"(?:" + r"\s+".join(words) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Patterns:
    literals: frozenset[str]
    longest: int  # the most words in one literal
    prefixes: tuple[re.Pattern[str], ...]  # the literals as line prefixes, longest first
    regexes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class _Chrome:
    chrome: _Patterns
    read_more: _Patterns
    available_in: _Patterns
    list_words: frozenset[str]
    byline: _Patterns
    byline_ends: frozenset[str]  # words after an author's name that start something else ("in Yerevan")
    byline_joiners: frozenset[str]  # words between two authors' names ("and", "и", "և")
    languages: dict[str, str]  # normalised name or code → ISO 639-1 code


def _patterns(lines: Iterable[str]) -> _Patterns:
    literals: set[str] = set()
    regexes: list[re.Pattern[str]] = []
    for line in lines:
        if line.startswith("^"):
            regexes.append(re.compile(line.replace("և", "(?:և|եւ)"), re.IGNORECASE))
        else:
            literals.add(_normal(line))
    prefixes = tuple(_prefix_regex(p) for p in sorted(literals, key=lambda p: (-len(p), p)))
    longest = max((len(literal.split()) for literal in literals), default=0)
    return _Patterns(frozenset(literals), longest, prefixes, tuple(regexes))


def _read_sections(text: str, sections: dict[str, list[str]]) -> None:
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and line[1:-1] in _SECTIONS:
            current = line[1:-1]
        elif current is not None:
            sections[current].append(line)


def _language_names(text: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        code, _, name = raw.partition("\t")
        names.setdefault(_normal(name), code)
        names.setdefault(code, code)
    return names


@functools.cache
def _data() -> _Chrome:
    data = resources.files("newswatch").joinpath("data")
    sections: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    for entry in sorted(data.joinpath("chrome").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            _read_sections(entry.read_text(encoding="utf-8"), sections)
    names = data.joinpath("languages/names.tsv").read_text(encoding="utf-8")
    return _Chrome(
        chrome=_patterns(sections["chrome"]),
        read_more=_patterns(sections["read-more"]),
        available_in=_patterns(sections["available-in"]),
        list_words=frozenset(_normal(word) for word in sections["list-words"]),
        byline=_patterns(sections["byline"]),
        byline_ends=frozenset(_normal(word) for word in sections["byline-ends"]),
        byline_joiners=frozenset(_normal(word) for word in sections["byline-joiners"]),
        languages=_language_names(names),
    )


def _matches_line(patterns: _Patterns, line: str) -> bool:
    if _normal(line) in patterns.literals:
        return True
    stripped = line.strip()
    return len(stripped) <= _MAX_CHROME_LENGTH and any(rx.search(stripped) for rx in patterns.regexes)


def _after_prefix(patterns: _Patterns, line: str) -> str | None:
    """What follows a prefix of ``patterns`` at the start of ``line`` (None when none matches)."""
    text = " ".join(line.translate(INVISIBLE).split()).lstrip(_EDGE)
    for prefix in patterns.prefixes:
        if found := prefix.match(text):
            rest = text[found.end() :]
            separator = _AFTER_PREFIX.match(rest)
            return rest[separator.end() :] if separator else rest.strip()
    for rx in patterns.regexes:
        if found := rx.match(text):
            return text[found.end() :].strip()
    return None


def language_code(name: str) -> str | None:
    """The ISO 639-1 code of a language name in en/ru/hy or its own language ("Русский", "Armenian",
    "հայերեն", "армянском") or of a code ("RU", "hy"); None for anything else."""
    stripped = name.strip(_EDGE + " ")
    if len(stripped) <= 3 and stripped.isascii() and not (stripped.isupper() or stripped.islower()):
        return None  # "He", "It": words, not codes
    return _data().languages.get(_normal(stripped))


def _phrase_codes(words: list[str]) -> list[str] | None:
    """A language name of one or more words ("norsk bokmål"), or several one-word names ("EN RU")."""
    code = language_code(" ".join(words))
    if code is not None:
        return [code]
    codes = [language_code(word) for word in words]
    if len(words) > 1 and all(codes):
        return [code for code in codes if code]
    return None


def _language_list(text: str) -> list[str] | None:
    """Codes of a list of language names ("Հայերեն and Русский", "English | Русский"); None when any
    piece is not a language name."""
    data = _data()
    codes: list[str] = []
    for chunk in _LIST_PUNCTUATION.split(text.strip(_EDGE + " ")):
        words: list[str] = []
        for word in [*chunk.split(), ""]:
            if word and _normal(word) not in data.list_words:
                words.append(word)
                continue
            if words:
                found = _phrase_codes(words)
                if found is None:
                    return None
                codes.extend(code for code in found if code not in codes)
                words = []
    return codes


def available_in(line: str) -> list[str] | None:
    """ISO 639-1 codes of the other language versions an "available in" line names, in its order.

    "This text available in   Հայերեն and Русский" → ["hy", "ru"]; "Also available in: English |
    Русский" → ["en", "ru"]. A heading with no names after it ("Other languages:") → [] (the names are
    on the lines that follow). None when the line is not such a note, or names something that is not a
    language ("Available in stores and online").
    """
    rest = _after_prefix(_data().available_in, line)
    if rest is None:
        return None
    return _language_list(rest)


def read_more_heading(line: str) -> bool:
    """True for a "Read more:" / "Читайте также:" / "Կարդալ ավելին" heading line."""
    return _matches_line(_data().read_more, line)


def read_more_inline(line: str) -> str | None:
    """The title in a one-line "Read more: <title>" link; None for anything else."""
    if read_more_heading(line):
        return None
    text = " ".join(line.split())
    for prefix in _data().read_more.prefixes:
        if found := prefix.match(text):
            rest = text[found.end() :]
            if rest[:1] in (":", "։", "՝"):
                return rest[1:].strip(" -–—»›→") or None
    return None


_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
#: What ends the name of a byline: "By Jane Doe, Example Wire", "Reporting by Jane Doe; editing by …".
_NAME_END = re.compile(r"[,;(]")


def _name_words(rest: str) -> list[str]:
    """The words of the name at the start of what follows a byline label: up to a comma, a semicolon or
    a word that starts something else ("Reporting by Jane Doe in Yerevan" → Jane Doe)."""
    words = _NAME_END.split(rest, maxsplit=1)[0].strip(" .։").split()
    ends = _data().byline_ends
    for index, word in enumerate(words[1:], start=1):
        if _normal(word) in ends:
            # "By Monday at noon": one word before "at" is no evidence of a name
            return words[:index] if index >= 2 else []
    return words


def byline(line: str) -> str | None:
    """The author named by a byline ("By Jane Doe", "Reporting by Jane Doe; editing by John Roe",
    "Автор: Иван Петров", "Հեղինակ՝ Անի Սարգսյան"); None for anything else, including sentences that
    start like one ("By contrast, the talks …")."""
    stripped = line.strip()
    if len(stripped) > 120:
        return None
    rest = _after_prefix(_data().byline, stripped)
    if not rest:
        return None
    joiners = _data().byline_joiners
    # Several authors ("Jane Doe and John Roe") are joined by ", " as the record promises.
    names: list[list[str]] = [[]]
    for word in _name_words(rest):
        if _normal(word) in joiners and names[-1]:
            names.append([])
        else:
            names[-1].append(word)
    words = [word for group in names for word in group]
    name = ", ".join(" ".join(group) for group in names if group).strip(" .։")
    if not words or len(words) > 6 * len(names) or any(char.isdigit() for char in name):
        return None
    if not all(_NAME_WORD.fullmatch(word) for word in words):
        return None
    capitalised = sum(word[0].isupper() for word in words)
    if any(not group or not group[0][0].isupper() for group in names) or capitalised * 3 < len(words) * 2:
        return None
    if rest.rstrip().endswith((".", "։")) and not re.search(r"(?<!\w)\w\.$", rest.rstrip()):
        return None  # a sentence, unless it ends with an initial ("Jane Q.")
    return name


def _label_count(text: str, patterns: _Patterns) -> int:
    """How many chrome labels ``text`` is, one after another ("Share Print Subscribe" → 3); 0 when it is
    anything else. Labels of several words count once ("Show news feed Share" → 2)."""
    words = [word for word in (_normal(raw) for raw in text.split()) if word]
    # counts[end]: the fewest labels that make up words[:end] (None: they cannot)
    counts: list[int | None] = [0] + [None] * len(words)
    for end in range(1, len(words) + 1):
        found = [
            count + 1
            for start in range(max(0, end - patterns.longest), end)
            if (count := counts[start]) is not None and " ".join(words[start:end]) in patterns.literals
        ]
        counts[end] = min(found, default=None)
    return counts[-1] or 0


def _is_button_row(line: str, patterns: _Patterns) -> bool:
    """A row of two or more chrome labels: "Share | Print | Subscribe", "Կիսվել Տպել", "Поделиться Печать"."""
    if len(line) > _MAX_CHROME_LENGTH:
        return False
    total = 0
    for piece in _BARS.split(line.strip()):
        if not piece.strip():
            continue
        count = _label_count(piece, patterns)
        if count == 0:
            if not _matches_line(patterns, piece):
                return False
            count = 1
        total += count
    return total >= 2


def is_chrome(line: str) -> bool:
    """True for a line of page chrome: navigation, share/subscribe/print, copyright, wire and photo
    credits, a "Read more" heading, an "available in" note, a bare list of language names (a language
    switcher) or a row of chrome labels ("Share | Print | Subscribe", "Կիսվել Տպել"). Bylines are not
    chrome here: see :func:`byline`."""
    if not line.strip():
        return False
    data = _data()
    if _matches_line(data.chrome, line) or read_more_heading(line) or _is_button_row(line, data.chrome):
        return True
    if available_in(line) is not None:
        return True
    codes = _language_list(line)
    return bool(codes) and len(line) <= _MAX_CHROME_LENGTH
