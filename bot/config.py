"""Configuration: the YAML file validated by pydantic before any network I/O.

One run reports every problem at once (`check_config`): the core sections, the settings of every plugin
named under `plugins:` (each plugin's model is validated here, not only when the registry loads it, so a
bad calendar setting no longer hides a bad groups one), unknown plugin names, and the AFFINITY_BOT_*
environment overrides. Each problem names its key path (`plugins.calendar.remind`,
`plugins.questions.excluded_channels[1]`), says the expected form in plain words (type, allowed values,
range, read from the model) and suggests the closest key for an unknown one (`timezon` -> `timezone`);
`bot/__main__.py` turns the `ConfigError` into exit code 2. Secrets never live in the file: the file names
the environment variables that hold them (`*_env` keys must be such names), and an error never repeats
the value of a key that may hold one (`*_env`, passwords, URLs) nor anything shaped like a token
(`bot/redaction.py`).
"""

from __future__ import annotations

import os
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import annotated_types
import yaml
from langdetect.detector_factory import PROFILES_DIRECTORY
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.discovery import available_plugins, default_plugins
from bot.folding import closest
from bot.i18n import SUPPORTED_LOCALES
from bot.redaction import looks_like_token, mask, redact

CONFIG_ENV = "AFFINITY_BOT_CONFIG"
DATABASE_ENV = "AFFINITY_BOT_DATABASE"
# Every variable with this prefix must be one the bot reads: a misspelt one would be ignored silently.
ENV_PREFIX = "AFFINITY_BOT_"
DEFAULT_CONFIG_FILE = Path("config.yaml")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and what is expected.

    `problems` holds each one when the configuration was validated as a whole (empty for a file that
    cannot be read at all)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


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
    if parts.password is not None or "password" in parse_qs(parts.query):
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the configuration: where (`plugins.calendar.remind`, `timezone`, or an
    environment variable) and what is expected there, in plain words."""

    where: str
    text: str
    # The key's location in the file (for listing problems in the file's order); empty for the environment.
    loc: tuple[str | int, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        # Masked at birth: whoever prints a problem (the CLI, a test, a log) never holds a token.
        object.__setattr__(self, "where", redact(self.where))
        object.__setattr__(self, "text", redact(self.text))

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def key_path(parts: Sequence[str | int]) -> str:
    """The dotted path of a key as an operator writes it: `plugins.calendar.offsets[1]`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "":
            path += f".{part}" if path else str(part)
    return path


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(metadata: Sequence[Any]) -> str:
    """` from 1 to 3650`, ` above 0`, ` of at most 23`: the range the field's Field(ge=..., le=...) allows."""
    low = high = ""
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"at least {_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            low = f"above {_number(item.gt)}"
        elif isinstance(item, annotated_types.Le):
            high = f"at most {_number(item.le)}"
        elif isinstance(item, annotated_types.Lt):
            high = f"below {_number(item.lt)}"
    if low.startswith("at least ") and high.startswith("at most "):
        return f" from {low.removeprefix('at least ')} to {high.removeprefix('at most ')}"
    said = " and ".join(part for part in (low, high) if part)
    if not said:
        return ""
    return f" {said}" if said.startswith(("above", "below")) else f" of {said}"


def describe(annotation: Any, metadata: Sequence[Any] = ()) -> str | None:
    """What a field accepts, in plain words (`a whole number from 1 to 3650`, `one of propose, direct`),
    or None for a type this does not know how to say."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        inner = describe(rest[0], metadata) if len(rest) == 1 else None
        return None if inner is None else f"{inner}, or nothing (leave it empty)"
    if origin is Literal:
        return "one of " + ", ".join(str(arg) for arg in args)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number" + _bounds(metadata)
    if annotation is float:
        return "a number" + _bounds(metadata)
    if annotation is str:
        return "text"
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return "a file or folder path"
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        item = describe(args[0]) if args else None
        return "a list" + (f" (each item: {item})" if item else "")
    if origin is dict or annotation is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "a mapping of keys"
    return None


@dataclass(frozen=True)
class _Spot:
    """What the model says about one error location: the field's type and constraints, and the keys
    allowed beside it (for "did you mean")."""

    annotation: Any = None
    metadata: tuple[Any, ...] = ()
    siblings: tuple[str, ...] = ()


def _unwrap_optional(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (types.UnionType, typing.Union) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _locate(model: type[BaseModel] | None, loc: Sequence[str | int]) -> _Spot:
    """Walk the model's fields along a pydantic error location; an empty spot where it cannot follow."""
    annotation: Any = model
    spot = _Spot()
    for part in loc:
        annotation = _unwrap_optional(annotation)
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            info = fields.get(part) if isinstance(part, str) else None
            spot = _Spot(siblings=tuple(fields))
            if info is None:
                return spot
            annotation = info.annotation
            spot = _Spot(annotation, tuple(info.metadata), tuple(fields))
        elif origin in (list, tuple, set, frozenset) and args and isinstance(part, int):
            annotation = args[0]
            spot = _Spot(annotation)
        elif origin is dict and len(args) == 2 and isinstance(part, str):
            annotation = args[1]
            spot = _Spot(annotation)
        else:
            return _Spot()
    return spot


