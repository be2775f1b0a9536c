"""Binding what a member typed (or what a platform delivered) to a command's declared parameters.

This module owns the usage line of a command, the converters of every `ParamKind` and the two
binders: `bind_text` for Slack and the console (tokens from `bot.textsyntax`) and `bind_options`
for platforms that deliver typed values (Discord), which are checked again, never trusted.
Whatever the input, the outcome is a dict of converted values or a `CommandError` whose hint ends
with the usage line.

Text binding, in the order a member would expect:

- `name:value` fills the named parameter; other values fill the parameters not given by name,
  required ones first, in declared order. A `rest` text parameter takes every remaining value
  (joined by single spaces), and when given by name, the unquoted words that follow it.
- A date followed by a time (`2026-12-01 10:00`) and a duration in parts (`1h 30m`) are one value
  even without quotes.
- When a command has a `rest` parameter, a `word:text` that is not a parameter and not close to
  one is part of the free text (`Note: bring snacks`) rather than an error.

Dates are read in the community's time zone and returned as aware UTC datetimes. A local time
that does not exist (inside a daylight-saving gap) moves forward by the length of the gap
(`02:30` on a spring-forward night in Paris is `03:30` local); an ambiguous one (the repeated hour
in autumn) is the first occurrence.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.folding import closest, fold
from bot.i18n import Msg, Span, Text, _, join
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import CommandError, Param, ParamKind
from bot.textsyntax import MAX_DURATION, Token, continues, duration_seconds, is_moment, parse_moment, tokenize

__all__ = ["Resolver", "bind_options", "bind_text", "clean_text", "usage"]


class Resolver(Protocol):
    """Finds members and channels from what a member typed (`@name`, a mention, an id)."""

    async def member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """The member `raw` designates in `community`, or None."""
        ...

    async def channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """The channel `raw` designates in `community`, or None."""
        ...

    def member_names(self, community: CommunityRef) -> list[str]:
        """Known member names, for suggestions."""
        ...

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Known channel names, for suggestions."""
        ...


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


# ---------------------------------------------------------------- context and errors


@dataclass(frozen=True, slots=True)
class _Context:
    """What converters need besides the value: where the errors point and how to resolve names."""

    usage: str
    community: CommunityRef
    resolver: Resolver
    tz: str

    def error(self, message: Msg, *hints: Text) -> CommandError:
        """A CommandError whose hint ends with the usage line."""
        return CommandError(message, hint=join([*hints, _("Usage: {usage}", usage=self.usage)]))


