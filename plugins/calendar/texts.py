"""What the calendar says: status labels, agenda lines, reminders, notes and alerts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Duration, Msg, Span, Text, When, _, join, n_
from bot.model import Button, Reply
from bot.when.dates import parse_offsets
from bot.when.rule_words import moment_words, time_words
from plugins.calendar import adherence
from plugins.calendar.repo import Entry

AGENDA_LIMIT = 50
DAY_STYLE = "EEEE d MMMM y"


def status_label(status: str) -> Msg:
    """The translated name of a shown status."""
    labels = {
        adherence.PLANNED: _("planned"),
        adherence.PUBLISHED: _("published"),
        adherence.LATE: _("late"),
        adherence.MISSED: _("missed"),
        adherence.SKIPPED: _("skipped"),
        adherence.CANCELLED: _("cancelled"),
        adherence.OVERDUE: _("overdue"),
    }
    return labels.get(status, _("planned"))


def moment(when: datetime, tz: str) -> Msg:
    """A day and time in words: "Tuesday 17 November 2026, 9:00" / "mardi 17 novembre 2026 à 9 h"."""
    return moment_words(when, tz)


def resolved_due(due: datetime, tz: str) -> Msg:
    """The resolved date with weekday, so a misread date is visible at once."""
    return _("{when} ({tz})", when=moment(due, tz), tz=tz)


def reminders(stored: str) -> Text:
    """Stored reminder offsets (`1d2h,30m`) in words: "1 day and 2 hours before, 30 minutes before",
    or "no reminder". `dates.parse_offsets` reads these words back as the same offsets."""
    offsets = parse_offsets(stored) or ()
    if not offsets:
        return _("no reminder")
    before = [_("{duration} before", duration=Duration(offset)) for offset in offsets]
    return join(before, ", ")


def owner_and_reminders(owner: str, stored: str) -> Msg:
    """The "Owner: @alice. Reminders: …" line of a planned entry."""
    if not parse_offsets(stored):
        return _("Owner: @{owner}. No reminder.", owner=owner)
    return _("Owner: @{owner}. Reminders: {remind}.", owner=owner, remind=reminders(stored))


def due_examples() -> Msg:
    """The hint shown when a date cannot be read."""
    return _("Examples: `mardi 9h`, `demain 18:00`, `next tuesday 9am`, `2026-12-01 10:00`.")


def entry_line(entry: Entry, shown: str, tz: str, channel: str, owner: str | None) -> Msg:
    """One agenda line: id, time, title, channel, owner and status."""
    local = entry.due_at.astimezone(ZoneInfo(tz))
    return _(
        "`#{id}` {time} **{title}** in #{channel}, {owner}: {status}{repeat}",
        id=entry.id,
        time=time_words(local.hour, local.minute),
        title=entry.title,
        channel=channel,
        owner=f"@{owner}" if owner else _("no owner"),
        status=status_label(shown),
        repeat=" 🔁" if entry.rule else "",
    )


def agenda(
    entries: Sequence[Entry],
    tz: str,
    now: datetime,
    late_after: timedelta,
    channel_name: Callable[[str], str],
    owner_name: Callable[[str], str],
) -> Text:
    """Entries grouped by local day, with their status."""
    if not entries:
        return _("Nothing is planned in this period.")
    zone = ZoneInfo(tz)
    parts: list[Text] = []
    day = None
    for entry in entries[:AGENDA_LIMIT]:
        local_day = entry.due_at.astimezone(zone).date()
        if local_day != day:
            day = local_day
            parts.append(_("**{day}**", day=When(entry.due_at, tz, DAY_STYLE)))
        shown = adherence.outcome_of(entry.status, entry.due_at, entry.published_at, now, late_after)
        parts.append(
            entry_line(
                entry, shown, tz, channel_name(entry.channel_id), owner_name(entry.owner_id) if entry.owner_id else None
            )
        )
    if len(entries) > AGENDA_LIMIT:
        # No noun, so no plural to agree ("…et 3 de plus."); the same words as the other plugins' lists.
        parts.append(_("…and {count} more.", count=len(entries) - AGENDA_LIMIT))
    return join(parts)


def reminder(entry: Entry, tz: str, channel: str, now: datetime) -> Reply:
    """The DM an owner gets before due, with a button to mark it done."""
    return Reply(
        text=join(
            [
                _(
                    "⏰ Reminder: **{title}** is due in #{channel} on {when} (in {span}).",
                    title=entry.title,
                    channel=channel,
                    when=moment(entry.due_at, tz),
                    span=Span(entry.due_at - now),
                ),
                _(
                    "Your post in #{channel} is detected automatically; or mark it with `/calendar done {id}`.",
                    channel=channel,
                    id=entry.id,
                ),
            ]
        ),
        buttons=(Button(_("Mark as done"), "calendar done", {"entry": str(entry.id)}),),
    )


def overdue_note(entry: Entry, tz: str, channel: str, deadline: datetime) -> Reply:
    """The DM an owner gets at due time when nothing was posted yet."""
    return Reply(
        text=join(
            [
                _(
                    "📌 **{title}** was due in #{channel} on {when} and nothing was posted yet.",
                    title=entry.title,
                    channel=channel,
                    when=moment(entry.due_at, tz),
                ),
                _(
                    "A post until {deadline} still counts. Or use `/calendar done {id} link` or "
                    "`/calendar skip {id} reason`.",
                    deadline=moment(deadline, tz),
                    id=entry.id,
                ),
            ]
        ),
        buttons=(Button(_("Mark as done"), "calendar done", {"entry": str(entry.id)}),),
    )


def alert(entry: Entry, tz: str, channel: str, owner: str | None, late_by: timedelta) -> Reply:
    """The managers' alert after the grace period."""
    return Reply(
        text=_(
            "🚨 **{title}** (`#{id}`, #{channel}, {owner}) was due on {when} and is {span} late.",
            title=entry.title,
            id=entry.id,
            channel=channel,
            owner=f"@{owner}" if owner else _("no owner"),
            when=moment(entry.due_at, tz),
            span=Span(late_by),
        )
    )


