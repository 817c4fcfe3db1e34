"""The sample corpus bundled with the package (``newswatch/data/sample``), used by ``newswatch demo``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

__all__ = ["SAMPLE_KINDS", "sample_dir", "sample_inputs", "sample_reference_date"]

SAMPLE_KINDS = ("captures", "pages", "feeds")
#: The corpus was written as of this day; its year-less datelines resolve against it.
_DEFAULT_REFERENCE = datetime(2026, 3, 31, tzinfo=UTC)


def sample_dir() -> Path:
    return Path(str(files("newswatch") / "data" / "sample"))


def sample_inputs() -> list[str]:
    """Every sample input file, in a stable order."""
    root = sample_dir()
    return [str(p) for kind in SAMPLE_KINDS for p in sorted((root / kind).glob("*")) if p.is_file()]


def sample_reference_date() -> datetime:
    manifest = sample_dir() / "manifest.json"
    if manifest.is_file():
        value = json.loads(manifest.read_text(encoding="utf-8")).get("reference_date")
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return _DEFAULT_REFERENCE
