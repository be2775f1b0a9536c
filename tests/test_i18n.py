"""Translations: every user-facing string has a French translation with the same placeholders,
and rendering picks the reader's language, formats values per locale, and never loses text."""

from __future__ import annotations

import importlib.util
import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from bot.i18n import Duration, Percent, Span, Translator, When, _, join, n_, normalize_locale, term
from bot.registry import available_plugins, locale_roots

ROOT = Path(__file__).resolve().parent.parent


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_is_translated_to_french() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/catalogs.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout == "", "run `python scripts/catalogs.py` and translate:\n" + result.stdout
    assert result.returncode == 0


def test_translations_keep_the_same_placeholders() -> None:
    from babel.messages.pofile import read_po

    problems = []
    for root in locale_roots(available_plugins()):
        for po in root.glob("*.po"):
            with po.open("rb") as fh:
                for message in read_po(fh):
                    if (
                        message.id
                        and message.string
                        and placeholders(str(message.id)) != placeholders(str(message.string))
                    ):
                        problems.append(f"{po.name}: {message.id!r}")
    assert problems == []


def test_render_translates_nested_texts_and_formats_values() -> None:
    translator = Translator(
        {
            "fr": {
                "Hello {name}": "Bonjour {name}",
                "yes": "oui",
                "Due {when}, in {span}": "Échéance {when}, dans {span}",
            }
        }
    )
    moment = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    due = _("Due {when}, in {span}", when=When(moment, "Europe/Paris"), span=Span(timedelta(hours=3)))
    text = join([_("Hello {name}", name="Zoé"), due])
    # Babel uses no-break spaces where French typography wants them.
    assert (
        translator.render(text, "fr").replace("\xa0", " ")
        == "Bonjour Zoé\nÉchéance lun. 23 nov. 2026 09:00, dans 3 heures"
    )
    assert translator.render(text, "en") == "Hello Zoé\nDue Mon 23 Nov 2026 09:00, in 3 hours"
    assert translator.render(_("{n} messages", n=12345), "fr") == "12\u202f345 messages"
    assert translator.render(_("{ok}", ok=True), "fr") == "oui"


def test_a_broken_translation_falls_back_to_english() -> None:
    translator = Translator({"fr": {"Hi {name}": "Salut {nom}"}})
    assert translator.render(_("Hi {name}", name="Ana"), "fr") == "Hi Ana"


def test_platform_locales_are_normalised() -> None:
    assert normalize_locale("fr-FR") == "fr"
    assert normalize_locale("en_GB") == "en"
    assert normalize_locale("de") is None
    assert normalize_locale(None) is None


def catalogs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs_script"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_the_catalog_check_reports_a_missing_msgid_and_warns_only_about_fstring_msgids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from babel.messages.catalog import Catalog

    catalogs = catalogs_script()
    source = tmp_path / "plugin"
    source.mkdir()
    (source / "texts.py").write_text(
        "def f(name, local, owner):\n"
        '    a = _("Known.")\n'
        '    b = _("Brand new {read}.", read=f"{local:%H:%M}")\n'
        '    c = _("Owner: {owner}.", owner=f"@{owner}" if owner else _("no owner"))\n'
        '    d = _(f"Hello {name}")\n',
        encoding="utf-8",
    )
    catalogs.ROOT = tmp_path  # locations are relative to the root (this module instance only)
    messages = catalogs.extract([source], "no-such-plugin")
    assert {msgid for msgid, _context in messages} == {"Known.", "Brand new {read}.", "Owner: {owner}.", "no owner"}
    # An f-string as a parameter value is correct and silent; an f-string as the msgid is not.
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1
    assert ":5: warning: Skipping f-string" in warnings[0]

    catalog = Catalog(locale="fr")
    catalog.add("Known.", "Connu.")
    catalog.add("Gone.", "Parti.")
    missing, stale = catalogs.compare(messages, catalog)
    assert {entry.msgid for entry in missing} == {"Brand new {read}.", "Owner: {owner}.", "no owner"}
    assert stale == [("Gone.", None)]
    assert catalogs.update(catalog, messages, stale) is True
    assert catalogs.update(catalog, messages, []) is False  # nothing new: the file would not be rewritten


# ---------------------------------------------------------------- plurals, contexts, durations, percentages

