"""Who may read a Slack channel (`can_read`, used by the watch digests), asked through the real app's
outbox and the real Slack platform against the fake Slack: public channels for full members, guests
only where they are, private channels and group DMs for their members, threads as their channel,
DMs for no one else, None when Slack cannot tell, and a cache that spares Slack repeated calls."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.model import ChannelRef, UserRef
from bot.platforms.slack.access import Expiring
from tests.slack.fake_slack import BOT_USER, TEAM, FakeSlack, channel, guest
from tests.slack.rig import WAIT, Rig, running

ALICE, BOB, ROOT, MARIE = (UserRef("slack", TEAM, uid) for uid in ("U1", "U2", "UADMIN", "UFR"))
GINA = UserRef("slack", TEAM, "UG")  # a multi-channel guest, in #general only
SAM = UserRef("slack", TEAM, "UG1")  # a single-channel guest, in #random only
OTTO = UserRef("slack", TEAM, "UX")  # a member of another organisation (Slack Connect), in #general only
GENERAL, RANDOM, STAFF, GROUP_DM, SECRET = (
    ChannelRef("slack", TEAM, cid) for cid in ("C1", "C3", "CSTAFF", "GMP", "CSECRET")
)
LOOKUPS = ("conversations.info", "conversations.members", "users.info")


def workspace() -> FakeSlack:
    """Alice, Bob, Root and Marie are full members; Gina and Sam are guests. #staff is private, the bot
    is in it but not in #secret; GMP is a group DM of Alice, Bob and the bot."""
    fake = FakeSlack()
    fake.users.update(
        {
            "UG": guest("UG", "gina"),
            "UG1": guest("UG1", "sam", single_channel=True),
            "UX": {**guest("UX", "otto"), "is_restricted": False, "team_id": "T2"},
        }
    )
    fake.channels.update(
        {
            "C1": channel("C1", "general"),
            "C3": channel("C3", "random"),
            "CSTAFF": channel("CSTAFF", "staff", private=True),
            "CSECRET": channel("CSECRET", "secret", private=True),
            "GMP": channel("GMP", "mpdm-alice--bob-1", mpim=True),
        }
    )
    fake.members = {
        "C1": ["U1", "U2", "UG", "UX", BOT_USER],
        "C3": ["U1", "UG1", BOT_USER],
        "CSTAFF": ["U2", BOT_USER],
        "CSECRET": ["UADMIN"],
        "GMP": ["U1", "U2", BOT_USER],
    }
    return fake


async def can_read(rig: Rig, user: UserRef, where: ChannelRef) -> bool | None:
    return await rig.app.outbox.can_read(user, where)


def lookups(rig: Rig) -> dict[str, int]:
    return {method: len(rig.fake.called(method)) for method in LOOKUPS}


