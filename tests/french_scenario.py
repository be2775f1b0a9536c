"""Plays tests/french_script.py on the real app (every shipped plugin, a real SQLite file, a frozen
clock, the fake platform of tests/harness.py) in a community set to French, and keeps a transcript:
every reply and every message the bot sent, rendered as the member reads it, and every catalog
message the translator rendered, each tied to the step that caused it and the plugin it belongs to.

The checks themselves live in tests/test_french_scenario.py; the rules in tests/french_checks.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.discovery import available_plugins
from bot.formatting import LocalReply
from bot.i18n import Msg, Text
from bot.markup import inert
from bot.model import Attachment, ChannelRef, CommandInvoked, UserRef
from tests.french_checks import messages
from tests.french_script import ADMIN, CHANNELS, MEMBERS, SCRIPT, Advance, Run, Say
from tests.groups.fakes import FakeSpaces
from tests.harness import Harness, running

# Every shipped plugin, groups in "propose" mode so that /group review has something to review.
PLUGINS: dict[str, dict[str, Any]] = {name: {} for name in available_plugins()}
PLUGINS["groups"] = {"creation": "propose"}


@dataclass(frozen=True)
class Output:
    """One text the bot showed: a command's reply or a message it sent."""

    plugin: str  # whose step caused it
    step: str  # `who: /line` or what happened
    where: str  # "reply", "#channel", "DM @member"
    text: str
    locale: str


@dataclass
class Transcript:
    """What the scenario showed, and what the checks need to read it."""

    outputs: list[Output] = field(default_factory=list)
    rendered: list[tuple[str, str, Msg]] = field(default_factory=list)  # (plugin, step, message)
    french_refused: list[tuple[str, str, str]] = field(default_factory=list)  # (plugin, line, reply)
    surprises: list[tuple[str, str, str]] = field(default_factory=list)  # (plugin, what, reply)
    scripted_paths: set[str] = field(default_factory=set)
    paths: dict[str, str] = field(default_factory=dict)  # command path -> plugin
    translator: Any = None


def readable(reply: LocalReply) -> str:
    """Everything a member reads in a reply: text, card, button labels (card fields one per line)."""
    parts = [reply.text]
    if reply.card is not None:
        parts += [reply.card.title, reply.card.description or ""]
        for f in reply.card.fields:
            parts += [f.name, f.value]
    parts += [b.label for b in reply.buttons]
    return inert("\n".join(p for p in parts if p))


def refused(reply: LocalReply) -> bool:
    """A refusal carries the warning sign the dispatcher puts before every command error."""
    return reply.text.lstrip().startswith("⚠️")


def plugin_of(line: str, paths: dict[str, str]) -> str:
    """The plugin owning the command a line runs (core for unknown commands)."""
    words = line.strip().lstrip("/").split()
    for n in (2, 1):
        owner = paths.get(" ".join(words[:n]))
        if owner:
            return owner
    return "core"


def path_of(line: str, paths: dict[str, str]) -> str | None:
    """The registered command path a line runs, if any."""
    words = line.strip().lstrip("/").split()
    for n in (2, 1):
        if " ".join(words[:n]) in paths:
            return " ".join(words[:n])
    return None


