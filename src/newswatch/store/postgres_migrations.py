"""PostgreSQL schema migrations: numbered, append-only SQL scripts under ``migrations/postgres``, each applied
once in its own transaction and recorded in ``schema_migrations``.

Many processes (workers, web servers) may open the same database at once: each migration runs under a
transaction-level advisory lock and re-reads what is applied after taking it, so every script runs exactly
once and the others wait for it, then find it done.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import psycopg

from newswatch.errors import StoreError

__all__ = ["LOCK_KEY", "PgMigration", "load_migrations", "migrate"]

logger = logging.getLogger(__name__)

#: The advisory lock taken while migrating ('nwsm' as a number), the same for every newswatch.
LOCK_KEY = 0x6E77736D

_MIGRATION_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class PgMigration:
    """One schema step: ``NNNN_name.sql``, run as one script."""

    version: int
    name: str
    script: str


@cache
def load_migrations() -> tuple[PgMigration, ...]:
    """The PostgreSQL migrations shipped with this newswatch, in order (versions 1, 2, … without gaps)."""
    folder = files("newswatch.store").joinpath("migrations").joinpath("postgres")
    found: list[PgMigration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_FILE.fullmatch(entry.name)
        if match is not None:
            found.append(PgMigration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StoreError("the PostgreSQL migrations shipped with newswatch are not numbered 0001, 0002, …")
    return tuple(found)


def _applied(conn: psycopg.Connection[tuple[object, ...]], name: str) -> dict[int, str]:
    # pg_class is read with the statement's snapshot (to_regclass would consult the backend's catalog
    # cache, which may not yet know of a table another process created while we waited for the lock)
    rows = conn.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
        " AND relname IN ('schema_migrations', 'articles', 'raw_inputs')"
    ).fetchall()
    tables = {str(row[0]) for row in rows}
    if "schema_migrations" not in tables:
        if tables:
            raise StoreError(f"{name}: has tables named like newswatch's but no schema_migrations")
        return {}
    found = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    return {int(str(version)): str(recorded) for version, recorded in found}


def _check_versions(name: str, applied: dict[int, str], migrations: tuple[PgMigration, ...]) -> None:
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


def migrate(conn: psycopg.Connection[tuple[object, ...]], name: str, now: Callable[[], str]) -> list[int]:
    """Apply the missing migrations, each in its own transaction under the advisory lock; refuse a database
    from a newer newswatch. Returns the versions this call applied. ``conn`` must not be in autocommit."""
    migrations = load_migrations()
    with conn.transaction():
        applied = _applied(conn, name)  # a plain read first: an up-to-date database takes no lock
    _check_versions(name, applied, migrations)
    done: list[int] = []
    for migration in migrations:
        if migration.version in applied:
            continue
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            applied = _applied(conn, name)  # another process may have migrated while we waited
            _check_versions(name, applied, migrations)
            if migration.version in applied:
                continue
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"
            )
            conn.execute(migration.script.encode("utf-8"))  # no parameters: sent as one script
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                (migration.version, migration.name, now()),
            )
            logger.info("%s: applied migration %04d_%s", name, migration.version, migration.name)
            done.append(migration.version)
    return done
