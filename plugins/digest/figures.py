"""Digest figures: the counts a period's rollups give, the ratios derived from them, and the change
from one period to the next. Pure: no I/O, no translation.

Definitions (also in docs/digest.md):
- active members: distinct members who posted or reacted at least once in the period;
- posting members: distinct members who posted;
- replies: messages posted as a reply to another message; thread messages: messages inside threads;
- reactions per message: reactions added in the period / messages posted in the period;
- reply share: an ESTIMATE of the share of messages that received a reply, computed as
  replies / messages (capped at 1). The daily rollups count replies, not which messages were
  answered, so several replies to one message count several times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

Figure = int | float | None

REACH_KEYS: tuple[str, ...] = (
    "active_members",
    "posting_members",
    "new_members",
    "left_members",
    "messages",
    "active_channels",
)
ENGAGEMENT_KEYS: tuple[str, ...] = (
    "replies",
    "thread_messages",
    "reactions",
    "reactions_per_message",
    "reply_share",
)
FIGURE_KEYS: tuple[str, ...] = REACH_KEYS + ENGAGEMENT_KEYS


@dataclass(frozen=True, slots=True)
class Counts:
    """What the rollups say about one period."""

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


@dataclass(frozen=True, slots=True)
class Change:
    """How a figure moved since the previous period.

    `kind` is "up", "down", "same", "new" (from zero to something) or "none" (no figure to compare);
    `percent` is the absolute relative change, rounded, when it makes sense."""

    kind: str
    percent: float | None = None


def ratio(numerator: int, denominator: int, *, cap: float | None = None, digits: int = 2) -> float | None:
    """numerator / denominator rounded, or None when the denominator is zero (never a division by zero)."""
    if denominator <= 0:
        return None
    value = numerator / denominator
    if cap is not None:
        value = min(value, cap)
    return round(value, digits)


def figures_of(counts: Counts) -> dict[str, Figure]:
    """Every figure of a period, under its stable snake_case key."""
    values: dict[str, Figure] = {f.name: getattr(counts, f.name) for f in fields(counts)}
    values["reactions_per_message"] = ratio(counts.reactions, counts.messages)
    # Replies and thread messages both answer something (threads are the norm on Slack); an estimate,
    # since one message can get several replies: capped at 1 and labelled as such.
    values["reply_share"] = ratio(counts.replies + counts.thread_messages, counts.messages, cap=1.0, digits=3)
    return {key: values[key] for key in FIGURE_KEYS}


def change(current: Figure, previous: Figure) -> Change:
    """The change from `previous` to `current`; from 0 to something is "new", never a division by zero."""
    if current is None:
        return Change("none")
    if previous is None or previous == 0:
        return Change("same", 0.0) if current == 0 else Change("new")
    percent = round(abs(current - previous) * 100 / abs(previous))
    if current > previous:
        return Change("up", percent)
    if current < previous:
        return Change("down", percent)
    return Change("same", 0.0)


def changes(current: Mapping[str, Figure], previous: Mapping[str, Figure]) -> dict[str, Change]:
    """The change of every figure present in `current`."""
    return {key: change(value, previous.get(key)) for key, value in current.items()}


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
