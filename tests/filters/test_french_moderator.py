"""A French moderator at work: the French parameter names and action words are accepted when typed, a
refused pattern is explained in French (never in the regex library's English), and counts agree in
number in French (0 and 1 singular, 2 plural)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.filters.fakes import MOD, PLUGINS, plugin, with_mod_channel
from tests.harness import Harness, running

NNBSP = "\u202f"
# English words that would betray an untranslated explanation (code samples between backticks aside).
ENGLISH = re.compile(
    r"\b(the|is|are|not|supported|pattern|invalid|missing|escape|repeat|repetition operator|operator|lookahead|"
    r"lookbehind|backreference|with|such|write|use|error|unexpected|trailing|group name|character class)\b",
    re.IGNORECASE,
)


async def rules(h: Harness) -> list[tuple[str, str]]:
    rows = await h.app.db.fetchall("SELECT phrase, action FROM filter_rules WHERE builtin = 0 ORDER BY id")
    return [(r["phrase"], r["action"]) for r in rows]


async def test_a_french_moderator_types_the_words_the_bot_shows(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        added = await h.command("mod", "/filter add likez si action:signaler", level=MOD, locale="fr")
        assert f"Règle #1 ajoutée{NNBSP}: «{NNBSP}likez si{NNBSP}» → signaler." in added.text
        # The older form, with the French word after the quoted phrase, and French words without accents.
        legacy = await h.command("mod", '/filter add "partagez si" supprimer', level=MOD, locale="fr")
        assert f"«{NNBSP}partagez si{NNBSP}» → supprimer." in legacy.text
        alias = await h.command("mod", "/filter add taguez un ami action:Signalement", level=MOD, locale="fr")
        assert f"«{NNBSP}taguez un ami{NNBSP}» → signaler." in alias.text
        named = await h.command("mod", "/filter add regardez ça action:marquer regex:non", level=MOD, locale="fr")
        assert "→ marquer." in named.text
        assert await rules(h) == [
            ("likez si", "flag"),
            ("partagez si", "delete"),
            ("taguez un ami", "flag"),
            ("regardez ça", "tag"),
        ]
        # A French action word at the end of an unquoted phrase is part of the phrase, and the reply says so.
        trailing = await h.command("mod", "/filter add arnaque supprimer", level=MOD, locale="fr")
        assert f"«{NNBSP}arnaque supprimer{NNBSP}» → marquer." in trailing.text
        assert "L’expression se termine par" in trailing.text and "`action:supprimer`" in trailing.text
        assert (await rules(h))[-1] == ("arnaque supprimer", "tag")
        listed = await h.command("mod", "/filter list", level=MOD, locale="fr")
        assert f"#1 «{NNBSP}likez si{NNBSP}» → signaler" in listed.text
        assert f"#2 «{NNBSP}partagez si{NNBSP}» → supprimer" in listed.text
        assert "flag" not in listed.text and "delete" not in listed.text
        # A word close to one the bot shows: the refusal suggests it, in French.
        typo = await h.command("mod", "/filter add spam action:signal", level=MOD, locale="fr")
        assert typo.ephemeral and "Vouliez-vous dire" in typo.text and "signaler" in typo.text
        # French parameter name and choice word for a switch, with or without accents.
        bait = await h.command("mod", "/filter bait état:activé", level=MOD, locale="fr")
        assert f"Règles intégrées contre les appâts à engagement activées{NNBSP}: 30 règles ajoutées." in bait.text
        off = await h.command("mod", "/filter bait etat:desactive", level=MOD, locale="fr")
        assert "désactivées" in off.text
        exempt = await h.command("mod", "/filter exempt salon:#mods état:activé", level=MOD, locale="fr")
        assert f"Exemption des filtres activée pour{NNBSP}: #mods." in exempt.text


@pytest.mark.parametrize(
    ("pattern", "explained"),
    [
        ("(spam", "Les parenthèses ne sont pas équilibrées."),
        ("[a-", "Une classe de caractères ouverte par [ n’est pas fermée."),
        ("(?<=gratuit)argent", "Les assertions avant et arrière"),
        (r"(a)\1", "Les références arrière"),
        ("a**", "Deux répétitions se suivent"),
        ("a{2000}", "Un nombre de répétitions dépasse 1\u202f000"),
        ("*spam", "n’a rien devant elle à répéter"),
        ("spam\\", "Le motif se termine par un \\ isolé."),
        ("a++", "Les répétitions possessives"),
        ("(?#note)spam", "n’est pas pris en charge"),
        ("x*", "Le motif correspond à un texte vide"),
    ],
)
async def test_a_bad_pattern_is_explained_in_french_with_a_hint(tmp_path: Path, pattern: str, explained: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", f"/filter add {pattern} regex:oui action:signaler", level=MOD, locale="fr")
        assert reply.ephemeral and "Ce motif est refusé. " in reply.text
        assert explained in reply.text
        lines = reply.text.splitlines()
        assert len(lines) >= 2  # the explanation, then what to do instead
        prose = re.sub(r"`[^`]*`", "", reply.text)  # code samples are code, not English
        assert ENGLISH.findall(prose) == [], reply.text
        assert await rules(h) == []


async def test_noise_counts_agree_in_french_for_0_1_and_2(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        start = h.clock.now()
        one = await h.command("mod", "/filter add inspirant", level=MOD, locale="fr")
        assert "Règle #1 ajoutée" in one.text
        listed = await h.command("mod", "/filter list", level=MOD, locale="fr")
        assert f"1 règle de filtre (★ intégrée){NNBSP}:" in listed.text
        await h.command("mod", "/filter add spam action:signaler", level=MOD, locale="fr")
        listed = await h.command("mod", "/filter list", level=MOD, locale="fr")
        assert f"2 règles de filtre (★ intégrées){NNBSP}:" in listed.text
        for _ in range(2):
            await h.say("bob", "inspirant")
        await h.say("bob", "spam")
        await h.advance(hours=2)
        section = await plugin(h).digest_section(h.platform.community, start, h.clock.now(), "UTC")
        assert section is not None
        french = [h.app.translator.render(line, "fr") for line in section.lines]
        assert french == [
            "3 messages interceptés (2 marqués comme bruit, 1 signalé, 0 supprimé).",
            f"Règle «{NNBSP}inspirant{NNBSP}»{NNBSP}: 2 messages",
            f"Règle «{NNBSP}spam{NNBSP}»{NNBSP}: 1 message",
        ]
        english = [h.app.translator.render(line, "en") for line in section.lines]
        assert english[0] == "3 messages caught (2 tagged as noise, 1 flagged, 0 deleted)."
        later = h.clock.now() + timedelta(days=1)
        assert await plugin(h).digest_section(h.platform.community, h.clock.now(), later, "UTC") is None


async def test_rule_numbers_are_never_grouped_like_quantities(tmp_path: Path) -> None:
    """Rule numbers are typed back (`/filter remove 1234`): shown `#1234`, never `#1,234` or `#1 234`."""
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add premier", level=MOD)
        await h.command("mod", "/filter add second", level=MOD)
        # Large ids set by hand: a sequence (PostgreSQL) does not follow MAX(id) as SQLite does.
        await h.app.db.execute("UPDATE filter_rules SET id = id + 1232")
        french = await h.command("mod", "/filter list", level=MOD, locale="fr")
        assert "#1234 «\u202fsecond\u202f»" in french.text and "1\u202f234" not in french.text
        listed = await h.command("mod", "/filter list", level=MOD)
        assert "#1233 “premier” → tag" in listed.text and "#1234 “second” → tag" in listed.text
        removed = await h.command("mod", "/filter remove 1234", level=MOD)
        assert "Rule #1234 “second” removed." in removed.text


async def test_a_french_member_sets_the_watch_digest_with_the_words_shown(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        weekly = await h.command("alice", "/watch frequency hebdo", locale="fr")
        assert "Vous recevrez votre récapitulatif de veille chaque semaine, à " in weekly.text
        daily = await h.command("alice", "/watch frequency fréquence:quotidienne", locale="fr")
        assert "récapitulatif de veille tous les jours, à " in daily.text
        off = await h.command("alice", "/watch frequency desactive", locale="fr")
        assert "Votre récapitulatif de veille est désactivé" in off.text
        hidden = await h.command("alice", "/watch optout état:oui", locale="fr")
        assert "Vos messages n’apparaissent plus dans aucun récapitulatif de veille." in hidden.text
        listed = await h.command("alice", "/watch list", locale="fr")
        assert f"Récapitulatif{NNBSP}: désactivé{NNBSP};" in listed.text
        assert f"Masqué des récapitulatifs des autres{NNBSP}: oui." in listed.text
