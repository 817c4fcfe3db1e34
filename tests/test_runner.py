"""The runner keeps going when one input meets a bug: the safety net behind every input."""

from pathlib import Path

import pytest

from newswatch import runner
from newswatch.model import Article
from newswatch.runner import Failure, extract_inputs, ingest_inputs
from newswatch.settings import load_settings
from newswatch.store import open_store

CAPTURE = "March 3, 2026\n\nThe commissions met in Gabala and agreed on a schedule for the next round.\n"


@pytest.fixture
def three_inputs(tmp_path: Path) -> list[str]:
    names = []
    for name in ("a.txt", "boom.txt", "c.txt"):
        path = tmp_path / name
        path.write_text(CAPTURE.replace("Gabala", name), encoding="utf-8")
        names.append(str(path))
    return names


@pytest.fixture
def buggy_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for a bug we cannot write on purpose: the pipeline raises a plain exception on one input."""
    real = runner.process

    def process(raw, **kwargs):  # type: ignore[no-untyped-def]
        if raw.name.endswith("boom.txt"):
            raise RuntimeError("unexpected")
        return real(raw, **kwargs)

    monkeypatch.setattr(runner, "process", process)
    monkeypatch.delenv("NEWSWATCH_DEBUG", raising=False)


@pytest.mark.usefixtures("buggy_pipeline")
def test_extract_goes_on_after_a_bug(three_inputs: list[str]) -> None:
    results = list(extract_inputs(three_inputs, load_settings(env={})))
    assert [type(r) for r in results] == [Article, Failure, Article]
    failure = results[1]
    assert isinstance(failure, Failure) and "internal error (RuntimeError: unexpected)" in failure.message


@pytest.mark.usefixtures("buggy_pipeline")
def test_ingest_goes_on_after_a_bug(three_inputs: list[str], tmp_path: Path) -> None:
    with open_store(str(tmp_path / "n.db")) as store:
        report = ingest_inputs(three_inputs, store, load_settings(env={}))
        assert store.count() == 2
    assert report.summary == "3 inputs: 2 new, 0 updated, 0 unchanged, 1 failed"


@pytest.mark.usefixtures("buggy_pipeline")
def test_debug_lets_the_bug_through(three_inputs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_DEBUG", "1")
    with pytest.raises(RuntimeError):
        list(extract_inputs(three_inputs, load_settings(env={})))
