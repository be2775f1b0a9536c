"""The Slack app manifest (`affinity-bot slack-manifest`): a YAML document to paste into "Create an
app > From a manifest", derived from the enabled plugins' command declarations (one slash command
per noun, with its description and usage hint), the bot scopes and events the platform really
uses, interactivity for buttons, and Socket Mode on when an app-level token is configured.

Slack shows English only here (a manifest has no localizations). Its limits are met by design: a
noun's list of subcommands shows the first ones that fit, then `… (/help noun)`; a declared
description or usage line over 100 characters is reported (a warning, `problems` for the tests) and
cut only so Slack accepts the manifest.

Reads declarations only: no database, no network, no Slack SDK.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from bot.config import Config, ConfigError, SlackConfig, secret
from bot.i18n import Translator
from bot.params import usage
from bot.plugin import CommandDecl
from bot.registry import declared_commands

log = logging.getLogger("affinity.slack.manifest")

APP_NAME = "affinity-bot"
APP_DESCRIPTION = "Community bot: affinity and local groups, editorial calendar, patient answers, digests."
MAX_COMMAND = 32  # characters, with the leading slash
MAX_COMMANDS = 50
MAX_DESCRIPTION = 100
MAX_HINT = 100
DEFAULT_HOST = "https://YOUR-HOST"
_PREFIX = re.compile(r"[a-z0-9_-]*")

# Every scope, with what needs it; nothing else is asked for.
BOT_SCOPES: dict[str, str] = {
    "commands": "slash commands",
    "chat:write": "messages, answers and ephemeral replies",
    "im:write": "opening direct messages (conversations.open)",
    "channels:history": "message events in public channels",
    "groups:history": "message events in private channels",
    "im:history": "message events in direct messages",
    "channels:read": "public channel names (#name lookups), who reads a channel, member_joined/left_channel",
    "groups:read": "private channel names and members (who reads them), member_joined/left_channel there",
    "users:read": "member names, workspace admins, guests, members' language, team_join",
    "usergroups:read": "user groups as the community's moderator role",
    "reactions:read": "reaction_added",
    "files:write": "charts, CSV and export files (files_upload_v2)",
    "channels:manage": "public group channels: create, invite, kick, rename, topic, archive",
    "groups:write": "private group channels: create, invite, kick, rename, topic, archive",
}
BOT_EVENTS = (
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
    "member_joined_channel",
    "member_left_channel",
    "team_join",
)


def _cut(text: str, limit: int, where: str, problems: list[str]) -> str:
    """A declared text within Slack's limit; one over it is reported (logged, added to `problems`) so its
    owner shortens it, and cut only so Slack accepts the manifest."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    problem = f"{where}: {len(text)} characters (Slack accepts {limit})"
    log.warning("%s; cut in the manifest, shorten it: %r", problem, text)
    problems.append(problem)
    return text[: limit - 1] + "…"


def _listed(head: str, items: Sequence[str], sep: str, more: str, limit: int) -> str:
    """`head` and the items, made to fit by design: when they do not all fit, the first ones that do,
    then `more` (which points to where the whole list is)."""
    for count in range(len(items), 0, -1):
        text = head + sep.join(items[:count]) + ("" if count == len(items) else sep + more)
        if len(text) <= limit:
            return text
    return (head + more)[:limit]


def check_prefix(prefix: str) -> None:
    """Slack commands are lowercase letters, digits, '-' and '_'."""
    if not _PREFIX.fullmatch(prefix):
        raise ConfigError(
            f"platforms.slack.command_prefix: expected lowercase letters, digits, '-' or '_' (got {prefix!r})"
        )


def slash_commands(
    decls: Sequence[CommandDecl], prefix: str, url: str | None, *, problems: list[str] | None = None
) -> list[dict[str, Any]]:
    """One slash command per noun, with an English description and a usage hint. A declared description
    over Slack's limit is logged and appended to `problems`; the lists this module writes (a noun's
    subcommands) are made to fit."""
    english = Translator({})
    found: list[str] = []
    nouns: dict[str, list[CommandDecl]] = {}
    for decl in sorted(decls, key=lambda d: d.path):
        nouns.setdefault(decl.path.split(" ")[0], []).append(decl)
    commands: list[dict[str, Any]] = []
    for noun, group in nouns.items():
        name = f"/{prefix}{noun}"
        if len(name) > MAX_COMMAND:
            raise ConfigError(
                f"platforms.slack.command_prefix: {name} is longer than Slack's {MAX_COMMAND} "
                "characters; use a shorter prefix"
            )
        if len(group) == 1 and group[0].path == noun:
            declared = english.render(group[0].description, "en")
            description = _cut(declared, MAX_DESCRIPTION, f"{name} description", found)
            line = usage(noun, group[0].params).removeprefix(f"/{noun}").strip()
            hint = _cut(line, MAX_HINT, f"{name} usage hint", found)
        else:
            verbs = [d.path.partition(" ")[2] or "(none)" for d in group]
            more = f"… (/{prefix}help {noun})"
            description = _listed("Subcommands: ", verbs, ", ", more, MAX_DESCRIPTION - 1) + "."
            hint = " | ".join(usage(d.path, d.params).removeprefix(f"/{noun}").strip() for d in group)
            if len(hint) > MAX_HINT:
                hint = _listed("", [d.path.partition(" ")[2] for d in group if " " in d.path], " | ", more, MAX_HINT)
        command: dict[str, Any] = {"command": name, "description": description, "should_escape": True}
        if url:
            command["url"] = url
        if hint:
            command["usage_hint"] = hint
        commands.append(command)
    if len(commands) > MAX_COMMANDS:
        raise ConfigError(
            f"plugins: {len(commands)} command nouns, Slack accepts at most {MAX_COMMANDS} slash commands per app"
        )
    if problems is not None:
        problems.extend(found)
    return commands


def build(config: SlackConfig, decls: Sequence[CommandDecl], *, socket_mode: bool) -> dict[str, Any]:
    """The manifest as data."""
    check_prefix(config.command_prefix)
    url = None if socket_mode else (config.public_url or DEFAULT_HOST).rstrip("/") + config.path
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        event_subscriptions = {"request_url": url, **event_subscriptions}
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": APP_NAME, "description": APP_DESCRIPTION, "background_color": "#2d4a5a"},
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": slash_commands(decls, config.command_prefix, url),
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest(config: Config, env: Mapping[str, str]) -> str:
    """The manifest as YAML, with a short header saying how to use it."""
    slack = config.platforms.slack
    socket_mode = secret(env, slack.app_token_env) is not None
    data = build(slack, declared_commands(list(config.plugins)), socket_mode=socket_mode)
    mode = (
        f"Socket Mode ({slack.app_token_env} is set)"
        if socket_mode
        else f"HTTP mode ({slack.app_token_env} is not set): requests go to "
        f"{data['settings']['event_subscriptions']['request_url']}"
    )
    header = (
        "# Slack app manifest for affinity-bot, generated by `affinity-bot slack-manifest`.\n"
        "# Paste it at https://api.slack.com/apps > Create New App > From an app manifest.\n"
        f"# {mode}.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
