"""The Slack platform in Socket Mode: apps.connections.open hands out a websocket on the fake Slack,
envelopes arrive on it, the bot acknowledges each one on the socket and answers through the
response_url; asked to reconnect, it opens a new connection and carries on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Message
from bot.platforms.base import PlatformError
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.rig import WAIT, command_payload, running


async def test_a_slash_command_envelope_is_acked_on_the_socket_and_answered(tmp_path: Path) -> None:
    async with running(tmp_path, socket=True) as rig:
        assert rig.platform.socket_mode and rig.fake.connections == 1
        payload = command_payload(rig.fake, "/probe", "add 2 b:40", response="socket")
        await rig.fake.send_envelope("slash_commands", payload, "env-1")
        await rig.fake.wait_for(lambda: any(a.get("envelope_id") == "env-1" for a in rig.fake.acks), WAIT)
        answer = await rig.response("socket")
        assert answer["text"] == "2 + 40 = *42* for U1 in C1 (en, level MEMBER)"


async def test_events_arrive_through_the_socket_and_it_reconnects_when_asked(tmp_path: Path) -> None:
    async with running(tmp_path, socket=True) as rig:
        await rig.fake.ask_to_reconnect()
        await rig.fake.wait_for(lambda: rig.fake.connections == 2, WAIT)
        assert len(rig.fake.called("apps.connections.open")) == 2
        event = {
            "type": "message",
            "channel": "C1",
            "channel_type": "channel",
            "user": "U1",
            "text": "hello",
            "ts": "1700000001.000001",
        }
        await rig.fake.send_envelope(
            "events_api",
            {"team_id": TEAM, "api_app_id": "A1", "type": "event_callback", "event_id": "Ev1", "event": event},
            "env-2",
        )
        [message] = await rig.probe.wait_for(1)
        assert isinstance(message, Message) and message.text == "hello"
        await rig.fake.wait_for(lambda: any(a.get("envelope_id") == "env-2" for a in rig.fake.acks), WAIT)


async def test_a_refused_app_token_is_one_clear_error(tmp_path: Path) -> None:
    fake = FakeSlack()
    fake.fail_once("apps.connections.open", "invalid_auth")
    async with running(tmp_path, socket=True, fake=fake, start=False) as rig:
        with pytest.raises(PlatformError) as failure:
            await rig.app.start()
        message = str(failure.value)
        assert "\n" not in message
        assert message.startswith("Slack: the app-level token in SLACK_APP_TOKEN was refused (invalid_auth)")
