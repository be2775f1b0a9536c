"""The plugin registry: loads the plugins enabled in the configuration, validates their
settings and declarations, and indexes commands, listeners, jobs, due handlers and
autocomplete providers. A bad declaration fails at start with a message naming the plugin.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config import ConfigError, format_validation_error
from bot.discovery import available_plugins, plugins_root
from bot.model import Event
from bot.plugin import AutocompleteFn, CommandDecl, Handler, JobDecl, ParamKind, Plugin, PluginContext
from bot.subcommands import Subcommand

_PATH = re.compile(r"^[a-z][a-z0-9-]{0,31}( [a-z][a-z0-9-]{0,31})?$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class DeclarationError(Exception):
    """A plugin declared something the registry cannot accept."""


@dataclass(frozen=True)
class CommandSpec:
    """A command declaration bound to its plugin and handler."""

    decl: CommandDecl
    plugin: str
    handler: Handler

    @property
    def path(self) -> str:
        """`noun verb`, or a single word."""
        return self.decl.path


def plugin_class(name: str) -> type[Plugin]:
    """Import `plugins.<name>.plugin` and return its `PLUGIN` class."""
    if name not in available_plugins():
        raise ConfigError(f"plugins.{name}: no such plugin (available: {', '.join(available_plugins())})")
    module = importlib.import_module(f"plugins.{name}.plugin")
    cls = getattr(module, "PLUGIN", None)
    if not (inspect.isclass(cls) and issubclass(cls, Plugin)) or cls.name != name:
        raise DeclarationError(f"plugins.{name}.plugin must define PLUGIN, a Plugin subclass named {name!r}")
    return cls


def validate_settings(cls: type[Plugin], raw: Mapping[str, Any] | None) -> BaseModel:
    """Validate a plugin's settings; unknown keys and bad values are configuration errors."""
    try:
        return cls.Settings.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, "config", prefix=f"plugins.{cls.name}")) from exc


def locale_roots(names: Sequence[str]) -> list[Path]:
    """Directories holding `.po` catalogs: the core's and each enabled plugin's."""
    roots = [Path(__file__).parent / "locales"]
    base = plugins_root()
    roots += [base / name / "locales" for name in names if (base / name / "locales").is_dir()]
    return roots


def _check_command(plugin: str, decl: CommandDecl, handler: Handler) -> None:
    where = f"plugin {plugin}, command /{decl.path}"
    if not _PATH.match(decl.path):
        raise DeclarationError(f"{where}: the path must be one or two lowercase words")
    names = [p.name for p in decl.params]
    if len(set(names)) != len(names):
        raise DeclarationError(f"{where}: two parameters have the same name")
    seen_optional = False
    positional = [p for p in decl.params if not p.named_only]
    for param in decl.params:
        if not _NAME.match(param.name):
            raise DeclarationError(f"{where}: bad parameter name {param.name!r}")
        if param.required and seen_optional:
            raise DeclarationError(f"{where}: required parameter {param.name} comes after an optional one")
        seen_optional = seen_optional or not param.required
        if param.rest and (param.kind is not ParamKind.TEXT or param is not positional[-1]):
            raise DeclarationError(f"{where}: only the last positional text parameter can take the rest of the line")
        if param.kind is ParamKind.CHOICE and not param.choices:
            raise DeclarationError(f"{where}: choice parameter {param.name} has no choices")
    signature = inspect.signature(handler)
    accepted = set(signature.parameters)
    has_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    missing = [n for n in names if n not in accepted]
    if missing and not has_kwargs:
        raise DeclarationError(f"{where}: the handler does not accept {', '.join(missing)}")


