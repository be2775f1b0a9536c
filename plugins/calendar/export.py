"""What `/calendar export` writes: the agenda from `PAST` ago on as iCalendar events.

A repeating series is one event with its rule (UID `calendar-series-<id>@…`, DTSTART its first
date, RRULE with UNTIL in UTC) so a calendar app also shows its dates beyond the ones materialised;
each occurrence of it in the file is an override of its date (RECURRENCE-ID) carrying its number,
time and title; a date of the rule the agenda does not show (cancelled, or given up by a series
edit) is an EXDATE. An occurrence that is not on the rule's dates (a one-off entry, one from before a
series edit of the time, a series whose rule no longer reads) is an event of its own, UID
`calendar-<entry id>@…`. Every event carries its series' revision as SEQUENCE. So an independent
parser expanding the file finds the agenda's dates, and a re-import replaces what changed.

Before `PAST`, only cancelled dates are excluded: an occurrence moved on its own earlier than that
shows at its rule's date in a calendar app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.when.ical import IcsEvent
from bot.when.recurrence import HORIZON_YEARS, MAX_OCCURRENCES, RuleError, occurrences
from plugins.calendar.repo import Series, Slot

__all__ = ["PAST", "PAST_DAYS", "calendar_events", "host"]

PAST_DAYS = 30
PAST = timedelta(days=PAST_DAYS)
"""How far back the export goes: an entry just due (or just missed) is still in the file."""

_TICK = timedelta(microseconds=1)
_FIRST_WITHIN = timedelta(days=366 * (HORIZON_YEARS + 1))  # `check_rule` found a first date within the horizon
_END = re.compile(r";?(COUNT|UNTIL)=[^;]*")

Label = Callable[[str, str | None], str]
"""The description of a channel id and an owner id (`#news · @alice`)."""


def host(community: str) -> str:
    """The right-hand side of the calendar's UIDs, the same for a community across exports."""
    return community.replace(":", ".") + ".affinity-bot"


def calendar_events(
    community: str,
    series: Mapping[int, Series],
    slots: list[Slot],
    cancelled: Mapping[int, list[datetime]],
    since: datetime,
    now: datetime,
    label: Label,
    complete: bool,
) -> list[IcsEvent]:
    """The events of the agenda's `slots` (due from `since` on, by due time); `cancelled` are the
    cancelled slots of each series before `since`; `complete` is False when `slots` was cut at
    the export's limit (then dates after the last one are not excluded). CPU-bound: run it off the
    event loop."""
    by_series: dict[int, list[Slot]] = {}
    for slot in slots:
        by_series.setdefault(slot.series_id, []).append(slot)
    last_due = slots[-1].due_at if slots and not complete else None
    events: list[IcsEvent] = []
    for series_id, own in by_series.items():
        current = series.get(series_id)
        if current is None:
            continue
        events.extend(
            _series_events(community, current, own, cancelled.get(series_id, []), since, now, label, last_due)
        )
    return events


def _series_events(
    community: str,
    series: Series,
    slots: list[Slot],
    cancelled: list[datetime],
    since: datetime,
    now: datetime,
    label: Label,
    last_due: datetime | None,
) -> list[IcsEvent]:
    zone = ZoneInfo(series.timezone)
    uid = f"calendar-series-{series.id}@{host(community)}"
    rule = _exported_rule(series, slots)
    first: list[datetime] = []
    dates: list[datetime] = []
    if rule is not None:
        try:
            lower = min(since, *(slot.slot_at for slot in slots))
            first = occurrences(
                rule,
                series.start_local,
                series.timezone,
                after=_first_moment(series) - _TICK,
                until=_first_moment(series) + _FIRST_WITHIN,
                limit=1,
            )
            dates = occurrences(
                rule,
                series.start_local,
                series.timezone,
                after=lower - _TICK,
                until=series.materialised_until,
                limit=MAX_OCCURRENCES,
            )
        except (RuleError, OverflowError):  # a stored rule that no longer reads (the planner disables it)
            rule, first = None, []
    if rule is None or not first:
        return [_single(community, series, slot, zone, now, label) for slot in slots]
    on_rule = set(dates)
    shown = {slot.slot_at for slot in slots}
    excluded = [
        date for date in dates if date >= since and date not in shown and (last_due is None or date <= last_due)
    ]
    excluded += [date for date in cancelled if date >= first[0]]
    events = [
        IcsEvent(
            uid,
            series.title,
            first[0].astimezone(zone),
            label(series.channel_id, series.owner_id),
            now,
            sequence=series.revision,
            rule=rule,
            exdates=tuple(date.astimezone(zone) for date in sorted(set(excluded))),
        )
    ]
    for slot in slots:
        if slot.slot_at not in on_rule:
            events.append(_single(community, series, slot, zone, now, label))
            continue
        events.append(
            IcsEvent(
                uid,
                slot.title,
                slot.due_at.astimezone(zone),
                _entry_label(slot, label),
                now,
                sequence=series.revision,
                recurrence_id=slot.slot_at.astimezone(zone),
            )
        )
    return events


def _single(community: str, series: Series, slot: Slot, zone: ZoneInfo, now: datetime, label: Label) -> IcsEvent:
    return IcsEvent(
        f"calendar-{slot.id}@{host(community)}",
        slot.title,
        slot.due_at.astimezone(zone),
        _entry_label(slot, label),
        now,
        sequence=series.revision,
    )


def _entry_label(slot: Slot, label: Label) -> str:
    return f"{label(slot.channel_id, slot.owner_id)} · #{slot.id}"


def _exported_rule(series: Series, slots: list[Slot]) -> str | None:
    """The series' rule, ended at its last occurrence shown when the series is cancelled; None for a
    one-off or a disabled series."""
    if series.rule is None or series.disabled:
        return None
    if not series.cancelled:
        return series.rule
    last = max(slot.slot_at for slot in slots)
    return _END.sub("", series.rule).strip(";") + f";UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _first_moment(series: Series) -> datetime:
    return series.start_local.replace(tzinfo=ZoneInfo(series.timezone), fold=0).astimezone(UTC)
