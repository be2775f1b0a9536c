"""Discord through the real discord.py client: the only package that imports `discord`.

`create(app, env)` builds the platform that `affinity-bot run` starts when the token variable is set;
`invite_url(config, env)` is the OAuth2 URL printed by `affinity-bot discord-invite-url`, asking for
exactly the permissions the bot uses. Modules: client (connection, endpoints, sharding), platform
(sending and editing, directory, gateway events), interactions, commands (payload and sync), render,
translate, spaces, scheduled_events (events in the server's Events list), failures. See docs/discord.md.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord

from bot.config import Config, ConfigError, secret
from bot.platforms.base import PlatformError
from bot.platforms.discord.client import Timing
from bot.platforms.discord.platform import DiscordPlatform

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["PERMISSIONS", "DiscordPlatform", "Timing", "create", "invite_url"]

PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels it serves
    send_messages=True,  # replies, notices, digests
    send_messages_in_threads=True,  # answers in threads and forum posts
    embed_links=True,  # cards are embeds
    attach_files=True,  # charts, CSV, ICS and JSON exports
    read_message_history=True,  # replies and reactions on earlier messages
    manage_messages=True,  # filters delete noise
    manage_channels=True,  # groups' channels and categories
    manage_roles=True,  # groups' roles and channel permission overwrites
    manage_events=True,  # events mirrored as the server's scheduled events (edited, cancelled)
    create_events=True,  # ... created (Discord split this from Manage Events in 2024)
)
"""What the bot needs in a server, and nothing more."""

SCOPES = ("bot", "applications.commands")


def create(app: App, env: Mapping[str, str], *, timing: Timing | None = None) -> DiscordPlatform:
    """The Discord platform of a built app (the token comes from the configured variable)."""
    config = app.config.platforms.discord
    token = secret(env, config.token_env)
    if token is None:
        raise PlatformError(f"Discord: {config.token_env} is not set")
    return DiscordPlatform(
        config,
        token,
        sink=app.dispatcher,
        db=app.db,
        now=app.clock.now,
        translator=app.translator,
        locale_for=app.communities.locale_for,
        commands=lambda: {path: spec.decl for path, spec in app.registry.commands.items()},
        providers=lambda: app.registry.autocomplete,
        timing=timing,
    )


def application_id_from_token(token: str | None) -> int | None:
    """A bot token starts with the bot's user id in base64, which is the application id."""
    if not token:
        return None
    first = token.split(".")[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(decoded) if decoded.isdigit() else None


def invite_url(config: Config, env: Mapping[str, str]) -> str:
    """The OAuth2 URL that adds the bot to a server with its permissions and slash commands."""
    discord_config = config.platforms.discord
    application_id = discord_config.application_id or application_id_from_token(secret(env, discord_config.token_env))
    if application_id is None:
        raise ConfigError(
            "discord-invite-url: set platforms.discord.application_id (Developer Portal > your "
            f"application > General Information > Application ID) or {discord_config.token_env}"
        )
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)