def charter_note(charter: str) -> Reply:
    """The charter shown to a new owner with their first entry."""
    return Reply(text=join([_("📜 You now own an entry of the editorial calendar. The community's charter:"), charter]))


def series_edited(
    title: str, changed: int, first: datetime | None, tz: str, kept: Sequence[int], cancelled: Sequence[int]
) -> Text:
    """The reply to a series edit: how many planned occurrences ahead changed, from when it repeats,
    which ones kept their own changes and which ones the new times left no place for."""
    if changed == 0:
        head = _("✏️ The series **{title}** is changed; no planned entry ahead needed a change.", title=title)
    else:
        head = n_(
            "✏️ The series **{title}** is changed, and so is {count} planned entry ahead.",
            "✏️ The series **{title}** is changed, and so are {count} planned entries ahead.",
            changed,
            title=title,
        )
    lines: list[Text] = [head]
    if first is not None:
        lines.append(_("It now repeats from {when}.", when=resolved_due(first, tz)))
    if kept:
        lines.append(_("Kept as changed one by one: {ids}.", ids=_ids(kept)))
    if cancelled:
        lines.append(_("Cancelled, with no place left in the new repetition: {ids}.", ids=_ids(cancelled)))
    return join(lines)


def series_disabled(title: str, rule: str, reason: Msg) -> Reply:
    """The DM to the owner of a series whose stored repetition no longer works."""
    shown = rule if len(rule) <= 60 else rule[:59] + "…"
    return Reply(
        text=join(
            [
                _(
                    "⚠️ The repeating entry **{title}** is paused: its repetition `{rule}` cannot be used any more.",
                    title=title,
                    rule=shown,
                ),
                reason,
                _(
                    "The entries already planned stay, but no new ones will be added. To keep it going, cancel the "
                    "series with `/calendar cancel <entry> series` and plan it again with `/calendar add` and a valid "
                    "repetition, such as `weekly` or `FREQ=MONTHLY;BYDAY=1MO`."
                ),
            ]
        )
    )


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(f"`#{i}`" for i in ids)
