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


def test_reprocess_recomputes_from_the_kept_raw_input(tmp_path: Path) -> None:
    from dataclasses import replace

    from newswatch.runner import reprocess_store

    capture = tmp_path / "c.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    settings = load_settings(env={})
    with open_store(str(tmp_path / "n.db")) as store:
        ingest_inputs([str(capture)], store, settings)
        (stored,) = list(store.articles())
        raw = store.raw_for(stored.id)
        assert raw is not None
        # What an older pipeline might have stored for the same input.
        store.put(replace(stored, title="an old, wrong title", language="xx"), raw)
        report = reprocess_store(store, settings)
        assert report.summary == "1 input: 0 new, 1 updated, 0 unchanged, 0 failed"
        (again,) = list(store.articles())
        assert again == stored and again.id == stored.id
        assert reprocess_store(store, settings).summary == "1 input: 0 new, 0 updated, 1 unchanged, 0 failed"


def test_reprocess_never_reverts_to_an_older_copy_of_a_feed(tmp_path: Path) -> None:
    from newswatch.runner import reprocess_store

    feed = tmp_path / "w.xml"
    item = "<item><title>Talks</title><link>https://w.example/1</link><description>{}</description></item>"
    template = "<rss version='2.0'><channel><title>W</title><link>https://w.example/</link>{}</channel></rss>"
    settings = load_settings(env={})
    with open_store(str(tmp_path / "n.db")) as store:
        feed.write_text(template.format(item.format("First version of the text.")), encoding="utf-8")
        ingest_inputs([str(feed)], store, settings)
        feed.write_text(template.format(item.format("Second, corrected version.")), encoding="utf-8")
        ingest_inputs([str(feed)], store, settings)
        report = reprocess_store(store, settings)
        (article,) = list(store.articles())
    assert article.text == "Second, corrected version."
    assert report.outcomes["updated"] == 0
