"""The test rig of the Slack platform: the real app (real SQLite, frozen clock) with the real Slack
platform created by `bot.platforms.slack.create`, talking to the fake Slack; and helpers that send
what Slack sends: signed HTTP requests (events, slash commands, button presses)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.i18n import _
from bot.model import Event, MemberJoined, Message, MessageDeleted, MessageEdited, ReactionAdded, Reply
from bot.platforms import slack
from bot.platforms.slack.app import HttpReceiver
from bot.platforms.slack.platform import SlackPlatform
from bot.plugin import Invocation, MessageNotes, NoSettings, Plugin, command, integer, listen
from tests.harness import START, make_config
from tests.slack.fake_slack import APP_TOKEN, TEAM, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
WAIT = 5.0  # seconds any test waits at most for something to happen


class Probe(Plugin):
    """A throwaway plugin recording the neutral events it receives."""

    name = "probe"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.events: list[Event] = []
        self._changed = asyncio.Condition()

    async def _record(self, event: Event) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait_for(self, count: int) -> list[Event]:
        """Wait (bounded) until `count` events arrived; returns them."""

        async def waiting() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.events) >= count)

        await asyncio.wait_for(waiting(), WAIT)
        return self.events

    @listen(Message)
    async def on_message(self, message: Message, notes: MessageNotes) -> None:
        await self._record(message)

    @listen(MessageEdited, MessageDeleted, ReactionAdded, MemberJoined)
    async def on_other(self, event: Event) -> None:
        await self._record(event)

    @command("probe add", _("Add two numbers."), integer("a", _("First.")), integer("b", _("Second.")))
    async def add(self, inv: Invocation, a: int, b: int) -> Reply:
        return Reply(
            text=f"{a} + {b} = **{a + b}** for {inv.user.user_id} in {inv.channel.channel_id} "
            f"({inv.locale}, level {inv.level.name})"
        )


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Rig:
    """A running app with the Slack platform, plus what Slack would send it."""

    app: App
    platform: SlackPlatform
    fake: FakeSlack
    probe: Probe

    @property
    def url(self) -> str:
        """Where the bot listens in HTTP mode."""
        receiver = self.platform.receiver
        assert isinstance(receiver, HttpReceiver)
        return receiver.url

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        signature: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST a (signed) request to the bot; returns the status and body."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts, secret),
            **(extra_headers or {}),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(WAIT)) as resp,
        ):
            return resp.status, await resp.text()

    async def event(self, event: Mapping[str, Any], **signing: Any) -> tuple[int, str]:
        """Deliver an Events API callback."""
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": 1700000000,
            "event": dict(event),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        }
        return await self.post(json.dumps(body).encode(), "application/json", **signing)

    async def command(
        self, name: str, text: str = "", *, user: str = "U1", channel: str = "C1", response: str = "r1", **signing: Any
    ) -> tuple[int, str]:
        """A member runs a slash command (form-encoded, as Slack sends it)."""
        return await self.post(
            urlencode(command_payload(self.fake, name, text, user=user, channel=channel, response=response)).encode(),
            "application/x-www-form-urlencoded",
            **signing,
        )

    async def click(
        self, value: str, *, user: str = "U1", channel: str = "C1", response: str = "click", ephemeral: bool = True
    ) -> tuple[int, str]:
        """A member presses a button (payload=<json>, form-encoded)."""
        payload = click_payload(self.fake, value, user=user, channel=channel, response=response, ephemeral=ephemeral)
        return await self.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )

    async def response(self, key: str) -> dict[str, Any]:
        """Wait for, then return, what the bot posted to one response URL."""
        await self.fake.wait_for(lambda: any(r["_key"] == key for r in self.fake.responses), WAIT)
        return next(r for r in self.fake.responses if r["_key"] == key)


def command_payload(
    fake: FakeSlack, name: str, text: str, *, user: str = "U1", channel: str = "C1", response: str = "r1"
) -> dict[str, str]:
    """The fields of a slash command request."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "affinity-test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": name,
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": fake.response_url(response),
        "trigger_id": "1.2.3",
    }


def click_payload(
    fake: FakeSlack,
    value: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    response: str = "click",
    ephemeral: bool = True,
) -> dict[str, Any]:
    """A block_actions payload for one pressed button."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "affinity-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "channel": {"id": channel, "name": "general"},
        "trigger_id": "1.2.3",
        "response_url": fake.response_url(response),
        "actions": [
            {
                "type": "button",
                "action_id": "affinity:0",
                "block_id": "b1",
                "value": value,
                "action_ts": "1700000001.000001",
            }
        ],
    }


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every button of a posted message's blocks."""
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    socket: bool = False,
    prefix: str = "",
    fake: FakeSlack | None = None,
    start: bool = True,
    plugins: Sequence[type[Plugin]] = (),
    features: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> AsyncIterator[Rig]:
    """The real app and Slack platform against a started fake Slack; everything stopped afterwards.

    `plugins`: throwaway plugin classes (no settings) added next to the probe; `features`: the shipped
    plugins enabled, with their settings (only `core` by default)."""
    fake = fake or FakeSlack()
    await fake.start()
    config = make_config(
        tmp_path,
        features,
        platforms={
            "slack": {"api_base": fake.api_base, "host": "127.0.0.1", "command_prefix": prefix},
            "console": {"files_dir": str(tmp_path / "files")},
        },
    )
    app = App(config, clock=FrozenClock(START), realtime=False)
    await app.build()
    probe = Probe(app.make_context("probe", NoSettings()))
    app.add_plugin(probe)
    for plugin in plugins:
        app.add_plugin(plugin(app.make_context(plugin.name, NoSettings())))
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "PORT": "0"}
    env.update({"SLACK_APP_TOKEN": APP_TOKEN} if socket else {"SLACK_SIGNING_SECRET": SECRET})
    platform = slack.create(app, env)
    app.add_platform(platform)
    try:
        if start:
            await app.start()
        yield Rig(app, platform, fake, probe)
    finally:
        await app.stop()
        await fake.stop()


def record_sleeps(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[float]:
    """Swap the `asyncio` a slack_sdk retry module sleeps with for one that records each delay and returns
    at once: the real handler decides when to retry, the test reads the delays, nobody waits."""
    waited: list[float] = []
    real_sleep = asyncio.sleep

    async def no_wait(delay: float, *args: Any) -> None:
        waited.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(module, "asyncio", SimpleNamespace(sleep=no_wait))
    return waited