class _Player:
    """Runs the script step by step and records everything."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.t = Transcript(paths={path: spec.plugin for path, spec in h.app.registry.commands.items()})
        self.t.translator = h.app.translator
        self.plugin = "core"
        self.step = "setup"
        self.last_reply: LocalReply | None = None
        self._record_renders()

    def _record_renders(self) -> None:
        """Wrap the app's translator so every message rendered in French is recorded with its step."""
        translator = self.h.app.translator
        original: Callable[[Text | None, str], str] = translator.render

        def render(text: Text | None, locale: str, *args: Any, **kwargs: Any) -> str:
            if locale == "fr":
                for msg in messages(text):
                    self.t.rendered.append((self.plugin, self.step, msg))
            return original(text, locale, *args, **kwargs)

        setattr(translator, "render", render)  # noqa: B010 (an instance attribute shadows the method)

    async def _flush(self) -> None:
        """Write what plugins buffer (questions, activity) so the database answers lookups."""
        await self.h.flush()
        for plugin in self.h.app.registry.plugins:
            tracker = getattr(plugin, "tracker", None)
            flush = getattr(tracker, "flush", None)
            if flush is not None:
                await flush()

    async def _resolve(self, line: str) -> str:
        """Fill `{entry:TITLE:N}` and `{question:WORDS}` from the database."""
        for title, n in re.findall(r"\{entry:([^:}]+):(\d+)\}", line):
            rows = await self.h.app.db.fetchall(
                "SELECT id FROM calendar_entries WHERE title = ? ORDER BY due_at, id", (title,)
            )
            found = str(rows[int(n)]["id"]) if len(rows) > int(n) else "0"
            line = line.replace(f"{{entry:{title}:{n}}}", found)
        for words in re.findall(r"\{question:([^}]+)\}", line):
            await self._flush()
            rows = await self.h.app.db.fetchall("SELECT id FROM questions WHERE excerpt LIKE ?", (f"%{words}%",))
            line = line.replace(f"{{question:{words}}}", str(rows[0]["id"]) if rows else "0")
        return line

    def _token(self) -> str:
        """The confirmation code the last reply gave (`/privacy forget`), in its text or its buttons."""
        last = self.last_reply
        if last is None:
            return "absent"
        seen = last.text + " " + " ".join(str(value) for button in last.buttons for _name, value in button.args)
        match = re.search(r"(?:confirm|code):\s*([A-Za-z0-9_-]{4,})", seen)
        return match.group(1) if match else "absent"

    def _sent_since(self, start: int) -> None:
        """Record what the bot sent since index `start` of the fake platform's log."""
        for sent in self.h.sent[start:]:
            target = sent.target
            if isinstance(target, UserRef):
                where = f"DM @{target.user_id}"
            elif isinstance(target, ChannelRef):
                where = f"#{target.channel_id}"
            else:
                where = str(target)
            self.t.outputs.append(Output(self.plugin, self.step, where, readable(sent.reply), sent.reply.locale))

    async def _invoke(self, run: Run, line: str) -> LocalReply:
        """Run one command line as the step's member, with its file when it has one."""
        word, _sep, rest = line.strip().lstrip("/").partition(" ")
        files = (Attachment(run.file[0], run.file[1], "text/csv"),) if run.file else ()
        event = CommandInvoked(
            self.h.platform.community,
            self.h.clock.now(),
            self.h.platform.user(run.who),
            self.h.platform.channel(run.channel),
            word,
            rest,
            platform_level=run.level,
            attachments=files,
        )
        return await self.h.app.dispatcher.invoke(event)

    async def _run(self, run: Run, line: str) -> LocalReply:
        line = await self._resolve(line)
        self.plugin = plugin_of(line, self.t.paths)
        self.step = f"{run.who}: {line}"
        found = path_of(line, self.t.paths)
        if found:
            self.t.scripted_paths.add(found)
        start = len(self.h.sent)
        reply = await self._invoke(run, line)
        self.t.outputs.append(Output(self.plugin, self.step, "reply", readable(reply), reply.locale))
        self._sent_since(start)
        self.last_reply = reply
        return reply

    async def _command(self, step: Run) -> None:
        """One command, its English twin when the French line was refused, and what went unexpectedly."""
        token = self._token()  # read before the French line's reply replaces the last one
        reply = await self._run(step, step.line.replace("{token}", token))
        understood = step.expect is None or step.expect.lower() in readable(reply).lower()
        if refused(reply) == step.refused and not understood:
            what = f"{self.step} (misread: the reply should say {step.expect!r})"
            self.t.french_refused.append((self.plugin, what, readable(reply)))
        if step.fallback is not None and refused(reply):
            if not step.refused:
                self.t.french_refused.append((self.plugin, self.step, readable(reply)))
            # A refused step's English twin shows the error a French member will read once the French
            # words are accepted; an accepted one keeps the scenario going.
            reply = await self._run(step, step.fallback.replace("{token}", token))
        if refused(reply) != step.refused:
            what = "refused" if refused(reply) else "accepted, though the scenario expects a refusal"
            self.t.surprises.append((self.plugin, f"{self.step} ({what})", readable(reply)))

    async def _message(self, step: Say) -> None:
        """A member's message, in the thread of a question when the step names one."""
        self.plugin, self.step = "(messages)", f"{step.who} writes in #{step.channel}: {step.text}"
        thread = None
        channel = step.channel
        if step.thread_of:
            await self._flush()
            rows = await self.h.app.db.fetchall(
                "SELECT channel_id, message_id FROM questions WHERE excerpt LIKE ?", (f"%{step.thread_of}%",)
            )
            if rows:
                channel, thread = rows[0]["channel_id"], rows[0]["message_id"]
        start = len(self.h.sent)
        await self.h.say(step.who, step.text, channel=channel, thread=thread)
        self._sent_since(start)

    async def _time_passes(self, step: Advance) -> None:
        """The clock moves and everything due runs (reminders, escalations, digests)."""
        self.plugin, self.step = step.plugin, f"{step.hours:g} hours pass"
        await self._flush()
        start = len(self.h.sent)
        await self.h.advance(hours=step.hours)
        await self._flush()
        self._sent_since(start)

    async def play(self) -> Transcript:
        for step in SCRIPT:
            if isinstance(step, Run):
                await self._command(step)
            elif isinstance(step, Say):
                await self._message(step)
            else:
                await self._time_passes(step)
        return self.t


async def play(tmp_path: Path) -> Transcript:
    """The whole scenario on a fresh database under `tmp_path`."""
    platform = FakeSpaces()
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        for name in MEMBERS:
            platform.user(name)
        for channel in CHANNELS:
            platform.channel(channel)
        # The one English step, before anything is checked: the administrator switches the community to French.
        await h.command("camille", "/settings locale fr", level=ADMIN)
        assert h.app.registry.commands, "no command registered"
        return await _Player(h).play()
