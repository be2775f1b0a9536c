"""Digest figures for questions: counts, median and 90th percentile of the time to a first answer,
share answered within 24 hours, per language. Pure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Asked:
    """What the digest needs about one question asked in the period."""

    language: str
    asked_at: datetime
    answered_at: datetime | None
    solved: bool


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (0 < share <= 1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The median of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def figures(asked: Sequence[Asked], still_waiting: int) -> dict[str, float | int | None]:
    """Stable snake_case figures for the digest section."""
    waits = [(q.answered_at - q.asked_at) / timedelta(hours=1) for q in asked if q.answered_at is not None]
    within = sum(1 for hours in waits if hours <= 24)
    result: dict[str, float | int | None] = {
        "asked": len(asked),
        "answered": len(waits),
        "solved": sum(1 for q in asked if q.solved),
        "median_hours_to_first_answer": _round(median(waits)),
        "p90_hours_to_first_answer": _round(percentile(waits, 0.9)),
        "answered_within_24h_share": round(within / len(asked), 3) if asked else None,
        "still_waiting": still_waiting,
    }
    for language, count in sorted(Counter(q.language for q in asked).items()):
        result[f"asked_{language}"] = count
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
