"""The plugin registry: loads the plugins enabled in the configuration, validates their
settings and declarations, and indexes commands, listeners, jobs, due handlers and
autocomplete providers. A bad declaration fails at start with a message naming the plugin.

It also owns the check that keeps a command declared once: each `@command` parameter must agree
with the handler's signature (name, type, optional or required, default) and the signature must
hold nothing undeclared, so the two can never drift apart; every problem is listed in one message.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config import ConfigError, format_validation_error
from bot.declarations import PYTHON_TYPES, Param
from bot.discovery import available_plugins, plugins_root
from bot.model import Event
from bot.plugin import AutocompleteFn, CommandDecl, Handler, JobDecl, ParamKind, Plugin, PluginContext
from bot.subcommands import Subcommand

_PATH = re.compile(r"^[a-z][a-z0-9-]{0,31}( [a-z][a-z0-9-]{0,31})?$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class DeclarationError(Exception):
    """A plugin declared something the registry cannot accept: one or several problems, each
    naming the plugin (and the command), reported in one message."""

    def __init__(self, *problems: str) -> None:
        super().__init__(_listed(problems))
        self.problems = problems


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


def plugin_class(name: str) -> type[Plugin[Any]]:
    """Import `plugins.<name>.plugin` and return its `PLUGIN` class."""
    if name not in available_plugins():
        raise ConfigError(f"plugins.{name}: no such plugin (available: {', '.join(available_plugins())})")
    module = importlib.import_module(f"plugins.{name}.plugin")
    cls = getattr(module, "PLUGIN", None)
    if not (inspect.isclass(cls) and issubclass(cls, Plugin)) or cls.name != name:
        raise DeclarationError(f"plugins.{name}.plugin must define PLUGIN, a Plugin subclass named {name!r}")
    return cls


def validate_settings(cls: type[Plugin[Any]], raw: Mapping[str, Any] | None) -> BaseModel:
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


def _check_command(plugin: str, decl: CommandDecl, handler: Handler) -> list[str]:
    """Every problem with one command's declaration, each naming the plugin and the command."""
    where = f"plugin {plugin}, command /{decl.path}"
    if not _PATH.match(decl.path):
        return [f"{where}: the path must be one or two lowercase words"]
    names = [p.name for p in decl.params]
    if len(set(names)) != len(names):
        return [f"{where}: two parameters have the same name"]
    problems: list[str] = []
    seen_optional = False
    positional = [p for p in decl.params if not p.named_only]
    for param in decl.params:
        if not _NAME.match(param.name):
            problems.append(f"{where}: bad parameter name {param.name!r}")
        if param.required and seen_optional:
            problems.append(f"{where}: required parameter {param.name} comes after an optional one")
        seen_optional = seen_optional or not param.required
        if param.rest and (param.kind is not ParamKind.TEXT or param is not positional[-1]):
            problems.append(f"{where}: only the last positional text parameter can take the rest of the line")
        if param.kind is ParamKind.CHOICE and not param.choices:
            problems.append(f"{where}: choice parameter {param.name} has no choices")
    return problems + [f"{where}: {problem}" for problem in signature_problems(decl.params, handler)]


def signature_problems(params: Sequence[Param], handler: Callable[..., Any]) -> list[str]:
    """How a handler's signature disagrees with its declared parameters (empty when it agrees).

    The dispatcher calls `handler(invocation, **values)` where `values` holds only the parameters
    the member gave, so: the first parameter takes the invocation; every declared parameter is a
    keyword-capable parameter of the same name whose annotation accepts what the converter makes;
    an optional one has a default (the value when it is not given) and a required one has none;
    and nothing else is left in the signature, so the declaration is the handler's whole input."""
    signature = inspect.signature(handler)
    hints = _type_hints(handler)
    problems: list[str] = []
    slots = list(signature.parameters.values())
    if not slots or slots[0].kind not in (slots[0].POSITIONAL_ONLY, slots[0].POSITIONAL_OR_KEYWORD):
        return ["the handler must take the invocation as its first parameter"]
    by_name = {slot.name: slot for slot in slots[1:]}
    for slot in by_name.values():
        if slot.kind is slot.VAR_POSITIONAL:
            problems.append(f"the handler takes *{slot.name}, but values are passed by name")
    # `**values` takes every declared parameter untyped: kept for generic handlers (test probes that
    # echo whatever they get); the named parameters beside it are still checked.
    takes_any = any(slot.kind is slot.VAR_KEYWORD for slot in by_name.values())
    declared = {param.name for param in params}
    missing = [param.name for param in params if param.name not in by_name]
    if missing and not takes_any:
        problems.append(f"the handler does not accept {', '.join(missing)}")
    for param in params:
        if (named := by_name.get(param.name)) is not None:
            problems += [f"parameter {param.name} {problem}" for problem in _slot_problems(param, named, hints)]
    for slot in by_name.values():
        if slot.name not in declared and slot.kind not in (slot.VAR_POSITIONAL, slot.VAR_KEYWORD):
            problems.append(f"handler parameter {slot.name} is not declared in @command")
    return problems


