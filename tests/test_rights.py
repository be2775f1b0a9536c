"""Per-row rights, through the real app and its plugins (the harness): a plain member cannot act on
another member's calendar entry, question, group or privacy code. Each test checks the refusal the
member sees and that the row is as it was."""

from __future__ import annotations

import json
from pathlib import Path

from bot.model import Level
from tests.calendar_plugin.helpers import PLUGINS as CALENDAR
from tests.calendar_plugin.helpers import entries, mod, populate
from tests.groups.helpers import groups_app, make, rows
from tests.harness import running


async def test_a_member_cannot_mark_edit_or_cancel_someone_elses_calendar_entry(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=CALENDAR) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice')
        before = await entries(h)
        for line in (
            "/calendar done 1",
            "/calendar skip 1 not today",
            "/calendar edit 1 title:Mine",
            "/calendar cancel 1",
        ):
            refused = await h.command("bob", line)
            assert refused.ephemeral and refused.text.startswith("⚠️"), line
        assert "Entry #1 is not yours." in (await h.command("bob", "/calendar done 1")).text
        assert await entries(h) == before
        assert "#1" in (await h.command("alice", "/calendar done 1")).text  # the owner may


async def test_a_member_cannot_close_someone_elses_question(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "questions": {}}) as h:
        await h.say("alice", "How do I reset my password?")
        refused = await h.command("bob", "/solved 1")
        assert refused.ephemeral and "Only the person who asked #1" in refused.text
        assert [r["status"] for r in await h.app.db.fetchall("SELECT status FROM questions")] == ["open"]


async def test_a_member_cannot_manage_someone_elses_group(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await h.command("bob", "/group join Rust Lille")
        h.platform.user("carol")
        before = await rows(h, "SELECT * FROM community_groups")
        for line in (
            '/group edit "Rust Lille" description:"Mine now"',
            "/group archive Rust Lille",
            '/group ban "Rust Lille" @alice',
            '/group owner "Rust Lille" @bob transfer:yes',
            '/group announce "Rust Lille" Free pizza',
        ):
            refused = await h.command("bob", line, level=Level.MEMBER)
            assert refused.ephemeral and "Only the owners" in refused.text, (line, refused.text)
        assert await rows(h, "SELECT * FROM community_groups") == before
        assert await rows(h, "SELECT user_id, is_owner FROM group_members ORDER BY user_id") == [
            ("alice", 1),
            ("bob", 0),
        ]


async def test_a_member_cannot_use_someone_elses_privacy_code(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.say("alice", "bonjour")
        await h.flush()
        ask = await h.command("alice", "/privacy forget")
        code = dict(ask.buttons[0].args)["confirm"]
        stolen = await h.command("bob", f"/privacy forget confirm:{code}")
        assert stolen.ephemeral and "not valid" in stolen.text
        export = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
        assert len(export["core"]["activity"]["messages"]) == 1  # nothing of alice's was forgotten
        done = await h.command("alice", f"/privacy forget confirm:{code}")
        assert "Done: the bot forgot you" in done.text  # the code still works for its owner
