"""Adherence: how each occurrence turned out (on time, late, missed, skipped) and the figures a
manager reads in the digest, per owner and per channel, with streaks of regular slots."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["Outcome", "Summary", "best_runs", "outcome_of", "streaks", "summarise"]

# What an occurrence can be, as shown in the agenda and counted in the digest.
PLANNED = "planned"
PUBLISHED = "published"
LATE = "late"
MISSED = "missed"
SKIPPED = "skipped"
CANCELLED = "cancelled"
OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One occurrence as adherence sees it."""

    series_id: int
    owner_id: str | None
    channel_id: str
    due_at: datetime
    status: str
    published_at: datetime | None


def outcome_of(
    status: str, due_at: datetime, published_at: datetime | None, now: datetime, late_after: timedelta
) -> str:
    """The shown status: stored `published` splits into on time / late; a past-due `planned` is overdue."""
    if status == PUBLISHED:
        return LATE if published_at is not None and published_at > due_at + late_after else PUBLISHED
    if status == PLANNED and due_at <= now:
        return OVERDUE
    return status


@dataclass
class Summary:
    """Counts over a period, overall and per owner / channel."""

    totals: Counter[str] = field(default_factory=Counter)
    by_owner: dict[str | None, Counter[str]] = field(default_factory=dict)
    by_channel: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def due(self) -> int:
        """Occurrences whose time has come and that were not skipped: published (on time or late), missed
        or overdue. Adherence is the share of them published on time."""
        return self.totals[PUBLISHED] + self.totals[LATE] + self.totals[MISSED] + self.totals[OVERDUE]

    def adherence(self) -> float | None:
        """Published on time / due; None when nothing was due (no data, never 0 %)."""
        return self.totals[PUBLISHED] / self.due if self.due else None

    def figures(self) -> dict[str, int]:
        """Stable snake_case figures for the digest."""
        return {
            "planned": sum(self.totals.values()),
            "published_on_time": self.totals[PUBLISHED],
            "published_late": self.totals[LATE],
            "missed": self.totals[MISSED],
            "skipped": self.totals[SKIPPED],
            "pending": self.totals[PLANNED] + self.totals[OVERDUE],
        }


def summarise(outcomes: Iterable[Outcome], now: datetime, late_after: timedelta) -> Summary:
    """Counts per shown status; cancelled occurrences are not counted at all."""
    summary = Summary()
    for item in outcomes:
        if item.status == CANCELLED:
            continue
        shown = outcome_of(item.status, item.due_at, item.published_at, now, late_after)
        summary.totals[shown] += 1
        summary.by_owner.setdefault(item.owner_id, Counter())[shown] += 1
        summary.by_channel.setdefault(item.channel_id, Counter())[shown] += 1
    return summary


def streaks(outcomes: Sequence[Outcome], now: datetime, late_after: timedelta) -> dict[int, int]:
    """Per series: how many of its latest resolved slots in a row were published on time.

    Skipped slots (announced in advance) neither break nor extend a streak; cancelled ones are
    ignored; slots still open do not count yet."""
    result: dict[int, int] = {}
    broken: set[int] = set()
    for item in sorted(outcomes, key=lambda o: o.due_at, reverse=True):
        shown = outcome_of(item.status, item.due_at, item.published_at, now, late_after)
        if item.series_id in broken or shown in (CANCELLED, SKIPPED, PLANNED, OVERDUE):
            continue
        if shown == PUBLISHED:
            result[item.series_id] = result.get(item.series_id, 0) + 1
        else:
            broken.add(item.series_id)
            result.setdefault(item.series_id, 0)
    return result


def best_runs(outcomes: Sequence[Outcome], now: datetime, late_after: timedelta) -> dict[int, int]:
    """Per series: the longest run of resolved slots published on time in a row, over `outcomes` (the
    record, where `streaks` is the run still going). Skipped, cancelled and still open slots neither break
    nor extend a run, as in `streaks`."""
    best: dict[int, int] = {}
    running: dict[int, int] = {}
    for item in sorted(outcomes, key=lambda o: o.due_at):
        shown = outcome_of(item.status, item.due_at, item.published_at, now, late_after)
        if shown in (CANCELLED, SKIPPED, PLANNED, OVERDUE):
            continue
        running[item.series_id] = running.get(item.series_id, 0) + 1 if shown == PUBLISHED else 0
        best[item.series_id] = max(best.get(item.series_id, 0), running[item.series_id])
    return best
