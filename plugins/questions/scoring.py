"""The patience leaderboard: points for answering, weighted by how long the question waited,
whether the asker was a newcomer, and whether the answer ended the question solved. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

NEWCOMER_DAYS = 30


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each circumstance multiplies an answer's base point."""

    first_answer: float = 1.0
    solve_only: float = 0.5  # credited by the asker's thanks without being the first to answer
    wait_per_day: float = 0.5  # +50 % per day the question waited, capped
    wait_cap: timedelta = timedelta(days=3)
    newcomer: float = 1.5
    solved: float = 1.5


@dataclass(frozen=True, slots=True)
class Credit:
    """One answer credited to a helper."""

    helper: str
    wait: timedelta
    newcomer: bool
    solved: bool
    first: bool = True


@dataclass(frozen=True, slots=True)
class Standing:
    """A helper's place on the leaderboard."""

    helper: str
    points: float
    answers: int
    solved: int


def points(credit: Credit, weights: Weights = Weights()) -> float:
    """The points one credit is worth."""
    base = weights.first_answer if credit.first else weights.solve_only
    waited = min(max(credit.wait, timedelta()), weights.wait_cap)
    value = base * (1 + weights.wait_per_day * waited / timedelta(days=1))
    if credit.newcomer:
        value *= weights.newcomer
    if credit.solved:
        value *= weights.solved
    return value


def leaderboard(credits: Iterable[Credit], weights: Weights = Weights(), limit: int = 10) -> list[Standing]:
    """Helpers by points (then answers, then id), best first."""
    totals: dict[str, list[float]] = {}
    for credit in credits:
        entry = totals.setdefault(credit.helper, [0.0, 0, 0])
        entry[0] += points(credit, weights)
        entry[1] += 1 if credit.first else 0
        entry[2] += 1 if credit.solved else 0
    ranked = sorted(totals.items(), key=lambda item: (-round(item[1][0], 6), -item[1][1], item[0]))
    return [Standing(helper, round(p, 1), int(a), int(s)) for helper, (p, a, s) in ranked[:limit]]
