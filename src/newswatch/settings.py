"""Every setting, declared once.

Each :class:`Setting` has a dotted name (``fetch.allow_private``), a type, a default and a help line.
Values come from, in rising priority: the default, the TOML file (``config.toml`` in the user's config
directory, or the file named by ``NEWSWATCH_CONFIG``), the environment (``NEWSWATCH_FETCH_ALLOW_PRIVATE``),
then explicit overrides (command-line options). ``docs/settings.md`` is checked against this table by a test.
"""

from __future__ import annotations

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

    @property
    def env(self) -> str:
        return "NEWSWATCH_" + self.name.replace(".", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db", str, "", "Database: a SQLite file path. Empty means newswatch.db in the user data directory."
    ),
    Setting(
        "input.max_bytes", int, 16 * 1024 * 1024, "Largest input accepted, in bytes; larger ones are refused."
    ),
    Setting("fetch.allow_private", bool, False, "Allow fetching private, loopback and link-local addresses."),
    Setting("fetch.timeout", float, 20.0, "Seconds to wait for a server before giving up."),
    Setting("fetch.max_redirects", int, 5, "Redirects followed per fetch; each hop is checked again."),
    Setting(
        "fetch.user_agent", str, "newswatch/0.1 (+https://example.invalid/newswatch)", "User-Agent sent."
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def default_value(name: str) -> Any:
    """The declared default of a setting."""
    return _BY_NAME[name].default


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
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
    raise ConfigError(f"{origin}: {setting.name} must be a {setting.type.__name__}, not {value!r}")


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
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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
