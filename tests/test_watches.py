"""Watches and alerts: what matches (each filter on hand-built records), recording matches once, the
backfill of a new watch (no deliveries), webhook delivery to a real receiver on loopback (retries with
back-off, giving up, the private-address guard, redirects), the ``watches`` commands, and the web pages,
Atom feed and API with the admin token rules."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest

with warnings.catch_warnings():  # starlette 0.52's test client names an alias anyio 4.12 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from conftest import StoreFactory
from newswatch.alerts import DELIVERY_HEADER, create_watch, deliver_due, match_new, watch_matches
from newswatch.cli import main
from newswatch.errors import QueryError
from newswatch.model import Actor, Article, Event, RawInput
from newswatch.settings import Settings, load_settings
from newswatch.store import SqliteStore
from newswatch.store.base import Store
from newswatch.store.live import Watch
from newswatch.store.queries import ArticleQuery
from newswatch.web import create_app

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TOKEN = "s3cret-token"


def _event(kind: str, source: str, target: str | None, *, negated: bool = False) -> Event:
    return Event(kind, "000", source, target, None, None, "s", 0, 1, 0.9, negated=negated)


def _article(article_id: str = "a1", **fields: object) -> Article:
    values: dict[str, object] = {
        "text": "Armenia accused Azerbaijan of shelling border villages.",
        "title": "Shelling on the border",
        "language": "en",
        "source": "wire.example",
        "url": f"https://wire.example/{article_id}",
        "published": "2026-03-09T08:00:00+00:00",
        "actors": (Actor("ARM", "Armenia", "country"), Actor("AZE", "Azerbaijan", "country")),
        "events": (_event("ACCUSE", "ARM", "AZE"),),
    }
    values.update(fields)
    return Article(id=article_id, **values)  # type: ignore[arg-type]


def _watch(query: ArticleQuery | None = None, **fields: object) -> Watch:
    return Watch(id=1, name="w", query=query or ArticleQuery(), **fields)  # type: ignore[arg-type]


def _put(store: Store, *articles: Article) -> None:
    for article in articles:
        store.put(article, RawInput(article.id.encode(), article.id))


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh store on each backend whose clock stands at T0."""
    return store_factory(clock=lambda: T0)


def _settings(**overrides: object) -> Settings:
    return load_settings(env={}, config_file=Path(os.devnull)).with_overrides(**overrides)


# --- watch_matches ------------------------------------------------------------------------------------


def test_language_and_source_filters() -> None:
    article = _article()
    assert watch_matches(_watch(ArticleQuery(language="en")), article)
    assert not watch_matches(_watch(ArticleQuery(language="hy")), article)
    assert watch_matches(_watch(ArticleQuery(source="wire.example")), article)
    assert not watch_matches(_watch(ArticleQuery(source="other.example")), article)
    # every filter given must hold
    assert not watch_matches(_watch(ArticleQuery(language="en", source="other.example")), article)


def test_actor_filter_is_an_actor_the_article_names() -> None:
    article = _article()
    assert watch_matches(_watch(ArticleQuery(actor="AZE")), article)
    assert not watch_matches(_watch(ArticleQuery(actor="RUS")), article)


def test_event_type_filter_skips_negated_events() -> None:
    assert watch_matches(_watch(ArticleQuery(event_type="ACCUSE")), _article())
    assert not watch_matches(_watch(ArticleQuery(event_type="REQUEST")), _article())
    negated = _article(events=(_event("ACCUSE", "ARM", "AZE", negated=True),))
    assert not watch_matches(_watch(ArticleQuery(event_type="ACCUSE")), negated)


