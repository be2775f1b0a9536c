"""The discord.py client: intents, configurable endpoints, sharding, and the start/ready/stop lifecycle.

Owns the `discord.Client` / `discord.AutoShardedClient` subclasses that forward gateway events to
the platform, and turns Discord's refusals at start (bad token, privileged intents) into one clear
`PlatformError` line for the operator.

Endpoints: discord.py builds every REST URL from the class attribute `discord.http.Route.BASE` and
connects to `DiscordWebSocket.DEFAULT_GATEWAY`. Patching those would move every client in the process,
so each client gets its own HTTP client that rebases route URLs and the gateway URL, and the interaction
webhooks (responses, follow-ups) go through a rebasing adapter installed in the context of the tasks
this client runs (discord.py reads the adapter from the `async_context` context variable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import discord
import yarl
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.config import DiscordConfig
from bot.platforms.base import PlatformError

log = logging.getLogger("affinity.discord")

DEFAULT_API_BASE = Route.BASE
DEFAULT_GATEWAY_HOST = "gateway.discord.gg"

PRIVILEGED_INTENTS_HELP = (
    "Discord refused the privileged intents (close code 4014): open the Developer Portal > your "
    'application > Bot, enable "Server Members Intent" and "Message Content Intent", then start again.'
)


@dataclass(frozen=True, slots=True)
class Timing:
    """Delays of the client; the defaults are Discord's, tests shorten them.

    `guild_ready` is how long discord.py waits after the last GUILD_CREATE before `ready`;
    `defer_after` is how long a command may run before its interaction is deferred (Discord
    allows 3 s); `upload_after` is how long after its arrival a reply with files is still sent as
    the response itself (later, it is deferred first: uploads are slow); `identify_spacing`
    separates the IDENTIFY of two shards; `ready_timeout` bounds `start()`."""

    guild_ready: float = 2.0
    defer_after: float = 2.0
    upload_after: float = 1.0
    identify_spacing: float = 5.0
    ready_timeout: float = 180.0


def intents() -> discord.Intents:
    """Guilds, guild and direct messages, message content, members and reactions."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    chosen.message_content = True
    chosen.members = True
    chosen.guild_reactions = True
    return chosen


def rebase(url: str, api_base: str) -> str:
    """A URL built on Discord's REST base, moved to `api_base`."""
    base = api_base.rstrip("/")
    if base != DEFAULT_API_BASE and url.startswith(DEFAULT_API_BASE):
        return base + url[len(DEFAULT_API_BASE) :]
    return url


def regateway(url: str, gateway_url: str | None) -> str:
    """Discord's gateway URL moved to the configured one (query kept); other URLs unchanged."""
    if not gateway_url:
        return url
    parsed = yarl.URL(url)
    if parsed.host != DEFAULT_GATEWAY_HOST:
        return url
    return str(yarl.URL(gateway_url).with_query(parsed.query))


