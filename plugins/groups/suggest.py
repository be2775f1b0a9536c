"""Which groups to suggest to a member: shared tags with their groups, and proximity.

Pure ranking over plain values; the plugin feeds it the groups, the member's tags and location.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.geo import haversine_km
from plugins.groups.names import tag_key

NEAR_BONUS = 3.0  # a local group whose area contains you weighs as much as three shared tags


@dataclass(frozen=True, slots=True)
class Candidate:
    """A group the member is not in, with what the ranking needs."""

    name: str
    tags: tuple[str, ...]
    members: int
    lat: float | None = None
    lon: float | None = None
    radius_km: int | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested group and why."""

    name: str
    shared_tags: tuple[str, ...]
    distance_km: float | None
    score: float


def rank(
    candidates: Iterable[Candidate], my_tags: Sequence[str], where: tuple[float, float] | None, limit: int = 5
) -> list[Suggestion]:
    """The best groups first: shared tags, then nearness, then size; groups with no reason are dropped
    unless the member has neither tags nor a location (then the largest groups are suggested)."""
    mine = {tag_key(t) for t in my_tags}  # folded: following `cafe` shares a group's `Café`
    found: list[Suggestion] = []
    for cand in candidates:
        shared = tuple(t for t in cand.tags if tag_key(t) in mine)  # the group's spelling
        distance = None
        near = 0.0
        if where is not None and cand.lat is not None and cand.lon is not None and cand.radius_km:
            distance = haversine_km(where[0], where[1], cand.lat, cand.lon)
            if distance <= cand.radius_km:
                near = NEAR_BONUS * (1.0 - distance / (cand.radius_km + 1.0)) + 1.0
        score = len(shared) + near
        if score == 0 and (mine or where is not None):
            continue
        found.append(Suggestion(cand.name, shared, distance, score + cand.members / 10_000))
    found.sort(key=lambda s: (-s.score, s.name))
    return found[:limit]
