"""Binding what a member typed (or what a platform delivered) to a command's declared parameters.

This module owns the usage line of a command and the two binders: `bind_text` for Slack and the
console (tokens from `bot.textsyntax`) and `bind_options` for platforms that deliver typed values
(Discord), which are checked again, never trusted. Each value is then converted by `bot.converters`
(which also owns the `Resolver` protocol and `clean_text`, re-exported here). Whatever the input,
the outcome is a dict of converted values or a `CommandError` whose hint ends with the usage line.

Text binding, in the order a member would expect:

- `name:value` fills the named parameter; other values fill the parameters not given by name,
  required ones first, in declared order. A `rest` text parameter takes every remaining value
  (joined by single spaces), and when given by name, the unquoted words that follow it.
- A date followed by a time (`2026-12-01 10:00`) and a duration in parts (`1h 30m`) are one value
  even without quotes.
- When a command has a `rest` parameter, a `word:text` that is not a parameter and not close to
  one is part of the free text (`Note: bring snacks`) rather than an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.converters import ConvertContext, Resolver, clean_text, convert, did_you_mean, excerpt
from bot.declarations import Param, ParamKind
from bot.i18n import _
from bot.model import CommunityRef
from bot.textsyntax import Token, continues, tokenize

__all__ = ["Resolver", "bind_options", "bind_text", "clean_text", "usage"]


# ---------------------------------------------------------------- usage


def usage(path: str, params: Sequence[Param]) -> str:
    """The usage line: `/group nearby <city> [radius_km:<1-500>]`."""
    parts = [f"/{path}"]
    for param in params:
        if param.required and param.named_only:
            parts.append(f"{param.name}:{_form(param)}")
        elif param.required:
            shape = _form(param) if param.kind is ParamKind.CHOICE else f"<{param.name}>"
            parts.append(shape[:-1] + "...>" if param.rest else shape)
        else:
            parts.append(f"[{param.name}:{_form(param)}]")
    return " ".join(parts)


def _form(param: Param) -> str:
    """The expected form of a value: `<text>`, `<1-500>`, `<a|b|c>`."""
    kind = param.kind
    if kind is ParamKind.CHOICE:
        return "<" + "|".join(choice.value for choice in param.choices) + ">"
    if kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        low, high = param.min_value, param.max_value
        if low is not None and high is not None:
            return f"<{low:g}{'-' if low >= 0 else '..'}{high:g}>"
        if low is not None:
            return f"<≥{low:g}>"
        if high is not None:
            return f"<≤{high:g}>"
        return "<integer>" if kind is ParamKind.INTEGER else "<number>"
    return {
        ParamKind.TEXT: "<text>",
        ParamKind.BOOLEAN: "<yes|no>",
        ParamKind.DURATION: "<duration>",
        ParamKind.DATETIME: "<YYYY-MM-DD HH:MM>",
        ParamKind.MEMBER: "<@member>",
        ParamKind.CHANNEL: "<#channel>",
        ParamKind.ATTACHMENT: "<file>",
    }[kind]


# ---------------------------------------------------------------- text binding


async def bind_text(
    params: Sequence[Param], arg_text: str, *, path: str, community: CommunityRef, resolver: Resolver, tz: str
) -> dict[str, object]:
    """Bind the argument text of a command (`"Rust Lille" radius_km:30`) to its parameters."""
    ctx = ConvertContext(usage(path, params), community, resolver, tz)
    items = _classify(params, tokenize(arg_text), ctx)
    raw = _assign(params, items, ctx)
    _check_missing(params, raw, ctx)
    return {p.name: await convert(p, raw[p.name], ctx) for p in params if p.name in raw}


_Item = tuple[Param | None, Token]  # a token and the parameter it names (None: a positional value)


def _classify(params: Sequence[Param], tokens: list[Token], ctx: ConvertContext) -> list[_Item]:
    """Pair each named token with its parameter (None for positional values); reject unknown names."""
    by_name = {param.name: param for param in params}
    has_rest = any(_is_rest(param) for param in params)
    items: list[_Item] = []
    seen: set[str] = set()
    for token in tokens:
        if token.name is None:
            items.append((None, token))
            continue
        param = by_name.get(token.name)
        if param is None:
            hints = did_you_mean(token.name, list(by_name))
            if has_rest and not hints:  # free text that only looks like `name:value`
                items.append((None, Token(None, " ".join(token.raw.split()), token.raw)))
                continue
            hints = hints or [_("To use a colon in a value, put the value in quotes.")]
            raise ctx.error(_("Unknown parameter {name}.", name=token.name), *hints)
        if param.name in seen:
            raise ctx.error(_("{name} is given twice.", name=param.name))
        seen.add(param.name)
        items.append((param, token))
    return items


def _assign(params: Sequence[Param], items: list[_Item], ctx: ConvertContext) -> dict[str, str]:
    """The raw text of each parameter: named values, then positional values in order."""
    named = {param.name for param, _token in items if param is not None}
    open_slots = [p for p in params if p.name not in named and not p.named_only]
    slots = [p for p in open_slots if p.required] + [p for p in open_slots if not p.required]
    raw: dict[str, str] = {}
    index = 0
    while index < len(items):
        param, token = items[index]
        index += 1
        taken: list[int] | None = None
        if param is None:
            if not slots:
                quotes = _('Put a value that contains spaces in quotes, like "Rust Lille".')
                raise ctx.error(_("Unexpected value “{value}”.", value=excerpt(token.value)), quotes)
            param = slots.pop(0)
            if _is_rest(param):  # every positional value from here on
                taken = [i for i in range(index, len(items)) if items[i][0] is None]
        elif _is_rest(param) and not token.quoted:  # the unquoted words up to the next name
            taken = _positional_run(items, index)
        if taken is None:
            raw[param.name], index = _join_continuations(param, token.value, items, index)
            continue
        raw[param.name] = " ".join([token.value, *(items[i][1].value for i in taken)]).strip()
        dropped = set(taken)
        items = [item for i, item in enumerate(items) if i not in dropped]
    return raw


def _positional_run(items: list[_Item], start: int) -> list[int]:
    """The indexes of the positional values from `start` up to the next named one."""
    run: list[int] = []
    for index in range(start, len(items)):
        if items[index][0] is not None:
            break
        run.append(index)
    return run


def _is_rest(param: Param) -> bool:
    """True for the text parameter that takes the rest of the line."""
    return param.rest and param.kind is ParamKind.TEXT


def _join_continuations(param: Param, value: str, items: list[_Item], index: int) -> tuple[str, int]:
    """Glue a time to a date (`2026-12-01 10:00`) and the parts of a duration (`1h 30m`)."""
    if param.kind not in (ParamKind.DATETIME, ParamKind.DURATION):
        return value, index
    while index < len(items) and items[index][0] is None and not items[index][1].quoted:
        if not continues(value, items[index][1].value):
            break
        value, index = f"{value} {items[index][1].value}", index + 1
    return value, index


def _check_missing(params: Sequence[Param], given: Mapping[str, object], ctx: ConvertContext) -> None:
    """Fail on the first required parameter that has no value."""
    for param in params:
        if param.required and param.name not in given:
            missing = _("Missing {name}: {description}", name=param.name, description=param.description)
            raise ctx.error(missing)


# ---------------------------------------------------------------- typed options


async def bind_options(
    params: Sequence[Param],
    options: Mapping[str, object],
    *,
    path: str,
    community: CommunityRef,
    resolver: Resolver,
    tz: str,
) -> dict[str, object]:
    """Check and convert typed values delivered by a platform, exactly as strictly as typed text."""
    ctx = ConvertContext(usage(path, params), community, resolver, tz)
    by_name = {param.name: param for param in params}
    given = {name: value for name, value in options.items() if value is not None}
    for name in given:
        if name not in by_name:
            raise ctx.error(_("Unknown parameter {name}.", name=name), *did_you_mean(name, list(by_name)))
    _check_missing(params, given, ctx)
    return {p.name: await convert(p, given[p.name], ctx) for p in params if p.name in given}
