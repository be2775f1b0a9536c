"""Shared helpers for the questions plugin's tests."""

from __future__ import annotations

from typing import Any

from bot.formatting import LocalReply
from bot.model import MemberJoined, MemberLeft, MessageDeleted, MessageEdited, MessageRef
from plugins.questions.plugin import QuestionsPlugin
from tests.harness import Harness

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "questions": {}}


def shown(reply: LocalReply) -> str:
    """Everything readable in a command's reply: text, card title, description and fields."""
    parts = [reply.text]
    if reply.card:
        parts += [reply.card.title, reply.card.description or ""]
        parts += [f"{f.name}: {f.value}" for f in reply.card.fields]
    return "\n".join(p for p in parts if p)


def plugin(h: Harness) -> QuestionsPlugin:
    """The running questions plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, QuestionsPlugin))


async def questions(h: Harness) -> list[dict[str, Any]]:
    """Every stored question as a dict, by id (after writing what the plugin queued)."""
    await plugin(h).tracker.flush()
    rows = await h.app.db.fetchall("SELECT * FROM questions ORDER BY id")
    return [dict(r) for r in rows]


async def edit(h: Harness, who: str, ref: MessageRef, text: str) -> None:
    """A member edits a message."""
    await h.app.dispatcher.handle(MessageEdited(h.platform.community, h.clock.now(), ref, h.platform.user(who), text))


async def delete(h: Harness, ref: MessageRef) -> None:
    """A message is deleted."""
    await h.app.dispatcher.handle(MessageDeleted(h.platform.community, h.clock.now(), ref))


async def join(h: Harness, who: str) -> None:
    """A member joins."""
    await h.app.dispatcher.handle(MemberJoined(h.platform.community, h.clock.now(), h.platform.user(who)))


async def leave(h: Harness, who: str) -> None:
    """A member leaves."""
    await h.app.dispatcher.handle(MemberLeft(h.platform.community, h.clock.now(), h.platform.user(who)))
