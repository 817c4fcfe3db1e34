"""The command line as a user runs it: a real process, real files, a real database, a real HTTP server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from conftest import LoopbackServer, shared_dir
from newswatch.sample import sample_inputs, sample_reference_date

_DATA_HOME = tempfile.mkdtemp(prefix="newswatch-test-data-")

CAPTURE_EN = """March 3, 2026 14:05
Show news feed

Ministers agree on a new round of border talks

The foreign ministers of Armenia and Azerbaijan agreed to hold a new round of talks on the border, their
ministries said on Tuesday. The commissions will meet before the end of the month.

This text available in Հայերեն and Русский
Read more:
"""
CAPTURE_HY = """Երևան, 2026 թ. մարտի 4

Սահմանազատման հանձնաժողովները հանդիպեցին

Հայաստանի և Ադրբեջանի սահմանազատման հանձնաժողովները այսօր հերթական հանդիպումն են անցկացրել։ Կողմերը քննարկել
են աշխատանքային ժամանակացույցը և պայմանավորվել շարունակել շփումները։
"""
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Envoy arrives in Baku</title><link>https://wire.example/1?utm_source=rss</link><guid>w-1</guid>
<pubDate>Mon, 09 Mar 2026 08:00:00 +0000</pubDate><description>The envoy arrived in Baku for talks with the
foreign minister on the peace treaty.</description></item>
<item><title>Envoy arrives in Baku</title><link>https://wire.example/1</link><guid>w-1</guid>
<description>The envoy arrived in Baku.</description></item>
<item><title>Envoy moves on to Yerevan</title><link>https://wire.example/2</link><guid>w-2</guid>
<pubDate>Tue, 10 Mar 2026 08:00:00 +0000</pubDate><description>The envoy travelled on to Yerevan for talks with
the Armenian side.</description></item>
</channel></rss>"""
XXE = """<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title></item></channel></rss>"""


