"""Configuration: defaults, readable errors with key paths, environment overrides."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bot.config import ConfigError, config_path, load_config, secret
from bot.discovery import available_plugins, default_plugins
from bot.registry import plugin_class


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_is_valid_and_matches_the_defaults() -> None:
    shipped = load_config(Path(__file__).resolve().parent.parent / "config.yaml", env={})
    defaults = load_config(None, env={})
    assert shipped.database.path == defaults.database.path
    assert shipped.platforms.discord.token_env == "DISCORD_TOKEN"
    assert shipped.platforms.slack.signing_secret_env == "SLACK_SIGNING_SECRET"
    assert set(shipped.plugins) == {"core", "groups", "questions", "calendar", "digest", "filters"}
    assert shipped.plugins == defaults.plugins
    # config.yaml documents the discovered defaults, in their order (bot/discovery.py).
    assert list(shipped.plugins) == list(defaults.plugins) == list(default_plugins())


def test_defaults_are_every_discovered_plugin_not_opted_out() -> None:
    opted_out = [
        name
        for name in available_plugins()
        if getattr(importlib.import_module(f"plugins.{name}"), "ENABLED_BY_DEFAULT", True) is False
    ]
    assert sorted(default_plugins()) == sorted(set(available_plugins()) - set(opted_out))
    assert default_plugins()[0] == "core"
    for name in available_plugins():
        assert plugin_class(name).name == name  # every package found is a loadable plugin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("databse:\n  path: x.db\n", "databse: unknown key"),
        ("database:\n  retention_days: -3\n", "database.retention_days: expected"),
        ("timezone: Mars/Olympus\n", "timezone: expected an IANA time zone name"),
        ("locale: de\n", "locale: expected one of en, fr"),
        ("platforms:\n  slack:\n    port: web\n", "platforms.slack.port: expected"),
        ("platforms:\n  discord:\n    tokn_env: X\n", "platforms.discord.tokn_env: unknown key"),
        ("- just\n- a list\n", "expected a mapping"),
        ("database: [unclosed\n", "not valid YAML"),
        ("database:\n  url: mysql://bot@db/x\n", "database.url: expected sqlite:///"),
        ("database:\n  url: sqlite://x.db\n", "database.url: expected sqlite:///relative/file.db"),
        ("database:\n  url: postgresql:///affinity\n", "database.url: expected a PostgreSQL URL naming its host"),
        ("database:\n  password_env: 'not a name'\n", "database.password_env: expected"),
    ],
)
def test_bad_values_give_one_readable_message_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    message = str(caught.value)
    assert expected in message
    assert str(tmp_path / "config.yaml") in message
    assert "Traceback" not in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml", env={})


def test_database_path_from_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  path: from-file.db\n")
    config = load_config(path, env={"AFFINITY_BOT_DATABASE": str(tmp_path / "env.db")})
    assert config.database.path == tmp_path / "env.db"


def test_a_database_url_selects_the_engine_and_the_path_is_its_sqlite_default(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "database:\n  path: data/x.db\n"), env={}).database.effective_url == (
        "sqlite:///data/x.db"
    )
    config = load_config(write(tmp_path, "database:\n  url: postgresql://bot@db:5432/affinity\n"), env={})
    assert config.database.engine == "postgresql"
    env = {"AFFINITY_BOT_DATABASE": "postgresql://bot@other/affinity"}
    assert load_config(write(tmp_path, ""), env=env).database.effective_url == "postgresql://bot@other/affinity"


def test_a_password_in_the_database_url_is_refused_and_never_printed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "database:\n  url: postgresql://bot:hunter2@db/affinity\n"), env={})
    message = str(caught.value)
    assert "database.password_env" in message
    assert "hunter2" not in message


def test_config_file_selection_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert config_path(None, {}) is None
    write(tmp_path, "locale: fr\n")
    assert config_path(None, {}) == Path("config.yaml")
    assert config_path(None, {"AFFINITY_BOT_CONFIG": "other.yaml"}) == Path("other.yaml")
    assert config_path("cli.yaml", {"AFFINITY_BOT_CONFIG": "other.yaml"}) == Path("cli.yaml")


def test_blank_secrets_count_as_missing() -> None:
    assert secret({"DISCORD_TOKEN": "  "}, "DISCORD_TOKEN") is None
    assert secret({"DISCORD_TOKEN": "abc"}, "DISCORD_TOKEN") == "abc"
