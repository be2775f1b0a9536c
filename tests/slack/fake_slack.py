"""A fake Slack on 127.0.0.1 (random port) for the end-to-end tests of the Slack platform.

It answers the Web API methods the bot calls (`/api/<method>`), accepts file bodies at the upload
URL it hands out, records what the bot posts to response URLs (`/response/<key>`; a key in `expired`
is refused as an expired URL is), and plays
Socket Mode: `apps.connections.open` returns a `ws://` URL on the same server, which says hello
and then delivers the envelopes a test pushes. Every call is recorded with its arguments (query
string, form and JSON merged) so tests assert on what Slack would have received.

Modes: `invalid_auth` (every bot-token call fails like a revoked token), `fail_once(method, error)`,
`broken` (method -> error: every call of it fails until removed), `rate_limit_once(method)` (a
429 with Retry-After), `server_error_once(method, status)` and `down` (method -> 5xx status: every
call of it gets that status, with an HTML page as a failing front end sends, until removed).
Archived channels keep their names taken, as on Slack. A message over Block Kit's limits is refused as
Slack refuses it (`refusal`). The bot's messages are kept (`messages`, by channel and ts) and `chat.update`
changes them (`message_not_found` for a ts never posted).

Channel membership (`members`: channel id -> member ids) answers `conversations.members`, paged like
the other lists (a private channel the bot is not in is `channel_not_found`, as on Slack);
`conversations.info` gives a channel's kind (`channel(...)`: `is_private`, `is_mpim`, `is_im`) and
`guest(...)` makes a member whose `users.info` says `is_restricted` (or `is_ultra_restricted`).
`users.list` pages `users` (`limit`, `cursor`, at most `page_size` a page), deactivated accounts
(`deactivated(...)`), bots and Slackbot (`slackbot()`) included, as Slack lists them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TEAM = "T1"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
APP_TOKEN = "xapp-1-test"


@dataclass
class Call:
    """One Web API call as Slack received it."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int = 0  # the HTTP status it was answered with


def _user(
    uid: str, name: str, display: str, *, admin: bool = False, locale: str = "en-US", bot: bool = False
) -> dict[str, Any]:
    return {
        "id": uid,
        "team_id": TEAM,
        "name": name,
        "real_name": display.title(),
        "is_admin": admin,
        "is_owner": False,
        "is_bot": bot,
        "deleted": False,
        "locale": locale,
        "profile": {"display_name": display, "real_name": display.title()},
    }


def person(uid: str, name: str, *, admin: bool = False, locale: str = "en-US") -> dict[str, Any]:
    """A full member of the workspace (an admin with `admin`), with their Slack language."""
    return _user(uid, name, name, admin=admin, locale=locale)


def slackbot() -> dict[str, Any]:
    """Slackbot as users.list lists it in every workspace: `is_bot` false, id USLACKBOT."""
    return {**_user("USLACKBOT", "slackbot", "Slackbot"), "is_bot": False}


def deactivated(uid: str, name: str) -> dict[str, Any]:
    """A deactivated account: users.list still lists it, with `deleted` true."""
    return {**_user(uid, name, name), "deleted": True}


def guest(uid: str, name: str, *, single_channel: bool = False) -> dict[str, Any]:
    """A multi-channel guest (`is_restricted`), or a single-channel one (`is_ultra_restricted` too)."""
    return {**_user(uid, name, name), "is_restricted": True, "is_ultra_restricted": single_channel}


def channel(cid: str, name: str, *, private: bool = False, mpim: bool = False) -> dict[str, Any]:
    """A channel object as conversations.info returns it (the fields that say its kind)."""
    return {
        "id": cid,
        "name": name,
        "is_channel": not private and not mpim,
        "is_group": private and not mpim,
        "is_im": False,
        "is_mpim": mpim,
        "is_private": private or mpim,
        "is_archived": False,
        "is_general": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
    }


