"""The workspace directory: members (users.info / users.list), channels (conversations.list) and
user groups (usergroups.list), cached in memory for a few minutes, paged, and searched by mention
(`<@U123>`, `<#C123|name>`), id or name for the parameter resolvers.

Only names and ids are kept, in memory; nothing here is written to the database.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.folding import fold
from bot.platforms.slack.errors import error_code

log = logging.getLogger("affinity.slack.directory")

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]+")
PAGE_SIZE = 200
GROUPS_RETRY = 600  # seconds before usergroups.list is tried again after a failure
_FAILURES = (SlackApiError, SlackClientError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True, slots=True)
class SlackUser:
    """What the bot needs to know about a member."""

    id: str
    handle: str
    display: str
    real_name: str = ""
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    locale: str | None = None
    is_guest: bool = False  # a multi- or single-channel guest: reads only the channels they are in
    team_id: str = ""  # the member's home workspace (another one for Slack Connect members)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a member may be called by: display name, handle, real name."""
        return tuple(n for n in (self.display, self.handle, self.real_name) if n)


def user_from(data: Mapping[str, Any]) -> SlackUser:
    """A `user` object of the Web API or of a `team_join` event."""
    profile = data.get("profile") or {}
    handle = str(data.get("name") or "")
    real = str(profile.get("real_name") or data.get("real_name") or "")
    display = str(profile.get("display_name") or "") or real or handle or str(data["id"])
    return SlackUser(
        id=str(data["id"]),
        handle=handle,
        display=display,
        real_name=real,
        is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
        is_bot=bool(data.get("is_bot")) or data.get("id") == "USLACKBOT",
        deleted=bool(data.get("deleted")),
        locale=data.get("locale") if isinstance(data.get("locale"), str) else None,
        is_guest=bool(data.get("is_restricted") or data.get("is_ultra_restricted") or data.get("is_stranger")),
        team_id=str(data.get("team_id") or ""),
    )


