"""Converting one value to the type its parameter declares, with the errors a member sees.

This module owns the converter of every `ParamKind` (text, integer, number, yes/no, choice,
duration, date-time, member, channel), for both what a member typed (a string) and what a platform
delivered already typed (Discord options, checked again, never trusted), the `Resolver` protocol
that finds members and channels, and `ConvertContext`, whose errors end with the usage line.
`bot.params` splits a command's arguments and hands each value to `convert`.

Dates are read in the community's time zone and returned as aware UTC datetimes. A local time
that does not exist (inside a daylight-saving gap) moves forward by the length of the gap
(`02:30` on a spring-forward night in Paris is `03:30` local); an ambiguous one (the repeated hour
in autumn) is the first occurrence.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.declarations import Choice, Param, ParamKind
from bot.folding import closest, fold
from bot.i18n import Msg, Text, _, exact_units, join
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import CommandError
from bot.textsyntax import MAX_DURATION, duration_seconds, is_moment, parse_moment

# `is_moment` and `parse_moment` are re-exported: plugins read `2026-12-01 10:00` exactly as parameters do.
__all__ = [
    "ConvertContext",
    "Resolver",
    "clean_text",
    "convert",
    "did_you_mean",
    "excerpt",
    "is_moment",
    "parse_moment",
]


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


# ---------------------------------------------------------------- context and errors


Spellings = Callable[[Msg], Iterable[str]]
"""How a word reads in every language the bot speaks (`Translator.spellings`): what a member may type."""


def msgid_only(text: Msg) -> Iterable[str]:
    """The spellings when no catalog is at hand: the English word alone."""
    return (text.msgid,)


@dataclass(frozen=True, slots=True)
class ConvertContext:
    """What converters need besides the value: where the errors point, how to resolve names, and how
    each word reads in every language (choices are accepted in all of them)."""

    usage: Text
    community: CommunityRef
    resolver: Resolver
    tz: str
    spellings: Spellings = msgid_only

    def error(self, message: Msg, *hints: Text) -> CommandError:
        """A CommandError whose hint ends with the usage line."""
        return CommandError(message, hint=join([*hints, _("Usage: {usage}", usage=self.usage)]))


def excerpt(value: str, limit: int = 40) -> str:
    """A value as it may appear inside an error message: one line, not too long."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def did_you_mean(word: str, candidates: Sequence[str]) -> list[Text]:
    """`Did you mean x?` as a hint part, or nothing."""
    guesses = closest(word, candidates, n=1)
    return [_("Did you mean {suggestion}?", suggestion=guesses[0])] if guesses else []


# ---------------------------------------------------------------- dispatch


async def convert(param: Param, value: object, ctx: ConvertContext) -> object:
    """Dispatch on the parameter's kind; a value of an unexpected type is the member's error too."""
    kind = param.kind
    if kind in (ParamKind.MEMBER, ParamKind.CHANNEL):
        return await _to_ref(param, value, ctx)
    if isinstance(value, str):
        return _PARSERS[kind](param, value, ctx)
    typed = _TYPED[kind](param, value, ctx) if kind in _TYPED else None
    if typed is None:
        raise ctx.error(_("{name} received a value of the wrong type.", name=param.label))
    return typed


# ---------------------------------------------------------------- converters


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))  # zero-width and word joiner


def clean_text(value: str) -> str:
    """Text without zero-width or control characters (line breaks kept), NFC, stripped."""
    value = value.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", kept).strip()


def _to_text(param: Param, value: str, ctx: ConvertContext) -> str:
    text = clean_text(value)
    if not text:
        raise ctx.error(_("{name} cannot be empty.", name=param.label))
    if len(text) > param.max_length:
        raise ctx.error(
            _(
                "{name} is too long: {length} characters, at most {limit}.",
                name=param.label,
                length=len(text),
                limit=param.max_length,
            )
        )
    return text


_INTEGER = re.compile(r"[+-]?\d{1,30}")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_INT64 = 2**63 - 1


def _too_large(param: Param, ctx: ConvertContext, low: float | None, high: float | None) -> CommandError:
    """`… is too large`, with the accepted range when there is one, so the member knows the limit."""
    if low is None or high is None:
        return ctx.error(_("{name} is too large.", name=param.label))
    return ctx.error(
        _("{name} is too large.", name=param.label),
        _("Accepted values go from {low} to {high}.", low=_bound(low), high=_bound(high)),
    )


def _bound(value: float) -> object:
    # An int bound (the 64-bit limit) stays exact; float() would round it.
    return value if isinstance(value, int) else _whole(value)


