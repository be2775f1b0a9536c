"""French typography, one rule: every French catalog entry follows it, no English msgid borrows it, and the
rule leaves code, placeholders, times and URLs alone."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from bot.registry import available_plugins, locale_roots
from bot.typography import NNBSP, french, problems


def entries() -> list[tuple[str, str, str]]:
    """(catalog, msgid, translation) for every translated form of every French catalog entry."""
    found = []
    for root in locale_roots(available_plugins()):
        po = root / "fr.po"
        if not po.is_file():
            continue
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                forms = [message.string] if isinstance(message.string, str) else list(message.string)
                found += [(str(po.relative_to(root.parent.parent)), msgid, form) for form in forms]
    return found


def test_every_french_entry_follows_the_rule() -> None:
    offenders = [f"{po}: {msgid!r}: {problems(text, 'fr')}" for po, msgid, text in entries() if problems(text, "fr")]
    assert offenders == []


def test_no_english_msgid_uses_french_typography() -> None:
    offenders = [f"{po}: {msgid!r}" for po, msgid, _text in entries() if problems(msgid, "en")]
    assert offenders == []


def test_the_catalogs_were_read() -> None:
    assert len(entries()) > 500  # guards the two tests above against an empty walk


@pytest.mark.parametrize(
    ("written", "typeset"),
    [
        ("Utilisation: {usage}", f"Utilisation{NNBSP}: {{usage}}"),
        ("Utilisation : {usage}", f"Utilisation{NNBSP}: {{usage}}"),
        ("Il manque {name} : {description}", f"Il manque {{name}}{NNBSP}: {{description}}"),
        ("Voulez-vous ? Oui!", f"Voulez-vous{NNBSP}? Oui{NNBSP}!"),
        ("100% et 0 %", f"100{NNBSP}% et 0{NNBSP}%"),
        ("autres {rest}%", f"autres {{rest}}{NNBSP}%"),
        ("l'entrée « x »", f"l’entrée «{NNBSP}x{NNBSP}»"),
        ("la règle “bruit”", f"la règle «{NNBSP}bruit{NNBSP}»"),
        ("Salon : bilan: non défini", f"Salon{NNBSP}: bilan{NNBSP}: non défini"),
    ],
)
def test_french_prose_gets_the_rule(written: str, typeset: str) -> None:
    assert french(written) == typeset
    assert french(typeset) == typeset  # applying it twice changes nothing


@pytest.mark.parametrize(
    "untouched",
    [
        "à 10:00",
        "`/group nearby Lille rayon_km:30`",
        "https://example.org/a?b=c",
        "{value:>3}",
        r"Écrivez \* \+ \? pour ces caractères",
        "(?<!…) et (?=…)",
        "<@membre>",
    ],
)
def test_code_times_urls_and_placeholders_are_left_alone(untouched: str) -> None:
    assert french(untouched) == untouched


def test_english_has_no_french_marks() -> None:
    assert problems("Usage: /help", "en") == []
    assert problems(f"Usage{NNBSP}: /help", "en") != []
    assert problems("« quoted »", "en") != []
