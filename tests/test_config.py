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
    assert set(shipped.plugins) == {"core", "groups", "events", "questions", "calendar", "digest", "filters"}
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


@pytest.mark.parametrize(
    "url", ["postgresql://bot:hunter2@db/affinity", "postgresql://bot@db/affinity?password=hunter2"]
)
def test_a_password_in_the_database_url_is_refused_and_never_printed(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, f"database:\n  url: {url}\n"), env={})
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


# One bad file, five mistakes: one in the core sections and four spread over three plugins.
FIVE_MISTAKES = """\
timezon: Europe/Paris
plugins:
  core:
  calendar:
    window_before_hours: soon
  groups:
    creation: always
    page_size: 0
  questions:
    excluded_channels: [general, [nested]]
"""


def problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """The whole message and its problems as `path: text` lines."""
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env=env or {})
    return str(caught.value), [str(problem) for problem in caught.value.problems]


def test_every_mistake_of_every_plugin_and_of_the_core_is_reported_at_once(tmp_path: Path) -> None:
    message, found = problems(tmp_path, FIVE_MISTAKES)
    assert found == [
        "timezon: unknown key; did you mean timezone?",
        "plugins.calendar.window_before_hours: expected a number from 0 to 168 (got 'soon')",
        "plugins.groups.creation: expected one of propose, direct (got 'always')",
        "plugins.groups.page_size: expected a whole number from 1 to 25 (got 0)",
        "plugins.questions.excluded_channels[1]: expected text",
    ]
    assert message.splitlines()[0] == f"{tmp_path / 'config.yaml'}: the configuration is not valid (5 problems):"
    assert all(f"  - {line}" in message for line in found)


def test_a_misspelt_key_gets_the_closest_one_at_every_level(tmp_path: Path) -> None:
    _, found = problems(
        tmp_path,
        "timezon: Europe/Paris\nplatforms:\n  discord:\n    tokn_env: X\nplugins:\n  groups:\n    pagesize: 3\n",
    )
    assert found == [
        "timezon: unknown key; did you mean timezone?",
        "platforms.discord.tokn_env: unknown key; did you mean token_env?",
        "plugins.groups.pagesize: unknown key; did you mean page_size?",
    ]


def test_an_unknown_key_with_nothing_close_lists_the_keys_of_its_section(tmp_path: Path) -> None:
    _, found = problems(tmp_path, "logging:\n  verbosity: 3\n")
    assert found == ["logging.verbosity: unknown key; the keys here are level"]


def test_an_unknown_plugin_gets_the_closest_name_and_the_others_are_still_checked(tmp_path: Path) -> None:
    _, found = problems(tmp_path, "plugins:\n  calendr: {}\n  groups:\n    page_size: 99\n")
    assert found[0].startswith("plugins.calendr: no such plugin; did you mean calendar? (available: calendar, ")
    assert found[1] == "plugins.groups.page_size: expected a whole number from 1 to 25 (got 99)"
    assert len(found) == 2


def test_plugin_settings_that_are_not_a_mapping_are_said_once(tmp_path: Path) -> None:
    _, found = problems(tmp_path, "plugins:\n  digest: 5\n  calendr: 5\n")
    assert (
        found[0]
        == "plugins.digest: expected the plugin's settings as a mapping of keys, or nothing for its defaults (got 5)"
    )
    assert found[1].startswith("plugins.calendr: no such plugin; did you mean calendar?")
    assert len(found) == 2


def test_a_plugin_validator_speaks_in_its_own_words(tmp_path: Path) -> None:
    _, found = problems(tmp_path, "plugins:\n  calendar:\n    remind: 3x\n")
    assert found == [
        "plugins.calendar.remind: must look like `1d,2h` or `none` (at most 5 offsets of up to 30 days) (got '3x')"
    ]


def test_environment_mistakes_are_listed_with_the_file_ones(tmp_path: Path) -> None:
    env = {"AFFINITY_BOT_DATABSE": "x.db", "AFFINITY_BOT_DATABASE": "mysql://bot:hunter2@db/affinity"}
    message, found = problems(tmp_path, "locale: de\n", env)
    assert found[0] == "locale: expected one of en, fr (got 'de')"
    assert found[1] == (
        "AFFINITY_BOT_DATABSE (environment): unknown variable; did you mean AFFINITY_BOT_DATABASE? "
        "(the bot reads AFFINITY_BOT_CONFIG, AFFINITY_BOT_DATABASE)"
    )
    assert found[2].startswith("AFFINITY_BOT_DATABASE (environment): expected sqlite:///")
    assert len(found) == 3
    assert "hunter2" not in message


def test_a_bad_database_url_from_the_environment_alone_is_a_configuration_error(tmp_path: Path) -> None:
    # It used to escape as a ValueError (a traceback) instead of exit code 2.
    _, found = problems(tmp_path, "", {"AFFINITY_BOT_DATABASE": "postgresql://bot:hunter2@db/affinity"})
    assert found == [
        "AFFINITY_BOT_DATABASE (environment): expected a URL without a password (put it in an environment "
        "variable and name that variable in database.password_env)"
    ]


SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"


def test_a_secret_in_a_bad_value_is_never_printed(tmp_path: Path) -> None:
    message, found = problems(
        tmp_path,
        f"plugins:\n  groups:\n    page_size: {SLACK_TOKEN}\n"
        "database:\n  url: postgresql://bot:hunter2@db/affinity\n"
        "platforms:\n  slack:\n    api_base: [1]\n    port: 'postgresql://bot:hunter2@db/x'\n"
        "    signing_secret_env: 31415926\n"
        "  discord:\n    password: hunter2\n",
    )
    assert "plugins.groups.page_size: expected a whole number from 1 to 25 (got 'xoxb-…Wx')" in found
    assert "database.url: expected a URL without a password" in message
    assert "platforms.discord.password: unknown key" in message
    assert "platforms.slack.port: expected a whole number from 1 to 65535 (got 'postgresql://bot:…@db/x')" in found
    assert "hunter2" not in message and "1234567890" not in message and "AbCdEf" not in message
    assert "platforms.slack.signing_secret_env: expected text" in message
    assert "31415926" not in message  # a number is a secret too under such a key


def test_a_good_file_with_every_plugin_set_still_loads(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "plugins:\n  core:\n  calendar:\n    remind: 2h\n  groups:\n    page_size: 5\n"), env={}
    )
    assert config.plugins["groups"] == {"page_size": 5}