def run(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_") or k == "NEWSWATCH_SHARED"}
    # Never touch the user's own data directory or configuration.
    full_env = {**base, "XDG_DATA_HOME": _DATA_HOME, "NEWSWATCH_CONFIG": os.devnull, **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "newswatch", *args],
        input=stdin.decode("utf-8", "replace") if stdin is not None else None,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def records(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "en.txt").write_text(CAPTURE_EN, encoding="utf-8")
    (folder / "sub" / "hy.txt").write_text(CAPTURE_HY, encoding="utf-8")
    (folder / "wire.xml").write_text(FEED, encoding="utf-8")
    (folder / ".hidden.txt").write_text("not to be read", encoding="utf-8")
    return folder


def test_seed_comes_out_right() -> None:
    seed = shared_dir() / "examples" / "seed-un-ceasefire-en.txt"
    result = run("extract", str(seed), "--reference-date", "2026-02-01")
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["language"] == "en"
    assert record["published"] == "2026-01-28"
    assert record["published_precision"] == "inferred-year"
    assert [t["language"] for t in record["translations"]] == ["hy", "ru"]  # type: ignore[attr-defined]
    text = str(record["text"])
    assert text.startswith("The UN welcomes the ceasefire agreements")
    for chrome in ("January 28", "Show news feed", "available in", "Read more"):
        assert chrome not in text
    actors = {a["id"]: a for a in record["actors"]}  # type: ignore[attr-defined]
    assert {"un", "ARM", "AZE", "eu", "RUS", "miroslav-jenca"} <= set(actors)
    assert actors["miroslav-jenca"]["role"] == "Special Representative"
    quotes = record["quotes"]
    jenca = [q for q in quotes if q["speaker"] == "miroslav-jenca"]  # type: ignore[attr-defined, index]
    assert any(q["text"].startswith("the two countries have sent letters") for q in jenca)
    assert any(q["text"].startswith("the UN will send a mission") for q in jenca)
    assert any(q["cue"].lower().startswith("according to") for q in jenca)
    events = {(e["type"], e["source"], e["target"]) for e in record["events"]}  # type: ignore[attr-defined]
    assert {("SUPPORT", "un", "ARM"), ("SUPPORT", "un", "AZE")} <= events
    assert {("ACCUSE", "ARM", "AZE"), ("ACCUSE", "AZE", "ARM")} <= events
    assert {("REQUEST", "un", "ARM"), ("REQUEST", "un", "AZE")} <= events
    for fact in [*record["quotes"], *record["events"]]:  # type: ignore[misc]
        assert 0 <= fact["start"] < fact["end"] <= len(text)


def test_extract_directory_recurses_and_collapses_feed_duplicates(inputs: Path) -> None:
    result = run("extract", str(inputs), "--reference-date", "2026-03-31")
    assert result.returncode == 0, result.stderr
    got = records(result.stdout)
    assert [r["language"] for r in got] == ["en", "hy", "en", "en"]
    en, hy, envoy, moves = got
    assert en["title"] == "Ministers agree on a new round of border talks"
    assert en["published"] == "2026-03-03T14:05:00" and en["published_precision"] == "datetime"
    assert hy["published"] == "2026-03-04" and hy["title"] == "Սահմանազատման հանձնաժողովները հանդիպեցին"
    assert envoy["url"] == "https://wire.example/1" and "peace treaty" in str(envoy["text"])
    assert envoy["published"] == "2026-03-09T08:00:00+00:00"
    assert moves["source"] == "wire.example"


def test_extract_json_format_and_stdin() -> None:
    result = run("extract", "--format", "json", "-", stdin=CAPTURE_EN.encode())
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["title"] == "Ministers agree on a new round of border talks"


def test_bad_inputs_fail_alone_with_one_line_each(tmp_path: Path, inputs: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "xxe.xml").write_text(XXE, encoding="utf-8")
    bad = [
        str(tmp_path / "empty.txt"),
        str(tmp_path / "image.png"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "xxe.xml"),
        "ftp://files.example/a.txt",
        "http://127.0.0.1:9/",
    ]
    result = run("extract", bad[0], str(inputs / "en.txt"), *bad[1:])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(bad), result.stderr
    assert all(line.startswith("error: ") for line in lines)
    for name, line in zip(bad, lines, strict=True):
        assert name in line
    assert "passwd" not in result.stdout and "root:" not in result.stdout
    assert [r["title"] for r in records(result.stdout)] == ["Ministers agree on a new round of border talks"]


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    paragraph = (
        "The talks went on late into the night and the sides agreed to meet again. " * 20 + "\n\n"
    ).encode()
    with big.open("wb") as out:
        for _ in range(30 * 1024 * 1024 // len(paragraph) + 1):
            out.write(paragraph)
    result = run("extract", str(big))
    assert result.returncode == 1
    assert "input.max_bytes" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    raised = run("extract", str(big), env={"NEWSWATCH_INPUT_MAX_BYTES": str(40 * 1024 * 1024)})
    assert raised.returncode == 0, raised.stderr
    (record,) = records(raised.stdout)
    assert record["language"] == "en" and len(str(record["text"])) > 29 * 1024 * 1024


def test_ingest_is_idempotent_and_updates_in_place(tmp_path: Path, inputs: Path) -> None:
    db = str(tmp_path / "news.db")
    first = run("ingest", str(inputs), "--db", db, "--reference-date", "2026-03-31")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "3 inputs: 4 new, 0 updated, 0 unchanged, 0 failed"
    again = run("ingest", str(inputs), "--db", db, "--reference-date", "2026-03-31")
    assert again.stdout.strip() == "3 inputs: 0 new, 0 updated, 4 unchanged, 0 failed"
    before = {r["url"]: r["id"] for r in records(run("export", "--db", db).stdout) if r["url"]}

    (inputs / "wire.xml").write_text(FEED.replace("the Armenian side", "Armenian officials"), "utf-8")
    changed = run("ingest", str(inputs / "wire.xml"), "--db", db)
    assert changed.stdout.strip() == "1 input: 0 new, 1 updated, 1 unchanged, 0 failed"
    after = records(run("export", "--db", db).stdout)
    assert len(after) == 4
    moved = next(r for r in after if r["url"] == "https://wire.example/2")
    assert moved["id"] == before["https://wire.example/2"]
    assert "Armenian officials" in str(moved["text"])


def test_ingest_counts_failures_and_keeps_going(tmp_path: Path, inputs: Path) -> None:
    db = str(tmp_path / "news.db")
    (inputs / "empty.txt").write_bytes(b"")
    result = run("ingest", str(inputs), "--db", db, "--reference-date", "2026-03-31")
    assert result.returncode == 1
    assert result.stdout.strip() == "4 inputs: 4 new, 0 updated, 0 unchanged, 1 failed"
    assert result.stderr.count("error: ") == 1 and "empty.txt" in result.stderr


def test_export_filters_and_csv(tmp_path: Path, inputs: Path) -> None:
    db = str(tmp_path / "news.db")
    run("ingest", str(inputs), "--db", db, "--reference-date", "2026-03-31")
    hy = records(run("export", "--db", db, "--language", "hy").stdout)
    assert [r["language"] for r in hy] == ["hy"]
    recent = records(run("export", "--db", db, "--since", "2026-03-05").stdout)
    assert [r["published"] for r in recent] == ["2026-03-10T08:00:00+00:00", "2026-03-09T08:00:00+00:00"]
    table = list(csv.DictReader(io.StringIO(run("export", "--db", db, "--format", "csv").stdout)))
    assert len(table) == 4
    en = next(row for row in table if row["title"].startswith("Ministers agree"))
    assert en["translations"] == "hy | ru" and en["published_precision"] == "datetime"


def test_fetch_from_loopback_server(tmp_path: Path, http_server: LoopbackServer) -> None:
    page = (
        "<html lang='ru'><head><meta charset='windows-1251'><title>Переговоры</title></head><body><article>"
        "<p>Министры иностранных дел Армении и Азербайджана договорились продолжить переговоры в апреле.</p>"
        "<p>Следующая встреча пройдёт в Женеве при посредничестве Швейцарии.</p></article></body></html>"
    )
    url = http_server.route("/news/1", page.encode("cp1251"), content_type="text/html")
    refused = run("extract", url)
    assert refused.returncode == 1 and "error: " in refused.stderr
    assert http_server.requests == []
    result = run("extract", url, env={"NEWSWATCH_FETCH_ALLOW_PRIVATE": "1"})
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["language"] == "ru" and record["url"] == url
    assert "договорились продолжить переговоры" in str(record["text"])
    assert record["published"] is None


@pytest.mark.parametrize("verb", ["extract", "ingest", "export", "demo", "serve", "config"])
def test_help_on_every_verb(verb: str) -> None:
    result = run(verb, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_usage_errors_are_one_line() -> None:
    result = run("extract", "x.txt", "--reference-date", "yesterday")
    assert result.returncode == 2 and result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("no-such-verb").returncode == 2


def test_unusable_database(tmp_path: Path, inputs: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    for db in (str(garbage), str(tmp_path)):
        result = run("ingest", str(inputs / "en.txt"), "--db", db)
        assert result.returncode == 1 and result.stderr.startswith("error: "), result.stderr
    assert garbage.read_bytes() == b"this is not a database" * 100


def test_db_from_environment(tmp_path: Path, inputs: Path) -> None:
    db = tmp_path / "env.db"
    result = run("ingest", str(inputs / "en.txt"), env={"NEWSWATCH_DB": str(db)})
    assert result.returncode == 0 and db.exists()
    assert len(records(run("export", env={"NEWSWATCH_DB": str(db)}).stdout)) == 1


def test_default_db_is_in_user_data_dir(inputs: Path) -> None:
    result = run("ingest", str(inputs / "en.txt"))
    assert result.returncode == 0, result.stderr
    assert (Path(_DATA_HOME) / "newswatch" / "newswatch.db").exists()


def test_progress_bar_on_a_terminal(tmp_path: Path, inputs: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update({"XDG_DATA_HOME": _DATA_HOME, "NEWSWATCH_CONFIG": os.devnull, "COLUMNS": "100"})
    command = [sys.executable, "-m", "newswatch", "ingest", str(inputs), "--db", str(tmp_path / "p.db")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=secondary, env=env, text=True) as proc:
        os.close(secondary)
        out, _ = proc.communicate(timeout=300)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert b"ingesting" in seen and b"100%" in seen
    assert out.strip() == "3 inputs: 4 new, 0 updated, 0 unchanged, 0 failed"


def test_demo_shows_the_sample_feed_by_day(tmp_path: Path) -> None:
    result = run("demo", "--no-serve", env={"XDG_DATA_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "newswatch demo: sample corpus, 31 inputs: 42 new, 0 updated, 0 unchanged, 0 failed"
    headers = [line for line in lines if line.endswith("2026") and line.split(",")[0].endswith("day")]
    assert headers[0] == "Monday, 09 March 2026" and len(headers) >= 5
    assert "Mirzoyan and Kallas discuss EU–Armenia agenda in Brussels" in result.stdout
    assert "available in" in result.stdout and "Read more:" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the demo never writes into the user's data directory


def test_demo_refuses_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"keep me")
    result = run("demo", "--no-serve", "--db", str(db))
    assert result.returncode == 1 and "exists" in result.stderr
    assert db.read_bytes() == b"keep me"


def _feed(link: str, text: str, guid: str = "g-1") -> str:
    return (
        "<rss version='2.0'><channel><title>W</title><link>https://w.example/</link><item><title>Talks</title>"
        f"<link>{link}</link><guid>{guid}</guid><description>{text}</description></item></channel></rss>"
    )


def test_feed_item_whose_address_changed_is_updated_in_place(tmp_path: Path) -> None:
    db, feed = str(tmp_path / "n.db"), tmp_path / "w.xml"
    feed.write_text(_feed("https://w.example/a", "The talks began in Vienna on Monday."), "utf-8")
    assert (
        run("ingest", str(feed), "--db", db)
        .stdout.strip()
        .endswith("1 new, 0 updated, 0 unchanged, 0 failed")
    )
    feed.write_text(_feed("https://w.example/a-corrected", "The talks began in Vienna on Monday."), "utf-8")
    result = run("ingest", str(feed), "--db", db)
    assert result.stdout.strip() == "1 input: 0 new, 1 updated, 0 unchanged, 0 failed"
    (record,) = records(run("export", "--db", db).stdout)
    assert record["url"] == "https://w.example/a-corrected"


def test_a_feed_summary_never_replaces_the_stored_page(tmp_path: Path) -> None:
    db = str(tmp_path / "n.db")
    page = tmp_path / "page.html"
    body = "The foreign ministers met in Vienna on Monday and agreed to meet again within a month. " * 4
    page.write_text(
        f"<html><head><link rel='canonical' href='https://w.example/a'></head><body><article><p>{body}</p>"
        "</article></body></html>",
        "utf-8",
    )
    feed = tmp_path / "w.xml"
    feed.write_text(_feed("https://w.example/a?utm_source=rss", "The ministers met."), "utf-8")
    run("ingest", str(page), "--db", db)
    for _ in range(2):
        result = run("ingest", str(feed), "--db", db)
        assert result.stdout.strip() == "1 input: 0 new, 0 updated, 1 unchanged, 0 failed"
    (record,) = records(run("export", "--db", db).stdout)
    assert record["text"] == body.strip()


def test_empty_feed_is_a_warning_not_an_error(tmp_path: Path) -> None:
    feed = tmp_path / "empty.xml"
    feed.write_text("<rss version='2.0'><channel><title>W</title></channel></rss>", "utf-8")
    result = run("extract", str(feed))
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith("warning: ") and "no articles" in result.stderr


def test_export_refuses_a_missing_database(tmp_path: Path) -> None:
    result = run("export", "--db", str(tmp_path / "typo.db"))
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_bad_option_values_are_usage_errors(tmp_path: Path) -> None:
    assert run("export", "--language", "english").returncode == 2
    assert run("ingest", "x.txt", "--db", "").returncode == 1


def test_events_verb_lists_sample_events_by_pair_and_type(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert run("demo", "--no-serve", "--db", db, "--days", "1").returncode == 0
    table = list(csv.DictReader(io.StringIO(run("events", "--db", db, "--pair", "ARM", "AZE").stdout)))
    assert table, "the sample corpus has events between Armenia and Azerbaijan"
    pair = {"ARM", "AZE"}

    def side(row: dict[str, str], which: str) -> set[str]:
        return {row[f"{which}_id"], row[f"{which}_country"]} & pair

    # Armenia and Azerbaijan themselves, or people and bodies the article ties to them.
    assert all(
        side(row, "source") and side(row, "target") and side(row, "source") != side(row, "target")
        for row in table
    )
    first = table[0]
    assert first["source_name"] and first["sentence"] and first["article_id"]
    countries = [row for row in table if row["source_id"] in pair]
    assert countries and all(row["source_name"] in ("Armenia", "Azerbaijan") for row in countries)
    assert [row["date"] for row in table] == sorted(row["date"] for row in table)
    accuse = records(run("events", "--db", db, "--type", "ACCUSE", "--format", "jsonl").stdout)
    assert accuse and all(row["type"] == "ACCUSE" for row in accuse)
    since = records(run("events", "--db", db, "--since", "2026-03-01", "--format", "jsonl").stdout)
    assert since and all(str(row["date"]) >= "2026-03-01" for row in since)


def test_reprocess_verb(tmp_path: Path, inputs: Path) -> None:
    db = str(tmp_path / "n.db")
    run("ingest", str(inputs), "--db", db, "--reference-date", "2026-03-31")
    result = run("reprocess", "--db", db)
    assert result.returncode == 0
    assert result.stdout.strip() == "3 inputs: 0 new, 0 updated, 4 unchanged, 0 failed"
    assert run("reprocess", "--db", str(tmp_path / "none.db")).returncode == 1


def _stories(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_stories_verb_folds_versions_and_reports_into_stories(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert run("demo", "--no-serve", "--db", db, "--days", "1").returncode == 0
    stories = _stories(run("stories", "--db", db).stdout)
    exported = records(run("export", "--db", db).stdout)
    ids = [str(a["id"]) for s in stories for a in s["articles"]]
    assert sorted(ids) == sorted(str(a["id"]) for a in exported)  # every article in exactly one story
    assert len(stories) < len(exported)
    multi = [s for s in stories if s["size"] > 1]
    assert multi and any(len(s["languages"]) == 3 for s in multi)
    for story in stories:
        assert story["size"] == len(story["articles"])
        assert story["representative"] in {a["id"] for a in story["articles"]}
        assert story["id"][2:] in {a["id"] for a in story["articles"]}
    firsts = [str(s["first_seen"])[:10] for s in stories]
    assert firsts[0] >= firsts[-1]
    table = list(csv.DictReader(io.StringIO(run("stories", "--db", db, "--format", "csv").stdout)))
    assert [row["id"] for row in table] == [s["id"] for s in stories]
    assert all(len(row["articles"].split(" | ")) == int(row["size"]) for row in table)
    # Events are counted once per story, each with every report of it: nothing lost, nothing doubled.
    events_of = {str(a["id"]): a["events"] for a in exported}
    for story in stories:
        reported = sum(len(events_of[str(a["id"])]) for a in story["articles"])  # type: ignore[arg-type]
        assert sum(e["reports"] for e in story["events"]) == reported
        for event in story["events"]:
            assert event["reports"] == len(event["mentions"])
            for mention in event["mentions"]:
                source = events_of[mention["article"]][mention["event"]]  # type: ignore[index]
                assert (source["type"], source["source"], source["target"]) == (
                    event["type"],
                    event["source"],
                    event["target"],
                )
    assert any(e["reports"] >= 2 for s in multi for e in s["events"])
    assert [int(row["events"]) for row in table] == [len(s["events"]) for s in stories]
    # The exported record lists its versions in the other languages with their stored ids: always
    # articles of its own story, never its own language; the trilingual stories have full triples.
    by_id = {str(a["id"]): a for a in exported}
    triples = 0
    for story in multi:
        members = {a["id"]: a["language"] for a in story["articles"]}
        for member in story["articles"]:
            versions = [t for t in by_id[member["id"]]["translations"] if t["id"]]  # type: ignore[attr-defined]
            assert all(t["id"] in members and t["language"] != member["language"] for t in versions)
            triples += {t["language"] for t in versions} | {member["language"]} == {"en", "hy", "ru"}
    assert triples >= 6
    hy = _stories(run("stories", "--db", db, "--language", "hy").stdout)
    assert hy and all("hy" in s["languages"] for s in hy) and len(hy) < len(stories)
    late = _stories(run("stories", "--db", db, "--since", "2026-03-01").stdout)
    assert late and len(late) < len(stories)
    # Ingesting the same corpus again changes no story.
    reference = sample_reference_date().date().isoformat()
    again = run("ingest", "--db", db, *sample_inputs(), "--reference-date", reference)
    assert again.returncode == 0 and " 0 new, 0 updated" in again.stdout
    assert _stories(run("stories", "--db", db).stdout) == stories


def test_stories_verb_errors_are_one_line(tmp_path: Path) -> None:
    missing = run("stories", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: no database")
    assert run("stories", "--language", "english").returncode == 2
    assert run("stories", "--since", "yesterday", "--db", str(tmp_path / "none.db")).returncode == 2
