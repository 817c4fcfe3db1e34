"""The runner: inputs in, records out or stored — one input's failure never stops the others.

This is where reading, the pure pipeline and the store meet. The CLI and (later) the web app and the
workers call these functions; they hold no pipeline logic of their own.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from newswatch.errors import NewswatchError
from newswatch.ingest.inputs import expand_inputs, read_input
from newswatch.model import Article, RawInput
from newswatch.pipeline import process
from newswatch.settings import Settings
from newswatch.store.base import PutOutcome, Store

__all__ = ["Failure", "IngestReport", "extract_inputs", "ingest_inputs", "read_and_process"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be used, and why, in one line."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


@dataclass(slots=True)
class IngestReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    inputs: int = 0

    @property
    def summary(self) -> str:
        counts = self.outcomes
        return (
            f"{self.inputs} input{'s' if self.inputs != 1 else ''}: {counts['new']} new, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {len(self.failures)} failed"
        )


def read_and_process(
    name: str, settings: Settings, *, reference_date: datetime | None = None
) -> tuple[RawInput, list[Article]]:
    """Read one input (file, URL or ``-``) and run the pipeline on it."""
    raw = read_input(name, settings, reference_date=reference_date)
    return raw, process(raw, max_bytes=settings["input.max_bytes"])


def extract_inputs(
    names: Iterable[str], settings: Settings, *, reference_date: datetime | None = None
) -> Iterator[Article | Failure]:
    """Records for every input, in order; a failing input yields a :class:`Failure` and the run goes on."""
    for name in expand_inputs(names):
        try:
            _raw, articles = read_and_process(name, settings, reference_date=reference_date)
        except NewswatchError as exc:
            yield Failure(name, str(exc))
            continue
        yield from articles


def ingest_inputs(
    names: Iterable[str],
    store: Store,
    settings: Settings,
    *,
    reference_date: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Read, process and store every input; each input is stored in one transaction of its own."""
    report = IngestReport()
    for name in expand_inputs(names):
        report.inputs += 1
        try:
            raw, articles = read_and_process(name, settings, reference_date=reference_date)
            outcomes: list[PutOutcome] = store.put_many((article, raw) for article in articles)
        except NewswatchError as exc:
            report.failures.append(Failure(name, str(exc)))
        else:
            report.outcomes.update(outcomes)
        if progress:
            progress(name)
    return report
