"""Issue 17, "no English in a French reply": every French output reads as a French manager writes.

A French community runs every command of every shipped plugin for a week (tests/french_script.py,
played by tests/french_scenario.py), errors included, and every reply and every message the bot
sends must read as French written by a French community manager:

- no English word from the stop-list (tests/french_checks.py), command paths aside;
- no catalog entry rendered without its French translation;
- no raw library message (regex, dates, validation, Python reprs, RRULE syntax);
- French typography (`bot.typography.problems`, plus « n° 12 » and no « (s) »);
- every text rendered for the French locale;
- the French words the bot shows are accepted when typed (docs/glossary.md, "Words you type").

Each check runs once per plugin, so a failure names the plugin whose owner fixes it, with every
offending output printed under the command that caused it. A new command fails
`test_every_command_is_scripted` until the script runs it.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.discovery import available_plugins
from bot.i18n import Msg
from plugins.filters.bait import BAIT_PATTERNS, BAIT_PHRASES
from tests.french_checks import (
    english_words,
    library_messages,
    mask,
    needs_translation,
    translated,
    typography_problems,
)
from tests.french_scenario import Output, Transcript, play
from tests.french_script import ECHOED

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted({"core", *available_plugins()})
# Plugins whose steps are plain messages or time passing are reported under these labels too.
OWNERS = [*PLUGINS, "(messages)"]


@pytest.fixture(scope="module")
def transcript(tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    """The scenario, played once for every check of this module."""
    return asyncio.run(play(tmp_path_factory.mktemp("french")))


def _report(title: str, plugin: str, items: Iterable[tuple[str, str]]) -> None:
    """Fail with every offending output of `plugin`, grouped under the step that caused it."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for step, detail in items:
        if detail not in grouped[step]:
            grouped[step].append(detail)
    if not grouped:
        return
    lines = [f"French scenario, {plugin}: {title} ({sum(len(v) for v in grouped.values())})"]
    for step, details in grouped.items():
        lines.append(f"  ▶ {step}")
        lines += [f"      {detail}" for detail in details]
    pytest.fail("\n".join(lines), pytrace=False)


def _shown(text: str, limit: int = 400) -> str:
    flat = text.replace("\n", " ⏎ ")
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")


# Content, not prose: what members typed and the bot rightly shows back, and the built-in bait list
# (French and English phrases on purpose), shown by `/filter list` and `/filter test`.
CONTENT = (*ECHOED, *BAIT_PHRASES, *BAIT_PATTERNS)


def _prose(text: str) -> str:
    """The bot's own words in an output: content masked."""
    return mask(text, CONTENT)


def _outputs(t: Transcript, plugin: str) -> list[Output]:
    return [o for o in t.outputs if o.plugin == plugin]


def test_every_command_is_scripted(transcript: Transcript) -> None:
    missing = sorted(set(transcript.paths) - transcript.scripted_paths)
    assert not missing, "commands the French scenario does not run yet (add them to tests/french_script.py): " + (
        ", ".join(f"/{p}" for p in missing)
    )


def test_the_scenario_produced_french_outputs(transcript: Transcript) -> None:
    assert len(transcript.outputs) > 150
    assert transcript.rendered, "the translator wrapper saw nothing: the rendering API changed"
    assert any(o.where.startswith("DM") for o in transcript.outputs)  # reminders, digests, notes
    assert any(o.where == "#moderation" for o in transcript.outputs)  # filter reports, reviews


@pytest.mark.parametrize("plugin", OWNERS)
def test_french_words_are_accepted(transcript: Transcript, plugin: str) -> None:
    """A French moderator types the French words the bot shows (and the scenario goes as planned)."""
    items = [(line, f"reply: {_shown(reply)}") for owner, line, reply in transcript.french_refused if owner == plugin]
    items += [(what, f"reply: {_shown(reply)}") for owner, what, reply in transcript.surprises if owner == plugin]
    _report("French input refused or unexpected outcome", plugin, items)


