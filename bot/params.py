"""Binding what a member typed (or what a platform delivered) to a command's declared parameters.

This module owns the usage line of a command (canonical for manifests, and in the reader's language
for errors and help) and the two binders: `bind_text` for Slack and the
console (tokens from `bot.textsyntax`) and `bind_options` for platforms that deliver typed values
(Discord), which are checked again, never trusted. Each value is then converted by `bot.converters`
(which also owns the `Resolver` protocol and `clean_text`, re-exported here). Whatever the input,
the outcome is a dict of converted values or a `CommandError` whose hint ends with the usage line.

Text binding, in the order a member would expect:

- `name:value` fills the named parameter (its name in any language the bot speaks: `rayon_km:30`
  is `radius_km:30`); other values fill the parameters not given by name,
  required ones first, in declared order. A `rest` text parameter takes every remaining value
  (joined by single spaces), and when given by name, the unquoted words that follow it.
- A date followed by a time (`2026-12-01 10:00`) and a duration in parts (`1h 30m`) are one value
  even without quotes.
- When a command has a `rest` parameter, a `word:text` that is not a parameter and not close to
  one is part of the free text (`Note: bring snacks`) rather than an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.converters import (
    ConvertContext,
    Resolver,
    Spellings,
    clean_text,
    convert,
    excerpt,
    msgid_only,
)
from bot.declarations import Param, ParamKind
from bot.folding import closest, fold
from bot.i18n import Text, Translator, _, join
from bot.model import CommunityRef
from bot.textsyntax import Token, continues, duration_seconds, tokenize

# `continues` and `duration_seconds` for a text parameter a plugin reads itself as a duration (with words of
# its own, such as `default`): the same reading as the `duration` kind, the same gluing of `1 jour et 2 heures`.
__all__ = [
    "Resolver",
    "bind_options",
    "bind_text",
    "clean_text",
    "continues",
    "duration_seconds",
    "usage",
    "usage_text",
]


# ---------------------------------------------------------------- usage


def usage(path: str, params: Sequence[Param]) -> str:
    """The canonical usage line, for manifests: `/group nearby <city> [radius_km:<1-500>]` (the English
    rendering of `usage_text`, so the two never differ in shape)."""
    return _CANONICAL.render(usage_text(path, params), "en")


_CANONICAL = Translator({})  # no catalog: every word reads as declared


def _range(param: Param) -> str | None:
    """The bounds of a number as the usage line shows them: `<1-500>`, `<≥1>`, `<≤10>`; None without."""
    low, high = param.min_value, param.max_value
    if low is not None and high is not None:
        return f"<{low:g}{'-' if low >= 0 else '..'}{high:g}>"
    if low is not None:
        return f"<≥{low:g}>"
    if high is not None:
        return f"<≤{high:g}>"
    return None


def usage_text(path: str, params: Sequence[Param]) -> Text:
    """The usage line in the reader's language: `/group nearby <ville> [rayon_km:<1-500>]`."""
    parts: list[Text] = [f"/{path}"]
    for param in params:
        if param.required and param.named_only:
            parts.append(join([param.label, ":", _local_form(param)], ""))
        elif param.required:
            if param.kind is ParamKind.CHOICE:
                parts.append(_local_form(param))
            else:
                parts.append(join(["<", param.label, "...>" if param.rest else ">"], ""))
        else:
            parts.append(join(["[", param.label, ":", _local_form(param), "]"], ""))
    return join(parts, " ")


def _local_form(param: Param) -> Text:
    """The expected form of a value in the reader's language: `<texte>`, `<1-500>`, `<hebdo|mensuel>`."""
    kind = param.kind
    if kind is ParamKind.CHOICE:
        return join(["<", join([option.word for option in param.choices], "|"), ">"], "")
    if kind in (ParamKind.INTEGER, ParamKind.NUMBER) and (bounds := _range(param)) is not None:
        return bounds
    forms: dict[ParamKind, Text] = {
        ParamKind.TEXT: _("<text>"),
        ParamKind.INTEGER: _("<integer>"),
        ParamKind.NUMBER: _("<number>"),
        ParamKind.BOOLEAN: join(["<", _("yes"), "|", _("no"), ">"], ""),
        ParamKind.DURATION: _("<duration>"),
        ParamKind.DATETIME: _("<YYYY-MM-DD HH:MM>"),
        ParamKind.MEMBER: _("<@member>"),
        ParamKind.CHANNEL: _("<#channel>"),
        ParamKind.ATTACHMENT: _("<file>"),
    }
    return forms[kind]


