"""Rendering a neutral `Reply` for one reader: translation into plain strings, and conversion of
the small neutral markup (**bold**, _italic_, `code`, <url|label>) to each platform's dialect.

Platforms receive a `LocalReply` whose texts are already strings in the reader's language, so
they never deal with catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import Text, Translator
from bot.model import Attachment, Reply


@dataclass(frozen=True, slots=True)
class LocalField:
    """A card field in the reader's language."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class LocalCard:
    """A card in the reader's language."""

    title: str
    fields: tuple[LocalField, ...] = ()
    description: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class LocalButton:
    """A button in the reader's language; pressing it runs `command` with `args`."""

    label: str
    command: str
    args: tuple[tuple[str, str], ...] = ()
    danger: bool = False

    def as_command_line(self) -> str:
        """The equivalent text command, for platforms without buttons."""
        parts = [f"/{self.command}"]
        for name, value in self.args:
            quoted = f'"{value}"' if " " in value else value
            parts.append(f"{name}:{quoted}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class LocalReply:
    """A reply ready for one platform to send."""

    text: str
    card: LocalCard | None
    attachments: tuple[Attachment, ...]
    buttons: tuple[LocalButton, ...]
    ephemeral: bool
    locale: str


def localize(reply: Reply, translator: Translator, locale: str) -> LocalReply:
    """Translate every text of a reply for `locale`."""
    def tr(value: Text | None) -> str:
        return translator.render(value, locale)

    card = None
    if reply.card is not None:
        card = LocalCard(
            title=tr(reply.card.title),
            fields=tuple(LocalField(tr(f.name), tr(f.value), f.inline) for f in reply.card.fields),
            description=tr(reply.card.description) if reply.card.description is not None else None,
            url=reply.card.url,
        )
    buttons = tuple(LocalButton(tr(b.label), b.command, tuple(b.args.items()), b.danger) for b in reply.buttons)
    return LocalReply(tr(reply.text), card, reply.attachments, buttons, reply.ephemeral, locale)


_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def to_discord(text: str) -> str:
    """Neutral markup to Discord markdown (links become [label](url))."""
    return _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)


def to_slack(text: str) -> str:
    """Neutral markup to Slack mrkdwn (**bold** becomes *bold*; links are already Slack's form)."""
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", text)


_PLAIN_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)


def to_plain(text: str) -> str:
    """Neutral markup to plain terminal text: **bold** loses its markers, `code` keeps its backticks,
    links become 'label (url)'."""
    text = _PLAIN_BOLD.sub(lambda m: m.group(1), text)
    return _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)


def link(url: str | None, label: str) -> str:
    """A link in neutral markup, or just the label when there is no URL."""
    if not url:
        return label
    clean = label.replace("|", "/").replace(">", "›")
    return f"<{url}|{clean}>"