def _excerpt(value: str, limit: int = 40) -> str:
    """A value as it may appear inside an error message: one line, not too long."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _did_you_mean(word: str, candidates: Sequence[str]) -> list[Text]:
    """`Did you mean x?` as a hint part, or nothing."""
    guesses = closest(word, candidates, n=1)
    return [_("Did you mean {suggestion}?", suggestion=guesses[0])] if guesses else []


# ---------------------------------------------------------------- text binding


async def bind_text(
    params: Sequence[Param], arg_text: str, *, path: str, community: CommunityRef, resolver: Resolver, tz: str
) -> dict[str, object]:
    """Bind the argument text of a command (`"Rust Lille" radius_km:30`) to its parameters."""
    ctx = _Context(usage(path, params), community, resolver, tz)
    items = _classify(params, tokenize(arg_text), ctx)
    raw = _assign(params, items, ctx)
    _check_missing(params, raw, ctx)
    return {p.name: await _convert(p, raw[p.name], ctx) for p in params if p.name in raw}


_Item = tuple[Param | None, Token]  # a token and the parameter it names (None: a positional value)


def _classify(params: Sequence[Param], tokens: list[Token], ctx: _Context) -> list[_Item]:
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
            hints = _did_you_mean(token.name, list(by_name))
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


def _assign(params: Sequence[Param], items: list[_Item], ctx: _Context) -> dict[str, str]:
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
                quotes = _("Put a value that contains spaces in quotes, like \"Rust Lille\".")
                raise ctx.error(_("Unexpected value “{value}”.", value=_excerpt(token.value)), quotes)
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


def _join_continuations(
    param: Param, value: str, items: list[_Item], index: int
) -> tuple[str, int]:
    """Glue a time to a date (`2026-12-01 10:00`) and the parts of a duration (`1h 30m`)."""
    if param.kind not in (ParamKind.DATETIME, ParamKind.DURATION):
        return value, index
    while index < len(items) and items[index][0] is None and not items[index][1].quoted:
        if not continues(value, items[index][1].value):
            break
        value, index = f"{value} {items[index][1].value}", index + 1
    return value, index


def _check_missing(params: Sequence[Param], given: Mapping[str, object], ctx: _Context) -> None:
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
    ctx = _Context(usage(path, params), community, resolver, tz)
    by_name = {param.name: param for param in params}
    given = {name: value for name, value in options.items() if value is not None}
    for name in given:
        if name not in by_name:
            raise ctx.error(_("Unknown parameter {name}.", name=name), *_did_you_mean(name, list(by_name)))
    _check_missing(params, given, ctx)
    return {p.name: await _convert(p, given[p.name], ctx) for p in params if p.name in given}


async def _convert(param: Param, value: object, ctx: _Context) -> object:
    """Dispatch on the parameter's kind; a value of an unexpected type is the member's error too."""
    kind = param.kind
    if kind in (ParamKind.MEMBER, ParamKind.CHANNEL):
        return await _to_ref(param, value, ctx)
    if isinstance(value, str):
        return _PARSERS[kind](param, value, ctx)
    typed = _TYPED[kind](param, value, ctx) if kind in _TYPED else None
    if typed is None:
        raise ctx.error(_("{name} received a value of the wrong type.", name=param.name))
    return typed


# ---------------------------------------------------------------- converters


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


def clean_text(value: str) -> str:
    """Text without zero-width or control characters (line breaks kept), NFC, stripped."""
    value = value.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", kept).strip()


def _to_text(param: Param, value: str, ctx: _Context) -> str:
    text = clean_text(value)
    if not text:
        raise ctx.error(_("{name} cannot be empty.", name=param.name))
    if len(text) > param.max_length:
        raise ctx.error(_("{name} is too long: {length} characters, at most {limit}.",
                          name=param.name, length=len(text), limit=param.max_length))
    return text


_INTEGER = re.compile(r"[+-]?\d{1,30}")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_INT64 = 2**63 - 1


def _to_integer(param: Param, value: str, ctx: _Context) -> int:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        if re.fullmatch(r"[+-]?\d{31,}", text):
            raise ctx.error(_("{name} is too large.", name=param.name))
        raise ctx.error(_("{name} must be a whole number, not “{value}”.",
                          name=param.name, value=_excerpt(text)))
    return _checked_integer(param, int(text), ctx)


def _checked_integer(param: Param, number: int, ctx: _Context) -> int:
    if abs(number) > _INT64:
        raise ctx.error(_("{name} is too large.", name=param.name))
    _check_bounds(param.name, number, param.min_value, param.max_value, ctx, _whole)
    return number


def _to_number(param: Param, value: str, ctx: _Context) -> float:
    text = value.strip()
    try:
        number = float(text.replace(",", ".")) if _DECIMAL.fullmatch(text) else math.nan
    except ValueError:  # digits of mixed scripts
        number = math.nan
    if math.isnan(number):
        raise ctx.error(_("{name} must be a number, not “{value}”.", name=param.name, value=_excerpt(text)))
    return _checked_number(param, number, ctx)


def _checked_number(param: Param, number: float, ctx: _Context) -> float:
    if not math.isfinite(number):
        raise ctx.error(_("{name} is too large.", name=param.name))
    _check_bounds(param.name, number, param.min_value, param.max_value, ctx, float)
    return number


def _whole(bound: float) -> object:
    """An integer bound shown without a decimal part."""
    return int(bound) if float(bound).is_integer() else bound


def _check_bounds(name: str, number: float, low: float | None, high: float | None, ctx: _Context,
                  show: Callable[[float], object]) -> None:
    """Fail when `number` is outside the bounds; `show` turns a bound into what the message displays."""
    if (low is None or number >= low) and (high is None or number <= high):
        return
    if low is not None and high is not None:
        message = _("{name} must be between {low} and {high}.", name=name, low=show(low), high=show(high))
    elif low is not None:
        message = _("{name} must be at least {low}.", name=name, low=show(low))
    else:
        message = _("{name} must be at most {high}.", name=name, high=show(high or 0.0))
    raise ctx.error(message)


_TRUE = frozenset({"yes", "y", "true", "on", "1", "oui", "o", "vrai"})
_FALSE = frozenset({"no", "n", "false", "off", "0", "non", "faux"})


def _to_boolean(param: Param, value: str, ctx: _Context) -> bool:
    word = fold(value)
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ctx.error(_("{name} must be yes or no, not “{value}”.", name=param.name, value=_excerpt(value)))


def _to_choice(param: Param, value: str, ctx: _Context) -> str:
    wanted = fold(value)
    for option in param.choices:
        if fold(option.value) == wanted:
            return option.value
    allowed = [option.value for option in param.choices]
    raise ctx.error(
        _("{name} must be one of {allowed}, not “{value}”.",
          name=param.name, allowed=", ".join(allowed), value=_excerpt(value)),
        *_did_you_mean(value, allowed),
    )


def _to_duration(param: Param, value: str, ctx: _Context) -> timedelta:
    seconds = duration_seconds(value)
    if seconds is None:
        raise ctx.error(_("{name} must be a duration such as 45m, 2h30m or 1d, not “{value}”.",
                          name=param.name, value=_excerpt(value)),
                        _("Units: s, m, h, d (or j), w (or sem)."))
    return _checked_duration(param, seconds, ctx)


def _checked_duration(param: Param, seconds: float, ctx: _Context) -> timedelta:
    if not seconds > 0:
        raise ctx.error(_("{name} must be longer than zero.", name=param.name))
    high = min(MAX_DURATION, param.max_value if param.max_value is not None else MAX_DURATION)
    _check_bounds(param.name, seconds, param.min_value, high, ctx, _span)
    return timedelta(seconds=seconds)


def _span(seconds: float) -> Span:
    """A bound in seconds, shown in words."""
    return Span(timedelta(seconds=seconds))


def _zone(ctx: _Context) -> ZoneInfo:
    try:
        return ZoneInfo(ctx.tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(_("This community's time zone {tz} is unknown.", tz=_excerpt(ctx.tz)),
                           hint=_("An admin can set a time zone such as Europe/Paris.")) from None


def _to_moment(param: Param, value: str, ctx: _Context) -> datetime:
    text = " ".join(value.split())
    if not is_moment(text):
        raise ctx.error(_("{name} must be a date such as 2026-12-01 10:00, not “{value}”.",
                          name=param.name, value=_excerpt(text)))
    moment = parse_moment(text, _zone(ctx))
    if moment is None:
        raise ctx.error(_("{name}: {value} is not a real date and time.",
                          name=param.name, value=_excerpt(text)))
    return moment


def _typed_moment(param: Param, value: object, ctx: _Context) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    try:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=_zone(ctx), fold=0)
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ctx.error(_("{name}: {value} is not a real date and time.", name=param.name,
                          value=value.isoformat())) from None


_MAX_NAME = 300  # longer than any member or channel name or mention, so not worth a lookup


async def _to_ref(param: Param, value: object, ctx: _Context) -> UserRef | ChannelRef:
    """A member or a channel of this community, from a typed reference or what the member wrote."""
    is_member = param.kind is ParamKind.MEMBER
    if isinstance(value, (UserRef, ChannelRef)):
        if isinstance(value, UserRef) != is_member or value.community != ctx.community:
            raise ctx.error(_("{name} must be a member of this community.", name=param.name) if is_member
                            else _("{name} must be a channel of this community.", name=param.name))
        return value
    if not isinstance(value, str):
        raise ctx.error(_("{name} received a value of the wrong type.", name=param.name))
    text = clean_text(value)
    if not text:
        raise ctx.error(_("{name} cannot be empty.", name=param.name))
    lookup = ctx.resolver.member if is_member else ctx.resolver.channel
    found = await lookup(ctx.community, text) if len(text) <= _MAX_NAME else None
    if found is not None:
        return found
    sigil = "@" if is_member else "#"
    names = (ctx.resolver.member_names if is_member else ctx.resolver.channel_names)(ctx.community)
    hints = [_("Did you mean {suggestion}?", suggestion=sigil + guess)
             for guess in closest(text.lstrip(sigil), names, n=1)]
    raise ctx.error(_("No member matches “{value}”.", value=_excerpt(text)) if is_member
                    else _("No channel matches “{value}”.", value=_excerpt(text)), *hints)


def _typed_integer(param: Param, value: object, ctx: _Context) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        raise ctx.error(_("{name} must be a whole number, not “{value}”.", name=param.name, value=str(value)))
    return _checked_integer(param, int(value), ctx)


def _typed_number(param: Param, value: object, ctx: _Context) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isnan(number):
        raise ctx.error(_("{name} must be a number, not “{value}”.", name=param.name, value=str(value)))
    return _checked_number(param, number, ctx)


def _typed_boolean(param: Param, value: object, ctx: _Context) -> bool | None:
    return value if isinstance(value, bool) else None


def _typed_duration(param: Param, value: object, ctx: _Context) -> timedelta | None:
    return _checked_duration(param, value.total_seconds(), ctx) if isinstance(value, timedelta) else None


_PARSERS: dict[ParamKind, Callable[[Param, str, _Context], object]] = {
    ParamKind.TEXT: _to_text,
    ParamKind.INTEGER: _to_integer,
    ParamKind.NUMBER: _to_number,
    ParamKind.BOOLEAN: _to_boolean,
    ParamKind.CHOICE: _to_choice,
    ParamKind.DURATION: _to_duration,
    ParamKind.DATETIME: _to_moment,
}
_TYPED: dict[ParamKind, Callable[[Param, object, _Context], object | None]] = {
    ParamKind.INTEGER: _typed_integer,
    ParamKind.NUMBER: _typed_number,
    ParamKind.BOOLEAN: _typed_boolean,
    ParamKind.DURATION: _typed_duration,
    ParamKind.DATETIME: _typed_moment,
}
