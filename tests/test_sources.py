"""Live sources: the store's methods, `newswatch sources` against a real loopback server, feed discovery, OPML
in and out (hostile files refused), their health on the sources page, and the admin routes of the web app."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette's test client names an alias anyio deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from conftest import LoopbackServer, StoreFactory
from newswatch.cli import main
from newswatch.errors import HostileInputError, MalformedInputError, QueryError
from newswatch.ingest.discover import feed_links, parse_interval
from newswatch.ingest.opml import import_sources, parse_opml, render_opml
from newswatch.model import Article, RawInput
from newswatch.settings import load_settings
from newswatch.store.base import Store, utc_text
from newswatch.store.live import PollResult
from newswatch.web import create_app

_DATA_HOME = tempfile.mkdtemp(prefix="newswatch-test-data-")
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire &amp; Co</title><link>https://wire.example/</link>
<item><title>Envoy arrives in Baku</title><link>https://wire.example/1</link><guid>w-1</guid>
<description>The envoy arrived in Baku for talks.</description></item></channel></rss>"""
HOME = b"""<!DOCTYPE html><html><head><title>Wire home</title>
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" title="Wire RSS" href="feed.xml?utm_source=home">
</head><body><h1>Wire</h1><p>Latest news from the wire.</p></body></html>"""
PLAIN_PAGE = b"""<!DOCTYPE html><html><head><title>Just a page</title></head>
<body><h1>News</h1><p>No feed here.</p></body></html>"""
OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="News">
  <outline type="rss" text="Wire text" title="Wire &amp; Co" xmlUrl="https://wire.example/feed.xml"
           htmlUrl="https://wire.example/" language="en-GB"/>
  <outline type="rss" text="Armenpress" xmlurl="https://armenpress.example/rss?utm_source=x" language="hy"/>
</outline>
<outline type="rss" text="Again" xmlUrl="https://wire.example/feed.xml"/>
<outline type="rss" text="Bad scheme" xmlUrl="javascript:alert(1)"/>
<outline text="A folder without feed"/>
</body></opml>"""


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``newswatch ARGS`` run in this process through its entry point (exit status, stdout, stderr), with
    no NEWSWATCH_* variable but those given; test_cli.py runs the same entry point as a real process."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Ran:
        with monkeypatch.context() as patch:
            for name in [k for k in os.environ if k.startswith("NEWSWATCH_")]:
                patch.delenv(name)
            for name, value in {
                "XDG_DATA_HOME": _DATA_HOME,
                "NEWSWATCH_CONFIG": os.devnull,
                **(env or {}),
            }.items():
                patch.setenv(name, value)
            capsys.readouterr()
            with pytest.raises(SystemExit) as exited:
                main(list(args))
            out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        code = exited.value.code
        return Ran(code if isinstance(code, int) else 1, out, err)

    return invoke


def listed(run: Callable[..., Ran], db: Path) -> list[dict[str, object]]:
    result = run("sources", "list", "--format", "json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh store on each backend whose clock ticks a second a call."""
    clock = iter(T0 + timedelta(seconds=n) for n in range(10_000))
    return store_factory(clock=lambda: next(clock))


# --- the store --------------------------------------------------------------------------------------------


def test_add_is_due_at_once_and_refuses_duplicates(store: Store) -> None:
    added = store.add_source("https://wire.example/feed.xml", name=" Wire ", language="EN", interval=60)
    assert (added.id, added.name, added.language, added.interval) == (1, "Wire", "en", 60)
    assert added.next_poll == added.added and added.errors == 0 and added.last_fetch is None
    assert store.due_sources(T0 + timedelta(minutes=1), 10) == [added]
    assert store.get_source(added.id) == added
    with pytest.raises(QueryError, match=r"already a source: https://wire\.example/feed\.xml"):
        store.add_source("https://wire.example/feed.xml")
    default = store.add_source("https://other.example/rss", site="https://other.example/")
    assert default.interval == 900 and default.site == "https://other.example/"
    for bad in ({"interval": 10}, {"language": "english"}):
        with pytest.raises(QueryError):
            store.add_source("https://third.example/rss", **bad)
    for url in ("not an address", "https://x.example/\ud800", "https://x.example/\x00"):
        with pytest.raises(QueryError):
            store.add_source(url)
    assert [s.url for s in store.list_sources()] == [added.url, default.url]


