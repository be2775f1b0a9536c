"""Digest figures for questions: counts (asked, answered, solved; answered questions closed in the period
because their asker never confirmed them, never counted as solved), median and 90th percentile of the time
to a first answer (in seconds), share answered within 24 hours, still waiting, per language. Pure.

The digest counts in SQL (`QuestionsRepo.asked_counts`, `answer_times`, `waiting_count`) and gives
`summary` the counts per language and the waits; `figures` computes the same from one `Asked` per question.
A figure with nothing to compute (a median with no answered question, a share of no question) is None,
never 0.
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


@dataclass(frozen=True, slots=True)
class LanguageCount:
    """How many questions of one language were asked in the period, and how many of them are solved."""

    language: str
    asked: int
    solved: int
    solved_unanswered: int = 0
    """Solved by their asker before anyone answered (found it themselves): answered, with no wait to show."""


DAY_SECONDS = 86_400.0


def seconds_between(asked_at: datetime, answered_at: datetime) -> float:
    """The wait for a first answer, in seconds."""
    return (answered_at - asked_at) / timedelta(seconds=1)


def figures(asked: Sequence[Asked], still_waiting: int, unconfirmed: int = 0) -> dict[str, float | int | None]:
    """Stable snake_case figures for the digest section, from one `Asked` per question."""
    languages = Counter(q.language for q in asked)
    solved = Counter(q.language for q in asked if q.solved)
    alone = Counter(q.language for q in asked if q.solved and q.answered_at is None)
    counts = [
        LanguageCount(language, count, solved[language], alone[language]) for language, count in languages.items()
    ]
    waits = [seconds_between(q.asked_at, q.answered_at) for q in asked if q.answered_at is not None]
    return summary(counts, waits, still_waiting, unconfirmed)


def summary(
    counts: Sequence[LanguageCount], waits: Sequence[float], still_waiting: int, unconfirmed: int = 0
) -> dict[str, float | int | None]:
    """Stable snake_case figures for the digest section, from the counts per language and the seconds each
    answered question waited for its first answer. `still_waiting` is the full count (never a list's length);
    `unconfirmed`, the answered questions closed in the period because their asker never confirmed them."""
    asked = sum(c.asked for c in counts)
    within = sum(1 for seconds in waits if seconds <= DAY_SECONDS)
    result: dict[str, float | int | None] = {
        "asked": asked,
        # A question its asker solved alone is answered too: "solved 1, answered 0" would contradict itself.
        "answered": len(waits) + sum(c.solved_unanswered for c in counts),
        "solved": sum(c.solved for c in counts),
        # Closed in the period as answered, not confirmed, and still so (whenever asked: the closing comes
        # `confirm_after_days` after the answer, so counted by the questions asked in the period it would read 0
        # in every fresh digest). Never in `solved`.
        "unconfirmed": unconfirmed,
        "median_first_answer": _round(median(waits)),
        "p90_first_answer": _round(percentile(waits, 0.9)),
        # Of the questions asked (not of those answered): a question never answered is not answered in 24 h.
        "answered_within_24h_share": round(within / asked, 4) if asked else None,
        "still_waiting": still_waiting,
    }
    # Every language given, even at zero: the caller passes the languages of the recent past too, so a
    # language asked last week and not this one reads "3 → 0", not a figure that vanished.
    for count in sorted(counts, key=lambda c: c.language):
        result[f"asked_{count.language}"] = count.asked
    return result


def _round(value: float | None) -> int | None:
    """Whole seconds: finer than any reader needs, and the same in the CSV and the text."""
    return None if value is None else round(value)