def _slot_problems(param: Param, slot: inspect.Parameter, hints: Mapping[str, object]) -> list[str]:
    """How one handler parameter disagrees with its declaration."""
    problems: list[str] = []
    if slot.kind is slot.POSITIONAL_ONLY:
        problems.append("is positional-only in the handler, but values are passed by name")
    has_default = slot.default is not slot.empty
    if param.required and has_default:
        problems.append(f"is declared required but the handler gives it a default ({slot.default!r})")
    if not param.required and not has_default:
        problems.append("is declared optional but the handler has no default")
    expected = PYTHON_TYPES[param.kind]
    if slot.name in hints:
        accepted = _union_members(hints[slot.name])
        if accepted is not None and not any(_accepts(kind, expected) for kind in accepted):
            problems.append(
                f"is declared {param.kind.value} ({expected.__name__}) but annotated {_shown(hints[slot.name])}"
            )
        if has_default and slot.default is None and accepted is not None and type(None) not in accepted:
            problems.append(f"defaults to None but is annotated {_shown(hints[slot.name])}")
    if has_default and slot.default is not None:
        problems += _default_problems(param, slot.default)
    return problems


def _default_problems(param: Param, default: object) -> list[str]:
    """A handler's default must be a value the declaration itself would accept."""
    expected = PYTHON_TYPES[param.kind]
    if not isinstance(default, expected) and not (expected is float and isinstance(default, int)):
        return [f"defaults to {default!r}, not a {expected.__name__}"]
    if param.kind is ParamKind.CHOICE and default not in {c.value for c in param.choices}:
        return [f"defaults to {default!r}, which is not one of its choices"]
    if isinstance(default, int | float) and not isinstance(default, bool):
        low, high = param.min_value, param.max_value
        if (low is not None and default < low) or (high is not None and default > high):
            return [f"defaults to {default!r}, outside its declared bounds"]
    return []


def _type_hints(handler: Callable[..., Any]) -> dict[str, object]:
    """The handler's resolved annotations (`from __future__ import annotations` leaves strings).

    Annotations that cannot be resolved at run time (names imported under TYPE_CHECKING) are left
    to mypy rather than refused: the check must never reject a handler mypy accepts."""
    try:
        return dict(typing.get_type_hints(handler))
    except (NameError, TypeError):
        return {}


def _union_members(annotation: object) -> set[object] | None:
    """The types an annotation accepts, or None when it accepts anything (`Any`, `object`)."""
    if annotation is Any or annotation is object:
        return None
    if typing.get_origin(annotation) is typing.Annotated:
        return _union_members(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members: set[object] = set()
        for arg in typing.get_args(annotation):
            inner = _union_members(arg)
            if inner is None:
                return None
            members |= inner
        return members
    return {annotation}


def _accepts(annotation: object, expected: type) -> bool:
    """True when a value of type `expected` fits `annotation` (int fits float, as for mypy)."""
    if not isinstance(annotation, type):
        return False
    return issubclass(expected, annotation) or (annotation is float and expected is int)


def _shown(annotation: object) -> str:
    """An annotation as a reader would write it: `int | None`, not `typing.Optional[int]`."""
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("NoneType", "None")


class Registry:
    """Every loaded plugin and what it declared."""

    def __init__(self) -> None:
        self.plugins: list[Plugin[Any]] = []
        self.commands: dict[str, CommandSpec] = {}
        self.listeners: dict[type[Event], list[tuple[str, Handler]]] = {}
        self.jobs: list[tuple[JobDecl, Handler]] = []
        self.due_handlers: dict[str, Handler] = {}
        self.autocomplete: dict[str, AutocompleteFn] = {}
        self.filters: list[tuple[str, Handler]] = []

    def add(self, plugin: Plugin[Any]) -> None:
        """Index one plugin's declarations; duplicates are refused.

        Every command is checked before any is refused, so one message lists all the problems."""
        problems = [
            problem
            for _name, member in _methods(plugin)
            if isinstance(decl := getattr(member, "__command__", None), CommandDecl)
            for problem in _check_command(plugin.name, decl, member)
        ]
        if problems:
            raise DeclarationError(*problems)
        for _name, member in _methods(plugin):
            decl = getattr(member, "__command__", None)
            if isinstance(decl, CommandDecl):
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


def _listed(problems: Sequence[str]) -> str:
    """One problem as a sentence; several as a counted list, one per line."""
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} declaration problems:\n" + "\n".join(f"- {problem}" for problem in problems)


def _methods(plugin: Plugin[Any]) -> Iterator[tuple[str, Callable[..., Any]]]:
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
    problems: list[str] = []
    for name in names:
        cls = plugin_class(name)
        ctx = make_context(name, validate_settings(cls, settings.get(name)))
        try:
            registry.add(cls(ctx))
        except DeclarationError as exc:  # go on: start-up reports every plugin's problems at once
            problems += exc.problems
    if problems:
        raise DeclarationError(*problems)
    registry.check_providers()
    return registry
