"""Linking: language versions, near-duplicates, stories, related reading and events counted per story.

Pure functions over article records (no store, no I/O); the store indexes :func:`band_keys` and
:func:`evidence_keys` to find candidates in sub-linear time and calls the scores on those only.
See ``docs/linking.md``.
"""

from __future__ import annotations

from newswatch.link.events import story_events
from newswatch.link.fingerprint import Fingerprint, band_keys, evidence_keys, fingerprint
from newswatch.link.related import related, relatedness
from newswatch.link.scores import (
    COVERAGE_THRESHOLD,
    DUPLICATE_THRESHOLD,
    TRANSLATION_THRESHOLD,
    TRANSLATION_WINDOW_HOURS,
    coverage_score,
    duplicate_score,
    translation_score,
)
from newswatch.link.stories import Pair, Story, build_stories

__all__ = [
    "COVERAGE_THRESHOLD",
    "DUPLICATE_THRESHOLD",
    "TRANSLATION_THRESHOLD",
    "TRANSLATION_WINDOW_HOURS",
    "Fingerprint",
    "Pair",
    "Story",
    "band_keys",
    "build_stories",
    "coverage_score",
    "duplicate_score",
    "evidence_keys",
    "fingerprint",
    "related",
    "relatedness",
    "story_events",
    "translation_score",
]
