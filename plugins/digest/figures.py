"""Digest figures: the counts a period's rollups give, the ratios derived from them, and the digest's own
sections of typed metrics (`reach`, `engagement`). Pure: no I/O (labels are lazy `Text`).

Definitions (also in docs/digest.md):
- active members: distinct members who posted or reacted at least once in the period;
- posting members: distinct members who posted;
- replies: messages posted as a reply to another message; thread messages: messages inside threads;
- reactions per message: reactions added in the period / messages posted in the period (a ratio).
Joins and departures belong to the community size section (`members`), and the share of messages that got
a reply to the quality section: one definition each, computed where the data for it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from bot.i18n import Msg, _
from bot.plugin import Metric, MetricKind

Figure = int | float | None

REACH_KEYS: tuple[str, ...] = (
    "active_members",
    "posting_members",
    "messages",
    "active_channels",
)
ENGAGEMENT_KEYS: tuple[str, ...] = (
    "replies",
    "thread_messages",
    "reactions",
    "reactions_per_message",
)
FIGURE_KEYS: tuple[str, ...] = REACH_KEYS + ENGAGEMENT_KEYS


@dataclass(frozen=True, slots=True)
class Counts:
    """What the rollups say about one period (joins and departures only tell a quiet period from another:
    the community size section shows them)."""

    active_members: int = 0
    posting_members: int = 0
    new_members: int = 0
    left_members: int = 0
    messages: int = 0
    active_channels: int = 0
    replies: int = 0
    thread_messages: int = 0
    reactions: int = 0

    @property
    def quiet(self) -> bool:
        """True when nothing at all happened."""
        return not any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True, slots=True)
class Ranked:
    """One entry of a top list: a channel, a member or a language id and its count."""

    id: str
    count: int


def ratio(numerator: int, denominator: int, *, cap: float | None = None, digits: int = 2) -> float | None:
    """numerator / denominator rounded, or None when the denominator is zero (never a division by zero)."""
    if denominator <= 0:
        return None
    value = numerator / denominator
    if cap is not None:
        value = min(value, cap)
    return round(value, digits)


LABELS: Mapping[str, Msg] = {
    "active_members": _("Active members"),
    "posting_members": _("Posting members"),
    "messages": _("Messages"),
    "active_channels": _("Active channels"),
    "replies": _("Replies"),
    "thread_messages": _("Thread messages"),
    "reactions": _("Reactions"),
    "reactions_per_message": _("Reactions per message"),
}
KINDS: Mapping[str, MetricKind] = {"reactions_per_message": "ratio"}


def figures_of(counts: Counts | None) -> dict[str, Figure]:
    """Every figure of a period under its stable snake_case key; all None for a period without data."""
    if counts is None:
        return dict.fromkeys(FIGURE_KEYS)
    values: dict[str, Figure] = {f.name: getattr(counts, f.name) for f in fields(counts)}
    values["reactions_per_message"] = ratio(counts.reactions, counts.messages)
    return {key: values[key] for key in FIGURE_KEYS}


def metrics_of(counts: Counts | None, keys: Sequence[str]) -> tuple[Metric, ...]:
    """The typed metrics of `keys` (previous values are filled later, by the service)."""
    values = figures_of(counts)
    return tuple(Metric(key, LABELS[key], values[key], KINDS.get(key, "count")) for key in keys)


def shares(ranked: Sequence[Ranked]) -> list[tuple[str, int]]:
    """Each entry's share of the total in whole percent (largest remainders, so they add up to 100)."""
    total = sum(r.count for r in ranked)
    if total <= 0:
        return []
    exact = [r.count * 100 / total for r in ranked]
    floors = [int(x) for x in exact]
    missing = 100 - sum(floors)
    order = sorted(range(len(ranked)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return [(r.id, pct) for r, pct in zip(ranked, floors, strict=True)]