def test_pair_filter_either_way_with_country_affiliation() -> None:
    assert watch_matches(_watch(pair=("ARM", "AZE")), _article())
    assert watch_matches(_watch(pair=("AZE", "ARM")), _article())  # either way round
    assert not watch_matches(_watch(pair=("ARM", "RUS")), _article())
    # a person stands for their country, as in store.events
    person = _article(
        actors=(
            Actor("nikol-pashinyan", "Nikol Pashinyan", "person", country="ARM"),
            Actor("AZE", "Azerbaijan", "country"),
        ),
        events=(_event("ACCUSE", "AZE", "nikol-pashinyan"),),
    )
    assert watch_matches(_watch(pair=("ARM", "AZE")), person)
    negated = _article(events=(_event("ACCUSE", "ARM", "AZE", negated=True),))
    assert not watch_matches(_watch(pair=("ARM", "AZE")), negated)
    # both actors named, but no event between them
    apart = _article(events=(_event("ACCUSE", "ARM", "RUS"),))
    assert not watch_matches(_watch(pair=("ARM", "AZE")), apart)


def test_keyword_finds_inflected_forms_and_needs_every_word() -> None:
    article = _article()
    assert watch_matches(_watch(keyword="village"), article)  # "villages" in the text
    assert watch_matches(_watch(keyword="shelling BORDER"), article)  # title or text, any case
    assert not watch_matches(_watch(keyword="village ceasefire"), article)  # every word must be found
    russian = _article(
        text="Премьер-министр Армении заявил о перемирии.",
        title="Заявление",
        language="ru",
        actors=(),
        events=(),
    )
    assert watch_matches(_watch(keyword="Армения"), russian)
    assert watch_matches(_watch(keyword="перемирие"), russian)
    assert not watch_matches(_watch(keyword="Азербайджан"), russian)


def test_a_watch_without_filters_matches_nothing_and_is_refused(store: Store) -> None:
    assert not watch_matches(_watch(), _article())
    with pytest.raises(QueryError, match="at least one filter"):
        create_watch(store, "all", ArticleQuery())
    with pytest.raises(QueryError, match="at least one filter"):
        create_watch(store, "blank", ArticleQuery(actor="  "), keyword=" ")


