"""Message listeners fed hostile text (mentions of every platform, markdown, masked links, forged markup
tokens, RTL overrides, NULs, lone surrogates, up to 1 MB), with every shipped plugin on: no exception, no
stall of the event loop, the message counted (its activity row written), and nothing the bot sends
carries a ping it did not choose or a disguised link once rendered by the real Slack and Discord
renderers.

Every message holds a word a filter rule flags, so the moderation channel gets the member's text back:
the listeners' output is exercised, not only their input. The end-to-end tests against the fake
platforms are tests/slack/test_voice.py and tests/discord/test_voice.py."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.discovery import default_plugins
from bot.formatting import mentions, to_markdown, to_plain
from bot.i18n import Translator, _, join
from bot.markup import Link, Mention, pieces
from bot.model import Level
from bot.platforms.discord.render import ButtonCodec, render
from bot.platforms.slack.render import Renderer
from tests.harness import Harness, Sent, running

ALL_PLUGINS = {name: {} for name in default_plugins()}
HOSTILE = [
    "@everyone",
    "@here",
    "@Everyone",
    "<!here>",
    "<!channel>",
    "<!everyone>",
    "<!subteam^S1|@mods>",
    "<@U123>",
    "<@W9|bob>",
    "<#C1|general>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "[click](http://evil.example)",
    "[a]( <http://evil.example> )",
    "<http://evil.example|your bank>",
    "<https://evil.example>",
    "**",
    "_",
    "`",
    "```",
    "||",
    "> ",
    "# ",
    "\\",
    "\u202e",
    "\u202d",
    "\u2066",
    "\x00",
    "\ud800",
    "\udfff",
    "\u200b",
    "\ufeff",
    "\ufdd0",
    "\ufdd1",
    "\ufdd2",
    "\ufdd0user\ufdd1123456789012345678\ufdd1x\ufdd2",
    "\ufdd0role\ufdd1S1\ufdd1\ufdd2",
    "\ufdd0link\ufdd1http://evil.example\ufdd1bank\ufdd2",
    "?",
    "\n",
    " ",
    "é",
    "مرحبا",
    "🎉",
]
TEXTS = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=30).map("".join)
MEGABYTE = "<!here> @everyone [x](http://evil.example) \u202e\x00 " * 24_000  # about 1 MB

_SLACK_ANGLE = re.compile(r"<[^>]*>")
_DISCORD_PING = re.compile(r"@(?:everyone|here)(?!\u200b)|<@(?!\u200b)", re.IGNORECASE)
_DISCORD_LINK = re.compile(r"\]\((\S+?)\)")
STALL = 2.0  # seconds: one step of the event loop longer than this is a stall


class Stalls:
    """Times every step of the event loop (each `Handle` it runs: a callback, or one step of a task) and
    keeps the ones slower than `STALL`: the loop serving nobody else for seconds. Cheaper than asyncio's
    debug mode, which records a traceback for every callback."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[str] = []
        run = asyncio.events.Handle._run

        def timed(handle: asyncio.events.Handle) -> None:
            started = time.perf_counter()
            try:
                run(handle)
            finally:
                if time.perf_counter() - started > STALL:
                    self.seen.append(repr(handle)[:200])

        monkeypatch.setattr(asyncio.events.Handle, "_run", timed)


async def _counted(h: Harness) -> int:
    await h.flush()
    return int(await h.app.db.fetchval("SELECT count(*) FROM messages"))


def test_only_code_writes_links_and_mentions_a_string_is_always_text() -> None:
    translator = Translator({})
    forged = "\ufdd0user\ufdd1123\ufdd1boss\ufdd2 \ufdd0link\ufdd1http://evil.example\ufdd1bank\ufdd2 \ufdd1"
    for rendered in (
        translator.render(forged, "en"),
        translator.render(_("Hi {name}", name=forged), "en"),
        translator.render(join([forged, forged]), "en"),
    ):
        assert pieces(rendered) == [rendered] and "\ufdd0" not in rendered  # plain text only
        assert "@boss" in rendered and "bank (http://evil.example)" in rendered
    ours = translator.render(_("{who}: see {link}", who=Mention("123", "boss"), link=Link("https://x.org", "it")), "en")
    assert pieces(ours) == [Mention("123", "boss"), ": see ", Link("https://x.org", "it")]
    assert to_markdown(ours) == "@boss: see [it](https://x.org)" and to_plain(ours) == "@boss: see it (https://x.org)"


