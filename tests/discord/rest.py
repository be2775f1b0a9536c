"""The REST routes of the fake Discord: what each one answers and which gateway event it echoes."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.discord import payloads as p

if TYPE_CHECKING:
    from tests.discord.fake_discord import Call, FakeDiscord

EPHEMERAL = 64
Handler = Callable[["Call", "re.Match[str]"], Awaitable[web.StreamResponse]]


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Discord's exact content type (discord.py compares it with `==`)."""
    return web.Response(
        body=json.dumps(data).encode("utf-8"),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


_NAME = re.compile(r"[-_\w]{1,32}")  # Discord: ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$, lower case


def command_problems(items: list[dict[str, Any]], where: str = "") -> list[str]:
    """What Discord refuses in an application-command payload (the whole bulk overwrite fails): names and
    their localizations not lower-case Discord names, two siblings reading the same in a language,
    descriptions and choice names empty or over 100 characters."""
    problems: list[str] = []
    for item in items:
        path = f"{where} {item['name']}".strip()
        for text in [item["name"], *item.get("name_localizations", {}).values()]:
            if not _NAME.fullmatch(text) or text != text.lower():
                problems.append(f"/{path}: name {text!r}")
        for text in [item.get("description", "-"), *item.get("description_localizations", {}).values()]:
            if not 1 <= len(text) <= 100:
                problems.append(f"/{path}: description of {len(text)} characters")
        for choice in item.get("choices", []):
            for text in [choice["name"], *choice.get("name_localizations", {}).values()]:
                if not 1 <= len(text) <= 100:
                    problems.append(f"/{path}: choice name of {len(text)} characters")
        problems += command_problems(item.get("options", []), path)
    locales = {locale for item in items for locale in item.get("name_localizations", {})}
    for locale in {"", *locales}:
        shown = [item.get("name_localizations", {}).get(locale, item["name"]) for item in items]
        twice = sorted(name for name in set(shown) if shown.count(name) > 1)
        problems += [f"/{where}: {name!r} twice ({locale or 'default'})" for name in twice]
    return problems


def _error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status=status)


def too_big(body: Any) -> bool:
    """True for a message Discord refuses: content over 2,000 characters, or an embed over its limits
    (title 256, description 4,096, 25 fields, name 256, value 1,024, 6,000 in all)."""
    if not isinstance(body, dict):
        return False
    message = body.get("data") or body.get("message") or body
    if not isinstance(message, dict):
        return False
    if len(message.get("content") or "") > 2000:
        return True
    for embed in message.get("embeds") or []:
        fields = embed.get("fields") or []
        parts = [embed.get("title") or "", embed.get("description") or ""]
        if len(parts[0]) > 256 or len(parts[1]) > 4096 or len(fields) > 25:
            return True
        if any(len(f["name"]) > 256 or len(f["value"]) > 1024 for f in fields):
            return True
        if sum(map(len, parts)) + sum(len(f["name"]) + len(f["value"]) for f in fields) > 6000:
            return True
    return False