@pytest.mark.parametrize(
    ("query", "extra", "message"),
    [
        (ArticleQuery(event_type="NOPE"), {}, "not a PLOVER type"),
        (ArticleQuery(language="english"), {}, "language"),
        (ArticleQuery(actor="<script>"), {}, "actor"),
        (ArticleQuery(actor="ARM"), {"webhook": "ftp://hooks.example/x"}, "http or https"),
        (ArticleQuery(actor="ARM"), {"webhook": "javascript:alert(1)"}, "webhook"),
        (ArticleQuery(), {"pair": ("ARM", "ARM")}, "two different"),
        (ArticleQuery(), {"keyword": "!!! ???"}, "nothing to search for"),
        (ArticleQuery(actor="ARM", since="2026-01-01"), {}, "since"),
    ],
)
def test_unusable_watches_are_refused(
    store: Store, query: ArticleQuery, extra: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        create_watch(store, "bad", query, **extra)  # type: ignore[arg-type]
    assert store.list_watches() == []


def test_names_are_unique_and_watches_found_by_id_or_name(store: Store) -> None:
    watch, _ = create_watch(store, "arm", ArticleQuery(actor="ARM"))
    with pytest.raises(QueryError, match="already a watch"):
        create_watch(store, "arm", ArticleQuery(actor="AZE"))
    assert store.find_watch(str(watch.id)) == watch == store.find_watch("arm")
    assert store.remove_watch("arm") == watch
    assert store.remove_watch("arm") is None and store.list_watches() == []


# --- matching and backfill ----------------------------------------------------------------------------


def test_match_new_is_idempotent(store: Store) -> None:
    watch, backfilled = create_watch(
        store, "accusations", ArticleQuery(event_type="ACCUSE"), webhook="https://h.example/x"
    )
    assert backfilled == 0
    first, other = _article("a1"), _article("a2", events=(_event("REQUEST", "ARM", "AZE"),))
    _put(store, first, other)
    assert match_new(store, [first, other]) == 1
    assert match_new(store, [first, other]) == 0  # nothing new the second time
    assert [s.id for s in store.watch_articles(watch.id).items] == ["a1"]
    deliveries = store.deliveries(watch.id)
    assert [(d.article_id, d.status, d.attempts) for d in deliveries] == [("a1", "pending", 0)]
    # a watch without a webhook gets matches, never deliveries
    quiet, _ = create_watch(store, "quiet", ArticleQuery(actor="AZE"))
    third = _article("a3")
    _put(store, third)
    match_new(store, [third])
    assert {s.id for s in store.watch_articles(quiet.id).items} == {"a1", "a2", "a3"}
    assert store.deliveries(quiet.id) == []


def test_ingest_matches_what_it_stores_against_the_watches(store: Store, tmp_path: Path) -> None:
    """Articles that arrive by `ingest` alert like the poller's: new or changed ones are matched, with a
    delivery for a watch with a webhook; ingesting the same input again matches nothing new."""
    from newswatch.runner import ingest_inputs
    from newswatch.sample import sample_inputs, sample_reference_date

    watch, _ = create_watch(
        store, "zakharova", ArticleQuery(actor="maria-zakharova"), webhook="https://h.example/x"
    )
    settings = _settings()
    ingest_inputs(sample_inputs(), store, settings, reference_date=sample_reference_date())
    matched = {s.id for s in store.watch_articles(watch.id, limit=100).items}
    expected = {a.id for a in store.articles() if any(x.id == "maria-zakharova" for x in a.actors)}
    assert matched == expected and matched
    assert {d.article_id for d in store.deliveries(watch.id, limit=100)} == expected
    ingest_inputs(sample_inputs(), store, settings, reference_date=sample_reference_date())
    assert len(store.deliveries(watch.id, limit=100)) == len(expected)


def test_backfill_records_matches_without_deliveries(store: Store) -> None:
    _put(store, _article("old1"), _article("old2", language="ru"), _article("old3", text="Nothing here."))
    watch, count = create_watch(
        store, "villages", ArticleQuery(language="en"), keyword="village", webhook="https://h.example/x"
    )
    assert count == 1
    assert [s.id for s in store.watch_articles(watch.id).items] == ["old1"]
    assert store.deliveries(watch.id) == []  # old news is not an alert
    assert match_new(store, [_article("old1")]) == 0  # already a match: still no delivery
    assert store.deliveries(watch.id) == []


def test_watch_articles_pages_by_cursor(store: Store) -> None:
    articles = [_article(f"p{i:02d}") for i in range(7)]
    _put(store, *articles)
    watch, count = create_watch(store, "arm", ArticleQuery(actor="ARM"))
    assert count == 7
    seen: list[str] = []
    cursor = None
    while True:
        page = store.watch_articles(watch.id, cursor=cursor, limit=3)
        seen += [s.id for s in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert seen == sorted(seen, reverse=True) and len(seen) == 7 == len(set(seen))
    with pytest.raises(QueryError):
        store.watch_articles(watch.id, cursor="bm90LWEtY3Vyc29y")


def _cursor(*parts: object) -> str:
    """A page address in the store's format (to forge one)."""
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def test_bad_lookups_are_query_errors_or_nothing(store: Store) -> None:
    _put(store, _article("b1"))
    watch = store.add_watch("arm", ArticleQuery(actor="ARM"))
    assert store.record_matches(watch.id, ["b1", "unknown", "b1", "nul\x00"], deliver=False) == 1
    for forged in (_cursor("w", 1, "x"), _cursor("w", "2026", 2**70), _cursor("l", "2026", 1), "!!"):
        with pytest.raises(QueryError):
            store.watch_articles(watch.id, cursor=forged)
    for lookup in (
        lambda: store.get_watch(2**70),
        lambda: store.deliveries(2**70),
        lambda: store.watch_articles(-(2**70)),
        lambda: store.find_watch("\ud800"),
    ):
        with pytest.raises(QueryError, match="not a value the store can look up"):
            lookup()
    assert store.find_watch("arm\x00") is None and store.find_watch("9" * 30) is None
    assert store.record_matches(watch.id + 1, ["b1"], deliver=True) == 0  # no such watch
    with pytest.raises(QueryError, match="already a watch"):
        store.add_watch("arm", ArticleQuery(actor="AZE"))
    assert [w.id for w in store.list_watches()] == [watch.id]


def test_matches_recorded_by_two_writers_at_once_count_once(store_factory: StoreFactory) -> None:
    first, second = store_factory(clock=lambda: T0), store_factory(clock=lambda: T0)  # one database
    articles = [_article(f"c{i:02d}") for i in range(40)]
    _put(first, *articles)
    watch = first.add_watch("arm", ArticleQuery(actor="ARM"), webhook="https://h.example/x")
    ids = [article.id for article in articles]
    counts: list[int] = []
    failures: list[BaseException] = []
    together = threading.Barrier(4)

    def record(store: Store, order: list[str]) -> None:
        try:
            together.wait()
            counts.append(store.record_matches(watch.id, order, deliver=True))
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [
        threading.Thread(target=record, args=(store, order))
        for store, order in ((first, ids), (second, ids[::-1]), (first, ids[5:]), (second, ids[:9]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and sum(counts) == 40
    assert sorted(d.article_id for d in second.deliveries(watch.id, limit=100)) == ids
    assert {s.id for s in second.watch_articles(watch.id, limit=100).items} == set(ids)


def test_deliveries_keep_their_retry_fields(store: Store) -> None:
    _put(store, _article("d1"), _article("d2"))
    watch = store.add_watch("arm", ArticleQuery(actor="ARM"), webhook="https://h.example/x")
    assert store.record_matches(watch.id, ["d2", "d1"], deliver=True) == 2
    assert store.record_matches(watch.id, ["d2", "d1"], deliver=True) == 0
    first, second = sorted(store.deliveries(watch.id), key=lambda d: d.id)
    assert (first.article_id, second.article_id) == ("d2", "d1")  # created in the order given
    assert [d.id for d in store.deliveries(watch.id)] == [second.id, first.id]  # newest first
    assert [d.id for d in store.due_deliveries(T0, 10)] == [first.id, second.id]
    later = "2026-03-10T12:05:00.000000Z"
    store.record_delivery(first.id, ok=False, error="HTTP 500\x00 <b>", next_attempt=later)
    store.record_delivery(second.id, ok=True, error=None, next_attempt=None)
    assert store.due_deliveries(T0, 10) == []
    [due] = store.due_deliveries(T0 + timedelta(minutes=5), 10)
    assert (due.id, due.status, due.attempts, due.next_attempt) == (first.id, "pending", 1, later)
    assert due.last_error is not None and due.last_error.startswith("HTTP 500")
    store.record_delivery(first.id, ok=False, error="timed out", next_attempt=None)
    by_id = {d.id: d for d in store.deliveries(watch.id)}
    assert (by_id[first.id].status, by_id[first.id].attempts, by_id[first.id].next_attempt) == (
        "failed",
        2,
        None,
    )
    assert by_id[first.id].last_error == "timed out"
    done = by_id[second.id]
    assert (done.status, done.attempts, done.delivered_at) == ("delivered", 1, "2026-03-10T12:00:00.000000Z")
    assert store.due_deliveries(T0 + timedelta(days=1), 10) == []
    assert store.remove_watch(str(watch.id)) == watch and store.deliveries(watch.id) == []


# --- delivery -----------------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on loopback: answers each POST with the next status of ``statuses`` (the last
    one repeated) and records (headers, body) of each."""

    def __init__(self, statuses: list[int], headers: dict[str, str] | None = None) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append((dict(self.headers.items()), self.rfile.read(length)))
                index = min(len(receiver.received), len(receiver.statuses)) - 1
                self.send_response(receiver.statuses[index])
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook?secret=abc"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(statuses: list[int], headers: dict[str, str] | None = None) -> Receiver:
        started.append(Receiver(statuses, headers))
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


def _matched(store: Store, webhook: str) -> tuple[Watch, Article]:
    watch, _ = create_watch(store, "arm-aze", ArticleQuery(), pair=("ARM", "AZE"), webhook=webhook)
    article = _article("hit1", title="Обстрел <b>границы</b>")
    _put(store, article)
    assert match_new(store, [article]) == 1
    return watch, article


def test_delivery_retries_with_backoff_then_succeeds(
    store: Store, receiver_factory: Callable[..., Receiver]
) -> None:
    receiver = receiver_factory([500, 500, 200])
    watch, article = _matched(store, receiver.url)
    settings = _settings(fetch_allow_private=True, alerts_retry_seconds=10, alerts_max_attempts=5)
    assert deliver_due(store, settings, now=T0) == 0  # first attempt: 500
    [delivery] = store.deliveries(watch.id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "HTTP 500 Internal Server Error",
    )
    assert delivery.next_attempt == "2026-03-10T12:00:10.000000Z"
    assert deliver_due(store, settings, now=T0 + timedelta(seconds=9)) == 0  # not due yet
    assert len(receiver.received) == 1
    assert deliver_due(store, settings, now=T0 + timedelta(seconds=10)) == 0  # second attempt: 500
    [delivery] = store.deliveries(watch.id)
    assert delivery.attempts == 2
    assert delivery.next_attempt == "2026-03-10T12:00:30.000000Z"  # 10 s later, then 20 s
    assert deliver_due(store, settings, now=T0 + timedelta(seconds=29)) == 0
    assert len(receiver.received) == 2
    assert deliver_due(store, settings, now=T0 + timedelta(seconds=30)) == 1  # third: accepted
    [delivery] = store.deliveries(watch.id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt) == ("delivered", 3, None)
    assert delivery.delivered_at is not None
    assert deliver_due(store, settings, now=T0 + timedelta(days=1)) == 0  # delivered once
    assert len(receiver.received) == 3
    for headers, body in receiver.received:
        assert headers[DELIVERY_HEADER] == str(delivery.id)
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(body.decode("utf-8"))
        assert data["watch"]["id"] == watch.id and data["watch"]["pair"] == ["ARM", "AZE"]
        assert "webhook" not in data["watch"]
        assert data["article"]["id"] == article.id
        assert data["article"]["title"] == "Обстрел <b>границы</b>"
        assert data["article"]["url"] == article.url
        assert data["article"]["html_url"] == "/articles/hit1"
    assert "Обстрел".encode() in receiver.received[0][1]  # UTF-8, not \\u escapes


def test_delivery_fails_after_max_attempts(store: Store, receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory([503])
    watch, _ = _matched(store, receiver.url)
    settings = _settings(fetch_allow_private=True, alerts_retry_seconds=1, alerts_max_attempts=3)
    moment = T0
    for _ in range(10):
        deliver_due(store, settings, now=moment)
        moment += timedelta(hours=1)
    [delivery] = store.deliveries(watch.id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt) == ("failed", 3, None)
    assert delivery.last_error is not None and delivery.last_error.startswith("HTTP 503")
    assert len(receiver.received) == 3


def test_webhook_on_a_private_address_is_refused(
    store: Store, receiver_factory: Callable[..., Receiver]
) -> None:
    receiver = receiver_factory([200])
    watch, _ = _matched(store, receiver.url)
    assert deliver_due(store, _settings(), now=T0) == 0
    [delivery] = store.deliveries(watch.id)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error is not None and "loopback" in delivery.last_error
    assert "fetch.allow_private" in delivery.last_error
    assert receiver.received == []  # nothing was sent


def test_a_redirect_is_a_failure(store: Store, receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory([302], headers={"Location": "http://127.0.0.1:9/elsewhere"})
    watch, _ = _matched(store, receiver.url)
    assert deliver_due(store, _settings(fetch_allow_private=True), now=T0) == 0
    [delivery] = store.deliveries(watch.id)
    assert delivery.last_error is not None and "redirect" in delivery.last_error
    assert len(receiver.received) == 1


# --- command line -------------------------------------------------------------------------------------


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("NEWSWATCH_CONFIG", os.devnull)
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return int(stopped.value.code or 0), out, err


def test_cli_add_list_remove_deliveries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.db")
    with SqliteStore(db) as opened:
        _put(opened, _article("c1"))
    code, out, _ = _cli(
        monkeypatch, capsys, "watches", "add", "borders", "--db", db, "--pair", "ARM", "AZE",
        "--type", "accuse", "--keyword", "villages", "--webhook", "https://hooks.example/T0/secret",
    )  # fmt: skip
    assert code == 0 and "added watch 1 'borders'" in out and "1 stored articles match" in out
    code, out, _ = _cli(monkeypatch, capsys, "watches", "list", "--db", db)
    assert out.splitlines() == [
        '1\tborders\ttype ACCUSE, pair ARM AZE, keyword "villages"\thttps://hooks.example/T0/secret'
    ]
    code, _, err = _cli(monkeypatch, capsys, "watches", "add", "x", "--db", db)
    assert (
        code == 1 and err.strip() == "error: a watch needs at least one filter (it would match every article)"
    )
    code, _, err = _cli(monkeypatch, capsys, "watches", "add", "x", "--type", "NOPE", "--db", db)
    assert code == 2 and err.count("\n") == 1 and "PLOVER" in err
    code, _, err = _cli(
        monkeypatch,
        capsys,
        "watches",
        "add",
        "x",
        "--actor",
        "ARM",
        "--webhook",
        "file:///etc/passwd",
        "--db",
        db,
    )
    assert code == 1 and err.startswith("error: webhook:") and err.count("\n") == 1
    with SqliteStore(db) as opened:
        article = _article("c2")
        _put(opened, article)
        match_new(opened, [article])
    code, out, _ = _cli(monkeypatch, capsys, "watches", "deliveries", "borders", "--db", db)
    assert code == 0 and re.fullmatch(r"1\tpending\t0\t\S+\t\S+\tc2\t-\n", out)
    code, _, err = _cli(monkeypatch, capsys, "watches", "deliveries", "nope", "--db", db)
    assert code == 1 and err == "error: no watch 'nope'\n"
    code, out, _ = _cli(monkeypatch, capsys, "watches", "remove", "1", "--db", db)
    assert code == 0 and out == "removed watch 1 'borders'\n"
    code, _, err = _cli(monkeypatch, capsys, "watches", "remove", "borders", "--db", db)
    assert code == 1 and err == "error: no watch 'borders'\n"
    code, out, _ = _cli(monkeypatch, capsys, "watches", "list", "--db", db)
    assert out == ""


# --- web ----------------------------------------------------------------------------------------------


def _client(store: Store, token: str = TOKEN) -> TestClient:
    return TestClient(create_app(store, _settings(serve_admin_token=token)), follow_redirects=False)


def test_pages_and_atom_feed(store: Store) -> None:
    _put(store, _article("w1"), _article("w2", title="Second <script>alert(1)</script>"))
    watch, _ = create_watch(
        store, "<b>border</b>", ArticleQuery(actor="ARM"), webhook="https://h.example/p/secret"
    )
    with _client(store) as client:
        listing = client.get("/watches")
        assert listing.status_code == 200
        assert f'href="/watches/{watch.id}"' in listing.text
        assert "&lt;b&gt;border&lt;/b&gt;" in listing.text and "<b>border" not in listing.text
        assert "https://h.example" in listing.text and "secret" not in listing.text
        page = client.get(f"/watches/{watch.id}")
        assert page.status_code == 200
        assert page.text.index("/articles/w2") < page.text.index("/articles/w1")  # newest match first
        assert "<script>alert" not in page.text
        assert f'href="/watches/{watch.id}/feed.atom"' in page.text
        assert client.get("/watches/999").status_code == 404
        assert client.get("/watches/abc").status_code == 404
        assert client.get(f"/watches/{watch.id}?cursor=garbage!").status_code == 400
        feed = client.get(f"/watches/{watch.id}/feed.atom")
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(feed.content)
        assert parsed.bozo == 0
        assert [e.id for e in parsed.entries] == [
            "tag:newswatch,2026:article:w2",
            "tag:newswatch,2026:article:w1",
        ]
        assert parsed.feed.title == "newswatch: <b>border</b>"
        paged = feedparser.parse(client.get(f"/watches/{watch.id}/feed.atom?limit=1").content)
        assert len(paged.entries) == 1 and any(link.rel == "next" for link in paged.feed.links)
        assert client.get("/watches/999/feed.atom").status_code == 404
        assert client.post(f"/watches/{watch.id}/feed.atom").status_code == 405


def test_api_reads_are_public_and_changes_need_the_token(store: Store) -> None:
    _put(store, _article("x1"))
    body = {
        "name": "api",
        "pair": ["ARM", "AZE"],
        "keyword": "villages",
        "webhook": "https://h.example/k/secret",
    }
    with _client(store) as client:
        assert client.post("/api/v1/watches", json=body).status_code == 401
        wrong = client.post("/api/v1/watches", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "error" in wrong.json()
        made = client.post("/api/v1/watches", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert made.status_code == 201, made.text
        data = made.json()
        assert (
            data["pair"] == ["ARM", "AZE"] and data["matches"] == 1 and data["webhook"] == "https://h.example"
        )
        bad = client.post("/api/v1/watches", json={"name": "b"}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert bad.status_code == 400 and "filter" in bad.json()["error"]
        extra = client.post(
            "/api/v1/watches",
            json={"name": "b", "actor": "ARM", "x": 1},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert extra.status_code == 400
        listed = client.get("/api/v1/watches").json()
        assert [w["name"] for w in listed["items"]] == ["api"]
        assert "secret" not in json.dumps(listed)
        one = client.get(f"/api/v1/watches/{data['id']}").json()
        assert one["deliveries"] == [] and one["keyword"] == "villages"
        assert client.get("/api/v1/watches/999").status_code == 404
        assert client.put("/api/v1/watches").status_code == 405
        assert client.delete(f"/api/v1/watches/{data['id']}").status_code == 401
        gone = client.delete(f"/api/v1/watches/{data['id']}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert gone.status_code == 200 and gone.json()["removed"]["name"] == "api"
        assert client.get("/api/v1/watches").json()["items"] == []
    with _client(store, token="") as client:  # no token set: every change refused, even with one sent
        refused = client.post("/api/v1/watches", json=body, headers={"Authorization": "Bearer "})
        assert refused.status_code == 403
        assert (
            client.post(
                "/api/v1/watches", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
            ).status_code
            == 403
        )
        assert client.get("/api/v1/watches").status_code == 200
    assert store.list_watches() == []


def test_html_forms_add_and_remove_with_the_token(store: Store) -> None:
    form = {"name": "form", "actor": "ARM", "type": "", "language": "en", "keyword": "", "webhook": ""}
    with _client(store) as client:
        wrong = client.post("/watches/add", data={**form, "token": "nope"})
        assert wrong.status_code == 401 and "That is not the admin token." in wrong.text
        assert 'value="form"' in wrong.text  # the form keeps what was typed
        made = client.post("/watches/add", data={**form, "token": TOKEN})
        assert made.status_code == 303
        [watch] = store.list_watches()
        assert made.headers["location"] == f"/watches/{watch.id}"
        assert watch.query == ArticleQuery(language="en", actor="ARM")
        empty = client.post("/watches/add", data={"name": "none", "token": TOKEN})
        assert empty.status_code == 400 and "at least one filter" in empty.text
        assert client.post(f"/watches/{watch.id}/remove", data={"token": "nope"}).status_code == 401
        removed = client.post(f"/watches/{watch.id}/remove", data={"token": TOKEN})
        assert removed.status_code == 303 and removed.headers["location"] == "/watches"
        assert client.get("/watches/remove").status_code == 404
    assert store.list_watches() == []
    with _client(store, token="") as client:
        disabled = client.post("/watches/add", data={**form, "token": ""})
        assert disabled.status_code == 403 and "serve.admin_token" in disabled.text
    assert store.list_watches() == []
