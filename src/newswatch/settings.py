"""Every setting, declared once.

Each :class:`Setting` has a dotted name (``fetch.allow_private``), a type, a default and a help line, and a
number may have bounds (``min``, ``max``; ``min_exclusive`` makes the lower one a strict "above"). A float is
always finite.
Values come from, in rising priority: the default, the TOML file (``config.toml`` in the user's config
directory, or the file named by ``NEWSWATCH_CONFIG``), the environment (``NEWSWATCH_FETCH_ALLOW_PRIVATE``),
then explicit overrides (command-line options). ``docs/settings.md`` is checked against this table by a test.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from newswatch.errors import ConfigError

__all__ = ["SETTINGS", "Setting", "Settings", "default_db_path", "default_value", "load_settings"]


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False

    @property
    def env(self) -> str:
        return "NEWSWATCH_" + self.name.replace(".", "_").upper()

    @property
    def allowed(self) -> str:
        """The values accepted, in words: ``≥ 1``, ``> 0, finite``; empty when any value of the type is."""
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '≥'} {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        if self.type is float:
            parts.append("finite")
        return ", ".join(parts)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db", str, "", "Database: a SQLite file path. Empty means newswatch.db in the user data directory."
    ),
    Setting(
        "input.max_bytes",
        int,
        16 * 1024 * 1024,
        "Largest input accepted, in bytes; larger ones are refused.",
        min=1,
    ),
    Setting("fetch.allow_private", bool, False, "Allow fetching private, loopback and link-local addresses."),
    Setting(
        "fetch.timeout",
        float,
        20.0,
        "Seconds to wait for a server before giving up.",
        min=0,
        min_exclusive=True,
    ),
    Setting("fetch.max_redirects", int, 5, "Redirects followed per fetch; each hop is checked again.", min=0),
    Setting(
        "fetch.user_agent", str, "newswatch/0.1 (+https://example.invalid/newswatch)", "User-Agent sent."
    ),
    Setting(
        "fetch.max_versions",
        int,
        5,
        'Language versions (hreflang, "available in") fetched with a page ingested from the web; 0: none.',
        min=0,
        max=50,
    ),
    Setting(
        "link.translation_threshold",
        float,
        0.55,
        "Score at which two articles in different languages are one article's versions.",
        min=0,
        max=1,
    ),
    Setting(
        "link.duplicate_threshold",
        float,
        0.5,
        "Score at which two articles are one text (copy, light rewrite, agency re-run).",
        min=0,
        max=1,
    ),
    Setting(
        "link.coverage_threshold",
        float,
        0.5,
        "Score at which two articles report the same event and join one story.",
        min=0,
        max=1,
    ),
    Setting(
        "link.window_days",
        int,
        2,
        "Days either side of an article's publication searched for its versions in other languages.",
        min=0,
        max=30,
    ),
    Setting(
        "link.duplicate_window_days",
        int,
        30,
        "Dated copies published further apart than this many days are not joined as duplicates.",
        min=1,
    ),
    Setting("link.related", int, 5, "Related stories listed for each article.", min=0, max=50),
    Setting(
        "serve.host",
        str,
        "127.0.0.1",
        "Address newswatch serve and demo listen on; 0.0.0.0 or :: reaches other machines.",
    ),
    Setting(
        "serve.port",
        int,
        8000,
        "Port newswatch serve and demo listen on; 0 picks a free one.",
        min=0,
        max=65535,
    ),
    Setting(
        "serve.admin_token",
        str,
        "",
        "Token that allows changes from the web and the API (sources, watches); empty: no changes allowed.",
    ),
    Setting("poll.enabled", bool, True, "Poll live sources inside newswatch serve."),
    Setting("poll.interval", int, 900, "Default seconds between two polls of a source.", min=30),
    Setting(
        "poll.workers", int, 4, "Sources fetched at the same time (never two of one host).", min=1, max=64
    ),
    Setting("poll.host_delay", float, 2.0, "Seconds between two requests to one host.", min=0),
    Setting(
        "poll.max_backoff",
        int,
        21600,
        "Longest wait, in seconds, before polling a failing source again.",
        min=60,
    ),
    Setting(
        "poll.max_pages",
        int,
        20,
        "Article pages fetched per poll for feed items that carry only a summary; 0: none.",
        min=0,
    ),
    Setting(
        "alerts.max_attempts", int, 6, "Attempts to deliver one webhook before giving up.", min=1, max=50
    ),
    Setting(
        "alerts.retry_seconds",
        float,
        30.0,
        "Wait before retrying a failed webhook delivery; doubled after each further failure.",
        min=0,
        min_exclusive=True,
    ),
    Setting(
        "alerts.timeout", float, 10.0, "Seconds to wait for a webhook receiver.", min=0, min_exclusive=True
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def default_value(name: str) -> Any:
    """The declared default of a setting."""
    return _BY_NAME[name].default


def _typed(setting: Setting, value: Any, origin: str) -> Any:
    if isinstance(value, setting.type) and not (setting.type is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if setting.type is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError(text)
            return setting.type(text)
        except ValueError:
            pass
    elif setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    kind = setting.type.__name__
    article = "an" if kind[0] in "aeiou" else "a"
    raise ConfigError(f"{origin}: {setting.name} must be {article} {kind}, not {value!r}")


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    """``value`` as the setting's type, within its bounds; anything else is a :class:`ConfigError`."""
    typed = _typed(setting, value, origin)
    if setting.type is float and not math.isfinite(typed):
        raise ConfigError(f"{origin}: {setting.name} must be a finite number, not {value!r}")
    low, high = setting.min, setting.max
    if low is not None and (typed <= low if setting.min_exclusive else typed < low):
        bound = "above" if setting.min_exclusive else "at least"
        raise ConfigError(f"{origin}: {setting.name} must be {bound} {low:g}, not {value!r}")
    if high is not None and typed > high:
        raise ConfigError(f"{origin}: {setting.name} must be at most {high:g}, not {value!r}")
    return typed


class Settings(Mapping[str, Any]):
    """Resolved settings: a read-only mapping from setting name to value."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = {s.name: values.get(s.name, s.default) for s in SETTINGS}

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some values replaced; keys use ``_`` for ``.`` (``fetch_allow_private``)."""
        values = dict(self._values)
        for key, value in overrides.items():
            name = key if key in _BY_NAME else key.replace("_", ".", 1)
            if name not in _BY_NAME:
                raise ConfigError(f"unknown setting {key!r}")
            values[name] = _coerce(_BY_NAME[name], value, "override")
        return Settings(values)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("NEWSWATCH_CONFIG"):
        return Path(env["NEWSWATCH_CONFIG"])
    return Path(platformdirs.user_config_dir("newswatch")) / "config.toml"


def load_settings(env: Mapping[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Resolve every setting from defaults, the TOML file and the environment."""
    env = os.environ if env is None else env
    path = config_file or config_path(env)
    values: dict[str, Any] = {}
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if text is not None:
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        for name, value in _flatten(table).items():
            if name not in _BY_NAME:
                raise ConfigError(f"{path}: unknown setting {name!r}")
            values[name] = _coerce(_BY_NAME[name], value, str(path))
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = _coerce(setting, env[setting.env], setting.env)
    return Settings(values)


def default_db_path(settings: Settings) -> str:
    """The database the user meant: the ``db`` setting, else a file in the user data directory."""
    if settings["db"]:
        return str(settings["db"])
    return str(Path(platformdirs.user_data_dir("newswatch")) / "newswatch.db")
