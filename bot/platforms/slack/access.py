"""Who may read a Slack channel (`can_read`), so that watch digests never show a member an excerpt
from a channel they cannot open.

- A public channel is readable by every full member of the workspace. Guests (`is_restricted`,
  `is_ultra_restricted`), members Slack marks `is_stranger` and members of another workspace (Slack
  Connect) read only the channels they are in.
- A private channel or a group DM is readable by its members only (`conversations.members`, paged).
- A DM (`D…`) is readable by no one else: the answer is False without asking Slack.
- A thread is its parent channel (only the channel id is looked at).
- Anything Slack does not answer (missing scope, channel not found, the bot not in a private channel,
  network) gives None, logged at debug: the caller then falls back to its own rule.

Channel kinds and member lists are cached for a few minutes (failures for one minute), in bounded
caches, so a digest run for hundreds of members asks Slack once per channel; members come from the
directory's cache (filled by users.list at start). Calls go through the platform's Web API client and
its retry handlers (429s, resets, 5xx). Nothing is written to the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.directory import PAGE_SIZE, Directory, SlackUser
from bot.platforms.slack.errors import error_code

log = logging.getLogger("affinity.slack.access")

TTL = 300.0  # seconds a channel's kind or member list is trusted
FAILURE_TTL = 60.0  # seconds an unanswered question is not asked again
MAX_CHANNELS = 1024  # channel kinds kept
MAX_MEMBER_LISTS = 128  # member lists kept (the largest entries)
MAX_USER_FAILURES = 1024  # members whose users.info failed, kept
MAX_PAGES = 250  # conversations.members pages read at most (50,000 members)

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ChannelKind:
    """What decides who reads a channel."""

    members_only: bool  # a private channel or a group DM
    direct: bool = False  # a DM between one member and the bot


class Expiring(Generic[V]):
    """A bounded map whose entries expire; the least recently used goes first when it is full."""

    def __init__(self, size: int, now: Callable[[], float]) -> None:
        self.size = size
        self.now = now
        self._items: OrderedDict[Hashable, tuple[V, float]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[V] | None:
        """`(value,)` while fresh, else None (a cached value may itself be None)."""
        entry = self._items.get(key)
        if entry is None:
            return None
        if entry[1] <= self.now():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return (entry[0],)

    def put(self, key: Hashable, value: V, ttl: float) -> None:
        """Keep `value` for `ttl` seconds."""
        self._items[key] = (value, self.now() + ttl)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: Hashable) -> None:
        """Forget one entry."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


def _why(exc: Exception) -> str:
    return error_code(exc) if isinstance(exc, SlackApiError) else str(exc) or type(exc).__name__


class Access:
    """Answers `can_read(user, channel)` for the workspace of the bot token."""

    def __init__(
        self,
        client: AsyncWebClient,
        directory: Directory,
        team_id: Callable[[], str],
        *,
        ttl: float = TTL,
        failure_ttl: float = FAILURE_TTL,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.directory = directory
        self.team_id = team_id
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self._kinds: Expiring[ChannelKind | None] = Expiring(MAX_CHANNELS, now)
        self._members: Expiring[frozenset[str] | None] = Expiring(MAX_MEMBER_LISTS, now)
        self._user_failures: Expiring[None] = Expiring(MAX_USER_FAILURES, now)
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def can_read(self, user_id: str, channel_id: str) -> bool | None:
        """True or False when Slack says; None when it cannot be told. Never raises."""
        if channel_id.startswith("D"):
            return False
        kind = await self._once(self._kinds, ("kind", channel_id), lambda: self._fetch_kind(channel_id))
        if kind is None:
            return None
        if kind.direct:
            return False
        if not kind.members_only:
            user = await self._user(user_id)
            if user is None:
                return None
            if user.deleted:
                return False
            if not self._outsider(user):
                return True
        members = await self._once(self._members, ("members", channel_id), lambda: self._fetch_members(channel_id))
        return None if members is None else user_id in members

    def forget_members(self, channel_id: str) -> None:
        """Someone joined or left the channel: list its members again next time."""
        self._members.pop(("members", channel_id))

    # ------------------------------------------------------------ lookups

    def _outsider(self, user: SlackUser) -> bool:
        """Guests and members of other workspaces read only the public channels they are in."""
        team = self.team_id()
        return user.is_guest or bool(user.team_id and team and user.team_id != team)

    async def _user(self, user_id: str) -> SlackUser | None:
        if self._user_failures.get(user_id) is not None:
            return None
        try:
            user = await self.directory.user(user_id)
        except Exception as exc:
            log.debug("Slack: cannot tell what %s reads: users.info failed (%s)", user_id, _why(exc))
            self._user_failures.put(user_id, None, self.failure_ttl)
            return None
        if user is None:
            log.debug("Slack: cannot tell what %s reads: user_not_found", user_id)
        return user

    async def _once(self, cache: Expiring[V], key: Hashable, fetch: Callable[[], Awaitable[tuple[V, bool]]]) -> V:
        """The cached value, else fetched once (concurrent askers wait for the same fetch)."""
        hit = cache.get(key)
        if hit is not None:
            return hit[0]
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                hit = cache.get(key)
                if hit is not None:
                    return hit[0]
                value, ok = await fetch()
                cache.put(key, value, self.ttl if ok else self.failure_ttl)
                return value
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def _fetch_kind(self, channel_id: str) -> tuple[ChannelKind | None, bool]:
        try:
            response = await self.client.conversations_info(channel=channel_id)
            data = response.get("channel")
        except Exception as exc:
            log.debug("Slack: cannot tell who reads %s: conversations.info failed (%s)", channel_id, _why(exc))
            return None, False
        if not isinstance(data, dict):
            log.debug("Slack: cannot tell who reads %s: conversations.info sent no channel", channel_id)
            return None, False
        if data.get("is_im"):
            return ChannelKind(members_only=True, direct=True), True
        # Only an explicit "is_private": false makes a channel public.
        members_only = bool(data.get("is_private") is not False or data.get("is_mpim") or data.get("is_group"))
        return ChannelKind(members_only=members_only), True

    async def _fetch_members(self, channel_id: str) -> tuple[frozenset[str] | None, bool]:
        members: set[str] = set()
        cursor: str | None = None
        try:
            for _ in range(MAX_PAGES):
                response = await self.client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
                members.update(str(member) for member in response.get("members") or [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    return frozenset(members), True
        except Exception as exc:
            log.debug("Slack: cannot tell who reads %s: conversations.members failed (%s)", channel_id, _why(exc))
            return None, False
        log.debug("Slack: cannot tell who reads %s: more than %d pages of members", channel_id, MAX_PAGES)
        return None, False
