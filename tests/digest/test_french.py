"""The digest for a French manager: percentages written by one rule per language ("45%" in English,
"45 %" with a narrow no-break space in French, 0 and 100 alike), counts that agree in number, and the
French day, period and on/off words accepted when typed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.i18n import Text, Translator, _
from bot.model import Level
from bot.plugin import DigestSection, Metric
from bot.registry import locale_roots
from plugins.digest.changes import change_text, value_text
from plugins.digest.figures import ENGAGEMENT_KEYS, REACH_KEYS, Counts, metrics_of
from plugins.digest.periods import Period
from plugins.digest.render import DigestContent, NamedCount, body, ranking_lines, with_previous
from tests.digest.helpers import PLUGINS
from tests.harness import running

TRANSLATOR = Translator.load(locale_roots(["core", "digest"]))
NNBSP = "\u202f"
MOD = Level.MODERATOR


def both(text: Text | None) -> tuple[str, str]:
    assert text is not None
    return TRANSLATOR.render(text, "en"), TRANSLATOR.render(text, "fr")


@pytest.mark.parametrize(
    ("current", "previous", "english", "french"),
    [
        (145, 100, "100 → 145, +45%", f"100 → 145, +45{NNBSP}%"),
        (55, 100, "100 → 55, \u221245%", f"100 → 55, \u221245{NNBSP}%"),
        (200, 100, "100 → 200, +100%", f"100 → 200, +100{NNBSP}%"),
        (0, 100, "100 → 0, \u2212100%", f"100 → 0, \u2212100{NNBSP}%"),
        (7, 7, "7 → 7, =", "7 → 7, ="),
        (2500, 100, "100 → 2,500, +2,400%", f"100 → 2{NNBSP}500, +2{NNBSP}400{NNBSP}%"),
        (3, 0, "0 → 3, new", "0 → 3, nouveau"),
    ],
)
def test_changes_follow_each_language_s_rule(current: int, previous: int, english: str, french: str) -> None:
    assert both(change_text(current, previous, "count")) == (english, french)


@pytest.mark.parametrize(
    ("share", "english", "french"),
    [(0.45, "45%", f"45{NNBSP}%"), (1.0, "100%", f"100{NNBSP}%"), (0.0, "0%", f"0{NNBSP}%")],
)
def test_a_share_is_one_percentage_rule(share: float, english: str, french: str) -> None:
    assert both(value_text(share, "share")) == (english, french)


def test_a_whole_digest_writes_every_percentage_and_number_per_language() -> None:
    counts = Counts(active_members=1200, posting_members=9, messages=40, replies=18, reactions=60)
    before = Counts(active_members=1000, messages=40, replies=20, reactions=30)
    ranking = ranking_lines(
        (NamedCount("c1", "general", 1200), NamedCount("c2", "help", 3)),
        (),
        (NamedCount("fr", "français", 60), NamedCount("en", "anglais", 30)),
    )
    reach = DigestSection("reach", _("Reach"), lines=tuple(ranking), metrics=metrics_of(counts, REACH_KEYS))
    engagement = DigestSection("engagement", _("Engagement"), metrics=metrics_of(counts, ENGAGEMENT_KEYS))
    quality = DigestSection(
        "quality", "Quality", metrics=(Metric("got_reply_share", _("Reach"), 0.45, "share", previous=0.55),)
    )
    sections = (
        with_previous(reach, DigestSection("reach", "", metrics=metrics_of(before, REACH_KEYS))),
        with_previous(engagement, DigestSection("engagement", "", metrics=metrics_of(before, ENGAGEMENT_KEYS))),
        quality,
    )
    content = DigestContent(
        "fake:T1", Period("week", date(2026, 11, 16), date(2026, 11, 23)), "Europe/Paris", sections, counts=counts
    )
    english, french = both(body(content))
    assert "• Active members: 1,000 → 1,200, +20%" in english
    assert f"• Membres actifs{NNBSP}: 1{NNBSP}000 → 1{NNBSP}200, +20{NNBSP}%" in french
    assert "• Reactions per message: 0.75 → 1.5, +100%" in english
    assert f"• Réactions par message{NNBSP}: 0,75 → 1,5, +100{NNBSP}%" in french
    assert "45%, \u221210 pts" in english and f"55{NNBSP}% → 45{NNBSP}%, \u221210 pts" in french
    assert "• Top channels: #general (1,200), #help (3)" in english
    assert f"• Salons les plus actifs{NNBSP}: #general (1{NNBSP}200), #help (3)" in french
    assert "• Languages: French 60%, English 30%, other 10%" in english  # each reader reads language names in theirs
    assert f"• Langues{NNBSP}: français 60{NNBSP}%, anglais 30{NNBSP}%, autres 10{NNBSP}%" in french
    # One rule: no percentage without its space in French, none with one in English.
    assert "%" in french and all(french[i - 1] == NNBSP for i, ch in enumerate(french) if ch == "%")
    assert NNBSP not in english


async def test_a_french_manager_types_the_words_the_bot_shows(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        friday = await h.command("mod", "/digest settings jour:ven heure:18h période:hebdo", level=MOD, locale="fr")
        assert f"Le bilan couvre une semaine{NNBSP}; il est envoyé chaque vendredi à 18 h." in friday.text
        sunday = await h.command(
            "mod", "/digest settings jour:Dimanche heure:9h30 periode:semaine", level=MOD, locale="fr"
        )
        assert "chaque dimanche à 9 h 30." in sunday.text
        monthly = await h.command("mod", "/digest settings période:mensuel", level=MOD, locale="fr")
        assert f"Le bilan couvre un mois civil{NNBSP}; il est envoyé le 1er du mois à 9 h 30." in monthly.text
        typo = await h.command("mod", "/digest settings jour:vend", level=MOD, locale="fr")
        assert typo.ephemeral and "Vouliez-vous dire" in typo.text and "ven" in typo.text
        assert "fri" not in typo.text
        on = await h.command("mod", "/digest subscribe état:activé", level=MOD, locale="fr")
        assert "Vous recevrez le bilan en message privé." in on.text
        off = await h.command("mod", "/digest subscribe etat:desactive", level=MOD, locale="fr")
        assert "Vous ne recevrez plus le bilan en message privé." in off.text


async def test_export_counts_agree_in_number(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        one = await h.command("mod", "/digest export périodes:1", level=MOD, locale="fr")
        assert "Les chiffres de la dernière période (fichier CSV en UTF-8" in one.text
        two = await h.command("mod", "/digest export périodes:2", level=MOD, locale="fr")
        assert "Les chiffres des 2 dernières périodes (fichier CSV en UTF-8" in two.text
        history = await h.command("mod", "/digest history nombre:2", level=MOD, locale="fr")
        assert "Aucun bilan n’a encore été établi." in history.text
        english = await h.command("mod", "/digest export periods:1", level=MOD)
        assert "The figures of the last period (UTF-8 CSV" in english.text
