"""The escalation ladder: when each step of an unanswered question falls due, with quiet hours,
and when a step whose send failed for an outage is tried again.

Pure: times in, times out. A step that would fall inside the community's quiet hours (local
time, e.g. 22:00-08:00, possibly across midnight) is moved to the end of those quiet hours; so is
the retry of a step that notifies people.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    def _awake(self, moment: datetime) -> datetime:
        return out_of_quiet_hours(moment, self.tz, self.quiet_start, self.quiet_end)