def _integer_range(param: Param) -> tuple[float, float]:
    return (
        param.min_value if param.min_value is not None else -_INT64,
        param.max_value if param.max_value is not None else _INT64,
    )


def _to_integer(param: Param, value: str, ctx: ConvertContext) -> int:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        if re.fullmatch(r"[+-]?\d{31,}", text):
            raise _too_large(param, ctx, *_integer_range(param))
        raise ctx.error(_("{name} must be a whole number, not “{value}”.", name=param.label, value=excerpt(text)))
    return _checked_integer(param, int(text), ctx)


def _checked_integer(param: Param, number: int, ctx: ConvertContext) -> int:
    if abs(number) > _INT64:
        raise _too_large(param, ctx, *_integer_range(param))
    _check_bounds(param.label, number, param.min_value, param.max_value, ctx, _whole)
    return number


def _to_number(param: Param, value: str, ctx: ConvertContext) -> float:
    text = value.strip()
    try:
        number = float(text.replace(",", ".")) if _DECIMAL.fullmatch(text) else math.nan
    except ValueError:  # digits of mixed scripts
        number = math.nan
    if math.isnan(number):
        raise ctx.error(_("{name} must be a number, not “{value}”.", name=param.label, value=excerpt(text)))
    return _checked_number(param, number, ctx)


def _checked_number(param: Param, number: float, ctx: ConvertContext) -> float:
    if not math.isfinite(number):
        raise _too_large(param, ctx, param.min_value, param.max_value)
    _check_bounds(param.label, number, param.min_value, param.max_value, ctx, float)
    return number


def _whole(bound: float) -> object:
    """An integer bound shown without a decimal part."""
    return int(bound) if float(bound).is_integer() else bound


def _check_bounds(
    name: Msg,
    number: float,
    low: float | None,
    high: float | None,
    ctx: ConvertContext,
    show: Callable[[float], object],
) -> None:
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


# Folded (no accents): `activé` is typed as `active` once folded, `désactivée` as `desactivee`.
_TRUE = frozenset({"yes", "y", "true", "on", "1", "oui", "o", "vrai", "active", "activee", "actif", "enabled"})
_FALSE = frozenset(
    {"no", "n", "false", "off", "0", "non", "faux", "desactive", "desactivee", "inactif", "inactive", "disabled"}
)


def _to_boolean(param: Param, value: str, ctx: ConvertContext) -> bool:
    word = fold(value)
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ctx.error(_("{name} must be yes or no, not “{value}”.", name=param.label, value=excerpt(value)))


def choice_spellings(option: Choice, ctx: ConvertContext) -> list[str]:
    """Everything a member may type for one choice: its value, its word in every language, its aliases."""
    return [option.value, *ctx.spellings(option.word), *option.aliases]


def _to_choice(param: Param, value: str, ctx: ConvertContext) -> str:
    wanted = fold(value)
    spelled: dict[str, Choice] = {}
    for option in param.choices:
        for spelling in choice_spellings(option, ctx):
            spelled.setdefault(spelling, option)
    for spelling, option in spelled.items():
        if fold(spelling) == wanted:
            return option.value
    guesses = closest(value, list(spelled), n=1)
    hints: list[Text] = [_("Did you mean {suggestion}?", suggestion=spelled[guesses[0]].word)] if guesses else []
    raise ctx.error(
        _(
            "{name} must be one of {allowed}, not “{value}”.",
            name=param.label,
            allowed=join([option.word for option in param.choices], ", "),
            value=excerpt(value),
        ),
        *hints,
    )


def _to_duration(param: Param, value: str, ctx: ConvertContext) -> timedelta:
    seconds = duration_seconds(value)
    if seconds is None:
        raise ctx.error(
            _(
                "{name} must be a duration such as 45m, 2h30m or 1d, not “{value}”.",
                name=param.label,
                value=excerpt(value),
            ),
            _("Units: s, m, h, d (or j), w (or sem)."),
        )
    return _checked_duration(param, seconds, ctx)


def _checked_duration(param: Param, seconds: float, ctx: ConvertContext) -> timedelta:
    if not seconds > 0:
        raise ctx.error(_("{name} must be longer than zero.", name=param.label))
    high = min(MAX_DURATION, param.max_value if param.max_value is not None else MAX_DURATION)
    _check_bounds(param.label, seconds, param.min_value, high, ctx, exact_units)
    return timedelta(seconds=seconds)