def test_remove_by_id_and_by_url(store: Store) -> None:
    one = store.add_source("https://one.example/rss")
    two = store.add_source("https://two.example/rss")
    assert store.remove_source(str(one.id)) == one
    assert store.remove_source("https://two.example/rss") == two
    assert store.remove_source("https://two.example/rss") is None and store.remove_source("99") is None
    assert store.list_sources() == []


def test_due_sources_soonest_first_within_limit(store: Store) -> None:
    ids = [store.add_source(f"https://s{n}.example/rss").id for n in range(4)]
    # s0 next in 30 min, s1 was due 10 min ago, s2 is due in 2 hours, s3 stays due since it was added.
    for source_id, minutes in zip(ids[:3], (30, -10, 120), strict=True):
        when = utc_text(T0 + timedelta(minutes=minutes))
        store.record_poll(source_id, PollResult(fetched_at=utc_text(T0), next_poll=when, status=200))
    now = T0 + timedelta(minutes=31)
    assert [s.id for s in store.due_sources(now, 10)] == [ids[1], ids[3], ids[0]]
    assert [s.id for s in store.due_sources(now, 2)] == [ids[1], ids[3]]
    assert store.due_sources(T0 - timedelta(days=1), 10) == []
    with pytest.raises(QueryError):
        store.due_sources(now, 0)


def test_record_poll_transitions(store: Store) -> None:
    source = store.add_source("https://wire.example/feed.xml")
    t = [utc_text(T0 + timedelta(minutes=n)) for n in range(10)]
    ok = store.record_poll(
        source.id,
        PollResult(
            fetched_at=t[1], next_poll=t[2], status=200, etag='"v1"', last_modified="Tue, 10 Mar", new=2
        ),
    )
    assert (ok.etag, ok.last_modified, ok.last_new, ok.last_status, ok.next_poll) == (
        '"v1"',
        "Tue, 10 Mar",
        t[1],
        200,
        t[2],
    )
    same = store.record_poll(source.id, PollResult(fetched_at=t[2], next_poll=t[3], status=304))
    assert (same.etag, same.last_modified, same.last_new, same.last_status) == (
        '"v1"',
        "Tue, 10 Mar",
        t[1],
        304,
    )
    failed = store.record_poll(
        source.id, PollResult(fetched_at=t[3], next_poll=t[5], status=500, error="HTTP 500\nInternal error")
    )
    assert (failed.errors, failed.last_error, failed.last_status, failed.next_poll) == (
        1,
        "HTTP 500 Internal error",
        500,
        t[5],
    )
    assert failed.etag == '"v1"'  # a failure keeps the last good validators
    again = store.record_poll(source.id, PollResult(fetched_at=t[5], next_poll=t[9], error="timed out"))
    assert (again.errors, again.last_status, again.last_error) == (2, None, "timed out")
    healed = store.record_poll(
        source.id, PollResult(fetched_at=t[9], next_poll=t[9], status=200, etag='"v2"')
    )
    assert (healed.errors, healed.last_error, healed.etag, healed.last_modified) == (0, None, '"v2"', None)
    assert healed.last_new == t[1]  # nothing new this time
    assert store.get_source(source.id) == healed
    with pytest.raises(QueryError):
        store.record_poll(99, PollResult(fetched_at=t[0], next_poll=t[0]))


def test_long_urls_and_lookups_out_of_range(store: Store) -> None:
    # longer than a database index key may be, even compressed
    long = "https://long.example/feed?" + "".join(hashlib.sha256(bytes([n])).hexdigest() for n in range(200))
    added = store.add_source(long)
    with pytest.raises(QueryError, match="already a source"):
        store.add_source(long)
    lookups: list[Callable[[], object]] = [
        lambda: store.get_source(2**70),
        lambda: store.remove_source("9" * 25),
        lambda: store.record_poll(2**70, PollResult(fetched_at=utc_text(T0), next_poll=utc_text(T0))),
    ]
    for lookup in lookups:
        with pytest.raises(QueryError, match="not a value the store can look up"):
            lookup()
    assert store.get_source(added.id + 1) is None
    # what a server sends is kept as one storable line, whatever it holds
    polled = store.record_poll(
        added.id,
        PollResult(
            fetched_at=utc_text(T0), next_poll=utc_text(T0), status=502, error="bad\x00 \ud800 gateway"
        ),
    )
    assert polled.last_error is not None and polled.last_error.startswith("bad") and polled.errors == 1
    assert store.remove_source(long) == polled and store.list_sources() == []


