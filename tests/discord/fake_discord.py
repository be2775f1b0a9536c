"""A fake Discord on 127.0.0.1 for end-to-end tests of the real discord.py client.

One aiohttp server serves the gateway websocket (`/gateway`: HELLO, IDENTIFY -> READY and GUILD_CREATE,
heartbeats ACKed, member queries answered, dispatches pushed by the test) and the REST routes the bot
uses (`/api/v10/...`), recording every call with its body, files and audit-log reason. Modes: close the
gateway with a code on IDENTIFY (4014, 4004), refuse a route (403/50013...), answer 429 once, answer
5xx to the next N matching requests or until healed (an outage), members whose DMs are closed.
Like Discord, an interaction takes one callback: a second one gets 400 (40060), and an application-command
payload Discord would refuse (a name not lower case or not a Discord name, two options reading the same in
one language, a description over 100 characters) gets 400 (50035).
Objects the bot creates over REST are echoed on the gateway like Discord does
(CHANNEL_CREATE, GUILD_ROLE_CREATE, THREAD_CREATE...).
GUILD_CREATE carries the guild's `member_count` (every member, bots included; `set_member_count` makes a
large guild listing fewer members than it counts); `member_joins` and `member_leaves` change it and push
GUILD_MEMBER_ADD / GUILD_MEMBER_REMOVE.
The bot holds a managed role with the invite's permissions (`revoke_bot_permission` takes one off). Messages
the bot posted can be edited (404 for an unknown one); guild scheduled events are kept per guild
(`FakeGuild.scheduled_events`) with Discord's checks: its form limits, its status moves (scheduled to
active or cancelled, active to completed) and Create/Manage Events held by the bot.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from bot.platforms.discord import PERMISSIONS
from tests.discord import payloads as p
from tests.discord.rest import RestRoutes, json_response

API = "/api/v10"


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]]
    reason: str | None
    status: int = 0

    @property
    def data(self) -> dict[str, Any]:
        """The message part of an interaction callback (or the body itself)."""
        body = self.body if isinstance(self.body, dict) else {}
        inner = body.get("data")
        return inner if isinstance(inner, dict) else body


@dataclass
class Outage:
    """Server errors for matching requests: `remaining` more of them, or every one when None."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int | None
    after_work: bool = False  # the request is carried out, then answered with the error (a lost answer)

    def takes(self, call: Call) -> bool:
        """Whether this outage answers `call` (counting it down)."""
        if self.method != call.method or not self.pattern.fullmatch(call.path) or self.remaining == 0:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


@dataclass
class FakeGuild:
    """A guild the fake serves, with names for its ids."""

    id: int
    name: str
    everyone: int
    payload: dict[str, Any]
    channels: dict[str, int] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    scheduled_events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id, as Discord returns them

    def channel(self, name: str) -> dict[str, Any]:
        """The payload of a channel (or thread) by name."""
        wanted = self.channels[name]
        for item in [*self.payload["channels"], *self.payload["threads"]]:
            if int(item["id"]) == wanted:
                return item
        raise KeyError(name)

    def member(self, name: str) -> dict[str, Any]:
        """The member payload of a user by name."""
        user_id = self.users[name]["id"]
        return next(m for m in self.payload["members"] if m["user"]["id"] == user_id)

    def user_id(self, name: str) -> int:
        """A member's id by name."""
        return int(self.users[name]["id"])


@dataclass
class Sent:
    """An interaction the test pushed."""

    id: int
    token: str


class _Session:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.seq = 0
        self.shard = (0, 1)
        self.ready = False

    async def dispatch(self, name: str, data: Mapping[str, Any]) -> None:
        self.seq += 1
        await self.ws.send_json({"op": 0, "t": name, "s": self.seq, "d": data})