PO_WITH_PLURALS = """\
msgid ""
msgstr ""
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "{count} group"
msgid_plural "{count} groups"
msgstr[0] "{count} groupe"
msgstr[1] "{count} groupes"

msgctxt "parameter"
msgid "radius_km"
msgstr "rayon_km"

msgid "Usage: {usage}"
msgstr "Utilisation : {usage}"
"""


def loaded(tmp_path: Path) -> Translator:
    (tmp_path / "fr.po").write_text(PO_WITH_PLURALS, encoding="utf-8")
    return Translator.load([tmp_path])


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "0 groups", "0 groupe"),
        (1, "1 group", "1 groupe"),
        (2, "2 groups", "2 groupes"),
        (1500, "1,500 groups", "1\u202f500 groupes"),
    ],
)
def test_a_count_picks_the_plural_form_of_each_language(tmp_path: Path, count: int, english: str, french: str) -> None:
    translator = loaded(tmp_path)
    message = n_("{count} group", "{count} groups", count)
    assert translator.render(message, "en") == english
    assert translator.render(message, "fr") == french


def test_a_word_is_looked_up_under_its_context_only(tmp_path: Path) -> None:
    translator = loaded(tmp_path)
    assert translator.render(term("radius_km", "parameter"), "fr") == "rayon_km"
    assert translator.render(term("radius_km", "choice"), "fr") == "radius_km"  # another context: untranslated
    assert translator.render(_("radius_km"), "fr") == "radius_km"
    assert translator.spellings(term("radius_km", "parameter")) == {"radius_km", "rayon_km"}


def test_french_templates_get_french_typography_when_loaded(tmp_path: Path) -> None:
    translator = loaded(tmp_path)
    assert translator.render(_("Usage: {usage}", usage="/help"), "fr") == "Utilisation\u202f: /help"
    assert translator.render(_("Usage: {usage}", usage="/help"), "en") == "Usage: /help"


@pytest.mark.parametrize(
    ("delta", "english", "french"),
    [
        (timedelta(days=1, hours=2), "1 day and 2 hours", "1 jour et 2 heures"),
        (timedelta(minutes=30), "30 minutes", "30 minutes"),
        (timedelta(weeks=1, days=2, minutes=1), "1 week, 2 days and 1 minute", "1 semaine, 2 jours et 1 minute"),
        (timedelta(hours=1), "1 hour", "1 heure"),
    ],
)
def test_durations_are_exact_words_in_both_languages(delta: timedelta, english: str, french: str) -> None:
    from bot.textsyntax import duration_seconds

    translator = Translator.load(locale_roots([]))
    assert translator.render(_("{d}", d=Duration(delta)), "en") == english
    assert translator.render(_("{d}", d=Duration(delta)), "fr") == french
    # what the bot shows is accepted when typed back
    assert duration_seconds(english) == duration_seconds(french) == delta.total_seconds()


def test_percentages_follow_each_locale() -> None:
    translator = Translator({})
    assert translator.format_value(Percent(0.456), "en") == "46%"
    assert translator.format_value(Percent(0.456), "fr") == "46\u202f%"
    assert translator.format_value(Percent(0.4567, digits=1), "fr") == "45,7\u202f%"


def test_one_entry_reads_the_same_in_every_catalog() -> None:
    """The translator merges the catalogs of every enabled plugin: an entry two plugins translate differently
    would read one way or the other depending on which plugins are on (and break "one word per concept")."""
    from babel.messages.pofile import read_po

    translations: dict[tuple[str | None, str], dict[str, list[str]]] = {}
    for root in locale_roots(available_plugins()):
        po = root / "fr.po"
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    shown = str(message.string)
                    translations.setdefault((message.context, msgid), {}).setdefault(shown, []).append(str(po))
    differing = {key: where for key, where in translations.items() if len(where) > 1}
    assert differing == {}


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [(0.5, "0.5 points", "0,5 point"), (1.5, "1.5 points", "1,5 point"), (2.5, "2.5 points", "2,5 points")],
)
def test_a_fraction_follows_each_languages_rule(count: float, english: str, french: str) -> None:
    translator = Translator({"fr": {"{count} point": ("{count} point", "{count} points")}})
    message = n_("{count} point", "{count} points", count)
    assert translator.render(message, "en") == english
    assert translator.render(message, "fr") == french
