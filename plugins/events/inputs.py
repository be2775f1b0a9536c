"""What an organiser types for an event's fields, read and checked: each reader returns the stored form or
raises a translated CommandError whose hint gives the accepted form. Natural dates and rules are read on a
worker thread (dateparser's first use and a rule's search may take a while)."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.i18n import Text, When, _, n_
from bot.plugin import CommandError, Place, Places
from bot.when.dates import DueError, format_offsets, parse_due, parse_offsets
from bot.when.recurrence import MAX_SPAN, RuleError, check_rule
from bot.when.rule_words import read_words

MAX_TITLE = 100
MAX_DESCRIPTION = 1500
MAX_ADDRESS = 200
MAX_LINK = 300
MAX_REASON = 200
MIN_DURATION = timedelta(minutes=15)
# Words that clear an optional field on edit (`address:none`, `repeat:aucune`).
NONE_WORDS = frozenset({"none", "no", "non", "aucun", "aucune", "rien", "sans", "-", "never", "jamais"})
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# Bidirectional embeddings, overrides and isolates: in a title or an address they would reverse the rest of the
# line the bot shows around them (`\u202egpj.exe` reads as "exe.jpg"), and nothing in an event needs them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _unbidi(text: str) -> str:
    return _BIDI.sub("", text)


def is_none(raw: str) -> bool:
    """Whether a member typed a word meaning "none"."""
    return fold(raw.strip()) in NONE_WORDS


def start_examples() -> Text:
    """The accepted forms of a start."""
    return _("Write it like `mardi 19h`, `5 janvier 18:30`, `next friday 7pm` or `2027-01-05 19:00`.")


def read_title(raw: str) -> str:
    """A title on one line, 1 to 100 characters."""
    title = " ".join(_unbidi(raw).split())
    if not title:
        raise CommandError(_("The title cannot be empty."), _("Give the event a short title: `Apéro Rust`."))
    if len(title) > MAX_TITLE:
        raise CommandError(
            _("The title is {count} characters long; at most {limit}.", count=len(title), limit=MAX_TITLE),
            _("Give the event a short title, and the details in `description`."),
        )
    return title


def read_description(raw: str | None) -> str:
    """A description of at most 1500 characters (its line breaks kept)."""
    text = _unbidi(raw or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise CommandError(
            _("The description is {count} characters long; at most {limit}.", count=len(text), limit=MAX_DESCRIPTION),
            _("Shorten it, or give a link to the full programme."),
        )
    return text


def _parse(raw: str, base: datetime, tz: str) -> datetime:
    try:
        moment = parse_due(raw, base, tz)
    except DueError as error:
        raise CommandError(error.message, start_examples()) from None
    if moment is None:
        raise CommandError(_("I cannot read “{value}” as a date.", value=raw[:60]), start_examples())
    return moment


async def read_start(raw: str, now: datetime, tz: str) -> datetime:
    """A start in the future (aware UTC), read in the community's zone."""
    moment = await asyncio.to_thread(_parse, raw, now, tz)
    if moment <= now:
        raise CommandError(
            _("“{value}” is in the past ({when}).", value=raw[:60], when=When(moment, tz, "EEEE d MMMM y, HH:mm")),
            _("An event starts in the future. {examples}", examples=start_examples()),
        )
    return moment


async def read_end(raw: str, start: datetime, tz: str) -> datetime:
    """An end read from the start's day (`22h` is that evening), after the start."""
    day = start.astimezone(ZoneInfo(tz)).replace(hour=0, minute=0, second=0, microsecond=0)
    moment = await asyncio.to_thread(_parse, raw, day, tz)
    if moment <= start:
        raise CommandError(
            _(
                "The end ({end}) is not after the start ({start}).",
                end=When(moment, tz, "EEEE d MMMM y, HH:mm"),
                start=When(start, tz, "EEEE d MMMM y, HH:mm"),
            ),
            _('Give an end after the start (`end:22h`, `end:"6 janvier 01:00"`) or a duration (`duration:2h`).'),
        )
    return moment