async def test_a_public_channel_is_read_by_full_members_and_by_guests_in_it(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        assert await can_read(rig, ALICE, RANDOM) is True
        assert await can_read(rig, ROOT, GENERAL) is True  # not in #general: a full member reads it anyway
        assert rig.fake.called("conversations.members") == []  # full members need no member list
        assert await can_read(rig, GINA, GENERAL) is True
        assert await can_read(rig, GINA, RANDOM) is False
        assert await can_read(rig, SAM, RANDOM) is True
        assert await can_read(rig, SAM, GENERAL) is False
        assert await can_read(rig, OTTO, GENERAL) is True
        assert await can_read(rig, OTTO, RANDOM) is False


async def test_a_private_channel_or_group_dm_is_read_by_its_members_only(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        assert await can_read(rig, BOB, STAFF) is True
        assert await can_read(rig, ALICE, STAFF) is False
        assert await can_read(rig, ROOT, STAFF) is False  # workspace admins are not members either
        assert await can_read(rig, ALICE, GROUP_DM) is True
        assert await can_read(rig, MARIE, GROUP_DM) is False


async def test_channel_members_are_listed_across_pages(tmp_path: Path) -> None:
    fake = workspace()
    fake.members["CSTAFF"] = ["U2", BOT_USER, "UFR"]  # two pages of two
    async with running(tmp_path, fake=fake) as rig:
        assert await can_read(rig, MARIE, STAFF) is True  # on the second page
        first, second = rig.fake.called("conversations.members")
        assert first.args["channel"] == second.args["channel"] == "CSTAFF"
        assert "cursor" not in first.args and second.args["cursor"] == "2"
        assert await can_read(rig, ALICE, STAFF) is False


async def test_a_thread_counts_as_its_channel_and_a_dm_as_nobody_elses(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        assert await can_read(rig, BOB, STAFF.in_thread("1700000100.000100")) is True
        assert await can_read(rig, ALICE, STAFF.in_thread("1700000100.000100")) is False
        assert await can_read(rig, GINA, RANDOM.in_thread("1700000200.000200")) is False
        assert {c.args["channel"] for c in rig.fake.called("conversations.info")} == {"CSTAFF", "C3"}
        before = lookups(rig)
        assert await can_read(rig, ALICE, ChannelRef("slack", TEAM, "DU2")) is False
        assert lookups(rig) == before  # decided without asking Slack


async def test_what_slack_does_not_answer_is_unknown_and_logged_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="affinity.slack.access")
    async with running(tmp_path, fake=workspace()) as rig:
        assert await can_read(rig, ALICE, GENERAL) is True
        assert await can_read(rig, ALICE, ChannelRef("slack", TEAM, "CGONE")) is None  # channel_not_found
        assert await can_read(rig, ROOT, SECRET) is None  # private, and the bot is not in it
        rig.fake.fail_once("conversations.info", "missing_scope", needed="groups:read")
        assert await can_read(rig, BOB, GROUP_DM) is None
        rig.fake.broken["users.info"] = "missing_scope"
        assert await can_read(rig, UserRef("slack", TEAM, "UNEW"), RANDOM) is None  # not listed at start
        assert await can_read(rig, UserRef("slack", TEAM, "UNEW"), STAFF) is False  # members-only: no users.info
    logged = [r.getMessage() for r in caplog.records if r.name == "affinity.slack.access"]
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "affinity.slack.access")
    assert any("CGONE" in m and "channel_not_found" in m for m in logged)
    assert any("CSECRET" in m and "conversations.members" in m for m in logged)
    assert any("GMP" in m and "missing_scope" in m for m in logged)
    assert any("UNEW" in m and "missing_scope" in m for m in logged)


async def test_answers_are_cached_so_a_digest_run_asks_slack_once_per_channel(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        members = (ALICE, BOB, ROOT, MARIE, GINA, SAM)
        places = (GENERAL, RANDOM, STAFF, GROUP_DM, SECRET, ChannelRef("slack", TEAM, "CGONE"))
        first = [await can_read(rig, m, p) for m in members for p in places]
        assert first[:3] == [True, True, False]  # Alice: #general, #random, #staff
        asked = lookups(rig)
        assert asked["conversations.info"] == len(places)  # once per channel, failures included
        listings = [c.args["channel"] for c in rig.fake.called("conversations.members") if "cursor" not in c.args]
        assert sorted(listings) == sorted(set(listings))  # each member list read once (pages aside)
        assert [await can_read(rig, m, p) for m in members for p in places] == first
        assert lookups(rig) == asked  # the second round made no call


async def test_a_member_leaving_a_channel_is_seen_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        assert await can_read(rig, BOB, STAFF) is True
        access = rig.platform.access
        forget, seen = access.forget_members, asyncio.Event()

        def forget_and_tell(channel_id: str) -> None:
            forget(channel_id)
            seen.set()

        monkeypatch.setattr(access, "forget_members", forget_and_tell)
        rig.fake.members["CSTAFF"].remove("U2")
        status, _ = await rig.event(
            {
                "type": "member_left_channel",
                "user": "U2",
                "channel": "CSTAFF",
                "channel_type": "G",
                "team": TEAM,
                "event_ts": "1700000300.000300",
            }
        )
        assert status == 200
        await asyncio.wait_for(seen.wait(), WAIT)
        assert await can_read(rig, BOB, STAFF) is False
        assert len(rig.fake.called("conversations.members")) == 2


def test_the_cache_forgets_after_its_window_and_keeps_a_bounded_number_of_entries() -> None:
    clock = [0.0]
    cache: Expiring[int | None] = Expiring(2, lambda: clock[0])
    cache.put("a", 1, 300.0)
    cache.put("b", None, 60.0)  # an unknown answer is remembered too, for less long
    assert cache.get("a") == (1,) and cache.get("b") == (None,)
    clock[0] = 61.0
    assert cache.get("b") is None and cache.get("a") == (1,)
    cache.put("c", 3, 300.0)
    cache.put("d", 4, 300.0)  # the least recently used goes
    assert len(cache) == 2 and cache.get("a") is None and cache.get("d") == (4,)
    clock[0] = 400.0
    assert cache.get("c") is None and cache.get("d") is None
