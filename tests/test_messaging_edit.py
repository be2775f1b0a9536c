"""Editing a message the bot sent, and the platform's own event listing, through the outbox: the edit is
rendered in the community's language, and a platform without the capability is never asked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.i18n import _
from bot.model import Button, Capability, Reply
from bot.plugin import NativeEvent
from tests.harness import START, FakePlatform, running


async def test_an_edit_replaces_the_message_in_the_community_language(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        community = h.platform.community
        await h.app.communities.set_locale(community, "fr", h.clock.now())
        ref = await h.app.outbox.send(h.platform.channel("general"), Reply(text="3 going"))
        assert ref is not None and h.platform.message(ref).text == "3 going"
        new = Reply(text=_("**For moderators**"), buttons=(Button(_("**For moderators**"), "event join"),))
        assert await h.app.outbox.edit(ref, new) is True
        assert h.platform.message(ref).text == "**Pour les modérateurs**"
        assert [e.ref for e in h.platform.edits] == [ref]
        assert h.platform.edits[0].target == ref.channel
        assert [b.command for b in h.platform.message(ref).reply.buttons] == ["event join"]
        assert [s.text for s in h.platform.sent] == ["3 going"]  # the message sent is not sent again


async def test_no_edit_and_no_native_events_without_the_capabilities(tmp_path: Path) -> None:
    plain = FakePlatform("plain", "T9", capabilities=[Capability.THREADS])
    async with running(tmp_path, platform=plain) as h:
        ref = await h.app.outbox.send(plain.channel("general"), Reply(text="3 going"))
        assert ref is not None
        assert await h.app.outbox.edit(ref, Reply(text="4 going")) is False
        assert plain.edits == [] and plain.message(ref).text == "3 going"
        assert h.app.outbox.native_events(plain.community) is None


async def test_a_message_the_bot_never_sent_is_not_edited(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ref = await h.say("alice", "my own message")
        assert await h.app.outbox.edit(ref, Reply(text="rewritten")) is False
        assert h.platform.edits == []


async def test_the_fake_native_events_list_update_cancel_and_refuse(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        events = h.app.outbox.native_events(h.platform.community)
        assert events is h.platform.native_events
        first = NativeEvent("Picnic", START, START + timedelta(hours=2), "Lyon", "Bring food")
        created = await events.create_event(h.platform.community, first)
        assert created.ok and created.native_id is not None
        moved = NativeEvent("Picnic", START, START + timedelta(hours=3), "Paris", "Bring food")
        assert (await events.update_event(h.platform.community, created.native_id, moved)).ok
        assert (await events.cancel_event(h.platform.community, created.native_id)).ok
        fake = h.platform.native_events
        assert fake.events == {created.native_id: moved} and fake.cancelled == {created.native_id}
        assert fake.log == [("create", "e1"), ("update", "e1"), ("cancel", "e1")]
        fake.missing_permission = "Manage Events"
        refused = await events.create_event(h.platform.community, first)
        assert not refused.ok and refused.missing_permission == "Manage Events" and refused.native_id is None
        assert len(fake.log) == 3