def test_health_shows_in_sources(store: Store) -> None:
    article = Article(
        id="0123456789abcdef", text="Talks.", url="https://wire.example/1", source="wire.example"
    )
    store.put(article, RawInput(b"Talks.", "capture"))
    wire = store.add_source("https://feeds.example/wire", site="https://www.wire.example/")
    dead = store.add_source("https://dead.example/rss")
    store.record_poll(wire.id, PollResult(fetched_at=utc_text(T0), next_poll=utc_text(T0), status=304))
    store.record_poll(dead.id, PollResult(fetched_at=utc_text(T0), next_poll=utc_text(T0), error="HTTP 503"))
    by_source = {info.source: info for info in store.sources()}
    assert by_source["wire.example"].articles == 1 and by_source["wire.example"].last_fetch == utc_text(T0)
    assert by_source["wire.example"].error is None
    assert (by_source["dead.example"].articles, by_source["dead.example"].error) == (0, "HTTP 503")
    assert [info.source for info in store.sources()] == ["wire.example", "dead.example"]


# --- discovery ----------------------------------------------------------------------------------------------


def test_feed_links_prefer_rss_and_atom_and_resolve_addresses() -> None:
    links = feed_links(HOME.decode(), "https://wire.example/news/")
    assert [(link.url, link.type) for link in links] == [
        ("https://wire.example/news/feed.xml", "application/rss+xml"),
        ("https://wire.example/feed.json", "application/feed+json"),
    ]
    assert links[0].title == "Wire RSS"
    hostile = (
        '<html><head><base href="https://cdn.example/x/"><link rel="alternate stylesheet" type="text/css" href="a">'
        '<link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">'
        '<link rel="ALTERNATE" type="application/atom+xml; charset=utf-8" href="atom"></head></html>'
    )
    assert [link.url for link in feed_links(hostile, "https://site.example/")] == [
        "https://cdn.example/x/atom"
    ]
    assert feed_links(PLAIN_PAGE.decode(), "https://site.example/") == []


def test_intervals() -> None:
    assert [parse_interval(v) for v in (30, "900", "15m", "2h", "1d", " 45 s ")] == [
        30,
        900,
        900,
        7200,
        86400,
        45,
    ]
    for bad in (29, "10", "15 minutes", "", True, "-60"):
        with pytest.raises(QueryError):
            parse_interval(bad)


# --- the command line against a loopback server -----------------------------------------------------------


def test_cli_adds_a_feed_a_discovered_feed_and_a_page(
    run: Callable[..., Ran], tmp_path: Path, http_server: LoopbackServer
) -> None:
    db = tmp_path / "s.db"
    allow = {"NEWSWATCH_FETCH_ALLOW_PRIVATE": "1"}
    feed = http_server.route("/feed.xml", FEED, content_type="application/rss+xml")
    home = http_server.route("/", HOME)
    page = http_server.route("/page", PLAIN_PAGE)

    added = run("sources", "add", feed, "--interval", "15m", "--language", "en", "--db", str(db), env=allow)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"added 1\t{feed}\tWire & Co"

    http_server.routes.pop("/feed.xml")
    http_server.route("/feed.xml", FEED.replace(b"Wire &amp; Co", b"Wire again"), content_type="text/xml")
    found = run("sources", "add", home + "?utm_source=x", "--name", "Home", "--db", str(db), env=allow)
    assert found.returncode == 1 and found.stderr.startswith("error: already a source: ")

    run("sources", "remove", "1", "--db", str(db))
    found = run("sources", "add", home, "--db", str(db), env=allow)
    assert found.returncode == 0, found.stderr
    assert f"found the feed {feed} on {home}" in found.stdout and "Wire again" in found.stdout

    plain = run("sources", "add", page, "--db", str(db), env=allow)
    assert plain.returncode == 0, plain.stderr
    assert "links to no feed" in plain.stdout and "Just a page" in plain.stdout

    rows = listed(run, db)
    assert [(r["url"], r["site"], r["name"], r["interval"]) for r in rows] == [
        (feed, home, "Wire again", 900),
        (page, None, "Just a page", 900),
    ]
    table = run("sources", "list", "--db", str(db)).stdout.splitlines()
    assert table[0].split()[:4] == ["id", "name", "url", "interval"] and "last error" in table[0]
    assert len(table) == 3


