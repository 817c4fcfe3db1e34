"""The ``newswatch`` command: thin verbs over the library.

Each verb parses its options, calls one library function and formats the result. Errors become one
``error: …`` line on stderr and a non-zero exit: 1 when an input or the database failed, 2 for a usage
error, 130 on Ctrl-C. No traceback reaches the user unless ``NEWSWATCH_DEBUG=1``.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from newswatch import __version__
from newswatch.errors import ConfigError, FetchError, InputError, NewswatchError, QueryError
from newswatch.export import write_csv, write_events, write_jsonl, write_stories
from newswatch.feedview import render_feed
from newswatch.model import Article
from newswatch.runner import (
    Failure,
    IngestReport,
    Notice,
    actor_labels,
    extract_inputs,
    ingest_inputs,
    reprocess_store,
)
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import SETTINGS, Settings, default_db_path, load_settings
from newswatch.store import EventQuery, Store, open_store
from newswatch.views import linked_record, story_detail

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["main"]


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _date_option(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=option) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _language_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[a-z]{2,3}", value):
        raise click.BadParameter(
            f"{value!r} is not a language code like en, hy or ru", param_hint="--language"
        )
    return value


def _event_type_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from newswatch.understand.event_lexicon import event_types

    if value is None:
        return None
    known = sorted(event_types())
    if value.upper() not in known:
        raise click.BadParameter(f"{value!r} is not a PLOVER type; one of {', '.join(known)}")
    return value.upper()


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _close_report(ctx: click.Context, report: IngestReport) -> None:
    """Warnings and errors on stderr, the line of counts on stdout, exit status 1 if an input failed."""
    for notice in report.notices:
        _warn(str(notice))
    for failure in report.failures:
        _fail(str(failure))
    click.echo(report.summary)
    if report.failures:
        ctx.exit(1)


@contextmanager
def _store(ctx: click.Context, db: str | None, *, create: bool = True) -> Iterator[Store]:
    if db is not None and not db.strip():
        raise ConfigError("--db is empty; give a database file")
    store = open_store(db or default_db_path(_settings(ctx)), create=create)
    try:
        yield store
    finally:
        store.close()


_DB_OPTION = click.option("--db", metavar="PATH", help="Database file (default: setting db, NEWSWATCH_DB).")
_REF_OPTION = click.option(
    "--reference-date",
    metavar="DATE",
    help="Resolve year-less datelines against this date (default: the file's time or the fetch time).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newswatch")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """newswatch: one clean, multilingual feed from feeds, web pages and captured text."""
    ctx.obj = load_settings()


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@_REF_OPTION
@click.pass_context
def extract(ctx: click.Context, inputs: tuple[str, ...], fmt: str, reference_date: str | None) -> None:
    """Print the article records of INPUTs (files, directories, URLs or - for stdin); store nothing.

    A feed gives one record per item. Inputs that fail are reported as 'error: …' lines on stderr and the
    others are still printed; the exit status is then 1.
    """
    reference = _date_option(reference_date, "--reference-date")
    failed = False
    records: list[dict[str, Any]] = []
    for result in extract_inputs(inputs, _settings(ctx), reference_date=reference):
        if isinstance(result, Failure):
            _fail(str(result))
            failed = True
        elif isinstance(result, Notice):
            _warn(str(result))
        elif fmt == "jsonl":
            click.echo(result.to_json())
        else:
            records.append(result.to_dict())
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    if failed:
        ctx.exit(1)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@_DB_OPTION
@_REF_OPTION
@click.pass_context
def ingest(ctx: click.Context, inputs: tuple[str, ...], db: str | None, reference_date: str | None) -> None:
    """Extract INPUTs and store them (directories recurse). Re-ingesting is safe: nothing is duplicated.

    Ends with a line of counts: articles new, updated and unchanged, and inputs failed. Exit status 1 if
    any input failed; the others are stored all the same.
    """
    from newswatch.ingest.inputs import expand_inputs

    reference = _date_option(reference_date, "--reference-date")
    names = list(expand_inputs(inputs))
    with _store(ctx, db) as store:
        if sys.stderr.isatty() and len(names) > 1:
            with click.progressbar(length=len(names), label="ingesting", file=sys.stderr) as bar:
                report = ingest_inputs(
                    names, store, _settings(ctx), reference_date=reference, progress=lambda _n: bar.update(1)
                )
        else:
            report = ingest_inputs(names, store, _settings(ctx), reference_date=reference)
    _close_report(ctx, report)


@cli.command()
@_DB_OPTION
@click.pass_context
def reprocess(ctx: click.Context, db: str | None) -> None:
    """Run the current pipeline again over every stored article's kept raw input.

    Use it after an upgrade (better extraction, new lexicons): articles are updated in place and keep
    their ids. Ends with the same line of counts as ingest.
    """
    with _store(ctx, db, create=False) as store:
        report = reprocess_store(store, _settings(ctx))
    _close_report(ctx, report)


@cli.command()
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--actor", metavar="ID", help="Only events with this actor as source or target (ARM, un, …).")
@click.option("--pair", nargs=2, metavar="A B", help="Only events between these two actors, either way.")
@click.option(
    "--type",
    "type_",
    metavar="T",
    callback=_event_type_option,
    help="Only this PLOVER type (ACCUSE, REQUEST, …).",
)
@click.option("--since", metavar="DATE", help="Only events on or after DATE (ISO).")
@click.option("--include-negated", is_flag=True, help="Also list events the text says did not happen.")
@click.pass_context
def events(
    ctx: click.Context,
    db: str | None,
    fmt: str,
    actor: str | None,
    pair: tuple[str, str] | None,
    type_: str | None,
    since: str | None,
    include_negated: bool,
) -> None:
    """List stored events with GDELT-like columns: date, source and target (id, name, country), type,
    CAMEO code, location, article id and URL, and the sentence it came from. Oldest first.

    An actor id also matches the people and bodies the article ties to it: --pair ARM AZE lists what
    Pashinyan said to Aliyev too. Events the text says did not happen are left out unless asked for.
    """
    since_date = _date_option(since, "--since")
    query = EventQuery(
        actor=actor,
        pair=pair or None,
        type=type_,
        since=since_date.date().isoformat() if since_date else None,
    )
    with _store(ctx, db, create=False) as store:
        write_events(store.events(query), sys.stdout, fmt=fmt, label=actor_labels(store))


@cli.command()
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE (ISO).")
@click.option(
    "--language",
    metavar="XX",
    callback=_language_option,
    help="Only articles in this language (ISO 639-1, e.g. hy).",
)
@click.pass_context
def export(ctx: click.Context, db: str | None, fmt: str, since: str | None, language: str | None) -> None:
    """Write stored articles to stdout as JSON Lines (the full record) or CSV, newest first.

    Each record lists its language versions (with the ids of those stored) and, under related, the
    publisher's "Read more" links followed by the most related stories (setting link.related).
    """
    since_date = _date_option(since, "--since")
    count = _settings(ctx)["link.related"]
    with _store(ctx, db, create=False) as store:
        articles = store.articles(since=since_date.isoformat() if since_date else None, language=language)
        writer = write_jsonl if fmt == "jsonl" else write_csv
        writer((linked_record(store, a, related=count) for a in articles), sys.stdout)


@cli.command()
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", metavar="DATE", help="Only stories first seen on or after DATE (ISO).")
@click.option(
    "--language",
    metavar="XX",
    callback=_language_option,
    help="Only stories with an article in this language (ISO 639-1, e.g. hy).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many stories.")
@click.pass_context
def stories(
    ctx: click.Context, db: str | None, fmt: str, since: str | None, language: str | None, limit: int | None
) -> None:
    """List stored stories, newest first: language versions, copies and same-event reports from other
    sources folded into one row each, with the representative article's title and address, the number of
    articles, the sources, the languages, the member ids (jsonl: ids, titles, addresses, languages) and
    the story's events, each counted once with the reports of it (csv: their number).
    """
    since_date = _date_option(since, "--since")
    with _store(ctx, db, create=False) as store:
        found = store.stories(
            since=since_date.isoformat() if since_date else None, language=language, limit=limit
        )
        details = (d for s in found if (d := story_detail(store, s.id)) is not None)
        write_stories(details, sys.stdout, fmt=fmt)


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one), bound before any slow work so that a
    port in use is reported at once."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = "; choose another --port (0 picks a free one)" if exc.errno == errno.EADDRINUSE else ""
        raise ConfigError(f"cannot listen on {_address(host, port)}: {exc.strerror or exc}{hint}") from None
    return sock


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """Stands in for the usual handlers while uvicorn serves: it handles SIGINT and SIGTERM itself, shuts
    down gracefully and then raises the signal again, which must then end nothing."""


def _serve(app: ASGIApp, sock: socket.socket, host: str) -> None:
    """Serve ``app`` on the listening ``sock`` with uvicorn until Ctrl-C or SIGTERM, then return.

    The address is printed once uvicorn accepts connections. Off loopback, a warning says who can reach it.
    """
    import uvicorn

    url = f"http://{_address(host, sock.getsockname()[1])}/"
    if not ipaddress.ip_address(sock.getsockname()[0].split("%")[0]).is_loopback:
        _warn(
            f"serving on {host} reaches other machines: the public views are read-only, "
            "and actions that change data need the admin token"
        )

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(f"serving {url} (Ctrl-C to stop)")

    config = uvicorn.Config(
        app, log_level="warning", access_log=False, server_header=False, timeout_graceful_shutdown=5
    )
    handled = (signal.SIGINT, signal.SIGTERM)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _ignore) for sig in handled} if main_thread else {}
    try:
        Server(config).run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_HOST_OPTION = click.option(
    "--host", metavar="HOST", help="Listen on this address (default: setting serve.host, 127.0.0.1)."
)


@cli.command()
@_DB_OPTION
@_HOST_OPTION
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Listen on this port; 0 picks a free one (default: setting serve.port, 8000).",
)
@click.option("--no-poll", is_flag=True, help="Do not poll the live sources (default: setting poll.enabled).")
@click.pass_context
def serve(ctx: click.Context, db: str | None, host: str | None, port: int | None, no_poll: bool) -> None:
    """Serve the stored feed on the web: pages, the JSON API under /api/v1 and Atom feeds.

    Prints the address once listening; Ctrl-C stops. The public views are read-only. Listening on an
    address other than loopback (--host 0.0.0.0) is warned about. The live sources are polled and the
    watches' webhooks delivered in the background (like newswatch poll) unless --no-poll is given or the
    setting poll.enabled is off.
    """
    from newswatch.web import create_app

    settings = _settings(ctx)
    host = host if host is not None else settings["serve.host"]
    with _store(ctx, db, create=False) as store:
        sock = _listen(host, port if port is not None else settings["serve.port"])
        try:
            with _background_poller(store, settings, enabled=settings["poll.enabled"] and not no_poll):
                _serve(create_app(store, settings), sock, host)
        finally:
            sock.close()


@contextmanager
def _background_poller(store: Store, settings: Settings, *, enabled: bool) -> Iterator[None]:
    """Run a :class:`~newswatch.poller.Poller` in a thread for the duration of the block; on leaving,
    it finishes the source it is polling and stops (waiting at most a little more than one fetch)."""
    if not enabled:
        yield
        return
    from newswatch.poller import Poller

    stop = threading.Event()
    thread = threading.Thread(
        target=Poller(store, settings).run, args=(stop,), name="newswatch-poller", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=float(settings["fetch.timeout"]) + 5)


@cli.command()
@_DB_OPTION
@click.option("--once", is_flag=True, help="Poll the sources that are due, deliver due webhooks, and exit.")
@click.pass_context
def poll(ctx: click.Context, db: str | None, once: bool) -> None:
    """Poll the live sources (newswatch sources add) on their schedule and store what is new, as ingest
    does; deliver the watches' webhooks. Runs until Ctrl-C or SIGTERM.

    With --once: poll what is due now, deliver the due webhooks, print the line of counts, and exit; each
    source that failed gets an 'error: <source url>: …' line and the exit status is then 1.
    """
    from newswatch import alerts
    from newswatch.poller import Poller, PollReport

    settings = _settings(ctx)

    def report_lines(report: PollReport) -> None:
        for failed in report.failures:
            _fail(f"{failed.source.url}: {failed.error}")
        click.echo(report.summary)

    with _store(ctx, db, create=False) as store:
        poller = Poller(store, settings)
        if once:
            report = poller.poll_once()
            alerts.deliver_due(store, settings)
            report_lines(report)
            if report.failures:
                ctx.exit(1)
            return
        stop = threading.Event()
        handled = (signal.SIGINT, signal.SIGTERM)
        main_thread = threading.current_thread() is threading.main_thread()
        previous = {
            sig: signal.signal(sig, lambda _signum, _frame: stop.set()) for sig in handled if main_thread
        }
        click.echo(f"polling {len(store.list_sources())} sources (Ctrl-C to stop)")
        try:
            poller.run(stop, on_report=report_lines)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        click.echo("stopped")


@cli.command()
@click.option("--db", metavar="URL", help="The PostgreSQL database (default: setting db, NEWSWATCH_DB).")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=4, show_default=True, help="Jobs run at once."
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds between two heartbeats of this worker.",
)
@click.option(
    "--stalled-after",
    type=click.FloatRange(min=0.2),
    default=30.0,
    show_default=True,
    help="Seconds without a heartbeat after which a worker is taken for dead and its jobs run again.",
)
@click.pass_context
def worker(
    ctx: click.Context, db: str | None, concurrency: int, heartbeat: float, stalled_after: float
) -> None:
    """Run a worker: ingest, poll and deliver jobs from the queue in the PostgreSQL database.

    Run any number of workers, on any number of machines, on the database of the store; live sources
    are polled on their schedule (queued once across all workers) and the jobs of a worker that dies
    are run again by the others. SIGINT or SIGTERM stops a worker after the jobs it runs.
    See docs/deploy.md.
    """
    from newswatch.workers import WorkerOptions, run_worker, worker_dsn

    settings = _settings(ctx)
    if db is not None and not db.strip():
        raise ConfigError("--db is empty; give a postgresql:// address")
    dsn = worker_dsn(db or default_db_path(settings))
    options = WorkerOptions(concurrency=concurrency, heartbeat=heartbeat, stalled_after=stalled_after)
    click.echo(f"worker running {concurrency} jobs at once (Ctrl-C to stop)")
    run_worker(dsn, settings, options)
    click.echo("stopped")


@cli.command()
@click.option("--db", metavar="PATH", help="Build the demo database here (a new file) and keep it.")
@_HOST_OPTION
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Serve on this port; 0 picks a free one (default: setting serve.port, 8000).",
)
@click.option("--no-serve", is_flag=True, help="Print the feed as text and exit instead of serving it.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days of feed printed (with --no-serve).",
)
@click.pass_context
def demo(
    ctx: click.Context, db: str | None, host: str | None, port: int | None, no_serve: bool, days: int
) -> None:
    """Ingest the bundled sample corpus into a fresh database and serve it on the web (Ctrl-C stops);
    with --no-serve, print the feed grouped by day instead.

    The database is temporary and removed afterwards unless --db names a new file to keep.
    """
    settings = _settings(ctx)
    workdir = None
    if db is None:
        workdir = tempfile.mkdtemp(prefix="newswatch-demo-")
        db = str(Path(workdir) / "demo.db")
    elif Path(db).exists():
        raise ConfigError(f"--db {db} exists; the demo builds a fresh database (remove it or choose another)")
    host = host if host is not None else settings["serve.host"]
    sock = None
    try:
        if not no_serve:  # before ingesting, so that a port in use is said at once
            sock = _listen(host, port if port is not None else settings["serve.port"])
        with _store(ctx, db) as store:
            report = ingest_inputs(sample_inputs(), store, settings, reference_date=sample_reference_date())
            for failure in report.failures:
                _fail(str(failure))
            click.echo(f"newswatch demo: sample corpus, {report.summary}\n")
            if sock is None:
                articles: list[Article] = list(store.articles())
                click.echo(render_feed(articles, days=days, color=sys.stdout.isatty()))
            else:
                from newswatch.web import create_app

                _serve(create_app(store, settings), sock, host)
    finally:
        if sock is not None:
            sock.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if report.failures:
        ctx.exit(1)


# --- live sources ------------------------------------------------------------------------------------


def _interval_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    from newswatch.ingest.discover import parse_interval

    try:
        return None if value is None else parse_interval(value)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval") from None


def _source_line(source: Any) -> str:
    return f"{source.id}\t{source.url}\t{source.name or '-'}"


@cli.group()
def sources() -> None:
    """Live sources: the feeds (or pages) the poller fetches on a schedule."""


@sources.command("add")
@click.argument("url")
@_DB_OPTION
@click.option("--name", help="A name to show (default: the feed's or page's title).")
@click.option(
    "--language",
    callback=_language_option,
    help="The language of its items when they do not say (ISO 639-1).",
)
@click.option(
    "--interval",
    callback=_interval_option,
    metavar="TIME",
    help="Time between polls: seconds, 15m, 2h (≥ 30 s).",
)
@click.option(
    "--no-check", is_flag=True, help="Add the address as given, without fetching it (offline setup)."
)
@click.pass_context
def sources_add(
    ctx: click.Context,
    url: str,
    db: str | None,
    name: str | None,
    language: str | None,
    interval: int | None,
    no_check: bool,
) -> None:
    """Add a feed to poll. A site's page is fetched and the feed it links to is added instead (the page
    itself when it links to none); a feed or page that cannot be fetched adds nothing."""
    from newswatch.ingest.discover import resolve_source

    settings = _settings(ctx)
    found = resolve_source(url, settings, check=not no_check)
    with _store(ctx, db) as store:
        source = store.add_source(
            found.url,
            name=name or found.title,
            language=language,
            interval=interval or int(settings["poll.interval"]),
            site=found.site,
        )
    if found.kind == "discovered":
        click.echo(f"found the feed {found.url} on {found.site}")
    elif found.kind == "page":
        click.echo(f"{found.url} links to no feed: the page itself will be polled")
    click.echo(f"added {_source_line(source)}")


@sources.command("list")
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def sources_list(ctx: click.Context, db: str | None, fmt: str) -> None:
    """List the sources with how their last poll went (errors in a row and the last error)."""
    from dataclasses import asdict

    with _store(ctx, db, create=False) as store:
        found = store.list_sources()
    if fmt == "json":
        click.echo(json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=1))
        return
    header = ("id", "name", "url", "interval", "last fetch", "status", "errors", "last error")
    rows = [
        (
            str(s.id),
            s.name or "-",
            s.url,
            str(s.interval),
            (s.last_fetch or "-")[:19],
            str(s.last_status or "-"),
            str(s.errors),
            s.last_error or "-",
        )
        for s in found
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                [*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]
            ).rstrip()
        )


@sources.command("remove")
@click.argument("key")
@_DB_OPTION
@click.pass_context
def sources_remove(ctx: click.Context, key: str, db: str | None) -> None:
    """Remove a source by its id or its address (the articles already stored stay)."""
    from newswatch.ingest.urls import clean_url

    with _store(ctx, db, create=False) as store:
        removed = store.remove_source(key) or store.remove_source(clean_url(key) or key)
    if removed is None:
        raise QueryError(f"no source {key!r} (see newswatch sources list)")
    click.echo(f"removed {_source_line(removed)}")


@sources.command("import")
@click.argument("file", metavar="FILE.opml")
@_DB_OPTION
@click.pass_context
def sources_import(ctx: click.Context, file: str, db: str | None) -> None:
    """Add every feed of an OPML file (a feed reader's export); feeds already added are skipped."""
    from newswatch.ingest.inputs import read_input
    from newswatch.ingest.opml import import_sources

    settings = _settings(ctx)
    try:
        raw = read_input(file, settings)
        with _store(ctx, db) as store:
            report = import_sources(store, raw.data, interval=int(settings["poll.interval"]))
    except (InputError, FetchError) as exc:
        raise InputError(f"{file}: {exc}") from None
    for source in report.added:
        click.echo(f"added {_source_line(source)}")
    click.echo(f"{len(report.added)} added, {report.duplicates} already sources")


@sources.command("export")
@_DB_OPTION
@click.pass_context
def sources_export(ctx: click.Context, db: str | None) -> None:
    """Write every source as OPML 2.0 on standard output."""
    from newswatch.ingest.opml import render_opml

    with _store(ctx, db, create=False) as store:
        found = store.list_sources()
    out = sys.stdout.buffer
    out.write(render_opml(found, now=datetime.now(UTC)))
    out.flush()


# --- watches ------------------------------------------------------------------------------------------


@cli.group()
def watches() -> None:
    """Watches: saved queries whose new matches are shown on their page and Atom feed and, with a webhook,
    POSTed there as JSON."""


@watches.command("add")
@click.argument("name")
@_DB_OPTION
@click.option("--actor", metavar="ID", help="Articles naming this actor (ARM, un, …).")
@click.option("--pair", nargs=2, metavar="A B", help="Articles reporting an event between A and B.")
@click.option(
    "--type",
    "type_",
    metavar="T",
    callback=_event_type_option,
    help="Articles reporting an event of this PLOVER type (ACCUSE, REQUEST, …).",
)
@click.option("--keyword", metavar="WORDS", help="Articles holding all these words, in any inflected form.")
@click.option("--language", callback=_language_option, help="Articles in this language (ISO 639-1).")
@click.option("--source", metavar="SITE", help="Articles from this source (news.example).")
@click.option("--webhook", metavar="URL", help="POST each new match here as JSON (http or https).")
@click.pass_context
def watches_add(
    ctx: click.Context,
    name: str,
    db: str | None,
    actor: str | None,
    pair: tuple[str, str] | None,
    type_: str | None,
    keyword: str | None,
    language: str | None,
    source: str | None,
    webhook: str | None,
) -> None:
    """Add a watch NAME; every filter given must hold, and at least one is needed. The newest stored
    articles that match are listed on its page at once (not sent to the webhook: old news is no alert)."""
    from newswatch.alerts import create_watch, describe
    from newswatch.store.queries import ArticleQuery

    query = ArticleQuery(language=language, source=source, actor=actor, event_type=type_)
    with _store(ctx, db) as store:
        watch, count = create_watch(store, name, query, pair=pair or None, keyword=keyword, webhook=webhook)
    click.echo(f"added watch {watch.id} {watch.name!r}: {describe(watch)}; {count} stored articles match")


def _watch_line(watch: Any) -> str:
    from newswatch.alerts import describe

    return f"{watch.id}\t{watch.name}\t{describe(watch)}\t{watch.webhook or '-'}"


@watches.command("list")
@_DB_OPTION
@click.pass_context
def watches_list(ctx: click.Context, db: str | None) -> None:
    """List the watches: id, name, filters and webhook, tab-separated."""
    with _store(ctx, db, create=False) as store:
        found = store.list_watches()
    for watch in found:
        click.echo(_watch_line(watch))


@watches.command("remove")
@click.argument("key")
@_DB_OPTION
@click.pass_context
def watches_remove(ctx: click.Context, key: str, db: str | None) -> None:
    """Remove the watch KEY (its id or name), its matches and its delivery log."""
    with _store(ctx, db, create=False) as store:
        removed = store.remove_watch(key)
    if removed is None:
        _fail(f"no watch {key!r}")
        ctx.exit(1)
    else:
        click.echo(f"removed watch {removed.id} {removed.name!r}")


@watches.command("deliveries")
@click.argument("key")
@_DB_OPTION
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.pass_context
def watches_deliveries(ctx: click.Context, key: str, db: str | None, limit: int) -> None:
    """The webhook delivery log of the watch KEY (id or name), newest first, tab-separated: id, status,
    attempts, created, next attempt or delivery time, article id, last error."""
    with _store(ctx, db, create=False) as store:
        watch = store.find_watch(key)
        found = store.deliveries(watch.id, limit=limit) if watch is not None else []
    if watch is None:
        _fail(f"no watch {key!r}")
        ctx.exit(1)
    for d in found:
        when = d.delivered_at or d.next_attempt or "-"
        click.echo(
            f"{d.id}\t{d.status}\t{d.attempts}\t{d.created}\t{when}\t{d.article_id}\t{d.last_error or '-'}"
        )


@cli.command()
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show every setting with its value, its environment variable and what it does."""
    settings = _settings(ctx)
    for setting in SETTINGS:
        click.echo(f"{setting.name} = {settings[setting.name]!r}    # {setting.env}: {setting.help}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        code = cli.main(args=argv, prog_name="newswatch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted")
        sys.exit(130)
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "))
        sys.exit(exc.exit_code)
    except NewswatchError as exc:
        _fail(str(exc).replace("\n", " "))
        sys.exit(1)
    except KeyboardInterrupt:
        _fail("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("NEWSWATCH_DEBUG") == "1":
            raise
        _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with NEWSWATCH_DEBUG=1 and report it")
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