@pytest.mark.parametrize("plugin", OWNERS)
def test_no_english_words(transcript: Transcript, plugin: str) -> None:
    items = []
    for o in _outputs(transcript, plugin):
        found = english_words(_prose(o.text), transcript.paths)
        if found:
            items.append((o.step, f"[{o.where}] English {sorted(set(found))} in {_shown(o.text)}"))
    _report("English words in French outputs", plugin, items)


@pytest.mark.parametrize("plugin", OWNERS)
def test_every_output_is_rendered_in_french(transcript: Transcript, plugin: str) -> None:
    items = [
        (o.step, f"[{o.where}] rendered in {o.locale!r}: {_shown(o.text)}")
        for o in _outputs(transcript, plugin)
        if o.locale != "fr"
    ]
    _report("outputs not rendered in French", plugin, items)


@pytest.mark.parametrize("plugin", OWNERS)
def test_no_untranslated_entries(transcript: Transcript, plugin: str) -> None:
    items = [
        (step, f"{_entry(msg)} has no French translation ({_where(msg)})")
        for owner, step, msg in transcript.rendered
        if owner == plugin and needs_translation(msg) and not translated(transcript.translator, msg)
    ]
    _report("catalog entries shown untranslated", plugin, items)


@pytest.mark.parametrize("plugin", OWNERS)
def test_no_raw_library_messages(transcript: Transcript, plugin: str) -> None:
    items = [
        (o.step, f"[{o.where}] {found} in {_shown(o.text)}")
        for o in _outputs(transcript, plugin)
        for found in library_messages(o.text)
    ]
    _report("library messages shown raw", plugin, items)


@pytest.mark.parametrize("plugin", OWNERS)
def test_typography(transcript: Transcript, plugin: str) -> None:
    items = [
        (o.step, f"[{o.where}] {problem}")
        for o in _outputs(transcript, plugin)
        for problem in typography_problems(_prose(o.text))
    ]
    _report("French typography problems", plugin, items)


@cache
def _sources() -> dict[str, str]:
    """The text of every Python file of the bot and its plugins, by path (to say where a msgid lives)."""
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in ("bot", "plugins")
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def _entry(msg: Msg) -> str:
    """The catalog entry as a .po file spells it."""
    context = f"msgctxt {msg.context!r} " if msg.context else ""
    plural = f" msgid_plural {msg.plural!r}" if msg.plural else ""
    return f"{context}msgid {msg.msgid!r}{plural}"


def _where(msg: Msg) -> str:
    """Where to add it: a parameter name or a choice word goes in the owning plugin's catalog."""
    if msg.context:
        return f"a {msg.context} word: the catalog of the plugin that declares it"
    return f"in {_source_of(msg.msgid)}"


def _source_of(msgid: str) -> str:
    """The first source file that spells `msgid` (its first line), for the report."""
    needle = msgid.split("\n")[0][:60]
    pattern = re.compile(re.escape(needle[:40]))
    found = [path for path, text in _sources().items() if pattern.search(text)]
    return ", ".join(found[:2]) if found else "source not found"


# ---------------------------------------------------------------- the glossary in the catalogs

# French words docs/glossary.md retired because they named another concept (or a second word for one
# concept). Each with the glossary's word, for the failure message.
RETIRED = {
    r"\bpropriétaires?\b": "responsable (group owner)",
    r"\brésumés?\b": "bilan (digest)",
    r"appâts? à interactions": "appât à engagement",
    r"annulée?s? d’avance": "sautée (skip)",
    r"\bbimensuel": "quinzaine (biweekly)",
    r"personnes (patientes|qui aident)|tableau de la patience": "aidants (helpers)",
    r"responsables du calendrier|rôle des responsables": "gestionnaires (managers)",
    r"\bcanal\b|\bcanaux\b|\bchaînes?\b": "salon (channel)",
    r"\btags?\b": "étiquette (group tag)",
    r"\bdemandeu(?:r|se)s?\b|personne qui (?:a posé|l’a posée)": "membre qui a posé la question (asker)",
    r"retourne aux aidants": "renvoyée aux aidants (back to waiting)",
    r"heures (?:creuses|de silence)": "heures calmes (quiet hours)",
}


