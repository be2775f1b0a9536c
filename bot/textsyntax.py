r"""The text syntax of commands, shared by Slack and the console, and of typed-in values.

A command line reads `/noun verb value1 name:value "quoted value" name:"quoted value"`. This module
owns cutting such a line into the command path and its tokens, and the written forms of durations
(`2h30m`, `2j`) and moments (`2026-12-01 10:00`), which Discord also delivers as text. Binding tokens
to typed parameters, with the errors a member sees, belongs to `bot.params`.

Quoting rules, chosen so that ordinary French and English text needs no quotes:

- A quote opens a value only at the start of a token (or right after `name:`), so the apostrophes
  of `l'apéro` or `don't` are plain characters.
- Straight `"…"` and `'…'`, typographic `“…”`, `‘…’`, `„…“` and guillemets `« … »`, `‹ … ›` are
  understood; the inner spaces of typographic quotes are trimmed (`« Rust Lille »` is `Rust Lille`).
- A closing quote only closes when followed by a space or the end of the line, so
  `'l'apéro du jeudi'` is one value. A backslash makes a quote (or, inside quotes, a backslash)
  literal: `"say \"hi\""`.
- `name:value` names a parameter only when `name` looks like an identifier (`[a-z_][a-z0-9_]*`,
  any case): `10:30` stays a value, and so does `https://…` (a value starting with `//`).
  `name: value`, with a space after the colon as Discord shows it, is accepted too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from bot.folding import closest
from bot.i18n import Msg, Text, _, join
from bot.plugin import CommandError

__all__ = [
    "MAX_DURATION",
    "Token",
    "continues",
    "duration_seconds",
    "is_moment",
    "parse_duration",
    "parse_line",
    "parse_moment",
    "split_path",
    "tokenize",
]


@dataclass(frozen=True, slots=True)
class Token:
    """One value of a command line, with the parameter name it was given with, if any."""

    name: str | None
    value: str
    raw: str = ""  # the token exactly as typed, for free text that only looks like `name:value`
    quoted: bool = False


# Opening quote -> the characters that may close it.
_QUOTES: dict[str, str] = {
    '"': '"',
    "'": "'",
    "“": "”“",
    "”": "”",
    "„": "“”",
    "‘": "’‘",
    "«": "»",
    "»": "«",
    "‹": "›",
}
_TYPOGRAPHIC = frozenset(_QUOTES) - {'"', "'"}
_ALL_QUOTES = frozenset("".join(_QUOTES) + "".join(_QUOTES.values()))
_ESCAPABLE = _ALL_QUOTES | {"\\"}  # what a backslash makes literal inside quotes
_NAME = re.compile(r"([^\W\d]\w*):")  # letters of any language: `période:hebdo`
# Invisible characters some clients insert; they must not glue a name to its neighbour.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def tokenize(text: str) -> list[Token]:
    """Cut the argument text of a command into tokens; an unclosed quote is a CommandError."""
    text = text.translate(_INVISIBLE)
    tokens: list[Token] = []
    pos = _skip_spaces(text, 0)
    while pos < len(text):
        start = pos
        name, pos = _read_name(text, pos)
        if name is not None and (pos == len(text) or text[pos].isspace()):
            # `name: value`: the value is the next token, unless that one is named too.
            after = _skip_spaces(text, pos)
            if after == len(text) or _read_name(text, after)[0] is not None:
                tokens.append(Token(name, "", text[start:pos]))
                pos = _skip_spaces(text, pos)
                continue
            pos = after
        value, pos, quoted = _read_value(text, pos)
        tokens.append(Token(name, value, text[start:pos], quoted))
        pos = _skip_spaces(text, pos)
    return tokens


def _skip_spaces(text: str, pos: int) -> int:
    """The first position at or after `pos` that is not whitespace."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _read_name(text: str, pos: int) -> tuple[str | None, int]:
    """A `name:` prefix at `pos` (lower-cased) and the position after the colon, or (None, pos)."""
    match = _NAME.match(text, pos)
    if match is None or text.startswith("//", match.end()):
        return None, pos
    return match.group(1).lower(), match.end()


def _read_value(text: str, pos: int) -> tuple[str, int, bool]:
    """The value starting at `pos`, the position after it, and whether it was quoted."""
    if text[pos] in _QUOTES:
        value, end = _read_quoted(text, pos)
        return value, end, True
    chars: list[str] = []
    while pos < len(text) and not text[pos].isspace():
        if text[pos] == "\\" and pos + 1 < len(text) and text[pos + 1] in _ALL_QUOTES:
            pos += 1
        chars.append(text[pos])
        pos += 1
    return "".join(chars), pos, False


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """The inside of the quoted value opening at `pos`, and the position after its closing quote."""
    opener = text[pos]
    closers = _QUOTES[opener]
    chars: list[str] = []
    index = pos + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] in _ESCAPABLE:
            chars.append(text[index + 1])
            index += 2
            continue
        if char in closers and (index + 1 == len(text) or text[index + 1].isspace()):
            value = "".join(chars)
            return (value.strip() if opener in _TYPOGRAPHIC else value), index + 1
        chars.append(char)
        index += 1
    excerpt = text[pos : pos + 20] + ("…" if len(text) > pos + 20 else "")
    raise CommandError(
        _("A quote opened at “{excerpt}” is never closed.", excerpt=excerpt),
        hint=_(
            "Close it with {closer}, or put a backslash before a quote that belongs to the value.", closer=closers[0]
        ),
    )


