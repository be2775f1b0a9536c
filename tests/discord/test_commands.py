"""The application commands synced from the declarations: grouping by noun, option types and limits,
French localizations, default permissions, and the sync skipped when nothing changed."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator, _
from bot.model import Level
from bot.platforms.discord.commands import command_payload, is_discord_name, payload_hash
from bot.plugin import Choice, CommandDecl, choice, integer, text
from bot.registry import available_plugins, declared_commands, locale_roots
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import probe

GLOBAL = r"/applications/\d+/commands"


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


async def test_the_synced_payload_has_one_command_per_noun_with_typed_options(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]):
        (call,) = fake.calls_to("PUT", GLOBAL)
    commands = by_name(call.body)
    assert {"help", "language", "settings", "privacy", "probe"} <= set(commands)
    settings = commands["settings"]
    assert settings["default_member_permissions"] == str(1 << 13)  # Manage Messages: every verb is moderator
    assert {o["name"] for o in settings["options"]} == {"show", "timezone", "locale", "channel", "role"}
    timezone = by_name(by_name(settings["options"])["timezone"]["options"])["timezone"]
    assert timezone == {**timezone, "type": 3, "required": True, "autocomplete": True, "max_length": 64}
    assert commands["help"]["default_member_permissions"] is None
    assert by_name(commands["help"]["options"])["command"]["required"] is False
    assert [c["value"] for c in by_name(commands["language"]["options"])["language"]["choices"]] == ["en", "fr", "auto"]
    probe_command = commands["probe"]
    assert probe_command["default_member_permissions"] is None  # the least strict verb (add) is for members
    kinds = by_name(by_name(probe_command["options"])["kinds"]["options"])
    assert kinds["ratio"] == {**kinds["ratio"], "type": 10, "min_value": 0.5, "max_value": 2.5}
    assert kinds["flag"]["type"] == 5
    assert kinds["who"]["type"] == 6
    assert kinds["where"]["type"] == 7 and 15 in kinds["where"]["channel_types"]
    assert kinds["wait"]["type"] == 3 and kinds["when"]["type"] == 3
    assert kinds["pick"]["autocomplete"] is True and "choices" not in kinds["pick"]  # 30 choices > 25
    assert kinds["note"] == {**kinds["note"], "type": 3, "max_length": 50, "required": False}
    add = by_name(by_name(probe_command["options"])["add"]["options"])
    assert (add["a"]["min_value"], add["a"]["max_value"], add["a"]["type"]) == (0, 100, 4)
    assert all(len(c["description"]) <= 100 for c in commands.values())


async def test_a_grouped_command_is_described_in_english_and_french(tmp_path: Path, fake: FakeDiscord) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]):
        (call,) = fake.calls_to("PUT", GLOBAL)
    commands = by_name(call.body)
    settings = commands["settings"]
    assert settings["description"] == "/settings commands: channel, locale, role, show, timezone."
    assert settings["description_localizations"] == {
        "fr": "Commandes /settings\u202f: channel, locale, role, show, timezone."
    }
    grouped = [c for c in call.body if c["options"] and all(o["type"] == 1 for o in c["options"])]
    assert {"settings", "privacy", "probe"} <= {c["name"] for c in grouped}
    for command in grouped:
        french = command["description_localizations"]["fr"]
        assert french.startswith(f"Commandes /{command['name']}\u202f: ") and len(french) <= 100


async def test_an_unchanged_command_set_is_not_synced_again_but_a_new_one_is(tmp_path: Path, fake: FakeDiscord) -> None:
    async with running_bot(tmp_path, fake):
        pass
    async with running_bot(tmp_path, fake):
        pass
    assert len(fake.calls_to("PUT", GLOBAL)) == 1
    async with running_bot(tmp_path, fake, extra=[probe]):
        pass
    puts = fake.calls_to("PUT", GLOBAL)
    assert len(puts) == 2
    assert "probe" in {c["name"] for c in puts[1].body}


async def test_development_guilds_get_the_commands_and_lose_them_when_unconfigured(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    scoped = rf"/applications/\d+/guilds/{guild.id}/commands"
    async with running_bot(tmp_path, fake, discord={"guild_ids": [guild.id]}):
        (put,) = fake.calls_to("PUT", scoped)
        assert {c["name"] for c in put.body} >= {"help", "settings"}
        assert fake.calls_to("PUT", GLOBAL) == []
    async with running_bot(tmp_path, fake):
        assert len(fake.calls_to("PUT", GLOBAL)) == 1
        assert fake.calls_to("PUT", scoped)[-1].body == []


async def test_moving_to_development_guilds_empties_the_global_commands(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    scoped = rf"/applications/\d+/guilds/{guild.id}/commands"
    async with running_bot(tmp_path, fake):
        (put,) = fake.calls_to("PUT", GLOBAL)
        assert put.body
    async with running_bot(tmp_path, fake, discord={"guild_ids": [guild.id]}):
        assert {c["name"] for c in fake.calls_to("PUT", scoped)[-1].body} >= {"help", "settings"}
        assert [c.body for c in fake.calls_to("PUT", GLOBAL)][1:] == [[]]
    async with running_bot(tmp_path, fake, discord={"guild_ids": [guild.id]}):
        assert len(fake.calls_to("PUT", GLOBAL)) == 2  # emptied once, not again at each start
    async with running_bot(tmp_path, fake):
        assert fake.calls_to("PUT", GLOBAL)[-1].body  # back to global commands: synced again
        assert fake.calls_to("PUT", scoped)[-1].body == []


async def test_a_429_during_the_sync_is_retried(tmp_path: Path, fake: FakeDiscord) -> None:
    fake.rate_limit_once("PUT", GLOBAL)
    async with running_bot(tmp_path, fake):
        statuses = [c.status for c in fake.calls_to("PUT", GLOBAL)]
    assert statuses == [429, 200]


FRENCH = Translator(
    {
        "fr": {
            "Add two numbers.": "Additionner deux nombres.",
            "First.": "Premier.",
            "parameter\x04first": "premier",
            "parameter\x04second": "Pas Valide",  # a space and a capital: not a Discord name, left out
            "parameter\x04radius_km": "rayon_km",
            "parameter\x04city": "ville",
            "parameter\x04town": "ville",  # the same French name as a sibling: Discord would refuse both
            "choice\x04red": "rouge",
            "Red": "Rouge vif",
        }
    }
)


def test_options_carry_their_french_names_and_choices_their_french_labels(caplog: pytest.LogCaptureFixture) -> None:
    decls = [
        CommandDecl(
            "math sum",
            _("Add two numbers."),
            (integer("first", _("First.")), integer("second", _("Second."))),
            Level.MEMBER,
            False,
        ),
        CommandDecl(
            "math paint",
            _("Paint."),
            (choice("colour", _("Colour."), [Choice("red", _("Red")), Choice("blue", "Blue")]),),
            Level.ADMIN,
            False,
        ),
        CommandDecl(
            "math near",
            _("Near."),
            (text("city", _("City.")), text("town", _("Town.")), integer("radius_km", _("Radius."))),
            Level.MEMBER,
            False,
        ),
    ]
    with caplog.at_level(logging.WARNING):
        (math,) = command_payload(decls, FRENCH)
    assert math["name"] == "math" and "name_localizations" not in math  # command names stay canonical
    assert math["default_member_permissions"] is None
    verbs = by_name(math["options"])
    assert all("name_localizations" not in verb for verb in verbs.values())
    assert verbs["sum"]["description_localizations"] == {"fr": "Additionner deux nombres."}
    assert "description_localizations" not in verbs["paint"]  # not in the catalog: English only
    first, second = verbs["sum"]["options"]
    assert first["name_localizations"] == {"fr": "premier"}
    assert first["description_localizations"] == {"fr": "Premier."}
    assert "name_localizations" not in second
    assert "/math sum option second: the French name 'Pas Valide' is not a Discord name" in caplog.text
    red, blue = verbs["paint"]["options"][0]["choices"]
    # The choice's name is its label (English, French localization), its value stays canonical.
    assert red == {"name": "Red", "value": "red", "name_localizations": {"fr": "Rouge vif"}}
    assert blue == {"name": "Blue", "value": "blue"}
    city, town, radius = verbs["near"]["options"]
    assert city["name_localizations"] == {"fr": "ville"}
    assert "name_localizations" not in town  # its French name is its sibling's: English on Discord
    assert "/math near option town: its French name 'ville' is taken by another option" in caplog.text
    assert radius["name"] == "radius_km" and radius["name_localizations"] == {"fr": "rayon_km"}


def test_a_french_name_equal_to_a_siblings_english_name_is_left_out() -> None:
    decl = CommandDecl("near", _("Near."), (text("city", _("City.")), text("place", _("Place."))), Level.MEMBER, False)
    # `place` would read "city" in French, and so would `city`, which has no French name.
    (near,) = command_payload([decl], Translator({"fr": {"parameter\x04place": "city"}}))
    assert [o.get("name_localizations") for o in near["options"]] == [None, None]
    # Once `city` reads "ville" in French, "city" is free for `place`.
    french = Translator({"fr": {"parameter\x04place": "city", "parameter\x04city": "ville"}})
    (near,) = command_payload([decl], french)
    assert [o.get("name_localizations") for o in near["options"]] == [{"fr": "ville"}, {"fr": "city"}]


def test_discord_names_follow_discords_rule() -> None:
    assert all(is_discord_name(n) for n in ["rayon_km", "période", "nom-du-groupe", "ville2", "नाम", "ชื่อ"])
    assert not any(is_discord_name(n) for n in ["", "Rayon_km", "rayon km", "jusqu’à", "a" * 33, "prix€"])


def test_a_grouped_commands_description_lists_its_canonical_verbs_and_needs_the_catalog() -> None:
    decls = [
        CommandDecl("math sum", _("Add two numbers."), (), Level.MEMBER, False),
        CommandDecl("math paint", _("Paint."), (), Level.MEMBER, False),
    ]
    french = Translator({"fr": {"/{noun} commands: {verbs}.": "Commandes /{noun} : {verbs}."}})
    (math,) = command_payload(decls, french)
    assert math["description"] == "/math commands: paint, sum."
    assert math["description_localizations"] == {"fr": "Commandes /math\u202f: paint, sum."}
    (untranslated,) = command_payload(decls, Translator({}))
    assert untranslated["description"] == "/math commands: paint, sum."
    assert "description_localizations" not in untranslated  # not in the catalog: English only
    many = [CommandDecl(f"math verb{n:02d}", _("Paint."), (), Level.MEMBER, False) for n in range(20)]
    problems: list[str] = []
    (long,) = command_payload(many, french, problems=problems)
    assert long["description"] == (
        "/math commands: verb00, verb01, verb02, verb03, verb04, verb05, verb06, verb07, … (/help math)."
    )
    assert long["description_localizations"]["fr"].endswith("verb07, … (/help math).")
    assert problems == []  # made to fit: nothing for anyone to shorten


def test_a_description_over_discords_limit_is_reported_naming_the_command(
    caplog: pytest.LogCaptureFixture,
) -> None:
    long_fr = "Une description bien trop longue pour Discord, " * 3
    french = Translator({"fr": {"Short.": long_fr, "Fine.": "Bien."}})
    decls = [
        CommandDecl("math sum", _("Short."), (integer("first", _("Fine.")),), Level.MEMBER, False),
        CommandDecl("math paint", _("Paint."), (text("colour", _("x" * 120)),), Level.MEMBER, False),
        CommandDecl("math " + "v" * 20, _("Paint."), (), Level.MEMBER, False),
    ]
    problems: list[str] = []
    with caplog.at_level(logging.WARNING):
        (math,) = command_payload(decls, french, problems=problems)
    assert problems == [
        "/math paint option colour description: 120 characters in English (Discord accepts 100)",
        f"/math sum description: {len(long_fr.strip())} characters in French (Discord accepts 100)",
    ]
    assert all(problem in caplog.text for problem in problems)
    # Cut only so Discord accepts the payload: the warning tells the text's owner to shorten it.
    assert len(by_name(math["options"])["sum"]["description_localizations"]["fr"]) == 100


def test_the_least_strict_level_decides_and_a_bare_noun_with_verbs_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = CommandDecl("group delete", _("Delete."), (), Level.ADMIN, False)
    moderator = CommandDecl("group rename", _("Rename."), (text("name", _("Name.")),), Level.MODERATOR, False)
    bare = CommandDecl("group", _("Groups."), (), Level.MEMBER, False)
    with caplog.at_level(logging.WARNING):
        (group,) = command_payload([admin, moderator, bare], Translator({}))
    assert group["default_member_permissions"] == str(1 << 13)
    assert [o["name"] for o in group["options"]] == ["delete", "rename"]
    assert "/group is left out on Discord" in caplog.text
    (only_admin,) = command_payload([admin], Translator({}))
    assert only_admin["default_member_permissions"] == str(1 << 5)  # Manage Server


def test_the_hash_changes_with_the_payload_only() -> None:
    one = command_payload([CommandDecl("ping", _("Ping."), (), Level.MEMBER, False)], Translator({}))
    again = command_payload([CommandDecl("ping", _("Ping."), (), Level.MEMBER, False)], Translator({}))
    other = command_payload([CommandDecl("ping", _("Pong."), (), Level.MEMBER, False)], Translator({}))
    assert payload_hash(one) == payload_hash(again) != payload_hash(other)


def _check_options(path: str, options: list[dict[str, Any]], problems: list[str]) -> None:
    if len(options) > 25:
        problems.append(f"/{path}: {len(options)} options (at most 25)")
    optional_seen = False
    for item in options:
        where = f"/{path} {item['name']}"
        if not NAME.fullmatch(item["name"]):
            problems.append(f"{where}: not a Discord name")
        if not all(is_discord_name(name) for name in item.get("name_localizations", {}).values()):
            problems.append(f"{where}: a French name that is not a Discord name")
        for described in [item["description"], *item.get("description_localizations", {}).values()]:
            if not 1 <= len(described) <= 100:
                problems.append(f"{where}: description of {len(described)} characters")
        if item["type"] == 1:
            _check_options(f"{path} {item['name']}", item["options"], problems)
            continue
        if item.get("required") and optional_seen:
            problems.append(f"{where}: required after an optional option")
        optional_seen = optional_seen or not item.get("required")
        if "choices" in item and (item.get("autocomplete") or len(item["choices"]) > 25):
            problems.append(f"{where}: choices with autocomplete or more than 25")


def _size(item: dict[str, Any]) -> int:
    own = len(item.get("name", "")) + len(item.get("description", "")) + len(str(item.get("value", "")))
    return own + sum(_size(o) for o in item.get("options", [])) + sum(_size(c) for c in item.get("choices", []))


NAME = re.compile(r"[-_'\w]{1,32}")


def test_every_shipped_plugins_commands_fit_discords_rules() -> None:
    names = available_plugins()
    payload = command_payload(declared_commands(names), Translator.load(locale_roots(names)))
    problems: list[str] = []
    assert len(payload) <= 100
    for item in payload:
        if item["name"] != item["name"].lower() or not NAME.fullmatch(item["name"]):
            problems.append(f"/{item['name']}: not a Discord name")
        if _size(item) > 8000:
            problems.append(f"/{item['name']}: {_size(item)} characters (at most 8000)")
        _check_options(item["name"], item["options"], problems)
    assert problems == []


def test_no_shipped_description_is_over_discords_limit_in_either_language() -> None:
    """The builder cuts a text over 100 characters only so Discord accepts the payload; each one is a
    text its owner must shorten (in the declaration, or the plugin's French catalog)."""
    names = available_plugins()
    problems: list[str] = []
    command_payload(declared_commands(names), Translator.load(locale_roots(names)), problems=problems)
    assert problems == []


def test_no_catalog_keeps_the_old_discord_name_msgids() -> None:
    """French option names come from msgctxt "parameter" now; the `discord option name: …` and
    `discord command name: …` msgids of the old convention would be dead entries."""
    root = Path(__file__).resolve().parents[2]
    leftovers = [
        str(po.relative_to(root))
        for po in [*root.glob("bot/locales/*.po"), *root.glob("plugins/*/locales/*.po")]
        if re.search(r'msgid "discord (option|command) name: ', po.read_text(encoding="utf-8"))
    ]
    assert leftovers == []
