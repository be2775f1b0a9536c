"""What editing a whole series changes, worked out without I/O.

A series edit changes the series' definition and every still-planned occurrence ahead. An
occurrence follows the series for a field when it still holds the series' value for it: a field
changed on that occurrence alone (`/calendar edit 12 title:...`) is kept, and so is a due time
moved on its own (`due_at` differs from its slot).

A new time is a new wall-clock start in the series' own zone; the rule repeats from it. The
occurrences ahead (slots after now, in order) are paired by rank with the new slots, so each keeps
its number: the first one ahead takes the first new slot, and so on. A published, skipped,
cancelled or individually moved occurrence keeps its time and uses up its rank (or the new slot it
already sits on), so no extra occurrence appears in its place. A rule with COUNT keeps the number
of occurrences it had left; when the rule ends sooner from the new start (UNTIL), the planned
occurrences left without a slot are cancelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.when.recurrence import occurrences

__all__ = ["FIELDS", "Change", "Current", "NoSlots", "Occurrence", "Plan", "plan"]

FIELDS = ("title", "channel_id", "owner_id", "remind")
"""The columns a series and its occurrences share (besides the time)."""
FAR = timedelta(days=366 * 50)  # how far a finite rule (COUNT) is counted ahead
COUNT_LIMIT = 10_000
_COUNT = re.compile(r"(?<![A-Z])COUNT=\d+")


class NoSlots(Exception):
    """The rule yields no date from the new start (an UNTIL or COUNT already over)."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """An occurrence as a series edit sees it: its slot (rank in the rule) and its own values."""

    id: int
    slot_at: datetime
    due_at: datetime
    status: str
    revision: int
    title: str
    channel_id: str
    owner_id: str | None
    remind: str

    def value(self, name: str) -> str | None:
        """The occurrence's value of a shared field."""
        return {"title": self.title, "channel_id": self.channel_id, "owner_id": self.owner_id, "remind": self.remind}[
            name
        ]


@dataclass(frozen=True, slots=True)
class Current:
    """The series' definition before the edit."""

    title: str
    channel_id: str
    owner_id: str | None
    remind: str
    rule: str | None
    start_local: datetime
    timezone: str

    def value(self, name: str) -> str | None:
        """The series' value of a shared field."""
        return {"title": self.title, "channel_id": self.channel_id, "owner_id": self.owner_id, "remind": self.remind}[
            name
        ]


@dataclass(frozen=True, slots=True)
class Change:
    """What the manager asked for: new shared values (None = unchanged) and a new local start."""

    values: dict[str, str]
    start_local: datetime | None = None


@dataclass(slots=True)
class Plan:
    """The series' new columns, each occurrence's new columns, and what the reply reports."""

    series: dict[str, str] = field(default_factory=dict)
    updates: dict[int, dict[str, str | datetime]] = field(default_factory=dict)
    revisions: dict[int, int] = field(default_factory=dict)
    cancelled: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    first: datetime | None = None
    materialised_until: datetime | None = None


def plan(current: Current, rows: list[Occurrence], change: Change, now: datetime) -> Plan:
    """The edit of a recurring series at `now`; `rows` are its occurrences with a slot or a due time
    after now. Raises NoSlots when a new start leaves the rule without any date."""
    result = Plan(series=dict(change.values))
    ahead = [r for r in rows if r.status == "planned" and r.due_at > now]
    kept: set[int] = set()
    for row in ahead:
        for name, new in change.values.items():
            if row.value(name) == new:
                continue
            if row.value(name) == current.value(name):
                _update(result, row)[name] = new
            else:
                kept.add(row.id)  # changed on its own: keeps its value
    if change.start_local is not None:
        kept |= _retime(result, current, rows, change.start_local, now)
    result.cancelled.sort()
    result.kept = sorted(kept - set(result.cancelled))
    return result


def _update(result: Plan, row: Occurrence) -> dict[str, str | datetime]:
    result.revisions[row.id] = row.revision
    return result.updates.setdefault(row.id, {})


def _retime(result: Plan, current: Current, rows: list[Occurrence], start_local: datetime, now: datetime) -> set[int]:
    """Pair the slots ahead with the new rule's slots by rank; returns the ids keeping their own time."""
    rule = current.rule
    if rule is not None and _COUNT.search(rule):
        left = len(
            occurrences(rule, current.start_local, current.timezone, after=now, until=now + FAR, limit=COUNT_LIMIT)
        )
        if not left:
            raise NoSlots  # COUNT=0 is no rule: every date of it is already past
        rule = _COUNT.sub(f"COUNT={left}", rule)
    ranked = sorted((r for r in rows if r.slot_at > now), key=lambda r: r.slot_at)
    slots = occurrences(rule, start_local, current.timezone, after=now, until=now + FAR, limit=max(len(ranked), 1))
    if not slots:
        raise NoSlots
    result.series["start_local"] = start_local.isoformat()
    if rule != current.rule and rule is not None:
        result.series["rule"] = rule
    result.first = slots[0]
    result.materialised_until = slots[-1] if ranked else now
    # An occurrence that stays where it is and sits exactly on a new slot is that slot; the others are
    # paired with the remaining new slots by rank.
    follow = {r.id for r in ranked if r.status == "planned" and r.due_at > now and r.due_at == r.slot_at}
    exact = {r.slot_at for r in ranked if r.id not in follow} & set(slots)
    free = iter([slot for slot in slots if slot not in exact])
    for row in ranked:
        if row.id not in follow:
            if row.slot_at not in exact:
                next(free, None)  # it uses up its rank: no extra occurrence appears in its place
            continue
        slot = next(free, None)
        if slot is None:
            result.cancelled.append(row.id)  # the rule ends sooner from the new start
            result.revisions[row.id] = row.revision
            result.updates.pop(row.id, None)
        elif slot != row.slot_at:
            update = _update(result, row)
            update["slot_at"] = slot
            update["due_at"] = slot
    # Planned occurrences ahead moved on their own keep their time.
    return {r.id for r in rows if r.status == "planned" and r.due_at > now and r.due_at != r.slot_at}
