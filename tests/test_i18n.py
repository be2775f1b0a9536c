"""Translations: every user-facing string has a French translation with the same placeholders,
and rendering picks the reader's language, formats values per locale, and never loses text."""

from __future__ import annotations

import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.i18n import Span, Translator, When, _, join, normalize_locale
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
