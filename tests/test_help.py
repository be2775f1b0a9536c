"""What every shipped plugin's declarations promise a reader, checked over all of them at once: descriptions
that fit the platforms' limits in both languages, and moderator commands whose replies stay among
moderators unless they are public by purpose (with the console showing what members would see)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.discovery import available_plugins
from bot.i18n import SUPPORTED_LOCALES, Text, Translator
from bot.model import Level
from bot.platforms.console import ConsolePlatform
from bot.plugin import CommandDecl
from bot.registry import declared_commands, locale_roots
from tests.harness import START, make_config

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


def test_moderator_commands_answer_privately_unless_public_by_purpose() -> None:
    moderation = {decl.path: decl for _plugin, decl in shipped_commands() if decl.level >= Level.MODERATOR}
    public = sorted(path for path, decl in moderation.items() if not decl.private and path not in PUBLIC_BY_PURPOSE)
    assert public == [], "moderator commands replying in the channel: mark them private=True or explain why not"
    # The allow-list names real moderator commands that really answer in public.
    assert all(path in moderation and not moderation[path].private for path in PUBLIC_BY_PURPOSE)


@asynccontextmanager
async def console(tmp_path: Path, *plugins: str) -> AsyncIterator[tuple[ConsolePlatform, io.StringIO]]:
    """The real app on the console platform, `you` being an administrator, `mod` a moderator."""
    clock = FrozenClock(START)
    platforms = {"console": {"files_dir": str(tmp_path / "files"), "moderators": ["mod"]}}
    config = make_config(tmp_path, {name: {} for name in ("core", *plugins)}, platforms=platforms)
    app = App(config, clock=clock, realtime=False)
    await app.build()
    out = io.StringIO()
    platform = ConsolePlatform(
        app.config.platforms.console, app.dispatcher, clock, app.scheduler.catch_up, clock.now, out=out
    )
    app.add_platform(platform)
    await app.start()
    try:
        yield platform, out
    finally:
        await app.stop()


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
