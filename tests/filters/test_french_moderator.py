"""A French moderator at work: the French parameter names and action words are accepted when typed, a
refused pattern is explained in French (never in the regex library's English), and counts agree in
number in French (0 and 1 singular, 2 plural)."""

from __future__ import annotations

import re
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
            f"Règle «{NNBSP}inspirant{NNBSP}»{NNBSP}: 2 messages",
            f"Règle «{NNBSP}spam{NNBSP}»{NNBSP}: 1 message",
        ]
        # The counts are metrics now: labels in French, values shown by the digest.
        labels = {m.key: h.app.translator.render(m.label, "fr") for m in section.metrics}
        assert labels["noise_total"] == "Messages interceptés" and labels["noise_flagged"] == "Signalés aux modérateurs"
        values = section.values()
        assert (values["noise_total"], values["noise_tagged"], values["noise_flagged"]) == (3, 2, 1)
