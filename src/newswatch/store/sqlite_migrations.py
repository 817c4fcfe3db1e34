"""SQLite schema migrations: numbered, append-only SQL files under ``migrations/sqlite``, each applied once
in its own transaction and recorded in ``schema_migrations``."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from newswatch.errors import StoreError

__all__ = ["Migration", "load_migrations", "migrate"]

logger = logging.getLogger(__name__)

_MIGRATION_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: ``NNNN_name.sql`` split into statements."""

    version: int
    name: str
    statements: tuple[str, ...]


def _split_statements(script: str) -> tuple[str, ...]:
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = "\n".join(
                part for part in buffer.splitlines() if part.strip() and not part.lstrip().startswith("--")
            )
            if statement.strip():
                statements.append(statement)
            buffer = ""
    if buffer.strip() and any(
        part.strip() and not part.lstrip().startswith("--") for part in buffer.splitlines()
    ):
        raise StoreError(f"incomplete SQL statement at the end of a migration: {buffer.strip()[:60]!r}")
    return tuple(statements)


@cache
def load_migrations() -> tuple[Migration, ...]:
    """The SQLite migrations shipped with this newswatch, in order (versions 1, 2, … without gaps)."""
    folder = files("newswatch.store").joinpath("migrations").joinpath("sqlite")
    migrations: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_FILE.fullmatch(entry.name)
        if match is None:
            continue
        migrations.append(
            Migration(int(match[1]), match[2], _split_statements(entry.read_text(encoding="utf-8")))
        )
    migrations.sort(key=lambda m: m.version)
    if [m.version for m in migrations] != list(range(1, len(migrations) + 1)):
        raise StoreError("the SQLite migrations shipped with newswatch are not numbered 0001, 0002, …")
    return tuple(migrations)


def _applied(conn: sqlite3.Connection, name: str) -> dict[int, str]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_migrations" not in tables:
        if any(not name.startswith("sqlite_") for name in tables):
            raise StoreError(f"{name}: a SQLite database, but not one of newswatch's")
        return {}
    return {int(v): str(n) for v, n in conn.execute("SELECT version, name FROM schema_migrations")}


def _check_versions(name: str, applied: dict[int, str], migrations: tuple[Migration, ...]) -> None:
    known = {m.version: m.name for m in migrations}
    unknown = sorted(set(applied) - set(known))
    if unknown:
        raise StoreError(
            f"{name}: the database has schema version {unknown[-1]}, newer than this newswatch "
            f"knows ({len(known)}); upgrade newswatch"
        )
    for version, recorded in applied.items():
        if known[version] != recorded:
            raise StoreError(
                f"{name}: schema version {version} is {recorded!r} in the database "
                f"but {known[version]!r} in this newswatch"
            )


def migrate(conn: sqlite3.Connection, name: str, now: Callable[[], str]) -> None:
    """Apply the missing migrations, each in its own transaction; refuse a database from a newer newswatch."""
    migrations = load_migrations()
    applied = _applied(conn, name)  # a plain read: readers never take the write lock here
    _check_versions(name, applied, migrations)
    for migration in migrations:
        if migration.version in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            applied = _applied(conn, name)  # another process may have migrated meanwhile
            _check_versions(name, applied, migrations)
            if migration.version not in applied:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, now()),
                )
                logger.info("%s: applied migration %04d_%s", name, migration.version, migration.name)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