def _french_entries() -> list[tuple[str, str]]:
    """(catalog, text) for every French catalog entry, placeholders and code spans removed."""
    found = []
    for po in sorted([ROOT / "bot/locales/fr.po", *(ROOT / "plugins").glob("*/locales/fr.po")]):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="fr")
        for message in catalog:
            forms = [message.string] if isinstance(message.string, str) else list(message.string or ())
            for form in forms:
                if message.id and form:
                    found.append((str(po.relative_to(ROOT)), re.sub(r"\{[^{}]*\}|`[^`]*`", " ", form)))
    return found


def test_catalogs_use_the_glossary_words() -> None:
    clashes = [
        f"{catalog}: {text!r} — the glossary says « {word} »"
        for catalog, text in _french_entries()
        for pattern, word in RETIRED.items()
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert not clashes, "French words retired by docs/glossary.md:\n" + "\n".join(clashes)


# ---------------------------------------------------------------- the checks themselves


def test_the_stop_list_finds_english_but_not_french_or_commands() -> None:
    paths = {"group join", "watch frequency"}
    assert english_words("⚠️ Il manque name : le nom du groupe.", paths) == []  # `name` is not in the list
    assert english_words("⚠️ state doit être l’une des valeurs on, off.", paths) == ["state"]
    assert english_words("Rappels : none. Owner : @alice", paths) == ["none", "Owner"]
    assert english_words("Tapez `/group join Rust` ou `/watch frequency quotidien`.", paths) == []
    assert english_words("Une question sur le type de page, en description.", paths) == []
    assert english_words("Par exemple `/help group join`.", {"help", *paths}) == []
    assert english_words("Commandes /group : `join`, `frequency`.", paths) == []
    assert english_words("Commandes /group : join, leave.", paths) == ["join"]
    assert english_words("Ajoutez un code pays, par exemple `Lille, BE`.", paths) == []


def test_library_messages_and_typography_are_found() -> None:
    assert library_messages("Répétition : FREQ=WEEKLY.") == ["RRULE syntax: 'FREQ='"]
    assert library_messages("Motif refusé : missing ), unterminated subpattern at position 0")
    assert library_messages("Prévue le 18 novembre 2026 à 9 h.") == []
    assert typography_problems("Langues\u202f: français 100\u202f%") == []
    assert typography_problems("Langues : français 100%")
    assert typography_problems("La publication n°12, 0 résolue(s)") == [
        "number sign without a space: 'n°12' (write « n° 12 »)",
        "plural written (s): 'résolue(s)' (use n_)",
    ]
    [apostrophe] = typography_problems("Il n'y a rien")
    assert apostrophe.endswith("→ 'Il n’y a rien'")


def test_member_content_is_masked_whatever_the_spaces() -> None:
    text = "« Comment installer Rust sous Windows\u00a0? » et la règle « like if »"
    assert mask(text, ("Comment installer Rust sous Windows ?", "like if")) == "« … » et la règle « … »"


def test_each_retired_word_is_caught() -> None:
    examples = (
        "Les propriétaires de {group}",
        "le résumé du groupe",
        "la liste contre l’appât à interactions",
        "est annulée d’avance",
        "quotidien, bimensuel",
        "Les personnes patientes",
        "les responsables du calendrier",
        "le canal #news",
        "Des tags séparés par des virgules",
        "le demandeur n’a pas répondu",
        "elle retourne aux aidants",
        "pendant les heures creuses",
    )
    for pattern, example in zip(RETIRED, examples, strict=True):
        assert re.search(pattern, example, re.IGNORECASE), (pattern, example)
    assert not any(re.search(p, "Le bilan du groupe, ses étiquettes et son salon", re.IGNORECASE) for p in RETIRED)