# Keys whose value may be a secret or name one (a URL may carry a password): their value is never repeated.
_SECRET_KEY = re.compile(r"(?i)(_env$|password|passwd|token|secret|credential|api_?key|url$)")
_SHOWN_LENGTH = 80


def _shown(where: str, value: object) -> str:
    """` (got 'soon')`, or nothing when the value is not a short scalar or the key may hold a secret.
    What is shown still goes through `redact` with the whole message (a token pasted anywhere)."""
    if _SECRET_KEY.search(where):
        return ""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= _SHOWN_LENGTH):
        return f" (got {value!r})"
    return ""


def unknown_key(where: str, key: str, known: Sequence[str], loc: tuple[str | int, ...] = ()) -> Problem:
    """An unknown key, with the closest known one (`timezon` -> `timezone`) or the list of known ones."""
    suggestions = closest(key, known, n=1) if known else []
    if suggestions:
        return Problem(where, f"unknown key; did you mean {suggestions[0]}?", loc)
    if known:
        return Problem(where, f"unknown key; the keys here are {', '.join(known)}", loc)
    return Problem(where, "unknown key (check its spelling or remove it)", loc)


# Errors raised by a field validator: its message is already the expected form, in its own words.
_VALIDATOR_ERRORS = ("value_error", "assertion_error")


