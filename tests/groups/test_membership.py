"""Joining and leaving, private requests, bans, owners, archive, members."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Level
from tests.groups.fakes import FakeSpaces
from tests.groups.helpers import RUST, groups_app, make, rows
from tests.harness import Harness


def access(h: Harness) -> set[str]:
    fake = h.platform
    assert isinstance(fake, FakeSpaces)
    return fake.access.get("c-rust-lille", set())


async def test_join_and_leave_with_clear_messages(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        joined = await h.command("bob", "/group join rust lille")
        assert "Welcome to **Rust Lille**! Its space: #rust-lille." in joined.text
        assert access(h) == {"alice", "bob"}
        assert "already a member" in (await h.command("bob", "/group join RUST-LILLE")).text
        assert "Did you mean Rust Lille?" in (await h.command("bob", "/group join rust lile")).text
        left = await h.command("bob", "/group leave Rust Lille")
        assert "You left Rust Lille." in left.text and access(h) == {"alice"}
        not_in = await h.command("bob", "/group leave Rust Lille")
        assert "You cannot leave Rust Lille: you are not a member of it." in not_in.text
        assert "You are not in any group yet" in not_in.text
        empty = await h.command("bob", "/group join")
        assert empty.ephemeral and "group" in empty.text


async def test_the_last_owner_cannot_leave_until_handing_over(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await h.command("bob", "/group join Rust Lille")
        h.platform.user("carol")  # known to the platform, not in the group
        stuck = await h.command("alice", "/group leave Rust Lille")
        assert "last owner" in stuck.text and "/group owner" in stuck.text
        assert "not a member" in (await h.command("alice", '/group owner "Rust Lille" @carol')).text
        assert "Only the owners" in (await h.command("bob", '/group owner "Rust Lille" @bob')).text
        handed = await h.command("alice", '/group owner "Rust Lille" @bob transfer:yes')
        assert "bob is now the owner of Rust Lille." in handed.text
        assert "You left" in (await h.command("alice", "/group leave Rust Lille")).text
        assert await rows(h, "SELECT user_id, is_owner FROM group_members") == [("bob", 1)]


async def test_private_groups_ask_the_owners_who_approve_or_deny(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h, RUST + " private:yes")
        asked = await h.command("bob", "/group join Rust Lille")
        assert "private: your request was sent to its owners" in asked.text and access(h) == {"alice"}
        assert "already waiting" in (await h.command("bob", "/group join Rust Lille")).text
        to_owner = [s for s in h.sent if getattr(s.target, "user_id", None) == "alice"]
        assert len(to_owner) == 1 and "bob asks to join your private group" in to_owner[0].text
        buttons = {b.label: (b.command, dict(b.args)) for b in to_owner[0].reply.buttons}
        assert buttons["Approve"] == ("group approve", {"group": "Rust Lille", "member": "bob"})
        assert "Only the owners" in (await h.command("carol", '/group approve "Rust Lille" @bob')).text
        # The button runs the command with its args, as the owner.
        approved = await h.command("alice", '/group approve group:"Rust Lille" member:bob')
        assert "bob joined Rust Lille." in approved.text and access(h) == {"alice", "bob"}
        assert any("You are now a member" in s.text for s in h.sent if getattr(s.target, "user_id", "") == "bob")
        await h.command("carol", "/group join Rust Lille")
        denied = await h.command("alice", '/group deny "Rust Lille" @carol')
        assert "declined" in denied.text
        assert "no pending request" in (await h.command("alice", '/group deny "Rust Lille" @carol')).text
        assert "already a member" in (await h.command("alice", '/group approve "Rust Lille" @bob')).text
        assert await rows(h, "SELECT * FROM group_join_requests") == []
        hidden = await h.command("dave", "/group members Rust Lille")
        assert "only its members" in hidden.text
        shown = await h.command("bob", "/group members Rust Lille")
        assert shown.card is not None and "**alice** 👑" in (shown.card.description or "")


async def test_a_banned_member_cannot_rejoin(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await h.command("bob", "/group join Rust Lille")
        h.platform.user("carol")
        assert "not a member" in (await h.command("alice", '/group ban "Rust Lille" @carol')).text
        assert "Only the owners" in (await h.command("carol", '/group ban "Rust Lille" @bob')).text
        assert "yourself" in (await h.command("alice", '/group ban "Rust Lille" @alice')).text
        assert "No member matches" in (await h.command("alice", '/group ban "Rust Lille" @nobody')).text
        banned = await h.command("alice", '/group ban "Rust Lille" @bob')
        assert "bob is banned from Rust Lille." in banned.text and access(h) == {"alice"}
        assert "cannot join" in (await h.command("bob", "/group join Rust Lille")).text
        moderator = await h.command("mod", '/group ban "Rust Lille" @bob', level=Level.MODERATOR)
        assert "already banned" in moderator.text


async def test_archive_hides_the_group_keeps_its_name_and_archives_the_space(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        assert "Only the owners" in (await h.command("bob", "/group archive Rust Lille")).text
        done = await h.command("alice", "/group archive Rust Lille")
        assert "archived" in done.text
        fake = h.platform
        assert isinstance(fake, FakeSpaces) and fake.archived == {"c-rust-lille"}
        assert "Rust Lille has been archived: it is closed" in (await h.command("bob", "/group join Rust Lille")).text
        assert (
            "was archived: its name stays taken"
            in (await h.command("bob", '/group create "rust lille" affinity x')).text
        )
        listed = await h.command("bob", "/group list")
        assert listed.card is not None and "Rust Lille" not in (listed.card.description or "")


async def test_edit_renames_the_space_and_moves_the_area(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await make(h, '/group create Chess affinity "Play chess"')
        taken = await h.command("alice", '/group edit "Rust Lille" name:chess')
        assert "already exists" in taken.text
        assert "Nothing to change" in (await h.command("alice", '/group edit "Rust Lille"')).text
        edited = await h.command(
            "alice", '/group edit "Rust Lille" name:"Rust Hauts-de-France" radius_km:80 tags:"rust, embedded"'
        )
        assert "Group **Rust Hauts-de-France** updated." in edited.text
        fake = h.platform
        assert isinstance(fake, FakeSpaces) and ("rename_space", "rust-hauts-de-france") in fake.calls
        stored = await rows(h, "SELECT name, radius_km, tags, city_name FROM community_groups WHERE kind = 'local'")
        assert stored == [("Rust Hauts-de-France", 80, "rust embedded", "Lille")]
        assert "Only the owners" in (await h.command("bob", '/group edit Chess description:"mine"')).text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/group list page:abc", "page must be a whole number"),
        ("/group list kind:virtual", "kind must be one of affinity, local"),
        ("/group nearby Lille radius_km:abc", "radius_km must be a whole number"),
        ("/group nearby Lille radius_km:9999", "radius_km"),
        ('/group notify "Rust Lille" maybe', "state must be one of on, off"),
        ('/group announce "Rust Lille" ' + "a" * 1501, "text is too long"),
        ('/group announce "Rust Lille"', "Missing"),
        ("/group info " + "x" * 121, "group is too long"),
        ('/group topic "Rust Lille"', "Missing"),
        ('/group owner "Rust Lille" @ghost', "No member matches"),
        ("/location set", "Missing"),
        ("/location set " + "y" * 101, "city is too long"),
        ("/location set Ville-Qui-N-Existe-Pas", "I do not know the city"),
        ('/group review "Rust Lille" maybe', "moderators only"),
        ("/group members 🦀", "There is no group called “🦀”."),
    ],
)
async def test_bad_input_on_other_commands(tmp_path: Path, line: str, expected: str) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        reply = await h.command("alice", line)
        assert reply.ephemeral and expected in reply.text, reply.text
