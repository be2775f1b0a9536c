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


def catalogs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
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
    messages = catalogs.extract([source])
    assert set(messages) == {"Known.", "Brand new {read}.", "Owner: {owner}.", "no owner"}
    # An f-string as a parameter value is correct and silent; an f-string as the msgid is not.
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1
    assert ":5: warning: Skipping f-string" in warnings[0]

    catalog = Catalog(locale="fr")
    catalog.add("Known.", "Connu.")
    catalog.add("Gone.", "Parti.")
    missing, stale = catalogs.compare(messages, catalog)
    assert set(missing) == {"Brand new {read}.", "Owner: {owner}.", "no owner"}
    assert stale == ["Gone."]
    assert catalogs.update(catalog, messages, stale) is True
    assert catalogs.update(catalog, messages, []) is False  # nothing new: the file would not be rewritten