def problems_of(
    exc: ValidationError, model: type[BaseModel] | None = None, prefix: Sequence[str | int] = ()
) -> list[Problem]:
    """Every error pydantic found, each with its key path and the expected form in plain words.

    Built from the errors' parts, never from pydantic's own text (which repeats `input_value=`): a value
    is shown only where it cannot be a secret (`_shown`)."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        full = (*prefix, *loc)
        where = key_path(full)
        kind = error["type"]
        spot = _locate(model, loc)
        if kind == "extra_forbidden":
            problems.append(unknown_key(where, str(loc[-1]) if loc else "", spot.siblings, full))
            continue
        if kind == "missing":
            problems.append(Problem(where, "required key is missing", full))
            continue
        got = error.get("input")
        if kind in _VALIDATOR_ERRORS:
            # The validator's own words: written as the expected form ("an IANA time zone name ..."), or
            # as "<key> must look like ..." in plugins' settings.
            message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
            field = str(loc[-1]) if loc else ""
            if field and message.startswith(f"{field} must "):
                text = message.removeprefix(f"{field} ")
            else:
                text = f"expected {message[:1].lower()}{message[1:]}"
            shown = "" if "(got " in message else _shown(where, got)
            problems.append(Problem(where, text + shown, full))
            continue
        expected = describe(spot.annotation, spot.metadata) if spot.annotation is not None else None
        if model is Config and len(loc) == 2 and loc[0] == "plugins":
            expected = "the plugin's settings as a mapping of keys, or nothing for its defaults"
        if expected is None:
            message = str(error["msg"]).removeprefix("Input should be ")
            expected = f"{message[:1].lower()}{message[1:]}"
        problems.append(Problem(where, f"expected {expected}{_shown(where, got)}", full))
    return problems


def format_problems(source: str, problems: Sequence[Problem]) -> str:
    """The message of a ConfigError: a heading naming the file and the count, then one line per problem,
    with every secret-shaped string masked."""
    count = len(problems)
    heading = f"{source}: the configuration is not valid ({count} {'problem' if count == 1 else 'problems'}):"
    return redact("\n".join([heading, *(f"  - {problem}" for problem in problems)]))


def format_validation_error(
    exc: ValidationError, source: str, prefix: str = "", model: type[BaseModel] | None = None
) -> str:
    """One readable message for one model's errors (the registry's check of a single plugin)."""
    return format_problems(source, problems_of(exc, model, tuple(part for part in prefix.split(".") if part)))


def config_path(cli_value: str | None, env: Mapping[str, str]) -> Path | None:
    """The file to read: `--config`, else $AFFINITY_BOT_CONFIG, else ./config.yaml if present."""
    if cli_value:
        return Path(cli_value)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _settings_model(name: str) -> type[BaseModel]:
    # bot.registry imports this module, so it is imported when first needed; it owns loading a plugin
    # class (and refuses a package that is not a plugin, with a DeclarationError, which is not a
    # configuration problem).
    from bot.registry import plugin_class

    model: type[BaseModel] = plugin_class(name).Settings
    return model


def _plugin_problems(plugins: Mapping[Any, Any]) -> list[Problem]:
    """Each plugin named under `plugins:`: unknown names with a suggestion, and every bad setting of every
    known plugin (not only the first plugin's: each is validated, all are reported)."""
    problems: list[Problem] = []
    available = available_plugins()
    for name, raw in plugins.items():
        where = key_path(("plugins", str(name)))
        if name not in available:
            suggestions = closest(str(name), available, n=1)
            hint = f"did you mean {suggestions[0]}? " if suggestions else ""
            problems.append(
                Problem(where, f"no such plugin; {hint}(available: {', '.join(available)})", ("plugins", name))
            )
            continue
        if raw is not None and not isinstance(raw, dict):
            continue  # the core model said so: the settings must be a mapping
        model = _settings_model(name)
        try:
            model.model_validate(raw or {})
        except ValidationError as exc:
            problems += problems_of(exc, model, ("plugins", name))
    return problems


def _environment(config: Config | None, env: Mapping[str, str]) -> tuple[Config | None, list[Problem]]:
    """Apply the AFFINITY_BOT_* overrides; a bad value or a misspelt variable name is a problem too."""
    problems: list[Problem] = []
    known = (CONFIG_ENV, DATABASE_ENV)
    for name in sorted(env):
        if name.startswith(ENV_PREFIX) and name not in known:
            suggestions = closest(name, known, n=1)
            hint = f"; did you mean {suggestions[0]}?" if suggestions else ""
            problems.append(
                Problem(f"{name} (environment)", f"unknown variable{hint} (the bot reads {', '.join(known)})")
            )
    value = env.get(DATABASE_ENV)
    if value:
        # A path, or a URL (sqlite:///..., postgresql://...).
        update: dict[str, Any] = {"url": None, "path": Path(value)}
        if "://" in value:
            try:
                update = {"url": check_database_url(value)}
            except ValueError as exc:
                # The value is not repeated: it is a URL that may carry a password.
                problems.append(Problem(f"{DATABASE_ENV} (environment)", f"expected {exc}"))
                update = {}
        if config is not None and update:
            config = config.model_copy(update={"database": config.database.model_copy(update=update)})
    return config, problems


def check_config(raw: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Config | None, list[Problem]]:
    """Validate everything at once: the core sections, every plugin's settings, the environment's
    overrides. Returns the configuration (None when the core sections are wrong) and every problem."""
    problems: list[Problem] = []
    config: Config | None = None
    plugins = raw.get("plugins")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        unknown_plugins = set(plugins) - set(available_plugins()) if isinstance(plugins, dict) else set()
        problems += [
            problem
            for problem, error in zip(problems_of(exc, Config), exc.errors(), strict=True)
            # An unknown plugin is said once, by _plugin_problems, whatever its value.
            if not (len(error["loc"]) >= 2 and error["loc"][0] == "plugins" and error["loc"][1] in unknown_plugins)
        ]
    if isinstance(plugins, dict):
        problems += _plugin_problems(plugins)
    elif config is not None:
        problems += _plugin_problems(config.plugins)
    problems.sort(key=lambda problem: _position(raw, problem.loc))
    config, env_problems = _environment(config, env)
    return config, problems + env_problems


def _position(raw: Any, loc: Sequence[str | int]) -> tuple[int, ...]:
    """Where a key sits in the file (its index at each level), so problems are listed top to bottom;
    a key the file does not have (a missing one) comes after its written siblings."""
    position: list[int] = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            position.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        else:
            position.append(sys.maxsize)
            break
    return tuple(position)


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError listing every problem at once."""
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
    config, problems = check_config(raw, env)
    if problems or config is None:
        raise ConfigError(format_problems(source, problems), problems)
    return config


def secret(env: Mapping[str, str], name: str) -> str | None:
    """The value of a secret's environment variable, or None when unset or blank."""
    value = env.get(name, "").strip()
    return value or None