def test_cli_interval_and_language_land_in_the_store(
    run: Callable[..., Ran], tmp_path: Path, http_server: LoopbackServer
) -> None:
    db = tmp_path / "s.db"
    feed = http_server.route("/feed.xml", FEED, content_type="application/rss+xml")
    added = run(
        "sources", "add", feed, "--interval", "2h", "--language", "hy", "--db", str(db),
        env={"NEWSWATCH_FETCH_ALLOW_PRIVATE": "1"},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert [(r["interval"], r["language"]) for r in listed(run, db)] == [(7200, "hy")]
    for option, value in (("--interval", "10"), ("--language", "English")):
        bad = run("sources", "add", feed, option, value, "--db", str(db))
        assert bad.returncode == 2 and bad.stderr.startswith("error: ") and len(bad.stderr.splitlines()) == 1


def test_cli_fetch_failures_add_nothing(
    run: Callable[..., Ran], tmp_path: Path, http_server: LoopbackServer
) -> None:
    db = tmp_path / "s.db"
    missing = http_server.url("/gone")
    broken = http_server.route(
        "/broken.xml", b"<rss version='2.0'><channel><title>Broken", content_type="text/xml"
    )
    bin_page = http_server.route("/logo", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
    allow = {"NEWSWATCH_FETCH_ALLOW_PRIVATE": "1"}
    for url in (missing, broken, bin_page):
        result = run("sources", "add", url, "--db", str(db), env=allow)
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith(f"error: {url}: ") and len(result.stderr.splitlines()) == 1
    assert "404" in run("sources", "add", missing, "--db", str(db), env=allow).stderr

    requests = len(http_server.requests)
    private = run("sources", "add", http_server.url("/feed.xml"), "--db", str(db))
    assert private.returncode == 1 and "fetch.allow_private" in private.stderr
    assert len(http_server.requests) == requests  # refused before any request
    scheme = run("sources", "add", "file:///etc/passwd", "--db", str(db))
    assert scheme.returncode == 1 and "not an http or https address" in scheme.stderr
    assert not db.exists()  # nothing added: the database was not even created


def test_cli_no_check_remove_and_unknown(run: Callable[..., Ran], tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    added = run("sources", "add", "https://offline.example/rss?utm_medium=x", "--no-check", "--db", str(db))
    assert added.returncode == 0 and added.stdout.strip() == "added 1\thttps://offline.example/rss\t-"
    second = run("sources", "add", "https://two.example/rss", "--no-check", "--db", str(db))
    assert second.returncode == 0
    assert run("sources", "remove", "https://offline.example/rss", "--db", str(db)).returncode == 0
    assert run("sources", "remove", "2", "--db", str(db)).stdout.startswith("removed 2\t")
    unknown = run("sources", "remove", "2", "--db", str(db))
    assert unknown.returncode == 1 and unknown.stderr == "error: no source '2' (see newswatch sources list)\n"
    assert listed(run, db) == []


# --- OPML ---------------------------------------------------------------------------------------------------


def test_opml_parse_flattens_and_reads_attributes() -> None:
    parsed = parse_opml(OPML)
    assert [(s.url, s.name, s.site, s.language) for s in parsed] == [
        ("https://wire.example/feed.xml", "Wire & Co", "https://wire.example/", "en"),
        ("https://armenpress.example/rss", "Armenpress", None, "hy"),
        ("https://wire.example/feed.xml", "Again", None, None),
    ]


def test_opml_import_export_round_trip(store: Store, store_factory: StoreFactory) -> None:
    report = import_sources(store, OPML, interval=600)
    assert (len(report.added), report.duplicates) == (2, 1)
    assert all(s.interval == 600 for s in report.added)
    store.add_source("https://odd.example/rss", name='Tricky <b>"name"</b> & \x07bell')
    exported = render_opml(store.list_sources(), now=T0)
    assert exported.startswith(b"<?xml") and b"&lt;b&gt;" in exported and b"\x07" not in exported
    with store_factory("other") as other:
        again = import_sources(other, exported)
        assert (len(again.added), again.duplicates) == (3, 0)
        keep = [(s.url, s.name, s.site, s.language) for s in other.list_sources()]
        first = [(s.url, s.name, s.site, s.language) for s in store.list_sources()][:2]
        assert keep == [*first, ("https://odd.example/rss", 'Tricky <b>"name"</b> & bell', None, None)]
        assert import_sources(other, exported).duplicates == 3


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>',
         HostileInputError),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
         b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><opml><body><outline text="&lol3;" xmlUrl="https://a.example/"/>'
         b"</body></opml>",
         HostileInputError),
        (b'<!DOCTYPE opml SYSTEM "http://evil.example/opml.dtd"><opml><body/></opml>', HostileInputError),
        (b"<opml><body><outline xmlUrl='https://a.example/'></body>", MalformedInputError),
        (b"<rss><channel/></rss>", MalformedInputError),
        (b"", MalformedInputError),
    ],
)  # fmt: skip
def test_hostile_or_malformed_opml_is_refused(data: bytes, error: type[Exception], store: Store) -> None:
    with pytest.raises(error):
        import_sources(store, data)
    assert store.list_sources() == []


