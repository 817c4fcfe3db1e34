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
