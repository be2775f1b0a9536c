"""The Slack platform: one workspace (the bot token's), reached through slack-bolt in Socket Mode or
HTTP mode. It checks the token at start (auth.test), routes events to the dispatcher as neutral
events, runs slash commands and buttons, sends replies and edits them, manages group channels (`Spaces`)
and answers directory lookups. Slack keeps no event listing of its own: no `NativeEvents` here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import SlackConfig
from bot.formatting import LocalReply
from bot.i18n import Translator
from bot.model import Capability, ChannelRef, CommunityRef, Message, MessageRef, Target, UserRef
from bot.platforms.base import EventSink, PlatformError
from bot.platforms.slack import translate
from bot.platforms.slack.access import Access
from bot.platforms.slack.app import HttpReceiver, SocketReceiver, bolt_app, retry_handlers, web_client
from bot.platforms.slack.commands import CommandRunner
from bot.platforms.slack.delivery import Delivery
from bot.platforms.slack.directory import Directory
from bot.platforms.slack.errors import error_code
from bot.platforms.slack.render import Renderer
from bot.platforms.slack.spaces import SlackSpaces
from bot.platforms.slack.translate import PLATFORM
from bot.platforms.slack.verification import RequestCheck

log = logging.getLogger("affinity.slack")

STOP_GRACE = 5.0  # seconds given to commands in flight when the bot stops
# Counting the workspace's members pages through users.list (a Tier 2 method, one page per 200 accounts):
# once a day is what the digest records, and a failure is not retried at every digest check.
COUNT_EVERY = timedelta(hours=20)
COUNT_RETRY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SlackSecrets:
    """What `create` read from the environment: the tokens, the signing secret and the HTTP port."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    port: int


