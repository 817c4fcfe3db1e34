"""What only the PostgreSQL store has: connection errors, many processes migrating at once, the language
stemmers of its search, and the command line on a PostgreSQL database (the rest runs on both backends in
test_store.py and the other store tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PostgresTemplate, StoreFactory
from newswatch.errors import StoreError
from newswatch.model import Article, RawInput, article_id
from newswatch.store import open_store
from newswatch.store.postgres import PostgresStore
from newswatch.store.postgres_migrations import load_migrations

RAW = RawInput(b"<rss/>", "feed.xml")


@pytest.fixture
def pg(tmp_path: Path, postgres_template: PostgresTemplate) -> Iterator[StoreFactory]:
    factory = StoreFactory("postgresql", tmp_path, postgres_template)
    try:
        yield factory
    finally:
        factory.close()


def make(text: str, *, url: str, **fields: object) -> Article:
    return Article(id=article_id(url=url, guid=None, feed_url=None, text=text), text=text, url=url, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "shown", "reason"),
    [
        (
            "postgresql://postgres:s3cret@127.0.0.1:1/news",
            "postgresql://postgres@127.0.0.1:1/news",
            "refused",
        ),
        ("postgresql://postgres@127.0.0.1/nw_no_such_db", "127.0.0.1:5432/nw_no_such_db", "does not exist"),
        ("postgres://nw_no_such_role:pw@127.0.0.1/postgres", "127.0.0.1:5432/postgres", "nw_no_such_role"),
    ],
)
def test_what_cannot_be_opened_is_a_one_line_store_error(
    pg: StoreFactory, url: str, shown: str, reason: str
) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert shown in message
    assert reason in message
    assert "\n" not in message
    assert "s3cret" not in message and ":pw@" not in message


def test_many_processes_opening_a_new_database_at_once_migrate_it_once(pg: StoreFactory) -> None:
    url = pg.url("blank", blank=True)
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            start.wait()
            PostgresStore(url).close()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = pg.rows(
        "blank", "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version"
    )
    assert rows == [(m.version, 1) for m in load_migrations()]


def test_another_programs_tables_are_refused_and_unrelated_ones_are_left_alone(pg: StoreFactory) -> None:
    foreign = pg.url("other", blank=True)
    pg.rows("other", "CREATE TABLE articles (n integer)")
    with pytest.raises(StoreError, match="no schema_migrations"):
        open_store(foreign)
    shared = pg.url("queue", blank=True)  # a task queue's tables in the same database are fine
    pg.rows("queue", "CREATE TABLE procrastinate_jobs (id bigint)")
    with open_store(shared) as store:
        assert store.count() == 0
    assert pg.rows("queue", "SELECT count(*) FROM procrastinate_jobs") == [(0,)]


def test_search_finds_inflected_forms_with_the_language_stemmer(pg: StoreFactory) -> None:
    with pg() as store:
        store.put(make("Both sides respected the ceasefire agreements.", url="en", language="en"), RAW)
        store.put(make("Стороны вернулись к переговорам в Брюсселе.", url="ru", language="ru"), RAW)
        store.put(make("Ceasefire text with no language.", url="xx"), RAW)
        assert [hit.article.url for hit in store.search("agreement")] == ["en"]
        assert [hit.article.url for hit in store.search("переговоров")] == ["ru"]
        assert [hit.article.url for hit in store.search("respect ceasefire")] == ["en"]  # stems, all words
        assert {hit.article.url for hit in store.search("ceasefire")} == {"en", "xx"}
        rows = pg.rows("main", "SELECT url, search_config::text FROM articles ORDER BY url")
        assert rows == [("en", "english"), ("ru", "russian"), ("xx", "simple")]


# --- the command line ---------------------------------------------------------------------------------

CAPTURE = """March 3, 2026 14:05

Ministers agree on a new round of border talks

The foreign ministers of Armenia and Azerbaijan agreed to hold a new round of talks on the border, their
ministries said on Tuesday. Armenia accused Azerbaijan of delaying the commission's work.
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env["NEWSWATCH_CONFIG"] = os.devnull
    result = subprocess.run(
        [sys.executable, "-m", "newswatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_cli_db_postgresql_ingest_export_events_stories_serve(pg: StoreFactory, tmp_path: Path) -> None:
    db = pg.url("cli", blank=True)  # a new, empty database: the CLI creates the schema
    capture = tmp_path / "talks.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    first = _run("ingest", str(capture), "--db", db, "--reference-date", "2026-03-31")
    assert first.returncode == 0, first.stderr
    assert "1 new" in first.stdout
    again = _run("ingest", str(capture), "--db", db, "--reference-date", "2026-03-31")
    assert "1 unchanged" in again.stdout
    exported = _run("export", "--db", db)
    assert exported.returncode == 0 and '"Ministers agree on a new round of border talks"' in exported.stdout
    events = _run("events", "--db", db, "--pair", "ARM", "AZE")
    assert events.returncode == 0 and events.stdout.startswith("date,")
    assert len(events.stdout.strip().splitlines()) >= 2  # the header and at least one event
    stories = _run("stories", "--db", db)
    assert stories.returncode == 0 and '"size": 1' in stories.stdout
    wrong = _run("export", "--db", "postgresql://postgres:hunter2@127.0.0.1:1/news")
    assert wrong.returncode != 0
    assert wrong.stderr.startswith("error: ") and len(wrong.stderr.strip().splitlines()) == 1
    assert "hunter2" not in wrong.stderr

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env["NEWSWATCH_CONFIG"] = os.devnull
    with subprocess.Popen(
        [sys.executable, "-m", "newswatch", "serve", "--db", db, "--port", "0", "--no-poll"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    ) as server:
        try:
            assert server.stdout is not None
            line = ""
            for line in server.stdout:
                if line.startswith("serving "):
                    break
            address = line.split()[1]
            with urllib.request.urlopen(address + "api/v1/articles", timeout=30) as answer:
                body = answer.read().decode("utf-8")
            assert "Ministers agree on a new round of border talks" in body
            with urllib.request.urlopen(address, timeout=30) as answer:
                assert answer.status == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
