"""The Slack platform package: the only code that imports slack_bolt and slack_sdk.

- `create(app, env)` builds the platform from `platforms.slack` and the environment (bot token,
  then either an app-level token for Socket Mode or a signing secret for HTTP mode; `PORT`
  overrides the HTTP port); `bot/__main__.py` calls it when the bot token is set.
- `manifest(config, env)` prints the app manifest for `affinity-bot slack-manifest`.

Modules: `platform` (the Platform and Spaces protocols), `app` (bolt, the Web API client, Socket
Mode and HTTP mode), `verification` (HTTP mode: signatures, timestamps and replays checked on the raw
bytes before bolt parses anything), `commands` (slash commands and buttons), `translate` (payloads to neutral
events), `render` (replies to Block Kit), `delivery` (posting and files), `directory` (member and
channel lookups), `spaces` (group channels), `errors` (Web API errors to `DeliveryError`),
`app_manifest` (the YAML manifest). The SDK is imported only when a platform is created, so
`slack-manifest` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, secret
from bot.platforms.base import PlatformError

if TYPE_CHECKING:
    from bot.app import App
    from bot.platforms.slack.platform import SlackPlatform

__all__ = ["create", "manifest"]


def _port(default: int, env: Mapping[str, str]) -> int:
    """`PORT` overrides the configured port, as in bolt's samples (0: any free port)."""
    raw = env.get("PORT", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > 65535:
        raise PlatformError(f"Slack: PORT must be a port number, not {raw!r}")
    return int(raw)


def create(app: App, env: Mapping[str, str]) -> SlackPlatform:
    """The Slack platform of a built app; PlatformError (one line) when a secret is missing."""
    from bot.platforms.slack.app_manifest import check_prefix
    from bot.platforms.slack.platform import SlackPlatform, SlackSecrets

    config = app.config.platforms.slack
    token = secret(env, config.bot_token_env)
    if token is None:
        raise PlatformError(f"Slack: {config.bot_token_env} is not set")
    app_token = secret(env, config.app_token_env)
    signing_secret = secret(env, config.signing_secret_env)
    if app_token is None and signing_secret is None:
        raise PlatformError(
            f"Slack: set {config.signing_secret_env} for HTTP mode, or {config.app_token_env} "
            "(an xapp- token) for Socket Mode"
        )
    try:
        check_prefix(config.command_prefix)
    except ConfigError as exc:
        raise PlatformError(f"Slack: {exc}") from None
    secrets = SlackSecrets(token, signing_secret, app_token, _port(config.port, env))
    return SlackPlatform(
        config,
        secrets,
        sink=app.dispatcher,
        translator=app.translator,
        now=app.clock.now,
        nouns=lambda: app.registry.nouns().keys(),
    )


def manifest(config: Config, env: Mapping[str, str]) -> str:
    """The Slack app manifest (YAML) for the enabled plugins."""
    from bot.platforms.slack.app_manifest import manifest as build_manifest

    return build_manifest(config, env)