class SlackPlatform:
    """Slack, as the core sees it: the Platform protocol plus the Spaces protocol."""

    name = PLATFORM
    capabilities = frozenset(
        {
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.EPHEMERAL,
            Capability.DIRECT_MESSAGES,
            Capability.BUTTONS,
            Capability.CREATE_CHANNEL,
            Capability.ATTACHMENTS,
            Capability.EDIT_MESSAGE,
        }
    )

    def __init__(
        self,
        config: SlackConfig,
        secrets: SlackSecrets,
        *,
        sink: EventSink,
        translator: Translator,
        now: Callable[[], datetime],
        nouns: Callable[[], Collection[str]],
    ) -> None:
        self.config = config
        self.secrets = secrets
        self.sink = sink
        self.now = now
        # Unix seconds for Slack's request timestamps: the real time even when the app's clock is
        # frozen or moved (tests, the console's /advance). Tests may swap it before start.
        self.wall_clock: Callable[[], float] = time.time
        self.client = web_client(secrets.bot_token, config.api_base)
        self.bolt: AsyncApp = bolt_app(self.client, secrets.signing_secret or "")
        self.renderer = Renderer(config.command_prefix, nouns)
        self.directory = Directory(self.client)
        self.access = Access(self.client, self.directory, lambda: self.team_id)
        self.delivery = Delivery(self.client, self.renderer, retry_handlers())
        self.team_id = ""
        self.bot_user_id = ""
        self.workspace_url = ""
        self.commands = CommandRunner(
            sink=sink,
            directory=self.directory,
            delivery=self.delivery,
            renderer=self.renderer,
            translator=translator,
            now=now,
            team_id=lambda: self.team_id,
        )
        self.spaces = SlackSpaces(self.client, self.directory, lambda: self.team_id)
        self.receiver: HttpReceiver | SocketReceiver | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._warmup: asyncio.Task[None] | None = None
        self._count: tuple[datetime, int] | None = None  # when the members were last counted, and how many
        self._count_failed_at: datetime | None = None
        self._listen()

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is set: Slack is reached through a websocket."""
        return self.secrets.app_token is not None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Check the token, then connect (Socket Mode) or listen (HTTP mode); returns when ready."""
        await self._authenticate()
        if self.secrets.app_token is not None:
            self.receiver = SocketReceiver(self.bolt, self.secrets.app_token, self.client, self.config.app_token_env)
        else:
            check = RequestCheck(self.secrets.signing_secret or "", now=self.wall_clock)
            self.receiver = HttpReceiver(self.bolt, self.config.host, self.secrets.port, self.config.path, check)
        await self.receiver.start()
        self._warmup = asyncio.ensure_future(self._warm_up())

    async def _authenticate(self) -> None:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            raise PlatformError(
                f"Slack: the bot token in {self.config.bot_token_env} was refused "
                f"({error_code(exc)}); check it starts with xoxb- and the app is installed "
                "in the workspace"
            ) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as exc:
            raise PlatformError(f"Slack: cannot reach {self.config.api_base} ({exc or type(exc).__name__})") from None
        self.team_id = str(auth["team_id"])
        self.bot_user_id = str(auth.get("user_id") or "")
        self.workspace_url = str(auth.get("url") or "").rstrip("/")
        log.info("Slack: connected to %s as %s", auth.get("team"), auth.get("user"))

    async def _warm_up(self) -> None:
        """Fill the name caches so digests and lists show names, not ids."""
        try:
            await self.directory.load_users()
            await self.directory.load_channels()
        except Exception as exc:
            log.warning("Slack: could not list members and channels yet: %s", exc)

    async def stop(self) -> None:
        """Stop receiving, give commands in flight a moment to answer, then stop the rest."""
        if self.receiver is not None:
            receiver, self.receiver = self.receiver, None
            await receiver.stop()
        if self._warmup is not None:
            self._warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._warmup
            self._warmup = None
        pending = [task for task in self._inflight if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=STOP_GRACE)

    # ------------------------------------------------------------ listeners

    def _listen(self) -> None:
        bolt = self.bolt
        bolt.event("message")(self._on_message)
        bolt.event("reaction_added")(self._on_reaction)
        bolt.event("team_join")(self._on_team_join)
        bolt.event("member_joined_channel")(self._on_member_joined_channel)
        bolt.event("member_left_channel")(self._on_member_left_channel)
        bolt.command(self.renderer.command_pattern())(self._on_command)
        bolt.action(self.renderer.action_pattern())(self._on_button)
        bolt.error(self._on_error)

    @contextlib.contextmanager
    def _tracked(self, what: str) -> Iterator[None]:
        """Remember the running listener so `stop` waits for it; log what it raised."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        except Exception:
            log.exception("Slack: handling %s failed", what)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _on_message(self, event: dict[str, Any]) -> None:
        with self._tracked("a message"):
            neutral = translate.message_event(event, self.team_id, self.now())
            if isinstance(neutral, Message) and not neutral.author_is_bot:
                # User groups are Slack's roles: filters exempt moderators by them.
                roles = await self.directory.groups_of(neutral.author.user_id)
                neutral = replace(neutral, author_roles=roles)
            if neutral is not None:
                await self.sink.handle(neutral)

    async def _on_reaction(self, event: dict[str, Any]) -> None:
        with self._tracked("a reaction"):
            neutral = translate.reaction_event(event, self.team_id, self.now())
            if neutral is not None:
                await self.sink.handle(neutral)

    async def _on_team_join(self, event: dict[str, Any]) -> None:
        with self._tracked("a new member"):
            if isinstance(event.get("user"), dict) and event["user"].get("id"):
                self.directory.remember(event["user"])
            neutral = translate.team_join_event(event, self.team_id, self.now())
            if neutral is not None:
                await self.sink.handle(neutral)

    async def _on_member_joined_channel(self, event: dict[str, Any]) -> None:
        # Not a community event: the channel's members changed, and when the bot was invited, the
        # channel list too.
        self.access.forget_members(str(event.get("channel") or ""))
        if event.get("user") == self.bot_user_id:
            self.directory.forget_channels()

    async def _on_member_left_channel(self, event: dict[str, Any]) -> None:
        # Whoever left no longer reads the channel: its member list is asked again.
        self.access.forget_members(str(event.get("channel") or ""))

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        with self._tracked(f"command {command.get('command')}"):
            await ack()  # first of all: Slack shows an error to the member after 3 seconds
            await self.commands.slash_command(command)

    async def _on_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        with self._tracked("a button"):
            await ack()
            await self.commands.button(body)

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack: bolt failed on a %s request: %s", body.get("type", "?"), error)

    # ------------------------------------------------------------ sending

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Post to a channel or thread, or to a member's DMs (opened with conversations.open)."""
        if isinstance(target, UserRef):
            channel = ChannelRef(PLATFORM, target.workspace_id, await self.delivery.dm_channel(target.user_id))
        else:
            channel = target
        ts = await self.delivery.post(channel.channel_id, reply, thread_ts=channel.thread_id)
        return MessageRef(channel, ts) if ts else None

    async def edit_message(self, ref: MessageRef, reply: LocalReply) -> bool:
        """Replace a message the bot posted (chat.update: same channel, same ts); False when it is gone."""
        return await self.delivery.update(ref.channel.channel_id, ref.message_id, reply)

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Whether a member may read a channel (a thread: its channel); None when Slack cannot tell.

        Public channels: every full member; guests and members of other workspaces only when in it.
        Private channels and group DMs: their members. DMs: False. See `access.py`."""
        if user.workspace_id != channel.workspace_id:
            return None
        return await self.access.can_read(user.user_id, channel.channel_id)

    async def member_count(self, community: CommunityRef) -> int | None:
        """The workspace's people (`Directory.count_people`): users.list, paged, asked at most once per
        `COUNT_EVERY` (a count a few hours old is the day's count) and not again within `COUNT_RETRY` after a
        failure, which is logged and answered None (a rate limit past the client's retries, an outage)."""
        if community.workspace_id != self.team_id or not self.team_id:
            return None
        now = self.now()
        if self._count is not None and now - self._count[0] < COUNT_EVERY:
            return self._count[1]
        if self._count_failed_at is not None and now - self._count_failed_at < COUNT_RETRY:
            return None
        try:
            people = await self.directory.count_people()
        except Exception as exc:  # a rate limit, an outage, an answer that is not JSON: no count today
            self._count_failed_at = now
            log.warning("Slack: could not count the workspace's members: %s", exc)
            return None
        self._count, self._count_failed_at = (now, people), None
        return people

    def link(self, ref: MessageRef) -> str | None:
        """The message's permalink (`https://team.slack.com/archives/C1/p1700000000000100`)."""
        if not self.workspace_url:
            return None
        channel = ref.channel
        url = f"{self.workspace_url}/archives/{channel.channel_id}/p{ref.message_id.replace('.', '')}"
        if channel.thread_id and channel.thread_id != ref.message_id:
            url += f"?thread_ts={channel.thread_id}&cid={channel.channel_id}"
        return url

    # ------------------------------------------------------------ directory

    def member_name(self, user: UserRef) -> str:
        """The member's display name (the id until it is known)."""
        return self.directory.display_name(user.user_id)

    def channel_name(self, channel: ChannelRef) -> str:
        """The channel's name without '#' (the id until it is known)."""
        return self.directory.channel_name(channel.channel_id)

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A member from `<@U123>`, `U123`, `@name` or a name."""
        found = await self.directory.find_member(raw)
        return UserRef(PLATFORM, community.workspace_id, found) if found else None

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A channel from `<#C123|name>`, `C123`, `#name` or a name."""
        found = await self.directory.find_channel(raw)
        return ChannelRef(PLATFORM, community.workspace_id, found) if found else None

    def member_names(self, community: CommunityRef) -> list[str]:
        """Known member names, for did-you-mean."""
        return self.directory.member_names()

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Known channel names, for did-you-mean."""
        return self.directory.channel_names()