# ---------------------------------------------------------------- text binding


async def bind_text(
    params: Sequence[Param],
    arg_text: str,
    *,
    path: str,
    community: CommunityRef,
    resolver: Resolver,
    tz: str,
    spellings: Spellings = msgid_only,
) -> dict[str, object]:
    """Bind the argument text of a command (`"Rust Lille" radius_km:30`) to its parameters."""
    ctx = ConvertContext(usage_text(path, params), community, resolver, tz, spellings)
    items = _classify(params, tokenize(arg_text), ctx)
    raw = _assign(params, items, ctx)
    _check_missing(params, raw, ctx)
    return {p.name: await convert(p, raw[p.name], ctx) for p in params if p.name in raw}


_Item = tuple[Param | None, Token]  # a token and the parameter it names (None: a positional value)


def _classify(params: Sequence[Param], tokens: list[Token], ctx: ConvertContext) -> list[_Item]:
    """Pair each named token with its parameter (None for positional values); reject unknown names.

    A parameter is named by its name in any language; a near miss suggests the name in the reader's."""
    by_spelling: dict[str, Param] = {}
    for param in params:
        for spelling in (param.name, *ctx.spellings(param.label)):
            by_spelling.setdefault(spelling, param)
    by_folded = {fold(spelling): param for spelling, param in reversed(by_spelling.items())}
    has_rest = any(_is_rest(param) for param in params)
    items: list[_Item] = []
    seen: set[str] = set()
    for token in tokens:
        if token.name is None:
            items.append((None, token))
            continue
        named = by_folded.get(fold(token.name))
        if named is None:
            guesses = closest(token.name, list(by_spelling), n=1)
            hints: list[Text] = (
                [_("Did you mean {suggestion}?", suggestion=by_spelling[guesses[0]].label)] if guesses else []
            )
            if has_rest and not hints:  # free text that only looks like `name:value`
                items.append((None, Token(None, " ".join(token.raw.split()), token.raw)))
                continue
            hints = hints or [_("To use a colon in a value, put the value in quotes.")]
            raise ctx.error(_("Unknown parameter {name}.", name=token.name), *hints)
        if named.name in seen:
            raise ctx.error(_("{name} is given twice.", name=named.label))
        seen.add(named.name)
        items.append((named, token))
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
    """Glue a time to a date (`2026-12-01 10:00`), the parts of a duration (`1h 30m`), and the words a
    plugin's text parameter declares it `joins` (`demain 9h`)."""
    joins = param.joins or (continues if param.kind in (ParamKind.DATETIME, ParamKind.DURATION) else None)
    if joins is None:
        return value, index
    while index < len(items) and items[index][0] is None and not items[index][1].quoted:
        if not joins(value, items[index][1].value):
            break
        value, index = f"{value} {items[index][1].value}", index + 1
    return value, index


def _check_missing(params: Sequence[Param], given: Mapping[str, object], ctx: ConvertContext) -> None:
    """Fail on the first required parameter that has no value."""
    for param in params:
        if param.required and param.name not in given:
            missing = _("Missing {name}: {description}", name=param.label, description=param.description)
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
    spellings: Spellings = msgid_only,
) -> dict[str, object]:
    """Check and convert typed values delivered by a platform, exactly as strictly as typed text."""
    ctx = ConvertContext(usage_text(path, params), community, resolver, tz, spellings)
    by_name = {param.name: param for param in params}
    given = {name: value for name, value in options.items() if value is not None}
    for name in given:
        if name not in by_name:
            guesses = closest(name, list(by_name), n=1)
            hints = [_("Did you mean {suggestion}?", suggestion=by_name[guesses[0]].label)] if guesses else []
            raise ctx.error(_("Unknown parameter {name}.", name=name), *hints)
    _check_missing(params, given, ctx)
    return {p.name: await convert(p, given[p.name], ctx) for p in params if p.name in given}
