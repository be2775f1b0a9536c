"""The digest commands through the real app: permissions, private results, bad input (wrong types,
empty, huge, unicode), subscriptions and DMs, the CSV export, contributed sections, privacy, the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.i18n import _
from bot.model import CommunityRef, Level
from bot.plugin import CommandError, DigestSection, NoSettings, Plugin
from plugins.digest.plugin import DigestPlugin
from tests.digest.helpers import PLUGINS, in_channel, in_dm, png_size, stored, use_managers_channel, values
from tests.harness import Harness, make_config, running

SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MOD = Level.MODERATOR


class Answers(Plugin):
    """A throwaway contributor: one section with figures and a line."""

    name = "answers"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.calls: list[tuple[datetime, datetime, str]] = []

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        self.calls.append((start, end, timezone))
        return DigestSection(
            "answers", _("Questions"), {"asked": 4, "answered": 3}, (_("{count} questions answered", count=3),)
        )


class Broken(Plugin):
    """A contributor that crashes: the digest goes on without it."""

    name = "broken"

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        raise RuntimeError("broken section")


def add(h: Harness, cls: type[Plugin]) -> Any:
    plugin = cls(h.app.make_context(cls.name, NoSettings()))
    h.app.add_plugin(plugin)
    return plugin


def digest_plugin(h: Harness) -> DigestPlugin:
    return next(p for p in h.app.registry.plugins if isinstance(p, DigestPlugin))


async def week_with_a_digest(h: Harness) -> None:
    await use_managers_channel(h)
    await h.say("alice", "hello")
    await h.say("bob", "hi")
    await h.flush()
    await h.advance(seconds=(SEND_NOV_23 - h.clock.now()).total_seconds())


@pytest.mark.parametrize(
    "line", ["/digest preview", "/digest history", "/digest send", "/digest export", "/digest settings day:fri"]
)
async def test_members_cannot_use_the_manager_commands(tmp_path: Path, line: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("alice", line)
        assert reply.ephemeral and "moderators only" in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM digest_settings") == 0


async def test_preview_is_private_and_shows_the_period_so_far_with_sections(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        answers = add(h, Answers)
        add(h, Broken)
        await h.say("alice", "hello")
        await h.say("bob", "hi", channel="random")
        reply = await h.command("mod", "/digest preview", level=MOD)
        assert reply.ephemeral
        assert "**Digest so far, 16 Nov 2026 to 16 Nov 2026**" in reply.text
        # The bot arrived this week: the week before has no data, so no change is shown against it.
        assert "Messages: 2 (no earlier data)" in reply.text
        assert "Active channels: 2 (no earlier data)" in reply.text
        assert "**Questions**\n• 3 questions answered" in reply.text
        assert "figures so far" in reply.text
        (chart,) = reply.attachments
        assert png_size(chart.content) == (1000, 500)
        # The contributor got the period in UTC, cut at now: Monday 00:00 in Paris is Sunday 23:00 UTC.
        assert answers.calls == [(datetime(2026, 11, 15, 23, 0, tzinfo=UTC), h.clock.now(), "Europe/Paris")]
        assert h.sent == []  # nothing posted anywhere


async def test_scheduled_digest_stores_contributed_sections_and_export_has_their_columns(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        add(h, Answers)
        add(h, Broken)
        await week_with_a_digest(h)
        (digest,) = await stored(h)
        assert list(digest["figures"]["sections"]) == ["reach", "engagement", "members", "quality", "answers"]
        assert values(digest, "answers") == {"asked": 4, "answered": 3}
        assert "**Questions**" in in_channel(h, "managers")[0].text
        reply = await h.command("mod", "/digest export periods:3", level=MOD)
        assert reply.ephemeral
        (attachment,) = reply.attachments
        assert attachment.filename.endswith(".csv") and attachment.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8-sig"))))
        assert [r["period_start"] for r in rows] == ["2026-11-02", "2026-11-09", "2026-11-16"]
        assert rows[-1]["reach.messages"] == "2" and rows[-1]["answers.answered"] == "3"
        # Weeks before the bot saw the community are no data (empty cells), never zeros.
        assert rows[0]["reach.messages"] == "" and rows[0]["answers.answered"] == ""
        assert rows[1]["reach.messages"] == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/digest export periods:0", "between 1 and 104"),
        ("/digest export periods:105", "between 1 and 104"),
        ("/digest export periods:abc", "whole number"),
        ("/digest export periods:99999999999999999999999", "too large"),
        ("/digest history count:0", "between 1 and 50"),
        ("/digest history count:ünïcode", "whole number"),
        ("/digest settings time:25:00", "25:00 is not a time of day."),
        ("/digest settings time:٠٩:٠٠", "is not a time of day."),
        ("/digest settings time:é", "is not a time of day."),
        ("/digest settings time:090000000", "too long"),
        ("/digest settings day:funday", "mon"),
        ("/digest settings period:year", "week"),
        ("/digest subscribe maybe", "on"),
        ("/digest subscribe", "state"),
        ('/digest settings time:""', "time cannot be empty"),
        ("/digest history count:", "whole number"),
        ('/digest export ""', "whole number"),
        ('/digest settings day:""', "day must be one of"),
    ],
)
async def test_bad_input_gets_a_clear_private_message(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=MOD)
        assert reply.ephemeral and expected in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM digest_settings") == 0


async def test_typed_options_are_checked_too(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        wrong = await h.command("mod", "/digest settings", level=MOD, options={"day": "someday", "time": "07:00"})
        assert wrong.ephemeral and "day must be one of" in wrong.text
        bad_time = await h.command("mod", "/digest settings", level=MOD, options={"time": "7h7"})
        assert bad_time.ephemeral and "is not a time of day" in bad_time.text
        ok = await h.command("mod", "/digest settings", level=MOD, options={"day": "sun", "time": "7:05"})
        assert "sent every Sunday at 7:05" in ok.text


async def test_settings_show_change_and_drive_the_schedule(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        shown = await h.command("mod", "/digest settings", level=MOD)
        assert shown.ephemeral and "sent every Monday at 9:00" in shown.text
        changed = await h.command("mod", "/digest settings day:wed time:18h30", level=MOD)
        assert "sent every Wednesday at 18:30" in changed.text
        assert "No digest channel and no subscriber: the digest will go nowhere." in changed.text
        assert "the digest will go nowhere" in shown.text
        await use_managers_channel(h)
        await h.say("alice", "hello")
        await h.flush()
        # Wednesday 25 November, 18:30 in Paris: the week Wednesday 18 to Tuesday 24.
        await h.advance(seconds=(datetime(2026, 11, 25, 17, 25, tzinfo=UTC) - h.clock.now()).total_seconds())
        (first,) = in_channel(h, "managers")  # Wednesday 18 at 18:30: the week Wednesday 11 to Tuesday 17
        assert "Weekly digest, 11 Nov 2026 to 17 Nov 2026" in first.text
        await h.advance(minutes=5)
        assert "Weekly digest, 18 Nov 2026 to 24 Nov 2026" in in_channel(h, "managers")[-1].text
        monthly = await h.command("mod", "/digest settings period:month time:07:00", level=MOD)
        assert "each calendar month and is sent on the 1st at 7:00" in monthly.text
        await h.advance(seconds=(datetime(2026, 12, 1, 6, 0, tzinfo=UTC) - h.clock.now()).total_seconds())
        assert "Monthly digest, 1 Nov 2026 to 30 Nov 2026" in in_channel(h, "managers")[-1].text
        assert [d["period_start"] for d in await stored(h)] == ["2026-11-01", "2026-11-11", "2026-11-18"]


async def test_history_and_resend(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        empty = await h.command("mod", "/digest history", level=MOD)
        assert "No digest has been built yet" in empty.text
        refused = await h.command("mod", "/digest send", level=MOD)
        assert refused.ephemeral and "There is no digest to send yet." in refused.text
        await week_with_a_digest(h)
        history = await h.command("mod", "/digest history 3", level=MOD)
        assert history.ephemeral
        assert "• 16 Nov 2026 to 22 Nov 2026: 2 messages, 2 active members, sent Mon 23 Nov 2026 09:00" in history.text
        resent = await h.command("mod", "/digest send", level=MOD)
        assert "Digest sent again to 1 destination." in resent.text
        posts = in_channel(h, "managers")
        assert len(posts) == 2 and posts[0].text == posts[1].text


async def test_resend_without_any_destination_explains_how_to_set_one(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await week_with_a_digest(h)
        await h.command("mod", "/settings channel purpose:digest", level=MOD)  # cleared
        reply = await h.command("mod", "/digest send", level=MOD)
        assert reply.ephemeral and "nowhere to go" in reply.text and "/settings channel" in reply.text


async def test_subscriptions_are_for_moderators_and_managers_and_bring_dms(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        refused = await h.command("alice", "/digest subscribe on")
        assert refused.ephemeral and "Only moderators and managers" in refused.text
        await h.command("admin", "/settings role purpose:managers role:R1", level=Level.ADMIN)
        assert "direct message" in (await h.command("alice", "/digest subscribe on", roles=["R1"])).text
        await h.command("mod", "/digest subscribe on", level=MOD)
        await h.command("mod", "/digest subscribe off", level=MOD)
        await week_with_a_digest(h)
        assert len(in_dm(h, "alice")) == 1 and in_dm(h, "mod") == []
        assert "Weekly digest" in in_dm(h, "alice")[0].text


async def test_privacy_export_and_forget_scrub_the_stored_digests(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/digest subscribe on", level=MOD)
        await week_with_a_digest(h)
        assert "Top contributors: alice (1), bob (1)" in (await stored(h))[0]["rendered"]
        exported = await h.command("alice", "/privacy export")
        data = json.loads(exported.attachments[0].content)
        assert data["digest"] == {
            "subscribed_at": None,
            "named_in_digests": [{"period_start": "2026-11-16", "period_end": "2026-11-23", "messages": 1}],
        }
        mod_data = json.loads((await h.command("mod", "/privacy export")).attachments[0].content)
        assert mod_data["digest"]["subscribed_at"] == "2026-11-16T09:00:00+00:00"
        first = await h.command("alice", "/privacy forget")
        token = re.search(r"confirm:([0-9A-F]+)", first.text)
        assert token is not None
        await h.command("alice", f"/privacy forget confirm:{token.group(1)}")
        (digest,) = await stored(h)
        assert "Top contributors: a former member (1), bob (1)" in digest["rendered"]
        assert "alice" not in digest["rendered"]
        contributors = digest["figures"]["lists"]["top_contributors"]
        assert contributors[0] == {"id": None, "name": "a former member", "messages": 1}
        assert values(digest, "reach")["messages"] == 2  # aggregates stay
        renderings = json.loads(digest["renderings"])
        assert "alice" not in renderings["en"] and "alice" not in renderings["fr"]
        assert "un ancien membre (1)" in renderings["fr"]
        await h.command("mod", "/privacy forget")
        token = re.search(r"confirm:([0-9A-F]+)", (await h.command("mod", "/privacy forget")).text)
        assert token is not None
        await h.command("mod", f"/privacy forget confirm:{token.group(1)}")
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM digest_subscriptions") == 0


async def test_command_line_files_and_their_errors(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await week_with_a_digest(h)
        plugin = digest_plugin(h)
        paths = await plugin.write_files("fake:T1", "2026-11-18", tmp_path / "out")
        assert [p.name for p in paths] == [
            "digest-2026-11-16.md",
            "digest-2026-11-16-activity.png",
            "digest-2026-11-16.csv",
        ]
        markdown = paths[0].read_text(encoding="utf-8")
        assert markdown.startswith("# Weekly digest, 16 Nov 2026 to 22 Nov 2026\n") and "| Messages | 2 |" in markdown
        assert png_size(paths[1].read_bytes()) == (1000, 500)
        rows = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
        assert len(rows) == 12 and rows[-1]["period_start"] == "2026-11-16" and rows[-1]["reach.messages"] == "2"
        last = await plugin.write_files("fake:T1", None, tmp_path / "last")
        assert last[0].name == "digest-2026-11-16.md"
        current = await plugin.write_files("fake:T1", "current", tmp_path / "current")
        assert "Digest so far" in current[0].read_text(encoding="utf-8")
        for community, period, message in [
            ("fake:T2", None, "Did you mean fake:T1?"),
            ("fake:T1", "2027-01-04", "has not started yet"),
            ("fake:T1", "yesterday", "is not a period"),
        ]:
            with pytest.raises(CommandError) as caught:
                await plugin.write_files(community, period, tmp_path / "bad")
            rendered = (
                h.app.translator.render(caught.value.message, "en")
                + " "
                + h.app.translator.render(caught.value.hint, "en")
            )
            assert message in rendered
        assert not (tmp_path / "bad").exists()


async def test_the_digest_speaks_the_community_language_and_dms_the_reader_s(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        await h.command("mod", "/digest subscribe on", level=MOD)
        await h.command("mod", "/language en")
        await week_with_a_digest(h)
        post = in_channel(h, "managers")[0].text
        assert "**Bilan hebdomadaire, du 16 nov. 2026 au 22 nov. 2026**" in post
        assert "Messages\u202f: 2 (aucune donnée antérieure)" in post
        assert "Réactions par message\u202f: 0 (aucune donnée antérieure)" in post
        assert (await stored(h))[0]["rendered"] == post
        assert "Weekly digest, 16 Nov 2026 to 22 Nov 2026" in in_dm(h, "mod")[0].text
        shown = await h.command("alice", "/digest settings", level=MOD)
        assert "Le bilan couvre une semaine\u202f; il est envoyé chaque lundi à 9 h." in shown.text


async def test_the_command_line_flow_works_on_a_built_but_not_started_app(tmp_path: Path) -> None:
    """What `affinity-bot digest` does (see the report for the lines in bot/__main__.py)."""
    async with running(tmp_path, plugins=PLUGINS) as h:
        await week_with_a_digest(h)
    app = App(make_config(tmp_path, PLUGINS), clock=FrozenClock(SEND_NOV_23), realtime=False)
    await app.build()
    try:
        plugin = next(p for p in app.registry.plugins if p.name == "digest")
        assert isinstance(plugin, DigestPlugin)
        paths = await plugin.write_files("fake:T1", None, tmp_path / "cli")
        assert "Top contributors: alice (1), bob (1)" in paths[0].read_text(encoding="utf-8")
    finally:
        await app.stop()
