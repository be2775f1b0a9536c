"""Editing a message the bot posted on Slack (chat.update): the message Slack holds changes, rendered as a
post is rendered, its buttons still carrying their command; a message that is gone is False. Slack keeps no
event listing of its own."""

from __future__ import annotations

import json
from pathlib import Path

from bot.model import Button, Capability, Card, CardField, ChannelRef, CommunityRef, MessageRef, Reply
from tests.slack.fake_slack import TEAM
from tests.slack.rig import running

GENERAL = ChannelRef("slack", TEAM, "C1")


def card(going: int) -> Reply:
    return Reply(
        card=Card("Picnic", (CardField("Going", str(going)),)),
        buttons=(Button("Join", "event join", {"id": "7"}),),
    )


async def test_an_edit_replaces_the_message_slack_holds(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        ref = await rig.app.outbox.send(GENERAL, Reply(text="Picnic <soon>", card=card(3).card))
        assert ref is not None
        assert await rig.app.outbox.edit(ref, card(4)) is True
        [update] = rig.fake.called("chat.update")
        assert (update.args["channel"], update.args["ts"]) == ("C1", ref.message_id)
        held = rig.fake.messages[("C1", ref.message_id)]
        assert "edited" in held and "Picnic" in held["text"]  # the fallback text for notifications
        texts = json.dumps(held["blocks"])
        assert "soon" not in texts and "*Going*\\n4" in texts
        [actions] = [b for b in held["blocks"] if b["type"] == "actions"]
        assert json.loads(actions["elements"][0]["value"]) == {"c": "event join", "a": {"id": "7"}}
        # Without a card or buttons, the new version has neither.
        assert await rig.app.outbox.edit(ref, Reply(text="Picnic cancelled")) is True
        held = rig.fake.messages[("C1", ref.message_id)]
        assert [b["type"] for b in held["blocks"]] == ["section"]
        assert held["blocks"][0]["text"]["text"] == "Picnic cancelled"


async def test_a_message_that_is_gone_is_not_edited_and_slack_has_no_native_events(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        gone = MessageRef(GENERAL, "1699999999.000001")
        assert await rig.app.outbox.edit(gone, Reply(text="4 going")) is False
        assert [c.status for c in rig.fake.called("chat.update")] == [200]  # asked, and Slack said message_not_found
        assert rig.fake.messages == {}
        community = CommunityRef("slack", TEAM)
        assert Capability.EDIT_MESSAGE in rig.app.outbox.capabilities(community)
        assert Capability.SCHEDULED_EVENTS not in rig.app.outbox.capabilities(community)
        assert rig.app.outbox.native_events(community) is None