def test_cli_import_export(run: Callable[..., Ran], tmp_path: Path) -> None:
    db, copy = tmp_path / "s.db", tmp_path / "copy.db"
    (tmp_path / "feeds.opml").write_bytes(OPML)
    imported = run("sources", "import", str(tmp_path / "feeds.opml"), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1] == "2 added, 1 already sources"
    exported = run("sources", "export", "--db", str(db))
    assert exported.returncode == 0 and 'xmlUrl="https://armenpress.example/rss"' in exported.stdout
    (tmp_path / "out.opml").write_text(exported.stdout, encoding="utf-8")
    assert run("sources", "import", str(tmp_path / "out.opml"), "--db", str(copy)).returncode == 0
    strip = [{k: r[k] for k in ("url", "name", "site", "language", "interval")} for r in listed(run, db)]
    assert strip == [
        {k: r[k] for k in ("url", "name", "site", "language", "interval")} for r in listed(run, copy)
    ]

    (tmp_path / "bomb.opml").write_bytes(
        b'<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml><body><outline text="&b;" xmlUrl="https://bomb.example/"/></body></opml>'
    )
    bomb = run("sources", "import", str(tmp_path / "bomb.opml"), "--db", str(copy))
    assert bomb.returncode == 1 and bomb.stderr.startswith("error: ") and len(bomb.stderr.splitlines()) == 1
    assert "bomb.example" not in run("sources", "export", "--db", str(copy)).stdout


# --- the web: health on the sources page, the admin routes -------------------------------------------------

TOKEN = "s3cret-token"


def _client(store: Store, token: str = TOKEN, **overrides: object) -> TestClient:
    settings = load_settings(env={}).with_overrides(serve_admin_token=token, **overrides)
    return TestClient(create_app(store, settings), follow_redirects=False)


def test_sources_page_shows_errors(store: Store) -> None:
    dead = store.add_source("https://dead.example/rss")
    store.record_poll(
        dead.id, PollResult(fetched_at=utc_text(T0), next_poll=utc_text(T0), error="HTTP 503 <b>")
    )
    page = _client(store).get("/sources")
    assert page.status_code == 200
    assert (
        "dead.example" in page.text and "HTTP 503 &lt;b&gt;" in page.text and 'class="failing"' in page.text
    )
    api = _client(store).get("/api/v1/sources").json()
    assert [(s["source"], s["error"]) for s in api["items"]] == [("dead.example", "HTTP 503 <b>")]