class Directory:
    """Cached members, channels and user groups of the one workspace the bot token belongs to."""

    def __init__(
        self, client: AsyncWebClient, *, ttl: float = 600.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.now = now  # monotonic seconds; tests may swap it
        self._users: dict[str, tuple[SlackUser, float]] = {}
        self._channels: dict[str, str] = {}
        self._groups: dict[str, frozenset[str]] = {}
        self._loaded: dict[str, float] = {}  # "users" / "channels" / "groups" -> when listed
        self._locks = {kind: asyncio.Lock() for kind in ("users", "channels", "groups")}
        self._groups_failed_at: float | None = None  # when usergroups.list last failed

    def _waiting_for_groups(self) -> bool:
        """True for `GROUPS_RETRY` seconds after usergroups.list failed."""
        failed = self._groups_failed_at
        return failed is not None and self.now() - failed < GROUPS_RETRY

    def _fresh(self, kind: str) -> bool:
        loaded = self._loaded.get(kind)
        return loaded is not None and self.now() - loaded < self.ttl

    # ------------------------------------------------------------ members

    def remember(self, data: Mapping[str, Any]) -> SlackUser:
        """Cache a user object Slack sent (users.info, users.list, team_join)."""
        user = user_from(data)
        self._users[user.id] = (user, self.now())
        return user

    async def user(self, user_id: str) -> SlackUser | None:
        """A member, from the cache when fresh, else users.info; None when Slack does not know them."""
        entry = self._users.get(user_id)
        if entry is not None and self.now() - entry[1] < self.ttl:
            return entry[0]
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if error_code(exc) == "user_not_found":
                self._users.pop(user_id, None)
                return None
            if entry is not None:  # a stale answer beats none
                return entry[0]
            raise
        return self.remember(response["user"])

    async def load_users(self, *, force: bool = False) -> None:
        """List every member (paged) unless the list is fresh."""
        async with self._locks["users"]:
            if self._fresh("users") and not force:
                return
            async for page in self._pages("users_list", "members", include_locale=True):
                for data in page:
                    self.remember(data)
            self._loaded["users"] = self.now()

    async def count_people(self) -> int:
        """How many people the workspace has: users.list paged (200 a page), deactivated accounts, bots and
        Slackbot left out (guests counted: they are people of the workspace). One page per 200 accounts, so
        call it rarely (the digest asks once a day); the members seen refresh the name cache on the way.
        Raises what the Web API client raises."""
        people = 0
        async with self._locks["users"]:
            async for page in self._pages("users_list", "members", include_locale=True):
                for data in page:
                    if not isinstance(data, Mapping) or not data.get("id"):
                        continue  # hostile or broken input counts as nobody
                    user = self.remember(data)
                    # `is_bot` is false on Slackbot, hence its id: it is nobody's member either.
                    if not (user.deleted or user.is_bot or user.id == "USLACKBOT"):
                        people += 1
            self._loaded["users"] = self.now()
        return people

    def display_name(self, user_id: str) -> str:
        """A member's display name, or the id when not cached yet."""
        entry = self._users.get(user_id)
        return entry[0].display if entry else user_id

    def member_names(self) -> list[str]:
        """Display names of known members (for did-you-mean)."""
        return sorted({u.display for u, _ in self._users.values() if not u.deleted and not u.is_bot})

    async def find_member(self, raw: str) -> str | None:
        """The id of the member `raw` designates: a mention, an id, or a name (with or without @)."""
        text = raw.strip()
        mention = _USER_MENTION.fullmatch(text)
        if mention:
            return mention.group(1)  # Slack wrote the mention itself: the member exists
        if _USER_ID.fullmatch(text):
            try:
                if await self.user(text) is not None:
                    return text
            except _FAILURES as exc:
                log.warning("users.info failed while resolving %s: %s", text, exc)
        wanted = fold(text.lstrip("@"))
        if not wanted:
            return None
        await self._try(self.load_users)
        for user, _ in self._users.values():
            if not user.deleted and wanted in {fold(name) for name in user.names}:
                return user.id
        return None

    async def groups_of(self, user_id: str) -> frozenset[str]:
        """Ids of the user groups (`<!subteam^S1>`) a member belongs to; empty without usergroups:read.

        After a failure (no usergroups:read, Slack down...), usergroups.list is not asked again for
        `GROUPS_RETRY` seconds: messages and commands get the groups last listed (or none) at once
        instead of each waiting on a call that fails."""
        if self._waiting_for_groups():
            return self._groups.get(user_id, frozenset())
        async with self._locks["groups"]:
            if not self._fresh("groups") and not self._waiting_for_groups():
                try:
                    response = await self.client.usergroups_list(include_users=True)
                except _FAILURES as exc:
                    code = error_code(exc) if isinstance(exc, SlackApiError) else str(exc) or type(exc).__name__
                    log.warning(
                        "usergroups.list failed (%s): no new roles from user groups for %d minutes",
                        code,
                        GROUPS_RETRY // 60,
                    )
                    self._groups_failed_at = self.now()
                    return self._groups.get(user_id, frozenset())
                self._groups_failed_at = None
                members: dict[str, set[str]] = {}
                for group in response.get("usergroups") or []:
                    for member in group.get("users") or []:
                        members.setdefault(str(member), set()).add(str(group["id"]))
                self._groups = {member: frozenset(ids) for member, ids in members.items()}
                self._loaded["groups"] = self.now()
        return self._groups.get(user_id, frozenset())

    # ------------------------------------------------------------ channels

    def remember_channel(self, channel_id: str, name: str) -> None:
        """Cache a channel's name (after a create or a rename, or from a mention)."""
        if name:
            self._channels[channel_id] = name

    def forget_channels(self) -> None:
        """Make the next lookup list channels again (the bot joined one, say)."""
        self._loaded.pop("channels", None)

    async def load_channels(self, *, force: bool = False) -> None:
        """List public and private channels the bot can see (paged) unless the list is fresh."""
        async with self._locks["channels"]:
            if self._fresh("channels") and not force:
                return
            async for page in self._pages(
                "conversations_list", "channels", exclude_archived=True, types="public_channel,private_channel"
            ):
                for channel in page:
                    self.remember_channel(str(channel["id"]), str(channel.get("name") or ""))
            self._loaded["channels"] = self.now()

    def channel_name(self, channel_id: str) -> str:
        """A channel's name without '#', or the id when unknown."""
        return self._channels.get(channel_id, channel_id)

    def known_channel_name(self, channel_id: str) -> str | None:
        """A channel's cached name, None when not cached."""
        return self._channels.get(channel_id)

    def channel_names(self) -> list[str]:
        """Names of known channels (for did-you-mean)."""
        return sorted(set(self._channels.values()))

    async def find_channel(self, raw: str) -> str | None:
        """The id of the channel `raw` designates: a mention, an id, or a name (with or without #)."""
        text = raw.strip()
        mention = _CHANNEL_MENTION.fullmatch(text)
        if mention:
            self.remember_channel(mention.group(1), mention.group(2) or "")
            return mention.group(1)
        if _CHANNEL_ID.fullmatch(text):
            if text not in self._channels:
                await self._try(self.load_channels)
            if text in self._channels:
                return text
        wanted = fold(text.lstrip("#"))
        if not wanted:
            return None
        await self._try(self.load_channels)
        return next((cid for cid, name in self._channels.items() if fold(name) == wanted), None)

    # ------------------------------------------------------------ plumbing

    async def _pages(self, method: str, key: str, **args: Any) -> AsyncIterator[list[dict[str, Any]]]:
        cursor: str | None = None
        while True:
            response = await getattr(self.client, method)(limit=PAGE_SIZE, cursor=cursor, **args)
            yield list(response.get(key) or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    async def _try(self, load: Callable[[], Any]) -> None:
        """Refresh a list; on failure keep what is cached (a lookup must not crash a command)."""
        try:
            await load()
        except _FAILURES as exc:
            log.warning("Slack directory refresh failed: %s", exc)