def read_length(length: timedelta, max_hours: int) -> int:
    """A duration in minutes, from 15 minutes to `max_hours`."""
    if length < MIN_DURATION or length > timedelta(hours=max_hours):
        raise CommandError(
            n_(
                "An event lasts from 15 minutes to {count} hour.",
                "An event lasts from 15 minutes to {count} hours.",
                max_hours,
            ),
            _("For example `duration:2h` or `end:22h`."),
        )
    return int(length.total_seconds() // 60)


async def read_place(places: Places, raw: str) -> Place:
    """A town of the gazetteer; an ambiguous name takes the most populous, silently."""
    found = await places.resolve_place(raw)
    if found.place is None:
        hint: Text = (
            _("Did you mean {suggestion}?", suggestion=" / ".join(found.suggestions[:3]))
            if found.suggestions
            else _("Give a town, with its country if needed: `Wambrechies` or `Paris, FR`.")
        )
        raise CommandError(_("I do not know the place “{name}”.", name=raw.strip()[:60]), hint)
    return found.place


def read_address(raw: str | None) -> str | None:
    """An address on one line (None for `none`)."""
    if raw is None or is_none(raw):
        return None
    address = " ".join(_unbidi(raw).split())
    if len(address) > MAX_ADDRESS:
        raise CommandError(
            _("The address is {count} characters long; at most {limit}.", count=len(address), limit=MAX_ADDRESS),
            _("Give the street and the venue; details go in `description`."),
        )
    return address or None


def _visible(c: str) -> bool:
    r"""A character a reader sees as itself in a link: no space, control, format (zero-width, bidi) or
    backslash (browsers read it as `/`, so `https://evil.example\.bank.example` goes to evil.example)."""
    return not (c.isspace() or c == "\\" or unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"))


def _ascii_host(link: str, netloc: str) -> str | None:
    """The link with an internationalised host written in ASCII (`xn--…`), so a homograph (`pаypal` with a
    Cyrillic а) shows as what it is; None when the host is not a valid name."""
    if netloc.isascii():
        return link
    try:
        ascii_netloc = netloc.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return link.replace(netloc, ascii_netloc, 1)


def read_reason(raw: str | None) -> str | None:
    """A cancellation's reason on one line, at most 200 characters, without bidi overrides (None if empty)."""
    reason = " ".join(_unbidi(raw or "").split())[:MAX_REASON]
    return reason or None


def read_link(raw: str | None) -> str | None:
    """An http(s) link with a host and no spaces, credentials or invisible characters (None for `none`); an
    internationalised host is stored in its ASCII form."""
    if raw is None or is_none(raw):
        return None
    link = raw.strip()
    parts = urlsplit(link) if _SCHEME.match(link) else None
    stored = (
        None
        if parts is None
        or not parts.hostname
        or not all(_visible(c) for c in link)
        or len(link) > MAX_LINK
        or "@" in parts.netloc
        else _ascii_host(link, parts.netloc)
    )
    if stored is None or len(stored) > MAX_LINK:
        raise CommandError(
            _("“{value}” is not a web link: it must start with https:// or http://.", value=_unbidi(link)[:60]),
            _("For example `link:https://meet.example.org/apero`."),
        )
    return stored


def read_capacity(capacity: int | None, limit: int) -> int | None:
    """Seats from 1 to the configured limit (None: no limit)."""
    if capacity is None:
        return None
    if not 1 <= capacity <= limit:
        raise CommandError(
            _("The capacity must be between 1 and {limit} seats.", limit=limit),
            _("For example `capacity:20`; leave it out for no limit."),
        )
    return capacity


def _rule(raw: str, start_local: datetime) -> str:
    words = read_words(raw, start_local)
    try:
        rule = check_rule(words if words is not None else raw, start_local)
    except RuleError as error:
        raise CommandError(error.message, error.hint) from None
    # An UNTIL centuries away expands like no UNTIL at all, but near year 9999 its conversion to the event's
    # zone overflows (OverflowError in bot.when.recurrence): refused here, with the form that means "no end".
    if rule.until is not None and rule.until.replace(tzinfo=None) > start_local + MAX_SPAN:
        raise CommandError(
            _("The repetition ends more than {years} years after its start.", years=MAX_SPAN.days // 366),
            _("Leave UNTIL out for a repetition without end, or end it sooner: `FREQ=MONTHLY;UNTIL=20271231`."),
        )
    return rule.body


async def read_rule(raw: str | None, start_local: datetime) -> str | None:
    """The canonical rule of a repetition from a naive local start (None for none), or a CommandError naming
    what is wrong (a rule that never happens included)."""
    if raw is None or not raw.strip() or is_none(raw):
        return None
    return await asyncio.to_thread(_rule, raw, start_local)


def read_reminders(raw: str | None, default: str) -> str:
    """Canonical reminder offsets (`1d,1h`; `none`)."""
    offsets = parse_offsets(raw if raw is not None else default)
    if offsets is None:
        raise CommandError(
            _("“{value}” is not a list of reminders.", value=(raw or "")[:60]),
            _(
                "Write durations before the start separated by commas, such as `1d,1h` or `2h, 30 min`, or `none` "
                "(at most 5 reminders, each up to 30 days)."
            ),
        )
    return format_offsets(offsets)