# ---------------------------------------------------------------- command paths


def parse_line(line: str, paths: Collection[str]) -> tuple[str, str]:
    """Split a whole command line (`/group join "Rust Lille"`) into its path and argument text.

    The argument text keeps its original spacing and line breaks, so quoted values survive intact.
    """
    text = line.translate(_INVISIBLE).strip()
    if text.startswith("/"):
        text = text[1:]
    path, _rest = split_path(text.split(), paths)
    pos = 0
    for _word in path.split():
        pos = _skip_spaces(text, pos)
        while pos < len(text) and not text[pos].isspace():
            pos += 1
    return path, text[pos:].strip()


def split_path(words: Sequence[str], paths: Collection[str]) -> tuple[str, list[str]]:
    """The longest registered path the leading `words` spell (any case), and the words after it."""
    by_key = {" ".join(path.casefold().split()): path for path in paths}
    longest = max((len(key.split()) for key in by_key), default=0)
    for size in range(min(longest, len(words)), 0, -1):
        key = " ".join(word.casefold() for word in words[:size])
        if key in by_key:
            return by_key[key], list(words[size:])
    raise _unknown_command(words, paths)


def _unknown_command(words: Sequence[str], paths: Collection[str]) -> CommandError:
    """The error for words that spell no command, with the most useful suggestion."""
    verbs: dict[str, list[str]] = {}
    for path in sorted(paths):
        noun, _sep, verb = path.partition(" ")
        verbs.setdefault(noun, [])
        if verb:
            verbs[noun].append(verb)
    if not words:
        example = "help" if "help" in paths else min(paths, default="help")
        return CommandError(_("Type a command after the slash."), hint=_("For example: /{example}", example=example))
    typed_noun = words[0].casefold()
    noun_match = next((noun for noun in verbs if noun.casefold() == typed_noun), None)
    if noun_match is not None:
        return _unknown_verb(noun_match, words[1:], verbs[noun_match])
    guesses = closest(words[0], verbs, n=1)
    if not guesses:
        return CommandError(_("Unknown command /{given}.", given=words[0]), hint=_commands_hint(paths))
    noun = guesses[0]
    hint: list[Text] = []
    if not verbs[noun]:
        suggestion = noun
    else:
        verb_guesses = closest(words[1], verbs[noun], n=1) if len(words) > 1 else []
        if len(verbs[noun]) == 1 and len(words) == 1:
            verb_guesses = verbs[noun]  # the only command of that noun is the only thing it can mean
        suggestion = f"{noun} {verb_guesses[0]}" if verb_guesses else noun
        if not verb_guesses:
            hint.append(_verbs_hint(noun, verbs[noun]))
    hint.insert(0, _("Did you mean /{suggestion}?", suggestion=suggestion))
    return CommandError(_("Unknown command /{given}.", given=words[0]), hint=join(hint, " "))


def _unknown_verb(noun: str, rest: Sequence[str], verbs: list[str]) -> CommandError:
    """The error for a known noun followed by no verb or a verb it does not have."""
    if not rest:
        return CommandError(_("/{noun} needs one more word.", noun=noun), hint=_verbs_hint(noun, verbs))
    given = f"{noun} {rest[0]}"
    guesses = closest(rest[0], verbs, n=1)
    parts: list[Text] = [_verbs_hint(noun, verbs)]
    if guesses:
        parts.insert(0, _("Did you mean /{suggestion}?", suggestion=f"{noun} {guesses[0]}"))
    return CommandError(_("Unknown command /{given}.", given=given), hint=join(parts, " "))


def _verbs_hint(noun: str, verbs: Sequence[str]) -> Msg:
    """`/group commands: join, leave, list.`: the verbs of a noun."""
    return _("/{noun} commands: {verbs}.", noun=noun, verbs=", ".join(f"`{verb}`" for verb in verbs))


def _commands_hint(paths: Collection[str]) -> Msg:
    """Where to look when nothing is close to what was typed."""
    if "help" in paths:
        return _("Type /help to see the commands.")
    nouns = sorted({path.split(" ", 1)[0] for path in paths})
    return _("Commands: {commands}.", commands=", ".join(f"/{noun}" for noun in nouns))


# ---------------------------------------------------------------- values: durations and moments


MAX_DURATION = 100 * 365 * 86400.0
"""The longest duration accepted, in seconds: a century, beyond any plan and far below timedelta's limit."""

