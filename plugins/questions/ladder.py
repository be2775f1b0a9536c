"""The escalation ladder: when each step of an unanswered question falls due, with quiet hours,
and when a step whose send failed for an outage is tried again.

Pure: times in, times out. A step that would fall inside the community's quiet hours (local
time, e.g. 22:00-08:00, possibly across midnight) is moved to the end of those quiet hours; so is
the retry of a step that notifies people. A newcomer's first question (when the community gives it
priority) climbs a ladder whose nudge and escalation come after half the delays (`for_newcomer`).
When a community changes its ladder, `replanned` says when a question's pending step now falls due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

NUDGE = "nudge"
ESCALATE = "escalate"
WAITING = "waiting"
STEPS: tuple[str, ...] = (NUDGE, ESCALATE, WAITING)
SWEEP = "questions.ladder"  # the due-action kind that wakes the ladder of one community
# A step that failed for an outage waits as long as it is already late, within these bounds:
# 15 min, 15 min, 30 min, 1 h, then every hour (derived from the row: no attempt counter is stored).
RETRY_FIRST = timedelta(minutes=15)
RETRY_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of the ladder: its due-action kind and when it falls due."""

    kind: str
    due_at: datetime


def parse_clock(value: str) -> time:
    """'22:00' -> time(22, 0); ValueError on anything else."""
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


# `22:00`, `22h`, `22 h 30`, `8h00`, `08`: an hour, then optional minutes after `:`, `h` or `H`. Bounded input
# (the callers cut it to a few dozen characters) and a regex without nested repetition.
_CLOCK = re.compile(r"\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*")
_SPAN_SEPARATORS = re.compile(r"[-\u2010-\u2015]|\bto\b|\bà\b|\ba\b", re.IGNORECASE)
# The words for "no quiet hours" (as shown: "no quiet hours", « aucune heure calme »), compared case-folded.
NO_QUIET_HOURS = frozenset(
    {"off", "none", "no", "no quiet hours", "non", "aucune", "aucun", "aucune heure calme", "désactivé", "désactivées"}
)


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """`22:00-08:00`, `22h-8h`, `22 h 30 - 7 h`, `22h à 8h` -> (start, end); `off`, `none`, `aucune` (or
    nothing) -> None, no quiet hours. ValueError on anything else, and on a span that starts where it ends.
    """
    text = value.strip()
    if not text or text.casefold() in NO_QUIET_HOURS:  # the callers fold accents away where they must
        return None
    parts = _SPAN_SEPARATORS.split(text, maxsplit=2)
    if len(parts) != 2:
        raise ValueError(value)
    start, end = (_clock(part) for part in parts)
    if start == end:
        raise ValueError(value)
    return start, end


def format_quiet_hours(span: tuple[time, time] | None) -> str:
    """The canonical spelling of quiet hours, `22:00-08:00`; the empty string for none."""
    if span is None:
        return ""
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def _clock(part: str) -> time:
    match = _CLOCK.fullmatch(part)
    if match is None:
        raise ValueError(part)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(part)
    return time(hours, minutes)


def in_quiet_hours(moment: datetime, tz: str, start: time, end: time) -> bool:
    """True when the local time of `moment` lies in [start, end) (the span may cross midnight)."""
    if start == end:
        return False
    local = moment.astimezone(ZoneInfo(tz)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def out_of_quiet_hours(moment: datetime, tz: str, start: time, end: time) -> datetime:
    """`moment` itself, or the end of the quiet hours it falls in (aware, same zone as given)."""
    if not in_quiet_hours(moment, tz, start, end):
        return moment
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    wake = datetime.combine(day, end, tzinfo=zone)
    return wake.astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True)
class Ladder:
    """A community's ladder: delays after the question, quiet hours and time zone."""

    tz: str
    nudge_after: timedelta
    escalate_after: timedelta
    waiting_after: timedelta
    quiet_start: time
    quiet_end: time

    def step_after(self, previous: str | None, asked_at: datetime) -> Step | None:
        """The step that follows `previous` (None: the first one), or None after the last.

        The two steps that notify people avoid quiet hours; "still waiting" only flags the question."""
        following = (
            STEPS[0]
            if previous is None
            else next((STEPS[i + 1] for i, name in enumerate(STEPS[:-1]) if name == previous), None)
        )
        if following == NUDGE:
            return Step(NUDGE, self._awake(asked_at + self.nudge_after))
        if following == ESCALATE:
            return Step(ESCALATE, self._awake(asked_at + self.escalate_after))
        if following == WAITING:
            return Step(WAITING, asked_at + self.waiting_after)
        return None

    def due_at(self, kind: str, asked_at: datetime) -> datetime | None:
        """When step `kind` of a question asked at `asked_at` is planned (None for an unknown kind)."""
        return next((step.due_at for step in self.plan(asked_at) if step.kind == kind), None)

    def retry_at(self, kind: str, asked_at: datetime, now: datetime) -> datetime:
        """When to try again step `kind`, whose send failed at `now` for an outage.

        The wait grows with how late the step already is (`RETRY_FIRST` to `RETRY_MAX`), and the retry
        of a step that notifies people avoids quiet hours like the step itself."""
        planned = self.due_at(kind, asked_at) or now
        wait = min(max(now - planned, RETRY_FIRST), RETRY_MAX)
        moment = now + wait
        return self._awake(moment) if kind in (NUDGE, ESCALATE) else moment

    def plan(self, asked_at: datetime) -> list[Step]:
        """Every step of a question asked at `asked_at`, in order."""
        steps: list[Step] = []
        step = self.step_after(None, asked_at)
        while step is not None:
            steps.append(step)
            step = self.step_after(step.kind, asked_at)
        return steps

    def for_newcomer(self) -> Ladder:
        """The ladder of a newcomer's first question: the nudge and the escalation after half the delays.

        "Still waiting" keeps its delay: it is the digest's measure of a question left too long, the same
        for every question."""
        return replace(self, nudge_after=self.nudge_after / 2, escalate_after=self.escalate_after / 2)

    def _awake(self, moment: datetime) -> datetime:
        return out_of_quiet_hours(moment, self.tz, self.quiet_start, self.quiet_end)

    def awake(self, moment: datetime, step: str) -> datetime:
        """`moment`, moved out of quiet hours when `step` notifies people (the nudge, the escalation)."""
        return self._awake(moment) if step in (NUDGE, ESCALATE) else moment


def replanned(
    step: str,
    asked_at: datetime,
    current: datetime,
    old: Ladder,
    new: Ladder,
    *,
    sent_back_at: datetime | None = None,
) -> datetime:
    """When the pending `step` of a question asked at `asked_at`, now due at `current` under the `old`
    ladder, falls due under the `new` one.

    The step keeps its name (the steps already taken stay taken, the pending one is not skipped), only its
    time moves: to the new ladder's time, possibly already past (it then runs at the next sweep). A step
    postponed after an outage (due later than the old ladder planned) keeps its retry time when that is
    later: a change of settings is no reason to hammer a platform that is down. A question its asker sent
    back to waiting ("Not yet", at `sent_back_at`) keeps the grace it was given then: no step before the
    new ladder's nudge delay has passed since the asker's word (the helpers were just told)."""

    def planned(steps: Ladder) -> datetime | None:
        due = steps.due_at(step, asked_at)
        if due is None or sent_back_at is None:
            return due
        return max(due, steps.awake(sent_back_at + steps.nudge_after, step))

    planned_old, planned_new = planned(old), planned(new)
    if planned_new is None:
        return current
    if planned_old is not None and current > planned_old:
        return max(planned_new, current)
    return planned_new
