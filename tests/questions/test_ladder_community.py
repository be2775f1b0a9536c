"""A community's own ladder (`/questions settings`), on a frozen clock, as members and moderators see it:
the nudge arrives at the new time and never at the old one, a step already taken is not taken again and
the pending one is not lost (across a restart too), quiet hours in the community's zone, the newcomer's
first question sooner and listed first, bad input refused with a hint and nothing half-written, in
English and French, and the values in /settings show with where each comes from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import ChannelRef, Level, MemberJoined, UserRef
from tests.harness import START, Harness, Sent, running
from tests.questions.conftest import PLUGINS, join, plugin, questions, shown

NNBSP = "\u202f"
HOUR = timedelta(hours=1)


def _helpers(sent: list[Sent]) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, ChannelRef) and s.target.channel_id == "helpers"]


def _nudges(sent: list[Sent]) -> list[str]:
    return [t for t in _helpers(sent) if "has been waiting" in t]


def _escalations(sent: list[Sent]) -> list[str]:
    return [t for t in _helpers(sent) if "Still no answer" in t]


async def _helpers_channel(h: Harness) -> None:
    h.platform.channel("helpers")
    await h.command("mod", "/settings channel helpers #helpers", level=Level.MODERATOR)


async def _mod(h: Harness, line: str, locale: str | None = None) -> str:
    return shown(await h.command("mod", line, level=Level.MODERATOR, locale=locale))


async def _stored(h: Harness) -> list[dict[str, object]]:
    rows = await h.app.db.fetchall("SELECT * FROM question_ladder_settings ORDER BY community")
    return [dict(r) for r in rows]


async def test_a_shorter_nudge_arrives_at_the_new_time_and_never_at_the_old_one(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await _helpers_channel(h)
        await h.say("alice", "How do I export my data to CSV?")
        await h.advance(hours=1)
        reply = await _mod(h, "/questions settings nudge:2h")
        assert "Nudge to the helpers after: 2 hours · chosen by the community" in reply
        assert "Escalation after: 1 day · default from the configuration" in reply
        assert "1 waiting question follows the new ladder from its next step on." in reply
        await h.advance(minutes=59)
        assert _nudges(h.sent) == []
        await h.advance(minutes=1)  # 2 h after the question
        assert len(_nudges(h.sent)) == 1 and "waiting for 2 hours" in _nudges(h.sent)[0]
        await h.advance(hours=3)  # past the old 4 h: no second nudge
        assert len(_nudges(h.sent)) == 1
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]
        # A question asked now follows the new ladder from its first step.
        await h.say("bob", "Where are the slides of the talk?")
        await h.advance(hours=2)
        assert len(_nudges(h.sent)) == 2 and "Where are the slides" in _nudges(h.sent)[1]


async def test_a_longer_ladder_after_the_nudge_neither_repeats_it_nor_loses_the_escalation_across_a_restart(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await _helpers_channel(h)
        await h.say("alice", "How do I export my data to CSV?")
        await h.advance(hours=4)
        assert len(_nudges(h.sent)) == 1
        await _mod(h, "/questions settings nudge:8h escalate:30h")
        await h.advance(hours=5)  # 9 h: past the new nudge delay, and the nudge was already given
        assert len(_nudges(h.sent)) == 1
    # The bot restarts: the new ladder and the re-planned step are in the database.
    async with running(tmp_path, plugins=PLUGINS, start=START + timedelta(hours=9)) as h:
        await h.app.scheduler.catch_up()
        await h.advance(hours=15)  # 24 h: the configuration's escalation time
        assert _escalations(h.sent) == [] and _nudges(h.sent) == []
        await h.advance(hours=5, minutes=59)
        assert _escalations(h.sent) == []
        await h.advance(minutes=1)  # 30 h
        assert len(_escalations(h.sent)) == 1 and "after 30 hours" in _escalations(h.sent)[0]
        await h.advance(days=3)
        assert len(_escalations(h.sent)) == 1 and _nudges(h.sent) == []
        assert [q["waiting"] for q in await questions(h)] == [1]


async def test_quiet_hours_chosen_by_the_community_in_its_time_zone(tmp_path: Path) -> None:
    evening = datetime(2026, 11, 16, 18, 30, tzinfo=UTC)  # 19:30 in Paris (the default zone)
    async with running(tmp_path, plugins=PLUGINS, start=evening) as h:
        await _helpers_channel(h)
        reply = await _mod(h, "/questions settings quiet_hours:23h - 9h")
        assert "Quiet hours: from 23:00 to 9:00 (Europe/Paris) · chosen by the community" in reply
        await h.say("alice", "Is there a way to mute a channel on mobile?")  # nudge due 23:30 Paris: quiet
        await h.advance(hours=12, minutes=30)  # 08:00 Paris, the configuration's end of quiet hours
        assert _nudges(h.sent) == []
        await h.advance(hours=1)  # 09:00 Paris
        assert len(_nudges(h.sent)) == 1
        # No quiet hours at all: the next evening's nudge goes out at 23:30.
        await _mod(h, "/questions settings quiet_hours:off")
        await h.advance(hours=9, minutes=30)  # 18:30 Paris
        await h.say("bob", "Who runs the Thursday meetup?")
        await h.advance(hours=4)
        assert len(_nudges(h.sent)) == 2 and "Who runs the Thursday meetup?" in _nudges(h.sent)[1]


async def test_quiet_hours_moved_while_a_nudge_waits_for_the_morning(tmp_path: Path) -> None:
    evening = datetime(2026, 11, 16, 20, 30, tzinfo=UTC)  # 21:30 in Paris
    async with running(tmp_path, plugins=PLUGINS, start=evening) as h:
        await _helpers_channel(h)
        await h.say("alice", "Is there a way to mute a channel on mobile?")  # nudge planned 08:00 Paris
        await _mod(h, "/questions settings quiet_hours:22:00-06:30")
        await h.advance(hours=8, minutes=59)  # 06:29 Paris
        assert _nudges(h.sent) == []
        await h.advance(minutes=1)  # 06:30 Paris: the new end of quiet hours, not 08:00
        assert len(_nudges(h.sent)) == 1


async def test_bad_input_is_refused_with_a_hint_and_nothing_is_half_written(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I export my data to CSV?")
        before = [(q["next_step"], q["next_step_at"]) for q in await questions(h)]
        cases = {
            "/questions settings nudge:30min escalate:4": ("4 is not a delay for the escalation.", "such as 4h"),
            "/questions settings nudge:2min": (
                "2 minutes is not allowed for the nudge.",
                "between 5 minutes and 4 weeks",
            ),
            "/questions settings waiting:45 days": (
                "6 weeks and 3 days is not allowed for the still-waiting mark.",
                "and 4 weeks",
            ),
            "/questions settings nudge:30h": ("The steps must come in order", "nudge:2h escalate:12h"),
            "/questions settings escalate:72h": ("then 3 days, then 3 days.", "Change several delays at once"),
            "/questions settings quiet_hours:25h-8h nudge:1h": ("25h-8h is not a span of quiet hours.", "22h-8h"),
            "/questions settings quiet_hours:22h-22h": ("is not a span of quiet hours", "off for none"),
            "/questions settings newcomers:maybe": ("maybe is neither on nor off.", "Write on or off"),
        }
        for line, (message, hint) in cases.items():
            reply = await h.command("mod", line, level=Level.MODERATOR)
            assert reply.ephemeral and message in reply.text and hint in reply.text, (line, reply.text)
        assert await _stored(h) == []
        assert [(q["next_step"], q["next_step_at"]) for q in await questions(h)] == before
        shown_now = await _mod(h, "/questions settings")
        assert "Nudge to the helpers after: 4 hours · default from the configuration" in shown_now
        # A member may not change the ladder.
        refused = await h.command("alice", "/questions settings nudge:1h")
        assert refused.ephemeral and "moderators only" in refused.text
        assert await _stored(h) == []


async def test_french_values_are_accepted_and_shown_in_french(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        reply = await _mod(
            h,
            "/questions settings rappel:1h30 alerte:1 jour et 2 heures attente:3 jours heures_calmes:22 h à 7 h "
            "nouveaux:non",
            locale="fr",
        )
        assert "Rappel aux aidants après: 1 heure et 30 minutes · choix de la communauté" in reply
        assert "Alerte après: 1 jour et 2 heures · choix de la communauté" in reply
        assert "Toujours en attente après: 3 jours · choix de la communauté" in reply
        assert "Heures calmes: de 22 h à 7 h (Europe/Paris) · choix de la communauté" in reply
        assert "Priorité à la première question d’un nouveau membre: désactivée" in reply
        stored = await _stored(h)
        assert [(r["nudge_seconds"], r["escalate_seconds"], r["waiting_seconds"]) for r in stored] == [
            (5400, 93600, 259200)
        ]
        assert [(r["quiet_hours"], r["newcomer_priority"]) for r in stored] == [("22:00-07:00", 0)]
        # What the bot shows is accepted when typed back; « défaut » returns to the configuration.
        again = await _mod(h, "/questions settings alerte:1 jour et 2 heures rappel:défaut nouveaux:activé", "fr")
        assert "Rappel aux aidants après: 4 heures · valeur par défaut de la configuration" in again
        assert "Priorité à la première question d’un nouveau membre: activée · choix" in again
        wrong = await h.command("mod", "/questions settings rappel:4", level=Level.MODERATOR, locale="fr")
        assert "4 n’est pas un délai pour le rappel." in wrong.text and "comme 4 h, 90 min, 1 h 30 ou 2 j" in wrong.text
        order = await h.command("mod", "/questions settings rappel:2 jours", level=Level.MODERATOR, locale="fr")
        assert "Les étapes doivent se suivre" in order.text and "2 jours, puis 1 jour et 2 heures" in order.text
        none = await _mod(h, "/questions settings heures_calmes:aucune", "fr")
        assert "Heures calmes: aucune heure calme · choix de la communauté" in none
        # Every value as the card shows it, typed back without quotes.
        back = await _mod(
            h,
            "/questions settings heures_calmes:de 22 h 30 à 7 h attente:2 j 3 h nouveaux:désactivée rappel:par défaut",
            "fr",
        )
        assert "Heures calmes: de 22 h 30 à 7 h (Europe/Paris) · choix de la communauté" in back
        assert "Toujours en attente après: 2 jours et 3 heures · choix de la communauté" in back
        assert "Priorité à la première question d’un nouveau membre: désactivée · choix" in back
        assert "Rappel aux aidants après: 4 heures · valeur par défaut de la configuration" in back
        shown = await _mod(
            h, "/questions settings heures_calmes:aucune heure calme attente:3 jours nouveaux:par défaut", "fr"
        )
        assert "Heures calmes: aucune heure calme · choix de la communauté" in shown
        assert "Priorité à la première question d’un nouveau membre: activée · valeur par défaut" in shown


async def test_settings_show_lists_the_ladder_and_where_each_value_comes_from(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await _mod(h, "/questions settings escalate:12h newcomers:off")
        listed = await _mod(h, "/settings show")
        assert "Nudge to the helpers after: 4 hours · default from the configuration" in listed
        assert "Escalation after: 12 hours · chosen by the community" in listed
        assert "Still waiting after: 3 days · default from the configuration" in listed
        assert "Quiet hours: from 22:00 to 8:00 (Europe/Paris) · default from the configuration" in listed
        assert "Priority to a newcomer's first question: off · chosen by the community" in listed
        shown_alone = await h.command("mod", "/questions settings", level=Level.MODERATOR)
        assert shown_alone.ephemeral and "This community's question ladder" in shown(shown_alone)
        french = await _mod(h, "/settings show", locale="fr")
        assert "Alerte après: 12 heures · choix de la communauté" in french
        assert "Rappel aux aidants après: 4 heures · valeur par défaut de la configuration" in french


async def test_the_first_question_of_a_newcomer_comes_sooner_and_first(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await _helpers_channel(h)
        old_hand = UserRef("fake", "T1", "carol")
        await h.app.dispatcher.handle(MemberJoined(h.platform.community, START - timedelta(days=40), old_hand))
        await join(h, "newbie")
        await h.say("alice", "How do I export my data to CSV?")  # join never seen: not a newcomer
        await h.say("carol", "Where is the archive of the newsletter?")  # joined 40 days ago
        await h.advance(hours=1)
        await h.say("newbie", "How do I change my display name?")
        await h.say("newbie", "And where do I set my avatar?")  # their second question: no priority
        listed = await h.command("bob", "/unanswered")
        lines = (listed.card.description or "").splitlines() if listed.card else []
        assert lines[0].startswith("🌱 First question of a newcomer:") and "display name" in lines[0]
        assert "🌱" not in "\n".join(lines[1:]) and len(lines) == 4
        await h.advance(hours=2)  # 2 h after the newcomer's question: half the 4 h
        assert len(_nudges(h.sent)) == 1 and "display name" in _nudges(h.sent)[0]
        await h.advance(hours=1)  # 4 h after the first two
        assert len(_nudges(h.sent)) == 3
        assert not any("display name" in t for t in _nudges(h.sent)[1:])
        await h.advance(hours=1)  # 4 h after the newcomer's second question: the usual delay
        assert len(_nudges(h.sent)) == 4 and "avatar" in _nudges(h.sent)[3]
        # Half of 24 h after the newcomer's question is 23:00 in Paris, in the quiet hours: 08:00 Paris.
        await h.advance(hours=16, minutes=59)
        assert _escalations(h.sent) == []
        await h.advance(minutes=1)
        assert len(_escalations(h.sent)) == 1 and "display name" in _escalations(h.sent)[0]
        await h.advance(hours=2)  # 24 h after the others
        assert len(_escalations(h.sent)) == 3
        flags = {q["excerpt"]: q["newcomer"] for q in await questions(h)}
        assert flags == {
            "How do I export my data to CSV?": 0,
            "Where is the archive of the newsletter?": 0,
            "How do I change my display name?": 1,
            "And where do I set my avatar?": 0,
        }


async def test_turning_the_newcomer_priority_off_replans_and_unmarks(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await _helpers_channel(h)
        await join(h, "newbie")
        await h.say("newbie", "How do I change my display name?")  # nudge planned at 2 h
        await _mod(h, "/questions settings newcomers:off")
        await h.advance(hours=3, minutes=59)
        assert _nudges(h.sent) == []
        await h.advance(minutes=1)
        assert len(_nudges(h.sent)) == 1
        listed = await h.command("bob", "/unanswered")
        assert "🌱" not in shown(listed)
        # Off, a newcomer's first question is not even flagged: turning it on later changes nothing for it.
        await join(h, "newer")
        await h.say("newer", "Is there a code of conduct?")
        assert [q["newcomer"] for q in await questions(h)] == [1, 0]


async def test_values_delivered_as_typed_options_and_the_digest_uses_the_waiting_delay(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        # Discord and Slack deliver each option's text on its own (no parsing of the line).
        reply = await h.command(
            "mod",
            "/questions settings",
            level=Level.MODERATOR,
            options={"waiting": "1 day and 2 hours", "escalate": "20 h", "quiet_hours": "22 h 30 - 7 h"},
        )
        assert "Still waiting after: 1 day and 2 hours · chosen by the community" in shown(reply)
        assert "Quiet hours: from 22:30 to 7:00 (Europe/Paris) · chosen by the community" in shown(reply)
        await h.say("alice", "How do I export my data to CSV?")
        await h.advance(hours=27)
        assert [q["waiting"] for q in await questions(h)] == [1]
        listed = await h.command("bob", "/unanswered")
        assert "⏳" in shown(listed)
        section = await plugin(h).digest_section(h.platform.community, START, START + timedelta(days=2), "Europe/Paris")
        assert section is not None and section.values()["still_waiting"] == 1  # 72 h by default: 0


class _Unreachable:
    """The database as the ladder's reads see it during an outage (the rest of the app is unaffected)."""

    def __init__(self, db: object) -> None:
        self._db = db

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)

    async def fetchone(self, sql: str, params: object = ()) -> object:
        raise ConnectionError("the database is unreachable")


async def test_a_question_asked_while_the_ladder_cannot_be_read_is_still_tracked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await join(h, "newbie")
        ladders = plugin(h).tracker.ladders
        monkeypatch.setattr(ladders, "_db", _Unreachable(ladders._db))

        async def unreachable(*args: object) -> object:
            raise ConnectionError("the database is unreachable")

        monkeypatch.setattr(h.app.communities, "joined_dates", unreachable)
        await h.say("newbie", "How do I change my display name?")
        monkeypatch.undo()
        assert "could not read the ladder" in caplog.text  # once a minute at most: not the join date's too
        rows = await questions(h)
        assert [(q["next_step"], q["newcomer"]) for q in rows] == [("nudge", 0)]  # the usual ladder: no guess
        await h.advance(hours=4)
        assert len(h.sent) == 2  # the nudge (in the question's thread) and the private note