class RestRoutes:
    """Route table and handlers; state lives in the fake (guilds) and here (messages)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.originals: dict[str, dict[str, Any]] = {}
        self.interaction_channels: dict[str, int] = {}
        self.acknowledged: set[str] = set()
        self.posted: dict[int, list[dict[str, Any]]] = {}
        self.nonces: dict[tuple[int, str], dict[str, Any]] = {}  # (channel, nonce) -> the message it created
        self.edits: list[str] = []  # ids of the messages edited, in order
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (method, re.compile(pattern), handler)
            for method, pattern, handler in [
                ("GET", r"/gateway/bot", self.gateway_bot),
                ("GET", r"/users/@me", self.me),
                ("GET", r"/oauth2/applications/@me", self.application),
                ("PUT", r"/applications/\d+/commands", self.commands),
                ("PUT", r"/applications/\d+/guilds/\d+/commands", self.commands),
                ("POST", r"/interactions/(\d+)/([^/]+)/callback", self.callback),
                ("POST", r"/webhooks/\d+/([^/]+)", self.followup),
                ("PATCH", r"/webhooks/\d+/([^/]+)/messages/@original", self.edit_original),
                ("DELETE", r"/webhooks/\d+/([^/]+)/messages/@original", self.no_content),
                ("POST", r"/channels/(\d+)/messages", self.post_message),
                ("PATCH", r"/channels/(\d+)/messages/(\d+)", self.edit_message),
                ("DELETE", r"/channels/\d+/messages/\d+", self.no_content),
                ("POST", r"/users/@me/channels", self.open_dm),
                ("POST", r"/guilds/(\d+)/channels", self.create_channel),
                ("GET", r"/channels/(\d+)", self.get_channel),
                ("PATCH", r"/channels/(\d+)", self.edit_channel),
                ("DELETE", r"/channels/(\d+)", self.delete_channel),
                ("POST", r"/channels/(\d+)/threads", self.create_post),
                ("POST", r"/guilds/(\d+)/roles", self.create_role),
                ("PATCH", r"/guilds/(\d+)/roles/(\d+)", self.edit_role),
                ("DELETE", r"/guilds/(\d+)/roles/(\d+)", self.delete_role),
                ("PUT", r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", self.member_role),
                ("DELETE", r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", self.member_role),
                ("GET", r"/guilds/(\d+)/members/(\d+)", self.get_member),
                ("POST", r"/guilds/(\d+)/scheduled-events", self.create_event),
                ("GET", r"/guilds/(\d+)/scheduled-events", self.list_events),
                ("GET", r"/guilds/(\d+)/scheduled-events/(\d+)", self.get_event),
                ("PATCH", r"/guilds/(\d+)/scheduled-events/(\d+)", self.edit_event),
                ("DELETE", r"/guilds/(\d+)/scheduled-events/(\d+)", self.delete_event),
            ]
        ]

    async def answer(self, call: Call) -> web.StreamResponse:
        if too_big(call.body):  # as Discord refuses a message over its limits
            return _error(400, 50035, "Invalid Form Body")
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(call.path)
            if method == call.method and match:
                return await handler(call, match)
        return _error(404, 0, "404: Not Found")

    # ------------------------------------------------------------ session

    async def gateway_bot(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        return json_response(
            {
                "url": self.fake.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def me(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        return json_response(self.fake.bot)

    async def application(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        return json_response(
            {
                "id": str(self.fake.app_id),
                "name": "affinity-bot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": p.user(p.snowflake(), "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def commands(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        body = call.body or []
        refused = command_problems(body)
        if refused:
            return json_response({"message": "Invalid Form Body", "code": 50035, "errors": refused}, status=400)
        return json_response(
            [{**c, "id": str(p.snowflake()), "application_id": str(self.fake.app_id), "version": "1"} for c in body]
        )

    async def no_content(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        return web.Response(status=204)

    # ------------------------------------------------------------ messages

    def _message(self, channel_id: int, call: Call, *, webhook: bool = False, data: Any = None) -> dict[str, Any]:
        body = data if data is not None else (call.body or {})
        attachments = [
            {
                "id": str(p.snowflake()),
                "filename": name,
                "size": len(content),
                "url": f"https://cdn.example/{name}",
                "proxy_url": f"https://cdn.example/{name}",
            }
            for name, content in call.files
        ]
        found = self.fake.find_channel(channel_id)
        return p.message(
            p.snowflake(),
            channel_id,
            self.fake.bot,
            body.get("content") or "",
            guild_id=found[0].id if found else None,
            embeds=body.get("embeds"),
            attachments=attachments,
            components=body.get("components"),
            flags=int(body.get("flags") or 0),
            webhook_id=self.fake.app_id if webhook else None,
        )

    async def post_message(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        channel_id = int(match.group(1))
        if self.fake.dm_channels.get(channel_id) in self.fake.dm_closed:
            return _error(403, 50007, "Cannot send messages to this user")
        nonce = call.body.get("nonce") if isinstance(call.body, dict) else None
        if nonce is not None and call.body.get("enforce_nonce"):
            # Discord answers a repeated nonce (within a few minutes) with the message it already created.
            earlier = self.nonces.get((channel_id, str(nonce)))
            if earlier is not None:
                return json_response(earlier)
        message = self._message(channel_id, call)
        self.posted.setdefault(channel_id, []).append(message)
        if nonce is not None:
            self.nonces[(channel_id, str(nonce))] = message
        return json_response(message)

    async def edit_message(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        """Edit a message the bot posted (kept in `posted`, changed in place, `edited_timestamp` set);
        a key absent from the body is left as it was, like Discord does."""
        channel_id, message_id = int(match.group(1)), match.group(2)
        message = next((m for m in self.posted.get(channel_id, []) if m["id"] == message_id), None)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        body = call.body or {}
        if "content" in body:
            message["content"] = body["content"] or ""
        for key in ("embeds", "components"):
            if key in body:
                message[key] = body[key] or []
        message["edited_timestamp"] = p.NOW
        self.edits.append(message_id)
        return json_response(message)

    async def open_dm(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        recipient = int(call.body["recipient_id"])
        channel_id = p.snowflake()
        self.fake.dm_channels[channel_id] = recipient
        return json_response(
            {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [p.user(recipient, f"user-{recipient}")],
            }
        )

    # ------------------------------------------------------------ interactions

    async def callback(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        interaction_id, token = match.group(1), match.group(2)
        if interaction_id in self.acknowledged:
            # Discord answers one callback per interaction; a second one is refused.
            return _error(400, 40060, "Interaction has already been acknowledged.")
        self.acknowledged.add(interaction_id)
        kind = int(call.body["type"])
        data = call.body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 7):
            message = self._message(self.interaction_channels.get(token, 0), call, webhook=True, data=data)
            self.originals[token] = message
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        elif kind in (5, 6):
            answer["resource"] = {"type": kind}
        return json_response(answer)

    async def followup(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        return json_response(self._message(self.interaction_channels.get(match.group(1), 0), call, webhook=True))

    async def edit_original(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        token = match.group(1)
        message = self._message(self.interaction_channels.get(token, 0), call, webhook=True)
        self.originals[token] = message
        return json_response(message)

    # ------------------------------------------------------------ channels

    async def create_channel(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        body = call.body
        parent = body.get("parent_id")
        channel = p.channel(
            p.snowflake(),
            guild.id,
            body["name"],
            kind=int(body.get("type") or 0),
            parent_id=int(parent) if parent else None,
            overwrites=body.get("permission_overwrites", ()),
            topic=body.get("topic"),
            position=len(guild.payload["channels"]),
        )
        guild.payload["channels"].append(channel)
        guild.channels[body["name"]] = int(channel["id"])
        await self.fake.dispatch("CHANNEL_CREATE", channel, guild.id)
        return json_response(channel)

    async def get_channel(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        found = self.fake.find_channel(int(match.group(1)))
        return json_response(found[1]) if found else _error(404, 10003, "Unknown Channel")

    async def edit_channel(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        found = self.fake.find_channel(int(match.group(1)))
        if found is None:
            return _error(404, 10003, "Unknown Channel")
        guild, channel = found
        for key in ("name", "topic", "parent_id", "permission_overwrites"):
            if key in call.body:
                channel[key] = call.body[key]
        await self.fake.dispatch("CHANNEL_UPDATE", channel, guild.id)
        return json_response(channel)

    async def delete_channel(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        found = self.fake.find_channel(int(match.group(1)))
        if found is None:
            return _error(404, 10003, "Unknown Channel")
        guild, channel = found
        guild.payload["channels"].remove(channel)
        await self.fake.dispatch("CHANNEL_DELETE", channel, guild.id)
        return json_response(channel)

    async def create_post(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        found = self.fake.find_channel(int(match.group(1)))
        if found is None:
            return _error(404, 10003, "Unknown Channel")
        guild, forum = found
        thread_id = p.snowflake()
        thread = p.thread(thread_id, guild.id, int(forum["id"]), call.body["name"], self.fake.app_id)
        guild.payload["threads"].append(thread)
        message = self._message(thread_id, call, data=call.body.get("message") or {})
        await self.fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild.id)
        return json_response({**thread, "message": message})

    # ------------------------------------------------------------ roles and members

    async def create_role(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        role = p.role(
            p.snowflake(),
            call.body.get("name", "new role"),
            permissions=int(call.body.get("permissions") or 0),
            position=len(guild.payload["roles"]),
        )
        guild.payload["roles"].append(role)
        guild.roles[role["name"]] = int(role["id"])
        await self.fake.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role}, guild.id)
        return json_response(role)

    def _role(self, match: re.Match[str]) -> tuple[Any, dict[str, Any] | None]:
        guild = self.fake.guilds[int(match.group(1))]
        role = next((r for r in guild.payload["roles"] if r["id"] == match.group(2)), None)
        return guild, role

    async def edit_role(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild, role = self._role(match)
        if role is None:
            return _error(404, 10011, "Unknown Role")
        role.update({k: v for k, v in call.body.items() if k in ("name", "mentionable", "hoist")})
        await self.fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role}, guild.id)
        return json_response(role)

    async def delete_role(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild, role = self._role(match)
        if role is None:
            return _error(404, 10011, "Unknown Role")
        guild.payload["roles"].remove(role)
        await self.fake.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": role["id"]}, guild.id)
        return web.Response(status=204)

    async def member_role(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        member = next((m for m in guild.payload["members"] if m["user"]["id"] == match.group(2)), None)
        if member is None:
            return _error(404, 10007, "Unknown Member")
        roles = [r for r in member["roles"] if r != match.group(3)]
        member["roles"] = [*roles, match.group(3)] if call.method == "PUT" else roles
        return web.Response(status=204)

    async def get_member(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        member = next((m for m in guild.payload["members"] if m["user"]["id"] == match.group(2)), None)
        return json_response(member) if member else _error(404, 10007, "Unknown Member")

    # ------------------------------------------------------------ guild scheduled events

    def _bot_permissions(self, guild: Any) -> int:
        """The bot's server-wide permissions: @everyone's and its roles' (all with Administrator)."""
        me = guild.member(self.fake.bot["username"])
        held = 0
        for role in guild.payload["roles"]:
            if role["id"] == str(guild.id) or role["id"] in me["roles"]:
                held |= int(role["permissions"])
        return -1 if held & ADMINISTRATOR else held

    def _event(self, match: re.Match[str]) -> tuple[Any, dict[str, Any] | None]:
        guild = self.fake.guilds[int(match.group(1))]
        return guild, guild.scheduled_events.get(match.group(2))

    async def create_event(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        if not self._bot_permissions(guild) & CREATE_EVENTS:
            return _error(403, 50013, "Missing Permissions")
        body = call.body or {}
        event_id = str(p.snowflake())
        event: dict[str, Any] = {
            "id": event_id,
            "guild_id": str(guild.id),
            "channel_id": None,
            "creator_id": str(self.fake.app_id),
            "creator": self.fake.bot,
            "name": body.get("name"),
            "description": body.get("description"),
            "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level"),
            "status": EVENT_SCHEDULED,
            "entity_type": body.get("entity_type"),
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
        }
        problems = event_problems(event)
        if problems:
            return _form_errors(problems)
        guild.scheduled_events[event_id] = event
        return json_response(event)

    async def list_events(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild = self.fake.guilds[int(match.group(1))]
        return json_response(list(guild.scheduled_events.values()))

    async def get_event(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        _guild, event = self._event(match)
        return json_response(event) if event else _error(404, 10070, "Unknown Guild Scheduled Event")

    async def edit_event(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild, event = self._event(match)
        if event is None:
            return _error(404, 10070, "Unknown Guild Scheduled Event")
        if not self._bot_permissions(guild) & (MANAGE_EVENTS | CREATE_EVENTS):
            return _error(403, 50013, "Missing Permissions")
        body = call.body or {}
        status = body.get("status")
        if status is not None and status != event["status"] and status not in EVENT_MOVES.get(event["status"], ()):
            # Discord: scheduled -> active or cancelled, active -> completed, nothing else.
            return _error(400, 180000, "Cannot update event status")
        keys = ("name", "description", "scheduled_start_time", "scheduled_end_time", "privacy_level", "status")
        changed = {**event, **{k: body[k] for k in (*keys, "entity_metadata") if k in body}}
        problems = event_problems(changed)
        if problems:
            return _form_errors(problems)
        event.update(changed)
        return json_response(event)

    async def delete_event(self, call: Call, match: re.Match[str]) -> web.StreamResponse:
        guild, event = self._event(match)
        if event is None:
            return _error(404, 10070, "Unknown Guild Scheduled Event")
        if not self._bot_permissions(guild) & (MANAGE_EVENTS | CREATE_EVENTS):
            return _error(403, 50013, "Missing Permissions")
        del guild.scheduled_events[event["id"]]
        return web.Response(status=204)


def _form_errors(fields: list[str]) -> web.Response:
    """Discord's 50035 with its errors object (a field name to its `_errors`)."""
    errors = {name: {"_errors": [{"code": "BASE_TYPE_BAD", "message": f"Invalid {name}"}]} for name in fields}
    return json_response({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)


ADMINISTRATOR, MANAGE_EVENTS, CREATE_EVENTS = 1 << 3, 1 << 33, 1 << 44
EVENT_SCHEDULED, EVENT_ACTIVE, EVENT_COMPLETED, EVENT_CANCELLED = 1, 2, 3, 4
EVENT_MOVES = {EVENT_SCHEDULED: (EVENT_ACTIVE, EVENT_CANCELLED), EVENT_ACTIVE: (EVENT_COMPLETED,)}


def event_problems(event: dict[str, Any]) -> list[str]:
    """What Discord refuses in a guild scheduled event: a name of 1 to 100 characters, a description up to
    1,000, and for an external event (type 3) a location of 1 to 100 characters and an end after the start."""
    problems: list[str] = []
    if not 1 <= len(event.get("name") or "") <= 100:
        problems.append("name")
    if len(event.get("description") or "") > 1000:
        problems.append("description")
    if event.get("privacy_level") != 2:
        problems.append("privacy_level")
    if event.get("entity_type") == 3:
        location = (event.get("entity_metadata") or {}).get("location") or ""
        if not 1 <= len(location) <= 100:
            problems.append("entity_metadata.location")
        end = event.get("scheduled_end_time")
        if not end or datetime.fromisoformat(end) <= datetime.fromisoformat(event["scheduled_start_time"]):
            problems.append("scheduled_end_time")
    return problems