def _zone(ctx: ConvertContext) -> ZoneInfo:
    try:
        return ZoneInfo(ctx.tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(
            _("This community's time zone {tz} is unknown.", tz=excerpt(ctx.tz)),
            hint=_("An admin can set a time zone such as Europe/Paris."),
        ) from None


def _moment_forms() -> Msg:
    """The accepted written forms of a date and time, with their ranges."""
    return _(
        "Write YYYY-MM-DD HH:MM on a 24-hour clock (hours 0 to 23, minutes 0 to 59), such as "
        "2026-12-01 18:30; a date alone is at 00:00, and Z or +02:00 gives another offset."
    )


def _to_moment(param: Param, value: str, ctx: ConvertContext) -> datetime:
    text = " ".join(value.split())
    if not is_moment(text):
        raise ctx.error(
            _("{name} must be a date such as 2026-12-01 10:00, not “{value}”.", name=param.label, value=excerpt(text)),
            _moment_forms(),
        )
    moment = parse_moment(text, _zone(ctx))
    if moment is None:
        raise ctx.error(
            _("{name}: {value} is not a real date and time.", name=param.label, value=excerpt(text)), _moment_forms()
        )
    return moment


def _typed_moment(param: Param, value: object, ctx: ConvertContext) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    try:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=_zone(ctx), fold=0)
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ctx.error(
            _("{name}: {value} is not a real date and time.", name=param.label, value=value.isoformat())
        ) from None


_MAX_NAME = 300  # longer than any member or channel name or mention, so not worth a lookup


async def _to_ref(param: Param, value: object, ctx: ConvertContext) -> UserRef | ChannelRef:
    """A member or a channel of this community, from a typed reference or what the member wrote."""
    is_member = param.kind is ParamKind.MEMBER
    if isinstance(value, (UserRef, ChannelRef)):
        if isinstance(value, UserRef) != is_member or value.community != ctx.community:
            raise ctx.error(
                _("{name} must be a member of this community.", name=param.label)
                if is_member
                else _("{name} must be a channel of this community.", name=param.label)
            )
        return value
    if not isinstance(value, str):
        raise ctx.error(_("{name} received a value of the wrong type.", name=param.label))
    text = clean_text(value)
    if not text:
        raise ctx.error(_("{name} cannot be empty.", name=param.label))
    lookup = ctx.resolver.member if is_member else ctx.resolver.channel
    found = await lookup(ctx.community, text) if len(text) <= _MAX_NAME else None
    if found is not None:
        return found
    sigil = "@" if is_member else "#"
    names = (ctx.resolver.member_names if is_member else ctx.resolver.channel_names)(ctx.community)
    hints = [
        _("Did you mean {suggestion}?", suggestion=sigil + guess) for guess in closest(text.lstrip(sigil), names, n=1)
    ]
    raise ctx.error(
        _("No member matches “{value}”.", value=excerpt(text))
        if is_member
        else _("No channel matches “{value}”.", value=excerpt(text)),
        *hints,
    )


def _typed_integer(param: Param, value: object, ctx: ConvertContext) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        raise ctx.error(_("{name} must be a whole number, not “{value}”.", name=param.label, value=str(value)))
    return _checked_integer(param, int(value), ctx)


def _typed_number(param: Param, value: object, ctx: ConvertContext) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isnan(number):
        raise ctx.error(_("{name} must be a number, not “{value}”.", name=param.label, value=str(value)))
    return _checked_number(param, number, ctx)


def _typed_boolean(param: Param, value: object, ctx: ConvertContext) -> bool | None:
    return value if isinstance(value, bool) else None


def _typed_duration(param: Param, value: object, ctx: ConvertContext) -> timedelta | None:
    return _checked_duration(param, value.total_seconds(), ctx) if isinstance(value, timedelta) else None


_PARSERS: dict[ParamKind, Callable[[Param, str, ConvertContext], object]] = {
    ParamKind.TEXT: _to_text,
    ParamKind.INTEGER: _to_integer,
    ParamKind.NUMBER: _to_number,
    ParamKind.BOOLEAN: _to_boolean,
    ParamKind.CHOICE: _to_choice,
    ParamKind.DURATION: _to_duration,
    ParamKind.DATETIME: _to_moment,
}
_TYPED: dict[ParamKind, Callable[[Param, object, ConvertContext], object | None]] = {
    ParamKind.INTEGER: _typed_integer,
    ParamKind.NUMBER: _typed_number,
    ParamKind.BOOLEAN: _typed_boolean,
    ParamKind.DURATION: _typed_duration,
    ParamKind.DATETIME: _typed_moment,
}
