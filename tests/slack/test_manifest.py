"""The Slack app manifest: valid YAML with a slash command per noun of the enabled plugins, the
scopes and events the platform uses, interactivity, and Socket Mode following the app token."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import main
from bot.config import Config
from bot.i18n import _
from bot.model import Level
from bot.platforms.slack import manifest
from bot.platforms.slack.app_manifest import BOT_EVENTS, BOT_SCOPES, slash_commands
from bot.plugin import CommandDecl
from bot.registry import available_plugins, declared_commands

CORE_NOUNS = ["/help", "/language", "/privacy", "/settings", "/timezone"]


def load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_http_mode_manifest_lists_every_noun_with_the_request_url() -> None:
    config = Config.model_validate(
        {"plugins": {"core": {}}, "platforms": {"slack": {"public_url": "https://bot.example.org/"}}}
    )
    data = load(manifest(config, {}))
    commands = {c["command"]: c for c in data["features"]["slash_commands"]}
    assert sorted(commands) == CORE_NOUNS
    assert commands["/help"]["description"] == "List the commands you can use, or explain one."
    assert commands["/help"]["usage_hint"] == "[command:<text>]"
    assert commands["/privacy"]["description"] == "Subcommands: export, forget."
    assert commands["/privacy"]["usage_hint"] == "export | forget [confirm:<text>]"
    assert commands["/settings"]["usage_hint"] == "channel | locale | role | show | timezone"
    assert all(len(c["description"]) <= 100 and len(c.get("usage_hint", "")) <= 100 for c in commands.values())
    assert all(c["url"] == "https://bot.example.org/slack/events" and c["should_escape"] for c in commands.values())
    settings = data["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == "https://bot.example.org/slack/events"
    assert settings["interactivity"] == {"is_enabled": True, "request_url": "https://bot.example.org/slack/events"}
    assert data["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert settings["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert data["features"]["app_home"]["messages_tab_enabled"] is True


def test_socket_mode_manifest_has_no_urls_and_the_prefix() -> None:
    config = Config.model_validate({"plugins": {"core": {}}, "platforms": {"slack": {"command_prefix": "ab-"}}})
    text = manifest(config, {"SLACK_APP_TOKEN": "xapp-1"})
    assert text.startswith("# Slack app manifest for affinity-bot")
    data = load(text)
    commands = data["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [
        "/ab-help",
        "/ab-language",
        "/ab-privacy",
        "/ab-settings",
        "/ab-timezone",
    ]
    assert all("url" not in c for c in commands)
    assert data["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in data["settings"]["event_subscriptions"]
    assert "request_url" not in data["settings"]["interactivity"]


def test_the_default_manifest_has_every_feature_noun_within_slack_limits() -> None:
    commands = load(manifest(Config(), {}))["features"]["slash_commands"]
    names = {c["command"] for c in commands}
    assert {"/group", "/ask", "/calendar", "/digest", "/filter", "/watch", "/help"} <= names
    assert all(len(c["description"]) <= 100 and len(c.get("usage_hint", "")) <= 100 for c in commands)


def test_scopes_cover_what_the_platform_calls() -> None:
    needed = {
        "commands",
        "chat:write",
        "im:write",
        "channels:history",
        "groups:history",
        "im:history",
        "channels:read",
        "groups:read",
        "users:read",
        "reactions:read",
        "files:write",
        "channels:manage",
        "groups:write",
        "usergroups:read",
    }
    assert set(BOT_SCOPES) == needed
    assert set(BOT_EVENTS) == {
        "message.channels",
        "message.groups",
        "message.im",
        "reaction_added",
        "member_joined_channel",
        "member_left_channel",
        "team_join",
    }


def test_the_cli_prints_the_manifest_and_refuses_a_bad_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("plugins:\n  core: {}\n", encoding="utf-8")
    assert main(["--config", str(config), "slack-manifest"], env={}) == 0
    data = load(capsys.readouterr().out)
    assert data["display_information"]["name"] == "affinity-bot"
    config.write_text("platforms:\n  slack:\n    command_prefix: 'Ab '\n", encoding="utf-8")
    assert main(["--config", str(config), "slack-manifest"], env={}) == 2
    assert "platforms.slack.command_prefix" in capsys.readouterr().err
    config.write_text("platforms:\n  slack:\n    command_prefix: a-very-long-prefix-for-commands-\n", encoding="utf-8")
    assert main(["--config", str(config), "slack-manifest"], env={}) == 2
    assert "longer than Slack's 32 characters" in capsys.readouterr().err


def test_a_long_description_is_reported_and_a_long_list_of_subcommands_made_to_fit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    decls = [
        CommandDecl("ping", _("x" * 120), (), Level.MEMBER, False),
        *(CommandDecl(f"team verb{n:02d}", _("A verb."), (), Level.MEMBER, False) for n in range(20)),
    ]
    problems: list[str] = []
    with caplog.at_level(logging.WARNING):
        commands = {c["command"]: c for c in slash_commands(decls, "ab-", None, problems=problems)}
    assert problems == ["/ab-ping description: 120 characters (Slack accepts 100)"]
    assert problems[0] in caplog.text
    assert len(commands["/ab-ping"]["description"]) == 100  # cut only so Slack accepts the manifest
    team = commands["/ab-team"]
    assert team["description"] == (
        "Subcommands: verb00, verb01, verb02, verb03, verb04, verb05, verb06, verb07, … (/ab-help team)."
    )
    assert team["usage_hint"].endswith("verb08 | … (/ab-help team)") and len(team["usage_hint"]) <= 100


def test_no_shipped_description_is_over_slacks_limit() -> None:
    problems: list[str] = []
    slash_commands(declared_commands(available_plugins()), "", None, problems=problems)
    assert problems == []
