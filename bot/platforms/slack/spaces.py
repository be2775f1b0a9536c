"""Group channels on Slack (the `Spaces` protocol of bot/protocols.py): conversations.create (public
or private), invite, kick, rename, setTopic and archive. Slack has no roles, so a space is just its
channel; and a bot cannot delete a channel, so deleting one archives it.

Slack keeps the names of archived channels taken. So a creation or a rename whose name is taken
retries with `-2`, `-3`... (a few times, within the 80 characters), and archiving (or deleting) first
renames the channel `<name>-archived-<channel id>`, freeing its name for a new group.

Adding a member who is already there, or removing one who is not, succeeds: plugins may retry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.folding import fold
from bot.formatting import slack_escape
from bot.model import ChannelRef, CommunityRef, DeliveryError, Space, UserRef
from bot.platforms.slack.directory import Directory
from bot.platforms.slack.errors import delivery_error, error_code
from bot.platforms.slack.translate import PLATFORM

log = logging.getLogger("affinity.slack.spaces")

MAX_NAME = 80
MAX_TOPIC = 250
NAME_TRIES = 5  # the name itself, then name-2 ... name-5
_TAKEN = frozenset({"name_taken"})
_INVALID = re.compile(r"[^a-z0-9_\-\u00c0-\uffff]+")


def channel_name(name: str) -> str:
    """A valid Slack channel name: lowercase, no accents, words joined by '-', at most 80 characters."""
    words = _INVALID.sub("-", fold(name).replace(" ", "-"))
    clean = re.sub(r"-{2,}", "-", words).strip("-_")
    return clean[:MAX_NAME].rstrip("-_") or "group"


def suffixed(name: str, suffix: str) -> str:
    """A channel name ending with `suffix`, the name cut so that the whole fits in 80 characters."""
    return name[: MAX_NAME - len(suffix)].rstrip("-_") + suffix


def archive_suffix(channel_id: str) -> str:
    """What an archived channel's name ends with: unique, since channel ids are."""
    return f"-archived-{channel_id.lower()}"


class SlackSpaces:
    """Creates and manages group channels in the workspace of the bot token."""

    def __init__(self, client: AsyncWebClient, directory: Directory, team_id: Callable[[], str]) -> None:
        self.client = client
        self.directory = directory
        self.team_id = team_id

    async def _call(
        self, method: str, *, tolerate: frozenset[str] = frozenset(), **args: object
    ) -> AsyncSlackResponse | None:
        try:
            response: AsyncSlackResponse = await getattr(self.client, method)(**args)
            return response
        except SlackApiError as exc:
            if error_code(exc) in tolerate:
                return None
            raise delivery_error(exc) from exc
        except Exception as exc:
            raise delivery_error(exc) from exc

    async def create_space(
        self, community: CommunityRef, name: str, *, topic: str = "", private: bool = False, forum: bool = False
    ) -> Space:
        """Create a channel (Slack has no forums: a forum is a plain channel with threads)."""
        if community.platform != PLATFORM:
            raise DeliveryError("unsupported", f"not a Slack community: {community.key}")
        response, _used = await self._named("conversations_create", channel_name(name), is_private=private)
        channel = response.get("channel")
        if not isinstance(channel, dict) or "id" not in channel:
            raise DeliveryError("failed", "conversations.create returned no channel")
        channel_id, created = str(channel["id"]), str(channel.get("name") or "")
        self.directory.remember_channel(channel_id, created)
        if topic.strip():
            # A topic is a nicety: a refusal must not undo a channel that exists.
            try:  # a member's description: escaped, so no ping and no masked link
                await self._call(
                    "conversations_setTopic", channel=channel_id, topic=slack_escape(topic.strip()[:MAX_TOPIC])
                )
            except DeliveryError as exc:
                log.warning("the topic of #%s could not be set: %s", created, exc)
        return Space(ChannelRef(PLATFORM, community.workspace_id, channel_id))

    async def _named(self, method: str, base: str, **args: object) -> tuple[AsyncSlackResponse, str]:
        """Call `method` (create or rename) with the name `base`, then `base-2` ... `base-5` while Slack
        answers `name_taken`; returns the answer and the name given. Other refusals are raised at once."""
        for attempt in range(1, NAME_TRIES + 1):
            candidate = base if attempt == 1 else suffixed(base, f"-{attempt}")
            response = await self._call(method, name=candidate, tolerate=_TAKEN, **args)
            if response is not None:
                return response, candidate
            log.info("the channel name #%s is taken", candidate)
        raise DeliveryError("failed", "name_taken")

    async def add_member(self, space: Space, user: UserRef) -> None:
        """Invite a member to the channel."""
        await self._call(
            "conversations_invite",
            channel=space.channel.channel_id,
            users=user.user_id,
            tolerate=frozenset({"already_in_channel"}),
        )

    async def remove_member(self, space: Space, user: UserRef) -> None:
        """Remove a member from the channel."""
        await self._call(
            "conversations_kick",
            channel=space.channel.channel_id,
            user=user.user_id,
            tolerate=frozenset({"not_in_channel"}),
        )

    async def rename_space(self, space: Space, name: str) -> None:
        """Rename the channel; a taken name is retried with a number, as at creation."""
        channel_id = space.channel.channel_id
        response, used = await self._named("conversations_rename", channel_name(name), channel=channel_id)
        channel = response.get("channel")
        renamed = channel.get("name") if isinstance(channel, dict) else None
        self.directory.remember_channel(channel_id, str(renamed or used))

    async def archive_space(self, space: Space) -> None:
        """Archive the channel (read-only and out of the sidebar), renamed first to free its name."""
        channel_id = space.channel.channel_id
        await self._free_name(channel_id)
        await self._call("conversations_archive", channel=channel_id, tolerate=frozenset({"already_archived"}))

    async def delete_space(self, space: Space) -> None:
        """Archive the channel: Slack does not let bots delete channels."""
        await self.archive_space(space)

    async def _free_name(self, channel_id: str) -> None:
        """Rename the channel `<name>-archived-<id>`: Slack keeps an archived channel's name taken."""
        current = await self._name_of(channel_id)
        suffix = archive_suffix(channel_id)
        if current.endswith(suffix):  # archived (or deleted) before
            return
        target = suffixed(current or "group", suffix)
        try:
            await self._call("conversations_rename", channel=channel_id, name=target)
        except DeliveryError as exc:  # archiving still matters more than the name
            log.warning(
                "#%s could not be renamed before archiving, its name stays taken: %s", current or channel_id, exc
            )
            return
        self.directory.remember_channel(channel_id, target)

    async def _name_of(self, channel_id: str) -> str:
        """The channel's current name: cached, else conversations.info; "" when Slack does not say."""
        known = self.directory.known_channel_name(channel_id)
        if known:
            return known
        try:
            response = await self._call("conversations_info", channel=channel_id)
        except DeliveryError as exc:
            log.info("conversations.info failed for %s: %s", channel_id, exc)
            return ""
        channel = response.get("channel") if response is not None else None
        return str(channel.get("name") or "") if isinstance(channel, dict) else ""
