"""Configuration: the YAML file validated by pydantic before any network I/O.

Unknown keys and bad values become one readable `ConfigError` naming each key path and the
expected form; `bot/__main__.py` turns it into exit code 2. Secrets never live in the file: the
file names the environment variables that hold them (`*_env` keys must be such names), and an error
never repeats a `*_env` value nor anything shaped like a token (`bot/redaction.py`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from langdetect.detector_factory import PROFILES_DIRECTORY
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.discovery import default_plugins
from bot.i18n import SUPPORTED_LOCALES
from bot.redaction import looks_like_token, mask, redact

CONFIG_ENV = "AFFINITY_BOT_CONFIG"
DATABASE_ENV = "AFFINITY_BOT_DATABASE"
DEFAULT_CONFIG_FILE = Path("config.yaml")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and what is expected."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_timezone(value: str) -> str:
    """Validate an IANA time zone name such as `Europe/Paris`."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"an IANA time zone name such as Europe/Paris (got {value!r})") from exc
    return value


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_env_name(value: str) -> str:
    """Validate the name of the environment variable holding a secret (`*_env` keys).

    The value is never repeated in the error: it may be the secret itself, pasted in the wrong place."""
    if looks_like_token(value):
        raise ValueError(
            "the name of an environment variable, not the secret: this looks like a token; put "
            "the variable's name here (such as SLACK_BOT_TOKEN) and the token in that variable "
            f"(got {mask(value)})"
        )
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "the name of an environment variable (letters, digits and _, not starting with a "
            "digit), such as SLACK_BOT_TOKEN; the value is not shown, it may be a secret"
        )
    return value


def check_database_url(value: str) -> str:
    """A `database.url` with a known scheme and no password in it (ValueError saying what to write)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValueError(
            f"sqlite:///data/affinity-bot.db or postgresql://user@host:5432/database "
            f"(the scheme {parts.scheme or '(none)'!r} is not one the bot knows)"
        )
    if parts.password is not None:
        raise ValueError(
            "a URL without a password (put it in an environment variable and name that variable in "
            "database.password_env)"
        )
    if parts.scheme == "sqlite" and (parts.netloc or parts.path in ("", "/")):
        raise ValueError("sqlite:///relative/file.db or sqlite:////absolute/file.db")
    if parts.scheme != "sqlite" and not parts.hostname and "host=" not in parts.query:
        raise ValueError("a PostgreSQL URL naming its host: postgresql://user@host:5432/database")
    return value.strip()


class DatabaseConfig(_Strict):
    """Which database (a SQLite file, the default, or a PostgreSQL server) and how long raw message
    metadata is kept."""

    path: Path = Path("data/affinity-bot.db")
    # sqlite:///data/affinity-bot.db (relative) or sqlite:////srv/x.db (absolute), or
    # postgresql://user@host:port/database. When unset, the SQLite file at `path`.
    url: str | None = None
    # The environment variable holding the PostgreSQL password: never in this file.
    password_env: str | None = None
    connect_timeout_s: float = Field(10.0, gt=0, le=300)
    retention_days: int = Field(180, ge=1, le=3650)
    busy_timeout_ms: int = Field(5000, ge=0, le=600_000)
    # Query-only connections for plain reads, so commands do not queue behind writes; 0 shares the writer.
    read_connections: int = Field(2, ge=0, le=16)
    migrations_dir: Path | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_database_url(value)

    @field_validator("password_env")
    @classmethod
    def _password_env(cls, value: str | None) -> str | None:
        return None if value is None else check_env_name(value)

    @property
    def effective_url(self) -> str:
        """The database to open: `url`, else the SQLite file at `path`."""
        return self.url if self.url is not None else f"sqlite:///{self.path}"

    @property
    def engine(self) -> str:
        """The engine: `sqlite` or `postgresql`."""
        return "sqlite" if self.effective_url.startswith("sqlite:") else "postgresql"


class ActivityConfig(_Strict):
    """The batched activity writer: flush at `batch_size` rows or every `flush_ms`."""

    batch_size: int = Field(2000, ge=1, le=100_000)
    flush_ms: int = Field(200, ge=10, le=60_000)


class DiscordConfig(_Strict):
    """Discord platform settings (the token comes from the named environment variable)."""

    token_env: str = "DISCORD_TOKEN"
    guild_ids: list[int] = Field(default_factory=list)
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    shard_count: int | None = Field(None, ge=1)
    shard_ids: list[int] | None = None
    groups_category: str = "Groups"
    archive_category: str = "Archived groups"
    # The application (client) id, for `discord-invite-url`; when unset it is read from the token.
    application_id: int | None = None

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return check_env_name(value)


class SlackConfig(_Strict):
    """Slack platform settings (tokens and secret come from the named environment variables)."""

    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    # HTTP mode: loopback by default, so only a reverse proxy on this machine reaches the endpoint;
    # 0.0.0.0 in a container or when Slack must reach the process directly (docs/deployment.md).
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=1, le=65535)
    path: str = "/slack/events"
    command_prefix: str = ""
    api_base: str = "https://slack.com/api/"
    # HTTP mode only: the public https address Slack reaches the bot at (e.g. https://bot.example.org);
    # `slack-manifest` writes it into the request URLs, or a placeholder when unset.
    public_url: str | None = None

    @field_validator("bot_token_env", "app_token_env", "signing_secret_env")
    @classmethod
    def _env_names(cls, value: str) -> str:
        return check_env_name(value)


class ConsoleConfig(_Strict):
    """The local console: who you are at start and who counts as moderator or admin."""

    workspace: str = "local"
    admin: str = "you"
    moderators: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    files_dir: Path = Path("console-files")
    channel: str = "general"


class PlatformsConfig(_Strict):
    """Every platform's settings; a platform starts only when its secrets are present."""

    discord: DiscordConfig = DiscordConfig()
    slack: SlackConfig = SlackConfig()
    console: ConsoleConfig = ConsoleConfig()


