"""What a French member sees of the application commands on Discord, end to end against the fake:
options named in French (the catalog's msgctxt "parameter" entries), choices labelled in French with
canonical values, canonical command names, French autocomplete answers, and a command picked from the
French client still binding canonical values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bot.app
from bot.i18n import Translator
from bot.platforms.discord import translate
from bot.platforms.discord.commands import CHANNEL, SUB_COMMAND, is_discord_name
from bot.registry import available_plugins, declared_commands, locale_roots
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import probe

GLOBAL = r"/applications/\d+/commands"
COMMAND, AUTOCOMPLETE = 2, 4
MODERATOR = 1 << 13
EPHEMERAL = 64

# The probe plugin's French catalog: it has no package under plugins/, so the test adds its locales.
PROBE_FR = """\
msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Choice {n}"
msgstr "Choix {n}"

msgctxt "parameter"
msgid "pick"
msgstr "choix"
"""


@pytest.fixture
def probe_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app loads the shipped catalogs plus the probe's French one."""
    locales = tmp_path / "probe-locales"
    locales.mkdir()
    (locales / "fr.po").write_text(PROBE_FR, encoding="utf-8")
    monkeypatch.setattr(bot.app, "locale_roots", lambda names: [*locale_roots(names), locales])
    yield


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def options_of(payload: list[dict[str, Any]], noun: str, verb: str) -> dict[str, dict[str, Any]]:
    return by_name(by_name(by_name(payload)[noun]["options"])[verb]["options"])


def every_option(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if item.get("type") in (None, 1, SUB_COMMAND):
            yield from every_option(item.get("options", []))
        else:
            yield item


async def test_a_french_moderator_sees_french_option_names_and_choices_and_the_values_stay_canonical(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as running:
        (put,) = fake.calls_to("PUT", GLOBAL)
        assert put.status == 200  # the fake refuses what Discord refuses (names, duplicates, lengths)
        assert "discord option name" not in json.dumps(put.body)  # the old msgid convention is gone
        assert all("name_localizations" not in command for command in put.body)  # /settings stays /settings
        assert all("name_localizations" not in verb for verb in by_name(put.body)["settings"]["options"])
        options = options_of(put.body, "settings", "channel")
        assert options["purpose"]["name_localizations"] == {"fr": "usage"}
        assert options["channel"]["name_localizations"] == {"fr": "salon"}
        assert options_of(put.body, "settings", "timezone")["timezone"]["name_localizations"] == {"fr": "fuseau"}
        digest = next(c for c in options["purpose"]["choices"] if c["value"] == "digest")
        assert digest == {"name": "digest", "value": "digest", "name_localizations": {"fr": "bilan"}}
        # The French client shows "usage" and "bilan"; Discord sends the canonical name and value back.
        general = guild.channels["general"]
        data = {
            "id": "1",
            "name": "settings",
            "type": 1,
            "options": [
                {
                    "name": "channel",
                    "type": SUB_COMMAND,
                    "options": [
                        {"name": "purpose", "type": 3, "value": "digest"},
                        {"name": "channel", "type": CHANNEL, "value": str(general)},
                    ],
                }
            ],
            "resolved": {"channels": {str(general): {"id": str(general), "type": 0}}},
        }
        sent = await fake.interact(guild, "alice", COMMAND, data, permissions=MODERATOR, locale="fr")
        answer = await fake.callback(sent)
        assert answer.data["content"] == "#general est désormais le salon «\u202fbilan\u202f»."
        settings = await running.app.communities.get(translate.community(guild.id))
        assert settings.channel("digest") == translate.place(guild.id, general)


async def test_every_french_parameter_name_in_the_catalogs_reaches_discord(tmp_path: Path, fake: FakeDiscord) -> None:
    names = available_plugins()
    plugins: dict[str, Any] = {name: {} for name in names}
    translator = Translator.load(locale_roots(names))
    async with running_bot(tmp_path, fake, plugins=plugins):
        (put,) = fake.calls_to("PUT", GLOBAL)
    assert put.status == 200  # Discord takes every plugin's commands with their French names
    nearby = options_of(put.body, "group", "nearby")
    assert nearby["radius_km"]["name_localizations"] == {"fr": "rayon_km"}
    assert nearby["city"]["name_localizations"] == {"fr": "ville"}
    sent = {(o["name"], o.get("name_localizations", {}).get("fr")) for o in every_option(put.body)}
    for decl in declared_commands(names):
        for param in decl.params:
            if not translator.has("fr", param.label):
                continue
            french = translator.render(param.label, "fr")
            assert is_discord_name(french), f"/{decl.path} {param.name}: {french!r} is not a Discord name"
            if french != param.name:
                assert (param.name, french) in sent, f"/{decl.path} {param.name}: {french} not sent"


async def test_autocomplete_answers_in_the_readers_language_and_accepts_their_words(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild, probe_catalog: None
) -> None:
    def typing(words: str) -> dict[str, Any]:
        option = {"name": "pick", "type": 3, "value": words, "focused": True}
        return {"id": "1", "name": "probe", "type": 1, "options": [{"name": "kinds", "type": 1, "options": [option]}]}

    async with running_bot(tmp_path, fake, extra=[probe]):
        (put,) = fake.calls_to("PUT", GLOBAL)
        assert options_of(put.body, "probe", "kinds")["pick"]["name_localizations"] == {"fr": "choix"}
        sent = await fake.interact(guild, "bob", AUTOCOMPLETE, typing("choix 2"), locale="fr")
        french = (await fake.callback(sent)).body["data"]["choices"]
        assert french[:3] == [
            {"name": "Choix 2", "value": "c02"},
            {"name": "Choix 20", "value": "c20"},
            {"name": "Choix 21", "value": "c21"},
        ]
        assert len(french) == 11
        # An English reader typing the French word finds the same choices, in English.
        sent = await fake.interact(guild, "bob", AUTOCOMPLETE, typing("CHOIX 2"), locale="en-US")
        english = (await fake.callback(sent)).body["data"]["choices"]
        assert [c["value"] for c in english] == [c["value"] for c in french]
        assert english[0] == {"name": "Choice 2", "value": "c02"}