class RoutedHTTPClient(HTTPClient):
    """discord.py's HTTP client, sending to this client's REST base and gateway."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, api_base: str, gateway_url: str | None) -> None:
        super().__init__(loop)
        self.api_base = api_base
        self.gateway_url = gateway_url

    async def request(self, route: Route, **kwargs: Any) -> Any:
        """Send one REST request, rebased."""
        route.url = rebase(route.url, self.api_base)
        return await super().request(route, **kwargs)

    async def ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        """Open the gateway websocket at the configured URL."""
        return await super().ws_connect(regateway(url, self.gateway_url), compress=compress)


class RoutedWebhookAdapter(AsyncWebhookAdapter):
    """discord.py's webhook adapter (interaction responses and follow-ups), rebased."""

    def __init__(self, api_base: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # discord.py leaves this __init__ unannotated
        self.api_base = api_base

    async def request(self, route: Route, *args: Any, **kwargs: Any) -> Any:
        """Send one webhook request, rebased."""
        route.url = rebase(route.url, self.api_base)
        return await super().request(route, *args, **kwargs)


class ClientEvents(Protocol):
    """What the platform does with the gateway events it listens to."""

    async def on_ready(self) -> None:
        """Every shard is connected and the guilds are cached (again after a reconnect)."""
        ...

    async def on_message(self, message: discord.Message) -> None:
        """A message was posted."""
        ...

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A message changed."""
        ...

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A message was deleted."""
        ...

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A reaction was added."""
        ...

    async def on_member_join(self, member: discord.Member) -> None:
        """A member joined a guild."""
        ...

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member left (or was removed from) a guild."""
        ...

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A slash command, an autocomplete request or a button press."""
        ...


class _Forwarding:
    """Gateway event methods that hand each event to the platform (discord.py finds them by name)."""

    events: ClientEvents
    timing: Timing

    async def on_ready(self) -> None:
        await self.events.on_ready()

    async def on_message(self, message: discord.Message) -> None:
        await self.events.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.events.on_raw_message_edit(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.events.on_raw_message_delete(payload)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.events.on_raw_reaction_add(payload)

    async def on_member_join(self, member: discord.Member) -> None:
        await self.events.on_member_join(member)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.events.on_raw_member_remove(payload)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.events.on_interaction(interaction)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per 5 s per bucket; the spacing is configurable for tests.
        if not initial:
            await asyncio.sleep(self.timing.identify_spacing)


def _route(client: discord.Client, config: DiscordConfig) -> None:
    """Give the client its own rebasing HTTP client (also used by its connection state)."""
    routed = RoutedHTTPClient(client.loop, api_base=config.api_base, gateway_url=config.gateway_url)
    client.http = routed
    client._connection.http = routed


# Nothing pings unless a message says so: each reply lists the members and roles it mentions on purpose.
_MENTIONS = discord.AllowedMentions.none()


class AffinityClient(_Forwarding, discord.Client):
    """One gateway connection."""

    def __init__(self, events: ClientEvents, config: DiscordConfig, timing: Timing) -> None:
        super().__init__(
            intents=intents(),
            chunk_guilds_at_startup=False,
            allowed_mentions=_MENTIONS,
            guild_ready_timeout=timing.guild_ready,
        )
        self.events, self.timing = events, timing
        _route(self, config)


class AffinityShardedClient(_Forwarding, discord.AutoShardedClient):
    """Several shards in one process (`shard_count`, optionally only `shard_ids`)."""

    def __init__(self, events: ClientEvents, config: DiscordConfig, timing: Timing) -> None:
        sharding: dict[str, Any] = {"shard_count": config.shard_count}
        if config.shard_ids is not None:
            sharding["shard_ids"] = list(config.shard_ids)
        super().__init__(
            intents=intents(),
            chunk_guilds_at_startup=False,
            allowed_mentions=_MENTIONS,
            guild_ready_timeout=timing.guild_ready,
            **sharding,
        )
        self.events, self.timing = events, timing
        _route(self, config)


def check_sharding(config: DiscordConfig) -> None:
    """Refuse shard settings that cannot work, before connecting."""
    if config.shard_ids is not None and config.shard_count is None:
        raise PlatformError("Discord: platforms.discord.shard_ids needs platforms.discord.shard_count")
    if config.shard_ids is not None and config.shard_count is not None:
        wrong = [i for i in config.shard_ids if not 0 <= i < config.shard_count]
        if wrong or not config.shard_ids:
            raise PlatformError(
                f"Discord: platforms.discord.shard_ids must be between 0 and "
                f"{config.shard_count - 1} (got {config.shard_ids})"
            )


def make_client(events: ClientEvents, config: DiscordConfig, timing: Timing) -> discord.Client:
    """A sharded client when `shard_count` is set, else a single connection."""
    check_sharding(config)
    # The bot never uses voice: discord.py's warnings about missing voice libraries are only noise.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    if config.shard_count is not None:
        return AffinityShardedClient(events, config, timing)
    return AffinityClient(events, config, timing)


def shard_ids(client: discord.Client) -> Iterable[int]:
    """The shards this process runs (0 alone without sharding)."""
    if isinstance(client, discord.AutoShardedClient):
        return client.shard_ids or range(client.shard_count or 1)
    return (0,)


def explain(exc: BaseException, config: DiscordConfig) -> PlatformError:
    """One line for the operator saying what Discord refused and what to do."""
    # Advice about the token, not a token:
    token = (
        "Discord refused the bot token in {env} ({why}): copy it again from the Developer Portal > "  # noqa: S105
        "your application > Bot > Reset Token, and set {env}."
    )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return PlatformError(PRIVILEGED_INTENTS_HELP)
    if isinstance(exc, discord.LoginFailure):
        return PlatformError(token.format(env=config.token_env, why="HTTP 401"))
    if isinstance(exc, discord.ConnectionClosed):
        if exc.code == 4004:
            return PlatformError(token.format(env=config.token_env, why="close code 4004"))
        if exc.code == 4011:
            return PlatformError(
                "Discord requires sharding for this bot (close code 4011): set "
                "platforms.discord.shard_count (see docs/discord.md)."
            )
        if exc.code == 4010:
            return PlatformError(
                "Discord refused the shard settings (close code 4010): check "
                "platforms.discord.shard_count and shard_ids."
            )
        return PlatformError(f"Discord closed the gateway connection (close code {exc.code}): {exc.reason}")
    if isinstance(exc, discord.HTTPException):
        return PlatformError(f"Discord answered HTTP {exc.status} at start: {exc.text or exc}")
    if isinstance(exc, (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound)):
        return PlatformError(f"Discord: cannot reach {config.api_base} or its gateway ({exc or type(exc).__name__})")
    return PlatformError(f"Discord: could not start ({type(exc).__name__}: {exc})")


class Connection:
    """Runs one client in its own task: `open` returns once ready, `close` disconnects."""

    def __init__(self, client: discord.Client, config: DiscordConfig, timing: Timing) -> None:
        self.client = client
        self.config = config
        self.timing = timing
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self, token: str) -> None:
        """Log in and connect; raise `PlatformError` with a clear line when Discord refuses."""
        self._task = asyncio.create_task(self._run(token), name="discord-client")
        waiter = asyncio.ensure_future(self.ready.wait())
        done, _pending = await asyncio.wait(
            {self._task, waiter}, timeout=self.timing.ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter in done:
            self._task.add_done_callback(self._ended)
            return
        waiter.cancel()
        if self._task in done:
            failure = self._task.exception()
            if failure is None:
                raise PlatformError("Discord: the connection closed before it was ready")
            raise explain(failure, self.config) from failure
        await self.close()
        raise PlatformError(f"Discord: not ready after {self.timing.ready_timeout:g} s; check the network and the log")

    async def _run(self, token: str) -> None:
        # Every task the client starts from here inherits this context, so interaction responses
        # and follow-ups use the rebasing adapter.
        async_context.set(RoutedWebhookAdapter(self.config.api_base))
        try:
            await self.client.login(token)
            await self.client.connect(reconnect=True)
        finally:
            if not self.client.is_closed():
                await self.client.close()

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or (self.client.is_closed() and task.exception() is None):
            return
        failure = task.exception()
        if failure is not None:
            log.critical("the Discord connection ended: %s", explain(failure, self.config))

    async def close(self) -> None:
        """Disconnect and wait (briefly) for the client task to end."""
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
