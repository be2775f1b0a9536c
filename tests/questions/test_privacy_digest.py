"""The questions plugin's digest section, privacy export/forget, and the index after a restart."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.plugin import DigestContributor, PrivacyParticipant
from tests.harness import START, running
from tests.questions.conftest import PLUGINS, plugin, questions, shown


async def test_digest_section_figures_and_lines(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        questions_plugin = plugin(h)
        assert isinstance(questions_plugin, DigestContributor)
        week = (START, START + timedelta(days=7))
        empty = await questions_plugin.digest_section(h.platform.community, *week, "Europe/Paris")
        assert empty is None
        fast = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=fast)
        await h.react("alice", fast, "✅")
        slow = await h.say("carol", "Comment on exporte les données en CSV ?")
        await h.advance(hours=30)
        await h.say("bob", "Avec /digest export", reply_to=slow)
        await h.say("dave", "Wo finde ich die Folien vom Vortrag?")
        await h.advance(days=4)
        section = await questions_plugin.digest_section(
            h.platform.community, START, START + timedelta(days=7), "Europe/Paris"
        )
        assert section is not None and section.key == "questions"
        figures = section.values()
        assert (figures["asked"], figures["answered"], figures["solved"]) == (3, 2, 1)
        assert figures["median_first_answer"] == 15 * 3600  # 0 s and 30 h, in seconds
        assert figures["p90_first_answer"] == 30 * 3600
        assert figures["answered_within_24h_share"] == 0.3333
        assert figures["still_waiting"] == 1
        assert (figures["asked_en"], figures["asked_fr"], figures["asked_de"]) == (1, 1, 1)
        kinds = {m.key: m.kind for m in section.metrics}
        assert kinds["median_first_answer"] == kinds["p90_first_answer"] == "duration"
        assert kinds["answered_within_24h_share"] == "share" and kinds["asked"] == "count"
        assert all(m.previous is None and m.compare for m in section.metrics)  # the digest fills `previous`
        labels = {m.key: h.app.translator.render(m.label, "fr") for m in section.metrics}
        assert labels["asked_de"] == "Questions en allemand" and labels["asked"] == "Questions posées"
        assert {m.key: h.app.translator.render(m.label, "en") for m in section.metrics}["asked_de"] == (
            "Questions in German"
        )
        rendered = [h.app.translator.render(line, "fr") for line in section.lines]
        (waiting,) = [line for line in rendered if "Folien" in line]  # listed once, with its link as a link
        assert waiting.startswith("Toujours en attente\u202f: «\u202fWo finde ich die Folien vom Vortrag?\u202f»")
        assert "https://chat.example/general/" in waiting and "<http" not in waiting
        assert any("bob" in line for line in rendered)


async def test_digest_counts_one_question_in_the_singular(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        asked = await h.say("alice", "How do I reset my password?")
        await h.advance(minutes=12)
        await h.say("bob", "Settings > Security", reply_to=asked)
        section = await plugin(h).digest_section(h.platform.community, START, START + timedelta(days=7), "Europe/Paris")
        assert section is not None
        figures = section.values()
        assert (figures["asked"], figures["answered"], figures["solved"], figures["still_waiting"]) == (1, 1, 0, 0)
        assert figures["median_first_answer"] == 12 * 60  # twelve minutes, not "0 h"
        assert figures["answered_within_24h_share"] == 1.0
        assert not any("…" in h.app.translator.render(line, "en") for line in section.lines)  # nothing more waits


async def test_export_and_forget(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        questions_plugin = plugin(h)
        assert isinstance(questions_plugin, PrivacyParticipant)
        mine = await h.say("alice", "How do I reset my password?")
        theirs = await h.say("bob", "Where are the slides?")
        await h.say("alice", "In the drive", reply_to=theirs)
        await h.say("bob", "Settings", reply_to=mine)
        await h.command("alice", "/questions notes off")
        exported = await h.command("alice", "/privacy export")
        data = json.loads(exported.attachments[0].content)
        section = data["plugins"]["questions"] if "plugins" in data else data["questions"]
        assert [q["excerpt"] for q in section["questions_asked"]] == ["How do I reset my password?"]
        assert len(section["answers_credited"]) == 1 and section["private_notes"] is False
        start = await h.command("alice", "/privacy forget")
        token = start.buttons[0].args[0][1]
        await h.command("alice", f"/privacy forget confirm:{token}")
        stored = await questions(h)
        assert [(q["author_id"], q["answered_by"]) for q in stored] == [("bob", None)]
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM question_answers WHERE user_id = 'alice'") == 0
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM question_note_optouts") == 0
        # Forgotten questions are no longer followed: no answer, no nudge about them.
        await h.say("carol", "Try again", reply_to=mine)
        await h.advance(hours=4)
        assert all("reset my password" not in s.text for s in h.sent)


async def test_the_index_is_rebuilt_after_a_restart(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        answer = await h.say("bob", "Settings > Security", reply_to=question)
    async with running(tmp_path, plugins=PLUGINS, start=START + timedelta(hours=1)) as h:
        await h.say("alice", "thanks!", reply_to=answer)
        stored = (await questions(h))[0]
        assert (stored["status"], stored["solved_by"]) == ("solved", "bob")
        assert "Thank you all" in shown(await h.command("dave", "/unanswered"))


async def test_queued_rows_are_written_in_batches_and_on_stop(tmp_path: Path) -> None:
    # A long flush interval: only the 500-row batch and the stop write here (the interval has its own tests).
    async with running(tmp_path, plugins=PLUGINS, activity={"flush_ms": 60_000}) as h:
        for number in range(620):
            await h.say(f"member{number % 40}", f"How do I fix error {number}?")
        # The first 500 queued rows went in the background; the rest wait for the next flush or the stop.
        assert 500 <= await h.app.db.fetchval("SELECT COUNT(*) FROM questions") <= 620
    async with running(tmp_path, plugins=PLUGINS, start=START + timedelta(minutes=1)) as h:
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM questions") == 620
        assert await h.app.db.fetchval("SELECT COUNT(DISTINCT id) FROM questions") == 620
        # Ids keep growing after a restart.
        await h.say("alice", "And how do I fix the last one?", channel="help")  # the fake ids start again
        # Ids come from the database's sequence a block at a time: the unused rest of the first
        # process's block is skipped, never reused.
        assert [q["id"] for q in await questions(h)][-1] > 620
