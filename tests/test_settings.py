import os
import sys
from pathlib import Path

import pytest

from newswatch.errors import ConfigError
from newswatch.settings import SETTINGS, default_db_path, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    settings = load_settings(env={}, config_file=tmp_path / "none.toml")
    assert {name: settings[name] for name in settings} == {s.name: s.default for s in SETTINGS}


def test_file_then_env_then_override(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('db = "/srv/a.db"\n[fetch]\ntimeout = 3\nallow_private = true\n', encoding="utf-8")
    settings = load_settings(env={"NEWSWATCH_FETCH_TIMEOUT": "7.5"}, config_file=config)
    assert settings["db"] == "/srv/a.db"
    assert settings["fetch.allow_private"] is True
    assert settings["fetch.timeout"] == 7.5
    assert settings.with_overrides(fetch_allow_private=False)["fetch.allow_private"] is False


def test_env_config_path(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[input]\nmax_bytes = 1000\n", encoding="utf-8")
    assert load_settings(env={"NEWSWATCH_CONFIG": str(config)})["input.max_bytes"] == 1000


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("[fetch]\nno_such = 1\n", {}),
        ("[fetch]\ntimeout = 'soon'\n", {}),
        ("this is = = not toml", {}),
        ("", {"NEWSWATCH_FETCH_ALLOW_PRIVATE": "perhaps"}),
        ("", {"NEWSWATCH_INPUT_MAX_BYTES": "lots"}),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, text: str, env: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(env=env, config_file=config)


def test_db_default_is_in_user_data_dir(tmp_path: Path) -> None:
    settings = load_settings(env={}, config_file=tmp_path / "none.toml")
    assert default_db_path(settings).endswith("newswatch.db")
    assert default_db_path(settings.with_overrides(db="x.db")) == "x.db"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text and f"`{setting.env}`" in text, setting.name


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSWATCH_INPUT_MAX_BYTES": "-5"}, "input.max_bytes must be at least 1, not '-5'"),
        ({"NEWSWATCH_INPUT_MAX_BYTES": "0"}, "input.max_bytes must be at least 1"),
        ({"NEWSWATCH_FETCH_TIMEOUT": "0"}, "fetch.timeout must be above 0"),
        ({"NEWSWATCH_FETCH_TIMEOUT": "-1.5"}, "fetch.timeout must be above 0"),
        ({"NEWSWATCH_FETCH_TIMEOUT": "nan"}, "fetch.timeout must be a finite number"),
        ({"NEWSWATCH_FETCH_TIMEOUT": "inf"}, "fetch.timeout must be a finite number"),
        ({"NEWSWATCH_FETCH_MAX_REDIRECTS": "-1"}, "fetch.max_redirects must be at least 0"),
        ({"NEWSWATCH_INPUT_MAX_BYTES": "lots"}, "input.max_bytes must be an int, not 'lots'"),
        ({"NEWSWATCH_FETCH_TIMEOUT": "soon"}, "fetch.timeout must be a float, not 'soon'"),
    ],
)
def test_values_out_of_range_are_errors(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env, config_file=tmp_path / "none.toml")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "[fetch]\ntimeout = nan\n",
        "[fetch]\ntimeout = inf\n",
        "[fetch]\ntimeout = 0\n",
        "[input]\nmax_bytes = 0\n",
    ],
)
def test_values_out_of_range_in_the_file_are_errors(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"must be (a finite number|above 0|at least 1)"):
        load_settings(env={}, config_file=config)


def test_values_at_the_bounds_are_accepted(tmp_path: Path) -> None:
    env = {
        "NEWSWATCH_INPUT_MAX_BYTES": "1",
        "NEWSWATCH_FETCH_MAX_REDIRECTS": "0",
        "NEWSWATCH_FETCH_TIMEOUT": "0.01",
    }
    settings = load_settings(env=env, config_file=tmp_path / "none.toml")
    assert (settings["input.max_bytes"], settings["fetch.max_redirects"], settings["fetch.timeout"]) == (
        1,
        0,
        0.01,
    )
    with pytest.raises(ConfigError, match="above 0"):
        settings.with_overrides(fetch_timeout=0.0)


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux /proc")
def test_a_config_file_that_cannot_be_read_is_a_config_error() -> None:
    # /proc/self/mem is a regular file whose first bytes cannot be read (EIO), even for root.
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(env={}, config_file=Path("/proc/self/mem"))


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_a_config_file_without_permission_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\ntimeout = 3\n", encoding="utf-8")
    config.chmod(0)
    try:
        with pytest.raises(ConfigError, match="cannot be read"):
            load_settings(env={}, config_file=config)
    finally:
        config.chmod(0o600)


def test_the_documented_ranges_match_the_table() -> None:
    rows = {
        line.split("|")[1].strip(): line.split("|")
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    allowed = {s.name: s.allowed for s in SETTINGS}
    assert allowed["input.max_bytes"] == "≥ 1" and allowed["fetch.timeout"] == "> 0, finite"
    assert (
        allowed["link.duplicate_threshold"] == "≥ 0, ≤ 1, finite"
        and allowed["fetch.max_versions"] == "≥ 0, ≤ 50"
    )
    for setting in SETTINGS:
        row = rows[f"`{setting.name}`"]
        assert row[3].strip() == setting.type.__name__, setting.name
        assert row[4].strip() == f"`{setting.default!r}`", setting.name
        assert row[5].strip() == setting.allowed, setting.name