def _slack_live(texts: list[str], chosen: set[str]) -> list[str]:
    return [
        f"slack: {c}"
        for t in texts
        for c in _SLACK_ANGLE.findall(t)
        if c not in chosen and not c.startswith("<https://chat.example/")
    ]


def _discord_live(texts: list[str], chosen: set[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for ping in chosen:
            text = text.replace(ping, "")
        found += [f"discord: {m.group(0)}" for m in _DISCORD_PING.finditer(text)]
        found += [
            f"discord link: {url}" for url in _DISCORD_LINK.findall(text) if not url.startswith("https://chat.example/")
        ]
    return found


def _embed_texts(embed: dict[str, Any]) -> list[str]:
    fields = embed.get("fields", [])
    return [
        embed.get("title", ""),
        embed.get("description", ""),
        *(f["name"] for f in fields),
        *(f["value"] for f in fields),
    ]


async def _live(h: Harness, sent: Sent) -> list[str]:
    """What a sent reply would make live on Slack or Discord beyond what the bot chose to mention."""
    reply = sent.reply
    users, roles = mentions(reply.text)
    found: list[str] = []
    for message in Renderer().messages(reply):
        chosen = {f"<@{u}>" for u in users} | {f"<!subteam^{r}>" for r in roles}
        found += _slack_live([message.text, *(str(b) for b in message.blocks)], chosen)
    for part in await render(reply, ButtonCodec(h.app.db, h.clock.now)):
        allowed = part.allowed_mentions().to_dict()
        if (
            allowed.get("parse")
            or set(allowed.get("users", [])) - {int(u) for u in users}
            or set(allowed.get("roles", [])) - {int(r) for r in roles}
        ):
            found.append(f"discord: allowed {allowed}")
        texts = [part.content or ""] + (_embed_texts(part.embed.to_dict()) if part.embed is not None else [])
        found += _discord_live(texts, {f"<@{u}>" for u in users} | {f"<@&{r}>" for r in roles})
    return found


def test_listeners_take_hostile_text_without_crash_stall_loss_or_live_mention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stalls = Stalls(monkeypatch)
    with asyncio.Runner() as runner:
        harness = running(tmp_path, plugins=ALL_PLUGINS)
        h = runner.run(harness.__aenter__())
        try:
            h.platform.channel("mods")
            for line in (
                "/settings channel purpose:moderation channel:#mods",
                "/settings role helpers 4242",
                "/filter add zebra action:flag",
            ):
                runner.run(h.command("mod", line, level=Level.MODERATOR))
            runner.run(h.command("watcher", "/watch add zebra"))
            runner.run(h.command("watcher", "/watch frequency daily"))

            @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
            @given(author=st.sampled_from(HOSTILE[:16]), text=TEXTS)
            @example(author="@everyone", text=MEGABYTE)
            def one_message(author: str, text: str) -> None:
                async def check() -> None:
                    before, sent_before = await _counted(h), len(h.sent)
                    # A hostile display name too; raises if a listener or the activity record fails.
                    await h.say(f"{author} mallory", f"zebra {text}?")
                    assert await _counted(h) == before + 1  # the message is counted
                    await h.advance(hours=25)  # watch digests, nudges and escalations repeat the text
                    new = h.sent[sent_before:]
                    assert any(s.target == h.platform.channel("mods") for s in new)  # the filter flagged it
                    for sent in new:
                        assert await _live(h, sent) == []

                runner.run(check())

            one_message()
        finally:
            runner.run(harness.__aexit__(None, None, None))
    assert stalls.seen == []  # no step of the event loop took seconds
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # no listener failed
