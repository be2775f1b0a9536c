"""The questions plugin for a French reader: French parameter names and on/off words typed, and counts that
agree in number (0 and 1 singular, 2 plural) in the digest section and the leaderboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.model import Level
from plugins.questions import views
from tests.harness import START, running
from tests.questions.conftest import PLUGINS, plugin, questions

NNBSP = "\u202f"


async def test_digest_counts_agree_for_0_1_and_2_in_french(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        first = await h.say("alice", "Comment on change son mot de passe ?")
        await h.say("bob", "Dans les réglages, onglet Sécurité", reply_to=first)
        await h.say("carol", "Où sont les diapos de la conférence ?")
        await h.advance(hours=2)
        section = await plugin(h).digest_section(h.platform.community, START, START + timedelta(days=7), "Europe/Paris")
        assert section is not None
        values = section.values()
        assert (values["asked"], values["answered"], values["solved"]) == (2, 1, 0)
        assert values["answered_within_24h_share"] == 0.5
        labels = {m.key: h.app.translator.render(m.label, "fr") for m in section.metrics}
        assert labels["asked_fr"] == "Questions en français"  # named, in lower case, not `fr`
        assert labels["answered_within_24h_share"] == "Questions ayant reçu une réponse en moins de 24 heures"
        french = [h.app.translator.render(line, "fr") for line in section.lines]
        assert not any("(s)" in line for line in [*french, *labels.values()])
        assert f"Toujours en attente{NNBSP}: «{NNBSP}Où sont les diapos de la conférence ?{NNBSP}»" in french[0]
        # More waiting questions than listed: the count agrees with its noun in French.
        for more, words in ((1, "autre question en attente"), (2, "autres questions en attente")):
            counted = views.digest_section(plugin(h).ctx, "x", {**values, "still_waiting": more}, [], [])
            assert f"…et {more} {words}." == h.app.translator.render(counted.lines[-1], "fr")


async def test_a_french_member_types_french_names_and_words(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        off = await h.command("alice", "/questions notes état:désactivé", locale="fr")
        assert "Vous ne recevrez plus de message privé" in off.text
        on = await h.command("alice", "/questions notes etat:oui", locale="fr")
        assert "Vous recevrez un message privé" in on.text
        one = await h.command("alice", "/helpers semaines:1", locale="fr")
        assert "Aucune réponse comptée pour l’instant sur la dernière semaine." in one.text
        two = await h.command("alice", "/helpers semaines:2", locale="fr")
        assert "Aucune réponse comptée pour l’instant sur les 2 dernières semaines." in two.text
        await h.say("carol", "Où sont les diapos de la conférence ?")
        listed = await h.command("alice", "/unanswered", locale="fr")
        assert listed.card is not None and "(français)" in (listed.card.description or "")
        closed = await h.command("mod", "/question close numéro:1 raison:doublon", level=Level.MODERATOR, locale="fr")
        assert f"La question n°{NNBSP}1 est close{NNBSP}: doublon" in closed.text
        assert [q["status"] for q in await questions(h)] == ["closed"]