def refusal(message: dict[str, Any]) -> str | None:
    """Why Slack would refuse a message (its error code), or None: at most 50 blocks, 3,000 characters in a
    section's text, and about 12,000 characters of text in all its blocks."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    texts = [t for block in blocks for t in _texts(block)]
    if len(blocks) > 50 or any(len(b.get("text", {}).get("text", "")) > 3000 for b in blocks):
        return "invalid_blocks"
    if sum(map(len, texts)) > 12_000:
        return "msg_blocks_too_long"
    return None


def _blocks(args: dict[str, Any]) -> list[Any]:
    blocks = args.get("blocks") or []
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def _texts(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "text" and isinstance(v, str)] + [
            t for k, v in node.items() if not (k == "text" and isinstance(v, str)) for t in _texts(v)
        ]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _error_page(status: int) -> str:
    return f"<html><body><h1>{status}</h1>Something went wrong.</body></html>"


@dataclass
class FakeSlack:
    """The fake server; `await start()` then point `platforms.slack.api_base` at `api_base`."""

    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "U1": _user("U1", "alice", "alice"),
            "U2": _user("U2", "bob", "bob"),
            "UADMIN": _user("UADMIN", "root", "root", admin=True),
            "UFR": _user("UFR", "marie", "marie", locale="fr-FR"),
            BOT_USER: _user(BOT_USER, "affinity-bot", "affinity-bot", bot=True),
        }
    )
    channels: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "C1": {"id": "C1", "name": "general", "is_private": False},
            "C222": {"id": "C222", "name": "managers", "is_private": False},
            "C3": {"id": "C3", "name": "random", "is_private": False},
        }
    )
    usergroups: list[dict[str, Any]] = field(default_factory=lambda: [{"id": "S1", "users": ["U2"]}])
    members: dict[str, list[str]] = field(default_factory=dict)  # channel id -> member ids
    page_size: int = 2
    invalid_auth: bool = False
    broken: dict[str, str] = field(default_factory=dict)
    down: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.expired: set[str] = set()  # response URL keys Slack no longer takes (used up, or 30 minutes old)
        self.uploads: dict[str, bytes] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> the bot's message as it is now
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._failures: dict[str, list[tuple[int, dict[str, Any] | str, dict[str, str]]]] = {}
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Close sockets and stop listening."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """The Web API base URL to configure."""
        return f"{self.url}/api/"

    def response_url(self, key: str = "r1") -> str:
        """A response URL that records what is posted to it."""
        return f"{self.url}/response/{key}"

    # ------------------------------------------------------------ test controls

    def fail_once(
        self, method: str, error: str, *, status: int = 200, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        """The next call of `method` fails with `error` (and extra fields such as `needed`)."""
        body = {"ok": False, "error": error, **extra}
        self._failures.setdefault(method, []).append((status, body, headers or {}))

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call of `method` gets a 429 with Retry-After."""
        self.fail_once(method, "ratelimited", status=429, headers={"Retry-After": str(retry_after)})

    def server_error_once(self, method: str, status: int = 500) -> None:
        """The next call of `method` gets a server error (an HTML page, not the Web API's JSON)."""
        self._failures.setdefault(method, []).append((status, _error_page(status), {}))

    def called(self, method: str) -> list[Call]:
        """Every call of one method, in order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, condition: Callable[[], object], within: float = 5.0) -> None:
        """Wait (at most `within` seconds) until `condition()` is true; recorded calls wake the waiters."""

        async def waiting() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(condition()))

        await asyncio.wait_for(waiting(), within)

    async def _record(self, action: Callable[[], None]) -> None:
        async with self._changed:
            action()
            self._changed.notify_all()

    async def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Push a Socket Mode envelope (slash_commands, events_api, interactive) to the bot."""
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )

    async def ask_to_reconnect(self) -> None:
        """Tell the bot to reconnect, as Slack does before it rotates its servers."""
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    # ------------------------------------------------------------ handlers

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        call = Call(method, args, token)
        await self._record(lambda: self.calls.append(call))
        response = self._answer(method, args, token)
        call.status = response.status
        return response

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> web.Response:
        failures = self._failures.get(method)
        if failures:
            status, body, headers = failures.pop(0)
            if isinstance(body, str):
                return web.Response(text=body, status=status, headers=headers, content_type="text/html")
            return web.json_response(body, status=status, headers=headers)
        if method in self.down:
            return web.Response(text=_error_page(self.down[method]), status=self.down[method], content_type="text/html")
        if method in self.broken:
            return web.json_response({"ok": False, "error": self.broken[method]})
        if self.invalid_auth and method != "apps.connections.open":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        body = handler(args, token)
        return web.json_response({"ok": True, **body} if body.get("ok") is not False else body)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        await self._record(lambda: self.uploads.__setitem__(file_id, data))
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _response(self, request: web.Request) -> web.Response:
        if request.match_info["key"] in self.expired:
            return web.Response(text="expired_url", status=404, content_type="text/plain")
        body = await request.json()
        refused = refusal(body)
        if refused:
            return web.Response(text=refused, status=400, content_type="text/plain")
        body["_key"] = request.match_info["key"]
        await self._record(lambda: self.responses.append(body))
        return web.Response(text="ok", content_type="text/plain")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                await self._record(lambda data=data: self.acks.append(data))
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    # ------------------------------------------------------------ Web API methods

    def _page(self, items: list[Any], args: dict[str, Any], key: str) -> dict[str, Any]:
        start = int(args.get("cursor") or 0)
        size = min(int(args.get("limit") or 100), self.page_size)
        end = start + size
        return {key: items[start:end], "response_metadata": {"next_cursor": str(end) if end < len(items) else ""}}

    def _m_auth_test(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {
            "url": "https://affinity-test.slack.com/",
            "team": "Affinity Test",
            "user": "affinity-bot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    def _m_apps_connections_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token != APP_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        return {"url": self.url.replace("http://", "ws://") + "/socket"}

    def _m_users_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        return {"user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_users_list(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._page(list(self.users.values()), args, "members")

    def _m_usergroups_list(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"usergroups": self.usergroups}

    def _m_conversations_list(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        archived = str(args.get("exclude_archived")).lower() not in ("1", "true")
        listed = [c for c in self.channels.values() if archived or not c.get("is_archived")]
        return self._page(listed, args, "channels")

    def _m_conversations_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"channel": {"id": f"D{args['users']}"}}

    def _m_conversations_create(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        name = str(args["name"])
        if any(c["name"] == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel_id = f"C9{next(self._ids)}"
        private = str(args.get("is_private")).lower() in ("1", "true")
        self.channels[channel_id] = {"id": channel_id, "name": name, "is_private": private}
        return {"channel": self.channels[channel_id]}

    def _m_conversations_invite(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"channel": self.channels.get(str(args["channel"]), {"id": args["channel"]})}

    def _m_conversations_kick(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {}

    def _m_conversations_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self.channels.get(str(args["channel"]))
        return {"channel": channel} if channel else {"ok": False, "error": "channel_not_found"}

    def _m_conversations_members(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel_id = str(args["channel"])
        found = self.channels.get(channel_id)
        members = self.members.get(channel_id, [])
        if found is None or (found.get("is_private") and BOT_USER not in members):
            return {"ok": False, "error": "channel_not_found"}  # Slack hides private channels from outsiders
        return self._page(members, args, "members")

    def _m_conversations_rename(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if any(c["name"] == args["name"] and c["id"] != args["channel"] for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel = self.channels.setdefault(str(args["channel"]), {"id": args["channel"]})
        channel["name"] = args["name"]
        return {"channel": channel}

    def _m_conversations_setTopic(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {}

    def _m_conversations_archive(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self.channels.setdefault(str(args["channel"]), {"id": args["channel"], "name": ""})
        if channel.get("is_archived"):
            return {"ok": False, "error": "already_archived"}
        channel["is_archived"] = True
        return {}

    def _m_chat_postMessage(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        refused = refusal(args)
        if refused:
            return {"ok": False, "error": refused}
        ts = f"1700000000.{next(self._ids):06d}"
        message = {"text": args.get("text"), "blocks": _blocks(args), "ts": ts}
        self.messages[(str(args.get("channel")), ts)] = message
        return {"channel": args.get("channel"), "ts": ts, "message": dict(message)}

    def _m_chat_update(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        message = self.messages.get((str(args.get("channel")), str(args.get("ts"))))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        refused = refusal(args)
        if refused:
            return {"ok": False, "error": refused}
        message["text"] = args.get("text")
        if "blocks" in args:
            message["blocks"] = _blocks(args)
        message["edited"] = {"user": BOT_USER, "ts": f"1700000000.{next(self._ids):06d}"}
        return {"channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}

    def _m_chat_postEphemeral(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        refused = refusal(args)
        if refused:
            return {"ok": False, "error": refused}
        return {"message_ts": f"1700000000.{next(self._ids):06d}"}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        files = json.loads(args["files"]) if isinstance(args.get("files"), str) else args.get("files", [])
        return {"files": [{"id": f["id"], "title": f.get("title"), "name": f.get("title")} for f in files]}
