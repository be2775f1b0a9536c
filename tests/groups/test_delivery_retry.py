"""Platform failures in the groups plugin: `/group announce` says when the post did not go out (an outage
is retried by the bot itself, exactly once; a refusal is not retried, so announcing again is safe), and
the newcomer suggestion is recorded as sent only once it was, or once the member's DMs turned out closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.model import ChannelRef, MemberJoined, UserRef
from tests.groups.helpers import groups_app, make, rows
from tests.harness import Harness


def in_space(h: Harness) -> list[str]:
    return [s.text for s in h.sent if isinstance(s.target, ChannelRef) and s.target.channel_id == "c-rust-lille"]


def dms(h: Harness, user: str) -> list[str]:
    return [s.text for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == user]


async def announcements(h: Harness) -> list[tuple[Any, ...]]:
    return await rows(h, "SELECT status, attempts FROM due_actions WHERE kind = 'groups.announce' ORDER BY id")


async def with_reader(h: Harness) -> None:
    """Rust Lille (owned by alice), bob a member who wants announcements by DM."""
    await make(h)
    await h.command("bob", "/group join Rust Lille")
    await h.command("bob", '/group notify "Rust Lille" on')


async def test_an_announcement_in_an_outage_says_so_and_is_posted_once_by_the_retry(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await with_reader(h)
        h.platform.fail("#c-rust-lille")
        reply = await h.command("alice", '/group announce "Rust Lille" Meetup Thursday')
        assert "could not be posted in #rust-lille yet" in reply.text and "Announcement posted" not in reply.text
        assert "try again by itself in a few minutes" in reply.text and "no need to announce it again" in reply.text
        assert in_space(h) == [] and dms(h, "bob") == []  # the space post comes first: nothing went out
        assert await announcements(h) == [("pending", 1)]
        assert await rows(h, "SELECT COUNT(*) FROM sent_messages") == [(0,)]
        h.platform.heal()
        await h.advance(minutes=2)
        assert in_space(h) == ["📣 Announcement for Rust Lille\nMeetup Thursday"]
        assert len(dms(h, "bob")) == 1 and "Meetup Thursday" in dms(h, "bob")[0]
        assert await announcements(h) == [("done", 1)]
        await h.advance(hours=2)
        assert len(in_space(h)) == 1 and len(dms(h, "bob")) == 1


async def test_an_announcement_refused_for_a_permission_is_not_retried_and_can_be_sent_again(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await with_reader(h)
        h.platform.fail("#c-rust-lille", "missing_permission")
        reply = await h.command("alice", '/group announce "Rust Lille" Meetup Thursday')
        assert "could not be posted in #rust-lille; it was not sent to anyone." in reply.text
        assert "lacks the “send_messages” permission there" in reply.text and "then try again" in reply.text
        assert await announcements(h) == [("cancelled", 1)]
        h.platform.heal()
        await h.advance(hours=1)
        assert in_space(h) == [] and dms(h, "bob") == []
        again = await h.command("alice", '/group announce "Rust Lille" Meetup Thursday')
        assert "Announcement posted in #rust-lille." in again.text
        assert in_space(h) == ["📣 Announcement for Rust Lille\nMeetup Thursday"] and len(dms(h, "bob")) == 1


async def test_the_reply_about_a_failed_announcement_is_translated(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await with_reader(h)
        h.platform.fail("#c-rust-lille")
        reply = await h.command("alice", '/group announce "Rust Lille" Réunion jeudi', locale="fr")
        assert "L’annonce n’a pas encore pu être publiée dans #rust-lille." in reply.text
        assert "Le bot réessaiera de lui-même dans quelques minutes" in reply.text


async def test_the_newcomer_suggestion_is_not_recorded_as_sent_when_the_platform_failed(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        joined = MemberJoined(h.platform.community, h.clock.now(), h.platform.user("zoe"))
        h.platform.fail("@zoe")
        await h.app.dispatcher.handle(joined)
        assert dms(h, "zoe") == [] and len(h.platform.refused_sends) == 1
        assert await rows(h, "SELECT COUNT(*) FROM group_welcomes") == [(0,)]
        h.platform.heal()
        await h.app.dispatcher.handle(joined)  # a listener has no retry: the next join event offers it
        await h.app.dispatcher.handle(joined)
        assert len(dms(h, "zoe")) == 1 and "Rust Lille" in dms(h, "zoe")[0]
        assert await rows(h, "SELECT user_id FROM group_welcomes") == [("zoe",)]


async def test_the_newcomer_suggestion_to_closed_dms_is_not_offered_again(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        joined = MemberJoined(h.platform.community, h.clock.now(), h.platform.user("zoe"))
        h.platform.fail("@zoe", "dm_closed")
        await h.app.dispatcher.handle(joined)
        assert await rows(h, "SELECT user_id FROM group_welcomes") == [("zoe",)]
        h.platform.heal()
        await h.app.dispatcher.handle(joined)
        assert dms(h, "zoe") == [] and len(h.platform.refused_sends) == 1
