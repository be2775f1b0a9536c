"""The groups feature's records: frozen dataclasses for rows, the statuses of a group, and the
conversion of times to stored text (the same fixed-width ISO-8601 UTC form as the core's
`bot.storage.times`, which plugins may not import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.times import from_db as from_db
from bot.storage.times import to_db as to_db

ACTIVE, PENDING, ARCHIVED = "active", "pending", "archived"


@dataclass(frozen=True, slots=True)
class Group:
    """One group as stored."""

    id: int
    community: str
    name: str
    kind: str
    description: str
    tags: tuple[str, ...]
    private: bool
    status: str
    city_id: int | None
    city_name: str | None
    country: str | None
    lat: float | None
    lon: float | None
    radius_km: int | None
    channel_id: str | None
    role_id: str | None
    ownerless: bool
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """A member of a group."""

    user_id: str
    is_owner: bool
    notify: bool
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic opened in a group's space."""

    id: int
    title: str
    tags: tuple[str, ...]
    channel_id: str | None
    thread_id: str | None
    message_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Location:
    """A member's opt-in location: a city, never finer."""

    city_id: int
    city_name: str
    country: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class NewGroup:
    """What creating a group writes."""

    name: str
    name_key: str
    kind: str
    description: str
    tags: tuple[str, ...]
    private: bool
    status: str
    city: Location | None
    radius_km: int | None
    created_by: str