class Registry:
    """Every loaded plugin and what it declared."""

    def __init__(self) -> None:
        self.plugins: list[Plugin] = []
        self.commands: dict[str, CommandSpec] = {}
        self.listeners: dict[type[Event], list[tuple[str, Handler]]] = {}
        self.jobs: list[tuple[JobDecl, Handler]] = []
        self.due_handlers: dict[str, Handler] = {}
        self.autocomplete: dict[str, AutocompleteFn] = {}
        self.filters: list[tuple[str, Handler]] = []

    def add(self, plugin: Plugin) -> None:
        """Index one plugin's declarations; duplicates are refused."""
        for _name, member in _methods(plugin):
            decl = getattr(member, "__command__", None)
            if isinstance(decl, CommandDecl):
                _check_command(plugin.name, decl, member)
                if decl.path in self.commands:
                    other = self.commands[decl.path].plugin
                    raise DeclarationError(f"command /{decl.path} is declared by both {other} and {plugin.name}")
                self.commands[decl.path] = CommandSpec(decl, plugin.name, member)
            for event_type in getattr(member, "__listen__", ()):
                self.listeners.setdefault(event_type, []).append((plugin.name, member))
            if getattr(member, "__filter__", False):
                self.filters.append((plugin.name, member))
            job_decl = getattr(member, "__job__", None)
            if isinstance(job_decl, JobDecl):
                if not job_decl.job_id.startswith(f"{plugin.name}."):
                    raise DeclarationError(
                        f"plugin {plugin.name}: job id {job_decl.job_id} must start with '{plugin.name}.'"
                    )
                self.jobs.append((job_decl, member))
            kind = getattr(member, "__due__", None)
            if isinstance(kind, str):
                if kind in self.due_handlers:
                    raise DeclarationError(f"due action kind {kind} has two handlers")
                self.due_handlers[kind] = member
            provider = getattr(member, "__autocomplete__", None)
            if isinstance(provider, str):
                if provider in self.autocomplete:
                    raise DeclarationError(f"autocomplete provider {provider} is declared twice")
                self.autocomplete[provider] = member
        self.plugins.append(plugin)

    def check_providers(self) -> None:
        """Every parameter's autocomplete provider must exist once all plugins are loaded."""
        for spec in self.commands.values():
            for param in spec.decl.params:
                if param.autocomplete and param.autocomplete not in self.autocomplete:
                    raise DeclarationError(
                        f"plugin {spec.plugin}, command /{spec.path}: no autocomplete "
                        f"provider named {param.autocomplete}"
                    )

    def nouns(self) -> dict[str, list[CommandSpec]]:
        """Commands grouped by their first word (a Discord command group, a Slack slash command)."""
        grouped: dict[str, list[CommandSpec]] = {}
        for spec in sorted(self.commands.values(), key=lambda s: s.path):
            grouped.setdefault(spec.path.split(" ")[0], []).append(spec)
        return grouped


def _methods(plugin: Plugin) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in dir(type(plugin)):
        if name.startswith("__"):
            continue
        attr = getattr(type(plugin), name, None)
        if callable(attr) and any(
            hasattr(attr, mark)
            for mark in ("__command__", "__listen__", "__job__", "__due__", "__autocomplete__", "__filter__")
        ):
            yield name, getattr(plugin, name)


def declared_commands(names: Sequence[str]) -> list[CommandDecl]:
    """The commands the named plugins declare, read from their classes without starting them
    (for `slack-manifest` and the Discord command payload, which must not touch the database)."""
    found: list[CommandDecl] = []
    for name in names:
        cls = plugin_class(name)
        # dir() walks the class hierarchy: plugins may split their commands over mixin classes.
        for attr_name in dir(cls):
            decl = getattr(getattr(cls, attr_name, None), "__command__", None)
            if isinstance(decl, CommandDecl):
                found.append(decl)
    return sorted(found, key=lambda d: d.path)


@dataclass(frozen=True)
class ServedSubcommand:
    """A command-line subcommand bound to the plugin that serves it."""

    decl: Subcommand
    plugin: str
    method: Callable[..., Awaitable[Sequence[str]]]  # unbound: called with the plugin instance


def declared_subcommands(names: Sequence[str]) -> dict[str, ServedSubcommand]:
    """The `affinity-bot` subcommands the named plugins serve, read from their classes; a name served
    twice is a DeclarationError."""
    found: dict[str, ServedSubcommand] = {}
    for name in names:
        cls = plugin_class(name)
        for attr_name in dir(cls):
            method = getattr(cls, attr_name, None)
            decl = getattr(method, "__subcommand__", None)
            if isinstance(decl, Subcommand) and method is not None:
                if decl.name in found:
                    other = found[decl.name].plugin
                    raise DeclarationError(f"subcommand {decl.name} is declared by both {other} and {name}")
                found[decl.name] = ServedSubcommand(decl, name, method)
    return found


def build_plugins(
    names: Sequence[str],
    settings: Mapping[str, Mapping[str, Any] | None],
    make_context: Callable[[str, BaseModel], PluginContext],
) -> Registry:
    """Load, validate and instantiate the enabled plugins into a registry."""
    registry = Registry()
    for name in names:
        cls = plugin_class(name)
        ctx = make_context(name, validate_settings(cls, settings.get(name)))
        registry.add(cls(ctx))
    registry.check_providers()
    return registry
