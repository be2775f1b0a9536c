"""What every shipped plugin's declarations promise a reader, checked over all of them at once: descriptions
that fit the platforms' limits in both languages, and moderator commands whose replies stay among
moderators unless they are public by purpose (with the console showing what members would see)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.discovery import available_plugins
from bot.formatting import LocalReply
from bot.i18n import SUPPORTED_LOCALES, Text, Translator, _
from bot.model import ChannelRef, CommunityRef, Level, UserRef
from bot.params import bind_text
from bot.platforms.console import ConsolePlatform
from bot.platforms.discord.commands import command_payload
from bot.platforms.slack.app_manifest import slash_commands
from bot.plugin import (
    CommandDecl,
    CommandError,
    ParamKind,
    attachment,
    boolean,
    duration,
    member,
    moment,
    number,
)
from bot.registry import declared_commands, locale_roots
from bot.textsyntax import parse_line
from plugins.core import help as help_texts
from tests.harness import START, make_config, on_console, running

# Discord cuts command, option and choice descriptions at 100 characters, Slack a slash command's
# description at 100: a longer one reaches the reader cut with "…".
DESCRIPTION_LIMIT = 100

# Moderator commands whose reply is meant for the channel, with why; every other moderator command is
# declared `private=True` (ephemeral on Discord and Slack, private in the console).
PUBLIC_BY_PURPOSE: dict[str, str] = {
    "question close": (
        "closing a question is an answer to its asker and to whoever follows it in the channel: "
        "the reply (“Question #12 is closed: duplicate of #9”) is what they need to read"
    ),
}


def shipped_commands() -> list[tuple[str, CommandDecl]]:
    """Every command of every shipped plugin, with the plugin that declares it."""
    return [(name, decl) for name in available_plugins() for decl in declared_commands([name])]


def described(decl: CommandDecl) -> Iterator[tuple[str, Text]]:
    """Every text a platform shows as a description of the command: its own, its parameters', its choices'."""
    yield f"/{decl.path}", decl.description
    for param in decl.params:
        yield f"/{decl.path} {param.name}", param.description
        for choice in param.choices:
            yield f"/{decl.path} {param.name}={choice.value}", choice.label


@pytest.mark.parametrize("plugin", available_plugins())
def test_every_description_fits_discord_and_slack_in_every_language(plugin: str) -> None:
    translator = Translator.load(locale_roots(available_plugins()))
    too_long = [
        f"{where} [{locale}, {len(shown)} characters]: {shown}"
        for decl in declared_commands([plugin])
        for where, text in described(decl)
        for locale in SUPPORTED_LOCALES
        if len(shown := " ".join(translator.render(text, locale).split())) > DESCRIPTION_LIMIT
    ]
    assert not too_long, f"over {DESCRIPTION_LIMIT} characters, shortened with “…”:\n" + "\n".join(too_long)


def cut_texts(node: object, where: str = "") -> Iterator[str]:
    """Every text of a platform payload that ends with the "…" of a cut, with where it is."""
    if isinstance(node, dict):
        name = node.get("name", node.get("command"))  # Discord's options and choices, Slack's commands
        here = f"{where}/{name.lstrip('/')}" if isinstance(name, str) else where
        for key, value in node.items():
            if isinstance(value, str) and value.endswith("…"):
                yield f"{here} {key}: {value}"
            elif isinstance(value, dict) and key.endswith("_localizations"):
                yield from (f"{here} {key}[{loc}]: {text}" for loc, text in value.items() if text.endswith("…"))
            else:
                yield from cut_texts(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from cut_texts(item, where)


def test_what_discord_and_slack_show_is_never_cut() -> None:
    """The payloads the platforms receive, with the descriptions they compose (a noun's list of
    subcommands, Slack's usage hints), in every language: none is cut short."""
    translator = Translator.load(locale_roots(available_plugins()))
    decls = declared_commands(available_plugins())
    discord = [f"Discord {text}" for text in cut_texts(command_payload(decls, translator))]
    slack = [f"Slack {text}" for text in cut_texts(slash_commands(decls, "", None))]
    assert discord + slack == [], "cut with “…”:\n" + "\n".join(discord + slack)


def test_moderator_commands_answer_privately_unless_public_by_purpose() -> None:
    moderation = {decl.path: decl for _plugin, decl in shipped_commands() if decl.level >= Level.MODERATOR}
    public = sorted(path for path, decl in moderation.items() if not decl.private and path not in PUBLIC_BY_PURPOSE)
    assert public == [], "moderator commands replying in the channel: mark them private=True or explain why not"
    # The allow-list names real moderator commands that really answer in public.
    assert all(path in moderation and not moderation[path].private for path in PUBLIC_BY_PURPOSE)


@asynccontextmanager
async def console(tmp_path: Path, *plugins: str) -> AsyncIterator[tuple[ConsolePlatform, io.StringIO]]:
    """The real app on the console platform, `you` being an administrator, `mod` a moderator."""
    platforms = {"console": {"files_dir": str(tmp_path / "files"), "moderators": ["mod"]}}
    config = make_config(tmp_path, {name: {} for name in ("core", *plugins)}, platforms=platforms)
    async with on_console(config) as (platform, out, _app):
        yield platform, out


async def test_filter_words_a_moderator_adds_are_never_shown_in_the_channel(tmp_path: Path) -> None:
    async with console(tmp_path, "filters") as (platform, out):
        lines = ["/as mod", "/filter add crypto giveaway", "/filter list", "/filter remove crypto giveaway"]
        await platform.play(lines)
        printed = out.getvalue().splitlines()
        replies = [line for line in printed if " bot: " in line]
        assert len(replies) == 3 and all(line.startswith("[private to mod] bot: ") for line in replies)
        # Whatever the bot printed where members read (the channel), the filtered words are not in it.
        in_channel = [line for line in printed if line.startswith("[#general]")]
        assert not any("crypto" in line for line in in_channel)
        assert "crypto giveaway" in "\n".join(printed)  # the moderator did see them


# ---------------------------------------------------------------- /help through the real app

ALL_PLUGINS: dict[str, dict[str, object]] = {name: {} for name in available_plugins()}


def listed_paths(text: str) -> set[str]:
    """The command paths an overview lists: `/group join` lines and lone `**/ask**` headings."""
    return set(re.findall(r"^`/([a-z -]+)`", text, re.MULTILINE)) | set(
        re.findall(r"^\*\*/([a-z-]+)\*\*:", text, re.MULTILINE)
    )


async def test_help_lists_exactly_the_commands_the_reader_may_run(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        shipped = {decl.path: decl.level for _plugin, decl in shipped_commands()}
        member = await h.command("alice", "/help")
        assert member.ephemeral
        assert listed_paths(member.text) == {path for path, level in shipped.items() if level is Level.MEMBER}
        assert "For moderators" not in member.text
        moderator = await h.command("mod", "/help", level=Level.MODERATOR)
        everyday, _heading, tools = moderator.text.partition("**For moderators**")
        assert listed_paths(everyday) == listed_paths(member.text)  # what members have, as they see it
        assert listed_paths(tools) == {path for path, level in shipped.items() if level is Level.MODERATOR}


async def test_a_member_asking_about_a_moderator_command_learns_who_it_is_for(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        review = await h.command("alice", "/help group review")
        assert review.ephemeral and review.card is None
        assert review.text.splitlines() == [
            "/group review is for moderators only.",
            "Approve or reject a proposed group.",
            "Type `/help group` for the /group commands you can use.",
        ]
        settings = await h.command("alice", "/help settings")
        assert settings.text.splitlines() == [
            "The /settings commands are for moderators only.",
            "Type `/help` for the commands you can use.",
        ]
        moderator = await h.command("mod", "/help group review", level=Level.MODERATOR)
        assert moderator.card is not None and moderator.card.title == "/group review"


def fields_of(reply: LocalReply) -> dict[str, str]:
    assert reply.card is not None, reply.text
    return {field.name: field.value for field in reply.card.fields}


async def test_help_for_one_command_says_who_what_and_how_with_an_example(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        h.platform.channel("events")
        reply = await h.command("mod", "/help group review", level=Level.MODERATOR, channel="events")
        assert reply.ephemeral
        assert fields_of(reply) == {
            "Who can use it": "moderators only",
            "Usage": "`/group review <name> <approve|reject> [reason:<text>]`",
            "name (required)": "The proposed group's name.\nAccepted: text, up to 120 characters",
            "decision (required)": "approve or reject.\nAccepted: `approve`, `reject`",
            "reason (optional)": "Why (sent to the author).\nAccepted: text, up to 500 characters",
            "Example": '`/group review "Rust Lille" approve reason:already covered last week`',
        }
        nearby = fields_of(await h.command("alice", "/help group nearby"))
        assert nearby["Who can use it"] == "every member"
        assert nearby["radius_km (optional)"].endswith("Accepted: a whole number from 1 to 500")
        assert nearby["Example"] == "`/group nearby Lille`"  # no required parameter: the first by position
        channel = fields_of(await h.command("mod", "/help settings channel", level=Level.MODERATOR, channel="events"))
        assert channel["Example"] == "`/settings channel digest channel:#events`"  # the channel the reader is in


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_every_example_help_shows_is_accepted_as_typed(tmp_path: Path, locale: str) -> None:
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        h.platform.user("alice")
        paths = list(h.app.registry.commands)
        refused: list[str] = []
        for path, spec in h.app.registry.commands.items():
            shown = fields_of(await h.command("admin", f"/help {path}", level=Level.ADMIN, locale=locale))
            line = shown[h.app.translator.render(_("Example"), locale)].strip("`")
            if "(" in line:  # a file to attach: the text before the note is what is typed
                line = line[: line.index("(")].strip()
            found, arg_text = parse_line(line.removeprefix("/"), paths)
            assert found == path
            typed = [p for p in spec.decl.params if p.kind is not ParamKind.ATTACHMENT]
            try:
                await bind_text(
                    typed,
                    arg_text,
                    path=path,
                    community=h.platform.community,
                    resolver=h.app.outbox,
                    tz="Europe/Paris",
                    spellings=h.app.translator.spellings,
                )
            except CommandError as error:
                refused.append(f"{line}: {h.app.translator.render(error.message, locale)}")
        assert refused == []


async def test_a_french_moderator_reads_help_in_french_and_types_the_example_as_shown(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        h.platform.channel("entraide")
        await h.command("mod", "/language fr", level=Level.MODERATOR)
        reply = await h.command("mod", "/help settings channel", level=Level.MODERATOR, channel="entraide")
        assert fields_of(reply) == {
            "Qui peut l’utiliser": "modérateurs uniquement",
            "Utilisation": "`/settings channel <bilan|entraide|modération|calendrier> [salon:<#salon>]`",
            "usage (obligatoire)": (
                "À quoi sert le salon.\nValeurs acceptées\u202f: `bilan`, `entraide`, `modération`, `calendrier`"
            ),
            "salon (facultatif)": (
                "Le salon (laissez vide pour ne plus en utiliser).\nValeurs acceptées\u202f: un salon (`#nom`)"
            ),
            "Exemple": "`/settings channel bilan salon:#entraide`",
        }
        typed = fields_of(reply)["Exemple"].strip("`")
        done = await h.command("mod", typed, level=Level.MODERATOR, channel="entraide")
        assert done.ephemeral and "#entraide" in done.text
        assert (await h.app.communities.get(h.platform.community)).channel("digest") is not None
        refused = await h.command("alice", "/help group review", locale="fr")
        assert refused.text.splitlines()[0] == "/group review est réservée aux modérateurs."


# ---------------------------------------------------------------- kinds no shipped command uses yet

REMINDER = CommandDecl(
    "reminder set",
    _("Remind me later."),
    (
        duration("after", _("When."), min_value=timedelta(minutes=5), max_value=timedelta(days=30)),
        moment("until", _("Until when."), required=False),
        number("weight", _("How much."), required=False, min_value=0.5, max_value=10),
        boolean("loud", _("Loudly."), required=False),
        member("who", _("Who."), required=False),
        attachment("file", _("A file."), required=False),
    ),
    Level.MEMBER,
    False,
)


class Directory:
    """Names any member and channel it is asked about (the example's `@alice`, `#general`)."""

    async def member(self, community: CommunityRef, raw: str) -> UserRef | None:
        return UserRef(community.platform, community.workspace_id, raw.lstrip("@"))

    async def channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        return ChannelRef(community.platform, community.workspace_id, raw.lstrip("#"))

    def member_names(self, community: CommunityRef) -> list[str]:
        return []

    def channel_names(self, community: CommunityRef) -> list[str]:
        return []


@pytest.mark.parametrize(
    ("locale", "after", "until", "weight", "loud", "who", "line"),
    [
        (
            "en",
            "When.\nAccepted: a duration such as `30m`, `2h` or `1d 2h`, from 5 minutes to 30 days",
            "Until when.\nAccepted: a date and time such as `2026-12-01 10:00`, in the community's time zone "
            "(Europe/Paris)",
            "How much.\nAccepted: a number from 0.5 to 10",
            "Loudly.\nAccepted: `yes` or `no`",
            "Who.\nAccepted: a member (`@name` or a mention)",
            "/reminder set 30m until:2026-12-01 10:00",
        ),
        (
            "fr",
            "When.\nValeurs acceptées\u202f: une durée comme `30 min`, `2 h` ou `1 j 2 h`, de 5 minutes à 30 jours",
            "Until when.\nValeurs acceptées\u202f: une date et une heure comme `2026-12-01 10:00`, dans le fuseau "
            "horaire de la communauté (Europe/Paris)",
            "How much.\nValeurs acceptées\u202f: un nombre de 0,5 à 10",
            "Loudly.\nValeurs acceptées\u202f: `oui` ou `non`",
            "Who.\nValeurs acceptées\u202f: un membre (`@nom` ou une mention)",
            "/reminder set 30 min until:2026-12-01 10:00",
        ),
    ],
    ids=["en", "fr"],
)
async def test_durations_dates_numbers_and_yes_no_are_explained_and_exemplified(
    locale: str, after: str, until: str, weight: str, loud: str, who: str, line: str
) -> None:
    translator = Translator.load(locale_roots(available_plugins()))
    reader = help_texts.Reader(locale, translator, "Europe/Paris", START, "general")
    card = help_texts.details(REMINDER, reader).card
    assert card is not None
    shown = [translator.render(field.value, locale) for field in card.fields]
    assert shown[2:7] == [after, until, weight, loud, who]
    assert shown[-1] == f"`{line}`"
    community = CommunityRef("console", "local")
    typed = [p for p in REMINDER.params if p.kind is not ParamKind.ATTACHMENT]
    values = await bind_text(
        typed,
        line.removeprefix("/reminder set "),
        path=REMINDER.path,
        community=community,
        resolver=Directory(),
        tz="Europe/Paris",
        spellings=translator.spellings,
    )
    assert values["after"] == timedelta(minutes=30) and "until" in values
