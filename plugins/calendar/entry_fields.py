"""What a member types for an entry's fields (due date, repetition, reminders, title), read and
checked without I/O: each reader returns the stored form or raises a CommandError with a hint, so
`/calendar add`, `/calendar edit`, series edits and the CSV import refuse the same inputs alike.

Handlers call the `*_off_loop` forms: dateparser compiles its language data on first use and a rule's
existence check may search years of dates (hundreds of milliseconds on a busy machine), work that must
not hold the event loop."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.i18n import _
from bot.plugin import CommandError
from bot.when.dates import DueError, format_offsets, parse_due, parse_offsets
from bot.when.recurrence import RuleError, check_rule
from bot.when.rule_words import read_words
from plugins.calendar import texts

__all__ = ["read_due", "read_due_off_loop", "read_remind", "read_rule", "read_rule_off_loop", "read_title"]


def read_due(raw: str, now: datetime, tz: str) -> datetime:
    """A future due moment, or a CommandError with examples of the accepted forms."""
    try:
        moment = parse_due(raw, now, tz)
    except DueError as error:
        raise CommandError(error.message, texts.due_examples()) from None
    if moment is None:
        raise CommandError(_("I cannot read “{value}” as a date.", value=raw[:60]), texts.due_examples())
    if moment <= now:
        raise CommandError(
            _("“{value}” is in the past ({when}).", value=raw[:60], when=texts.resolved_due(moment, tz)),
            texts.due_examples(),
        )
    return moment


async def read_due_off_loop(raw: str, now: datetime, tz: str) -> datetime:
    """`read_due` on a worker thread."""
    return await asyncio.to_thread(read_due, raw, now, tz)


async def read_rule_off_loop(raw: str | None, start_local: datetime, tz: str | None = None) -> str | None:
    """`read_rule` on a worker thread."""
    return await asyncio.to_thread(read_rule, raw, start_local, tz)


def read_rule(raw: str | None, start_local: datetime, tz: str | None = None) -> str | None:
    """The canonical RRULE body of a repetition starting at a naive local time in `tz`, or a
    CommandError naming the wrong part and its accepted range (see `recurrence.check_rule`)."""
    if raw is None or not raw.strip():
        return None
    # Words first (`hebdo`, `chaque semaine le mardi`); what is not words is read as an RRULE.
    words = read_words(raw, start_local)
    try:
        return check_rule(words if words is not None else raw, start_local, tz).body
    except RuleError as error:
        raise CommandError(error.message, error.hint) from None


def read_remind(raw: str | None, default: str) -> str:
    """Canonical reminder offsets, or a CommandError."""
    offsets = parse_offsets(raw if raw is not None else default)
    if offsets is None:
        raise CommandError(
            _("“{value}” is not a list of reminders.", value=(raw or "")[:60]),
            _(
                "Write durations before due separated by commas, such as `1d,2h`, `1d 2h` (one reminder) or "
                "`30 min`, or `none` (at most 5 reminders, each up to 30 days)."
            ),
        )
    return format_offsets(offsets)


def read_title(raw: str) -> str:
    """A cleaned, non-empty title."""
    title = " ".join(raw.split())
    if not title:
        raise CommandError(_("The title cannot be empty."), _("Give the post a short title."))
    return title