class FakeDiscord:
    """Gateway and REST on one local port."""

    def __init__(self, token: str = "fake.discord.token") -> None:
        self.token = token
        self.app_id = p.snowflake()
        self.bot = p.user(self.app_id, "affinity-bot", bot=True)
        self.guilds: dict[int, FakeGuild] = {}
        self.calls: list[Call] = []
        self.identifies: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.heartbeat_ms = 41250
        self.close_on_identify: int | None = None
        self.dm_closed: set[int] = set()
        self.dm_channels: dict[int, int] = {}
        self.refusals: list[tuple[str, re.Pattern[str], int, int, str]] = []
        self.limited_once: list[tuple[str, re.Pattern[str]]] = []
        self.outages: list[Outage] = []
        self.sessions: list[_Session] = []
        self.cdn: dict[str, bytes] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.rest = RestRoutes(self)

    # ------------------------------------------------------------ server

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name}", self._cdn)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ------------------------------------------------------------ the world

    def add_guild(self, name: str = "Affinity", *, shard: tuple[int, int] | None = None) -> FakeGuild:
        """A guild with #general (and a thread in it), a forum #ideas, alice (owner) and bob."""
        guild_id = p.snowflake(shard)
        moderators = p.snowflake()
        roles = [
            p.role(guild_id, "@everyone", permissions=(1 << 10) | (1 << 11), position=0),
            p.role(moderators, "Moderators", permissions=1 << 13, position=1),
        ]
        payload = p.guild(guild_id, name, owner_id=0, roles=roles, channels=[], members=[], threads=[])
        guild = FakeGuild(guild_id, name, guild_id, payload, roles={"Moderators": moderators})
        self.guilds[guild_id] = guild
        # Discord gives a bot added by its invite URL a managed role holding the permissions the URL asked for.
        bot_role = p.snowflake()
        payload["roles"].append(p.role(bot_role, self.bot["username"], permissions=PERMISSIONS.value, position=2))
        guild.roles[self.bot["username"]] = bot_role
        self._join(guild, self.bot, [bot_role])
        alice = self.add_member(guild, "alice")
        payload["owner_id"] = alice["id"]
        self.add_member(guild, "bob")
        self.add_channel(guild, "general")
        self.add_channel(guild, "ideas", kind=15)
        thread_id = p.snowflake()
        payload["threads"].append(
            p.thread(thread_id, guild_id, guild.channels["general"], "welcome-thread", int(alice["id"]))
        )
        guild.channels["welcome-thread"] = thread_id
        return guild

    def _join(self, guild: FakeGuild, user: dict[str, Any], roles: Iterable[int] = ()) -> dict[str, Any]:
        member = p.member(user, roles)
        guild.payload["members"].append(member)
        guild.users[user["username"]] = user
        guild.payload["member_count"] += 1  # Discord's count includes bots, the bot itself too
        return member

    async def revoke_bot_permission(self, guild: FakeGuild, bit: int) -> None:
        """A server admin takes a permission (1 << bit) off the bot's role (GUILD_ROLE_UPDATE pushed)."""
        role = next(r for r in guild.payload["roles"] if r["id"] == str(guild.roles[self.bot["username"]]))
        role["permissions"] = str(int(role["permissions"]) & ~(1 << bit))
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role}, guild.id)

    def set_member_count(self, guild: FakeGuild, count: int) -> None:
        """A large guild: GUILD_CREATE says `count` members while listing only the few the fake knows
        (Discord sends at most the online members of a large guild)."""
        guild.payload["member_count"] = count
        guild.payload["large"] = count >= 250

    async def member_joins(self, guild: FakeGuild, name: str) -> dict[str, Any]:
        """A new user joins: the guild counts one more member and GUILD_MEMBER_ADD is pushed."""
        user = self.add_member(guild, name)
        await self.dispatch("GUILD_MEMBER_ADD", {**guild.member(name), "guild_id": str(guild.id)}, guild.id)
        return user

    async def member_leaves(self, guild: FakeGuild, name: str) -> None:
        """A member leaves: one member fewer and GUILD_MEMBER_REMOVE is pushed."""
        user = guild.users.pop(name)
        guild.payload["members"] = [m for m in guild.payload["members"] if m["user"]["id"] != user["id"]]
        guild.payload["member_count"] -= 1
        await self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": user}, guild.id)

    def add_member(
        self, guild: FakeGuild, name: str, *, roles: Iterable[int] = (), bot: bool = False
    ) -> dict[str, Any]:
        """A user in the guild (the test dispatches GUILD_MEMBER_ADD itself when it wants the event)."""
        user = p.user(p.snowflake(), name, bot=bot, global_name=name.title())
        self._join(guild, user, roles)
        return user

    def add_channel(
        self, guild: FakeGuild, name: str, *, kind: int = 0, parent_id: int | None = None
    ) -> dict[str, Any]:
        channel = p.channel(
            p.snowflake(), guild.id, name, kind=kind, parent_id=parent_id, position=len(guild.payload["channels"])
        )
        guild.payload["channels"].append(channel)
        guild.channels[name] = int(channel["id"])
        return channel

    def find_channel(self, channel_id: int) -> tuple[FakeGuild, dict[str, Any]] | None:
        for guild in self.guilds.values():
            for item in [*guild.payload["channels"], *guild.payload["threads"]]:
                if int(item["id"]) == channel_id:
                    return guild, item
        return None

    def upload(self, name: str, content: bytes) -> dict[str, Any]:
        """A file a member attached to a command, as the `resolved.attachments` entry Discord sends."""
        self.cdn[name] = content
        return {
            "id": str(p.snowflake()),
            "filename": name,
            "size": len(content),
            "content_type": "text/csv",
            "url": f"http://127.0.0.1:{self.port}/cdn/{name}",
            "proxy_url": f"http://127.0.0.1:{self.port}/cdn/{name}",
        }

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        content = self.cdn.get(request.match_info["name"])
        return web.Response(body=content) if content is not None else web.Response(status=404)

    # ------------------------------------------------------------ modes

    def refuse(
        self, method: str, pattern: str, *, status: int = 403, code: int = 50013, message: str = "Missing Permissions"
    ) -> None:
        """Answer every matching request with a Discord error."""
        self.refusals.append((method, re.compile(pattern), status, code, message))

    def rate_limit_once(self, method: str, pattern: str) -> None:
        """Answer the next matching request with 429 and a short retry_after."""
        self.limited_once.append((method, re.compile(pattern)))

    def server_error(
        self, method: str, pattern: str, *, status: int = 500, times: int | None = 1, after_work: bool = False
    ) -> None:
        """Answer the next `times` matching requests (every one when None, until `heal()`) with a 5xx;
        with `after_work`, each is carried out first (the message is posted, only the answer is lost)."""
        self.outages.append(Outage(method, re.compile(pattern), status, times, after_work))

    def heal(self) -> None:
        """End every outage."""
        self.outages.clear()

    # ------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = _Session(ws)
        self.sessions.append(session)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:
                    self.heartbeats += 1
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif frame["op"] == 2:
                    await self._identify(session, frame["d"])
                elif frame["op"] == 8:
                    await self._members(session, frame["d"])
        finally:
            self.sessions.remove(session)
            await self._notify()
        return ws

    async def _identify(self, session: _Session, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.close_on_identify is not None:
            await session.ws.close(code=self.close_on_identify, message=b"Disallowed intent(s).")
            return
        shard = tuple(data.get("shard") or (0, 1))
        session.shard = (int(shard[0]), int(shard[1]))
        mine = [g for g in self.guilds.values() if self._shard_of(g.id, session.shard[1]) == session.shard[0]]
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": f"session-{len(self.identifies)}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": 0},
            "shard": list(session.shard),
        }
        await session.dispatch("READY", ready)
        for guild in mine:
            await session.dispatch("GUILD_CREATE", guild.payload)
        session.ready = True
        await self._notify()

    async def _members(self, session: _Session, data: dict[str, Any]) -> None:
        guild = self.guilds[int(data["guild_id"])]
        query = str(data.get("query", "")).lower()
        found = [m for m in guild.payload["members"] if m["user"]["username"].startswith(query)]
        await session.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": found[: int(data.get("limit") or 100)],
                "chunk_index": 0,
                "chunk_count": 1,
                "nonce": data.get("nonce"),
                "not_found": [],
            },
        )

    @staticmethod
    def _shard_of(guild_id: int, count: int) -> int:
        return (guild_id >> 22) % count

    async def dispatch(self, name: str, data: Mapping[str, Any], guild_id: int | None = None) -> None:
        """Push one event to the session(s) holding the guild (every session without a guild)."""
        for session in list(self.sessions):
            if guild_id is None or self._shard_of(guild_id, session.shard[1]) == session.shard[0]:
                await session.dispatch(name, data)

    # ------------------------------------------------------------ REST

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        reason = request.headers.get("X-Audit-Log-Reason")
        call = Call(request.method, path, dict(request.query), body, files, unquote(reason) if reason else None)
        self.calls.append(call)
        response = await self._answer(request, call)
        call.status = response.status
        await self._notify()
        return response

    async def _answer(self, request: web.Request, call: Call) -> web.StreamResponse:
        for index, (method, pattern) in enumerate(self.limited_once):
            if method == call.method and pattern.fullmatch(call.path):
                del self.limited_once[index]
                return json_response(
                    {"message": "You are being rate limited.", "retry_after": 0.01, "global": False},
                    status=429,
                    headers={"Via": "1.1 google"},
                )
        for outage in self.outages:
            if outage.takes(call):
                if outage.after_work:
                    await self.rest.answer(call)
                # The body Discord's API sends with its own server errors (code 0: no Discord error code).
                return json_response({"message": f"{outage.status}: Server Error", "code": 0}, status=outage.status)
        for method, pattern, status, code, message in self.refusals:
            if method == call.method and pattern.fullmatch(call.path):
                return json_response({"message": message, "code": code}, status=status)
        public = call.path.startswith(("/interactions/", "/webhooks/"))
        if not public and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return await self.rest.answer(call)

    # ------------------------------------------------------------ what the test waits for

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait (bounded) until `predicate` holds, re-checked after each call or gateway change."""

        async def waiting() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(waiting(), within)

    async def wait_call(self, method: str, pattern: str, *, count: int = 1, within: float = 5.0) -> Call:
        """The `count`-th answered (non-429) call matching `method` and the path regex."""
        regex = re.compile(pattern)

        def matching() -> list[Call]:
            return [
                c for c in self.calls if c.method == method and regex.fullmatch(c.path) and c.status and c.status != 429
            ]

        await self.wait_until(lambda: len(matching()) >= count, within)
        return matching()[count - 1]

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        regex = re.compile(pattern)
        return [c for c in self.calls if c.method == method and regex.fullmatch(c.path)]

    # ------------------------------------------------------------ interactions

    async def interact(
        self,
        guild: FakeGuild,
        who: str,
        kind: int,
        data: Mapping[str, Any],
        *,
        channel: str = "general",
        locale: str = "en-US",
        permissions: int = 0,
        message: Mapping[str, Any] | None = None,
    ) -> Sent:
        """Push an INTERACTION_CREATE as `who` typed or pressed it."""
        sent = Sent(p.snowflake(), f"token-{p.snowflake()}")
        self.rest.interaction_channels[sent.token] = guild.channels[channel]
        payload = p.interaction(
            sent.id,
            self.app_id,
            sent.token,
            kind,
            data,
            guild_id=guild.id,
            channel_payload=guild.channel(channel),
            member_payload=guild.member(who),
            permissions=permissions,
            locale=locale,
            message_payload=message,
        )
        await self.dispatch("INTERACTION_CREATE", payload, guild.id)
        return sent

    async def interact_dm(
        self, guild: FakeGuild, who: str, kind: int, data: Mapping[str, Any], *, locale: str = "en-US"
    ) -> Sent:
        """Push an INTERACTION_CREATE from `who`'s DM with the bot (no guild), on the last message the
        bot posted there."""
        user_id = guild.user_id(who)
        channel_id = next(c for c, recipient in reversed(self.dm_channels.items()) if recipient == user_id)
        sent = Sent(p.snowflake(), f"token-{p.snowflake()}")
        self.rest.interaction_channels[sent.token] = channel_id
        payload = p.dm_interaction(
            sent.id,
            self.app_id,
            sent.token,
            kind,
            data,
            channel_id=channel_id,
            user_payload=guild.users[who],
            locale=locale,
            message_payload=self.rest.posted[channel_id][-1],
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return sent

    async def callback(self, sent: Sent, within: float = 5.0) -> Call:
        """The bot's answer to an interaction."""
        return await self.wait_call("POST", rf"/interactions/{sent.id}/{sent.token}/callback", within=within)

    def webhook_calls(self, sent: Sent) -> list[Call]:
        """Follow-ups, edits and deletions of an interaction's messages."""
        return [c for c in self.calls if c.path.startswith(f"/webhooks/{self.app_id}/{sent.token}")]


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        body = json.loads(str(form["payload_json"])) if "payload_json" in form else None
        files = [
            (item.filename, item.file.read())
            for key, item in form.items()
            if key.startswith("files[") and isinstance(item, web.FileField)
        ]
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), []