_UNITS: dict[str, int] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "seconde", "secondes"), 1),
    **dict.fromkeys(("m", "mn", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), 3600),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours"), 86400),
    **dict.fromkeys(("w", "wk", "week", "weeks", "sem", "semaine", "semaines"), 604800),
}
_DURATION_STEP = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*([^\W\d_]*)")
_DURATION_PART = re.compile(r"\d+(?:[.,]\d+)?[^\W\d_]+")
_MOMENT = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|\s+)(?P<hour>\d{1,2})[:hH](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<offset>[zZ]|[+-]\d{2}:?\d{2})?)?"
)
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TIME_ONLY = re.compile(r"\d{1,2}[:hH]\d{2}(?::\d{2})?(?:[zZ]|[+-]\d{2}:?\d{2})?")


_LINKS = re.compile(r"(?<=[^\W\d_]),\s*|\s+(?:et|and)\s+", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_LINK_END = re.compile(r"(?:,|\b(?:et|and))\s*$", re.IGNORECASE)
_PENDING_TAIL = re.compile(r"(?:\s*,|\s+(?:et|and))?\s*(?:\d+(?:[.,]\d+)?)?\s*$", re.IGNORECASE)


def duration_seconds(text: str) -> float | None:
    """Seconds in `2h30m`, `1h 30m`, `1.5h`, `1,5h`, `2j`, `1sem`, French `1h30`, or the words the bot
    shows (`1 day and 2 hours`, `1 jour et 2 heures`, `2 h`, `30 min`); None if no duration.

    The result may be zero or beyond `MAX_DURATION`: bounds are the caller's business.
    """
    text = _LINKS.sub(" ", text.strip())
    pos, total, previous = 0, 0.0, 0
    while pos < len(text):
        match = _DURATION_STEP.match(text, pos)
        if match is None:
            return None
        amount, unit = float(match.group(1).replace(",", ".")), match.group(2)
        factor = _UNITS.get(unit.casefold())
        if not unit and previous == 3600 and match.end() == len(text) and match.group(1).isdigit():
            factor = 60  # `1h30` is how French speakers write an hour and a half
        if factor is None:
            return None
        total, previous, pos = total + amount * factor, factor, match.end()
    return total if pos and math.isfinite(total) else None


def parse_duration(text: str) -> timedelta | None:
    """The positive duration `text` spells (`2h30m`, `1d`, `45m`, `1h 30m`, `2j`), or None."""
    seconds = duration_seconds(text)
    return timedelta(seconds=seconds) if seconds is not None and 0 < seconds <= MAX_DURATION else None


def is_moment(text: str) -> bool:
    """True when `text` has the shape of a date with an optional time (`2026-12-01 10:00`)."""
    return _MOMENT.fullmatch(text.strip()) is not None


def parse_moment(text: str, zone: tzinfo) -> datetime | None:
    """The aware UTC moment `text` spells (`2026-12-01 10:00` read in `zone`, or with its own offset).

    Seconds are optional, `T` may separate date and time, a date alone is at 00:00, and an explicit
    `Z` or `+02:00` wins over `zone`. A local time inside a daylight-saving gap moves forward by
    the length of the gap; an ambiguous one (the repeated autumn hour) is the first occurrence.
    None when the shape is wrong or the date does not exist (`2026-02-30`).
    """
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        return None
    part = {key: int(found) for key, found in match.groupdict().items() if found and key != "offset"}
    try:
        # A wall-clock reading, made aware just below (with the written offset or the zone).
        local = datetime(  # noqa: DTZ001
            part["year"], part["month"], part["day"], part.get("hour", 0), part.get("minute", 0), part.get("second", 0)
        )
        offset = match.group("offset")
        # fold=0 reads a nonexistent time with the offset in force before the gap: that is, forward.
        aware = local.replace(tzinfo=_offset(offset)) if offset else local.replace(tzinfo=zone, fold=0)
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _offset(text: str) -> timezone:
    """`Z`, `+02:00` or `-0530` as a fixed offset; ValueError when out of range."""
    if text in ("z", "Z"):
        return UTC
    hours, minutes = int(text[1:3]), int(text[-2:])
    if minutes > 59:
        raise ValueError(text)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def continues(value: str, following: str) -> bool:
    """True when the separate word `following` completes `value`: a time after a date, or one more
    part of a duration (`1h` then `30m`). Lets members type these without quotes."""
    if _DATE_ONLY.fullmatch(value):
        return _TIME_ONLY.fullmatch(following) is not None
    if not _under_way(value):
        return False
    if _BARE_NUMBER.fullmatch(following) and not _LINK_END.search(value):
        return False  # `2h 3` may be a duration and a count: only `1 jour et 2` surely goes on
    joined = f"{value} {following}"
    return duration_seconds(joined) is not None or _under_way(joined)


def _under_way(text: str) -> bool:
    """True when `text` is a duration, or one still being written: `2` (a unit will follow),
    `1 jour et`, `1 day, 2`."""
    if duration_seconds(text) is not None:
        return True
    tail = _PENDING_TAIL.search(text)
    if tail is None or not tail.group(0).strip():
        return False
    head = text[: tail.start()].strip()
    return not head or duration_seconds(head) is not None