_QUALIFIED = re.compile(r"^[a-z][a-z0-9_-]*:\S+$")


class PermissionsConfig(_Strict):
    """Extra moderators/admins by platform-qualified user id, e.g. `discord:1234`."""

    moderators: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)

    @field_validator("moderators", "admins")
    @classmethod
    def _qualified_ids(cls, values: list[str]) -> list[str]:
        # The platform part is any platform name (third-party adapters too); a bare id is the usual slip.
        for value in values:
            if not _QUALIFIED.match(value):
                raise ValueError(
                    "user ids written <platform>:<id>, such as discord:123456789012345678, slack:U0123ABCD "
                    f"or console:alice (got {value!r})"
                )
        return values


class LoggingConfig(_Strict):
    """Log level of the process."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


def _default_plugins() -> dict[str, dict[str, Any] | None]:
    # Every plugin enabled by default (the scan of plugins/, as config.yaml lists them), so running
    # without a file gives the whole bot.
    return {name: {} for name in default_plugins()}


class Config(_Strict):
    """The whole configuration file."""

    locale: str = "en"
    timezone: str = "Europe/Paris"
    languages: list[str] = Field(default_factory=lambda: ["fr", "en", "es", "de", "it", "pt"])
    database: DatabaseConfig = DatabaseConfig()
    activity: ActivityConfig = ActivityConfig()
    platforms: PlatformsConfig = PlatformsConfig()
    permissions: PermissionsConfig = PermissionsConfig()
    logging: LoggingConfig = LoggingConfig()
    plugins: dict[str, dict[str, Any] | None] = Field(default_factory=lambda: _default_plugins())

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        unknown = [
            code
            for code in values
            if not code or code != Path(code).name or not (Path(PROFILES_DIRECTORY) / code).is_file()
        ]
        if unknown:
            known = sorted(p.name for p in Path(PROFILES_DIRECTORY).iterdir() if p.is_file())
            raise ValueError(
                f"language codes known to langdetect ({', '.join(known)}); "
                f"got {', '.join(repr(code) for code in unknown)}"
            )
        duplicates = sorted({code for code in values if values.count(code) > 1})
        if duplicates:
            raise ValueError(f"each language once (got {', '.join(repr(code) for code in duplicates)} twice)")
        if len(values) < 2:
            raise ValueError(f"at least two languages to choose between (got {values!r})")
        return values

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"one of {', '.join(SUPPORTED_LOCALES)} (got {value!r})")
        return value


def format_validation_error(exc: ValidationError, source: str, prefix: str = "") -> str:
    """One readable message: each wrong key path with the expected form.

    Built from the errors' parts, never from pydantic's own text (which repeats `input_value=`): the
    value is shown only where it cannot be a secret, never for a `*_env` key, and anything shaped like
    a token is masked wherever it appears (a key name, a YAML snippet, a value)."""
    lines = [f"{source}: the configuration is not valid:"]
    for error in exc.errors():
        path = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        kind = error["type"]
        if kind == "extra_forbidden":
            lines.append(f"  - {path}: unknown key (check its spelling or remove it)")
        elif kind == "missing":
            lines.append(f"  - {path}: required key is missing")
        else:
            message = error["msg"].removeprefix("Value error, ")
            got = error.get("input")
            hidden = isinstance(got, dict | list) or "got" in message or path.endswith("_env")
            shown = "" if hidden else f" (got {got!r})"
            lines.append(f"  - {path}: expected {message[0].lower()}{message[1:]}{shown}")
    return redact("\n".join(lines))


def config_path(cli_value: str | None, env: Mapping[str, str]) -> Path | None:
    """The file to read: `--config`, else $AFFINITY_BOT_CONFIG, else ./config.yaml if present."""
    if cli_value:
        return Path(cli_value)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError with a readable message."""
    env = os.environ if env is None else env
    raw: Any = {}
    source = str(path) if path else "built-in defaults"
    if path is not None:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: configuration file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(redact(f"{path}: cannot read the configuration file ({exc})")) from exc
        except yaml.YAMLError as exc:
            # The message quotes the offending line, which may hold a pasted secret.
            raise ConfigError(redact(f"{path}: not valid YAML: {exc}")) from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc
    if env.get(DATABASE_ENV):
        # A path, or a URL (sqlite:///..., postgresql://...).
        value = env[DATABASE_ENV]
        update: dict[str, Any] = {"url": None, "path": Path(value)}
        if "://" in value:
            update = {"url": check_database_url(value)}
        database = config.database.model_copy(update=update)
        config = config.model_copy(update={"database": database})
    return config


def secret(env: Mapping[str, str], name: str) -> str | None:
    """The value of a secret's environment variable, or None when unset or blank."""
    value = env.get(name, "").strip()
    return value or None