def test_api_changes_need_the_token(store: Store) -> None:
    body = {
        "url": "https://wire.example/feed.xml",
        "name": "Wire",
        "language": "en",
        "interval": "15m",
        "check": False,
    }
    right = {"Authorization": f"Bearer {TOKEN}"}
    for client, headers in (
        (_client(store, token=""), right),  # no token configured: nothing changes, whatever is sent
        (_client(store, token=""), {"Authorization": "Bearer "}),
        (_client(store), {"Authorization": "Bearer wrong"}),
        (_client(store), {"Authorization": TOKEN}),
        (_client(store), {}),
    ):
        refused = client.post("/api/v1/sources", json=body, headers=headers)
        assert refused.status_code == 403 and "error" in refused.json()
    assert store.list_sources() == []

    client = _client(store)
    created = client.post("/api/v1/sources", json=body, headers=right)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in ("id", "url", "name", "language", "interval")} == {
        "id": 1,
        "url": "https://wire.example/feed.xml",
        "name": "Wire",
        "language": "en",
        "interval": 900,
    }
    duplicate = client.post("/api/v1/sources", json=body, headers=right)
    assert duplicate.status_code == 409 and duplicate.json()["error"].startswith("already a source")
    for bad in (
        {"url": "ftp://x", "check": False},
        {"name": "no url"},
        {**body, "interval": 5},
        {**body, "x": 1},
    ):
        assert client.post("/api/v1/sources", json=bad, headers=right).status_code == 400
    assert client.post("/api/v1/sources", content=b"[1,", headers=right).status_code == 400

    assert _client(store, token="").delete("/api/v1/sources/1", headers=right).status_code == 403
    assert client.delete("/api/v1/sources/1", headers={"Authorization": "Bearer nope"}).status_code == 403
    assert store.get_source(1) is not None
    assert client.delete("/api/v1/sources/1", headers=right).status_code == 204
    assert client.delete("/api/v1/sources/1", headers=right).status_code == 404
    assert store.list_sources() == []
    # The public views stay read-only.
    assert client.put("/api/v1/sources", json=body, headers=right).status_code == 405
    assert client.post("/api/v1/articles", json={}, headers=right).status_code in (404, 405)


def test_api_add_discovers_within_the_fetch_guards(store: Store, http_server: LoopbackServer) -> None:
    http_server.route("/feed.xml", FEED, content_type="application/rss+xml")
    home = http_server.route("/", HOME)
    right = {"Authorization": f"Bearer {TOKEN}"}
    refused = _client(store).post("/api/v1/sources", json={"url": home}, headers=right)
    assert refused.status_code == 400 and "fetch.allow_private" in refused.json()["error"]
    assert http_server.requests == []
    created = _client(store, fetch_allow_private=True).post(
        "/api/v1/sources", json={"url": home}, headers=right
    )
    assert created.status_code == 201, created.text
    assert (created.json()["url"], created.json()["site"], created.json()["name"]) == (
        http_server.url("/feed.xml"),
        home,
        "Wire & Co",
    )


def test_forms_take_the_token_from_the_form_only(store: Store) -> None:
    client = _client(store)
    form = {"url": "https://wire.example/feed.xml", "name": "Wire", "check": "false"}
    assert client.post("/sources/add", data=form).status_code == 403
    assert client.post("/sources/add", data={**form, "token": "wrong"}).status_code == 403
    client.cookies.set("token", TOKEN)
    assert (
        client.post("/sources/add", data=form, headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 403
    )
    assert _client(store, token="").post("/sources/add", data={**form, "token": ""}).status_code == 403
    assert store.list_sources() == []
    added = client.post("/sources/add", data={**form, "token": TOKEN})
    assert added.status_code == 303 and added.headers["location"] == "/sources"
    (source,) = store.list_sources()
    assert (source.name, source.interval) == ("Wire", 900)
    bad = client.post("/sources/add", data={"url": "javascript:alert(1)", "check": "false", "token": TOKEN})
    assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]
    assert client.post(f"/sources/{source.id}/remove", data={"token": "wrong"}).status_code == 403
    assert client.get(f"/sources/{source.id}/remove").status_code == 405
    removed = client.post(f"/sources/{source.id}/remove", data={"token": TOKEN})
    assert removed.status_code == 303 and store.list_sources() == []
    assert client.post(f"/sources/{source.id}/remove", data={"token": TOKEN}).status_code == 404
