"""Rendering a `LocalReply` as a Slack message: mrkdwn text and Block Kit blocks, within Block
Kit's limits (3000 characters per text, 2000 per field, 10 fields per section, 50 blocks, 25
buttons per actions block, 75 characters per button label, 2000 per button value): long texts
are split into several sections, anything that still does not fit is cut with an ellipsis.

Buttons carry their command and arguments as JSON in their `value`; `decode_button` reads it
back when a member presses one. Pure: no I/O and no SDK import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bot.formatting import LocalButton, LocalCard, LocalReply, to_plain, to_slack

MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_BUTTONS = 25
MAX_LABEL = 75
MAX_VALUE = 2000
ACTION_PREFIX = "affinity:"
ELLIPSIS = "…"

Block = dict[str, Any]

# What must reach Slack unescaped: links in the neutral markup and Slack's own mentions.
_KEEP = re.compile(
    r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>"
    r"|<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|![a-z]+|!subteam\^[A-Z0-9]+)(?:\|[^<>]*)?>"
)


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A message ready for chat.postMessage or a response_url: notification text and blocks."""

    text: str
    blocks: tuple[Block, ...]

    @property
    def empty(self) -> bool:
        """True when there is nothing to post (a reply made only of files)."""
        return not self.text and not self.blocks


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` split into pieces of at most `limit` characters, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        current = line
    if current.strip():
        pieces.append(current)
    return pieces


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Escape `& < >` for Slack, except in links (`<url|label>`) and Slack mentions."""
    out: list[str] = []
    pos = 0
    for match in _KEEP.finditer(text):
        out.append(_escape(text[pos:match.start()]))
        url, label = match.group(1), match.group(2)
        if url is None:
            out.append(match.group(0))
        else:
            out.append(f"<{url}|{_escape(label)}>" if label else f"<{url}>")
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def encode_button(button: LocalButton) -> str:
    """The `value` of a button: its command and arguments as compact JSON."""
    return json.dumps({"c": button.command, "a": dict(button.args)}, ensure_ascii=False, separators=(",", ":"))


def decode_button(value: str) -> tuple[str, dict[str, str]] | None:
    """The command and arguments of a pressed button, or None when the value is not ours."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    command, args = data.get("c"), data.get("a", {})
    if not isinstance(command, str) or not command or not isinstance(args, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in args.items()):
        return None
    return command, dict(args)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_TEXT)}]}


class Renderer:
    """Turns replies into Slack messages; knows the command prefix so `/help` reads `/ab-help`."""

    def __init__(self, prefix: str = "", nouns: Callable[[], Collection[str]] = tuple) -> None:
        self.prefix = prefix
        self._nouns = nouns
        self._pattern: tuple[tuple[str, ...], re.Pattern[str]] | None = None

    def command(self, noun: str) -> str:
        """The slash command of a noun (`help` -> `/ab-help`)."""
        return f"/{self.prefix}{noun}"

    def command_pattern(self) -> re.Pattern[str]:
        """Every slash command of this bot: the prefix followed by a noun."""
        return re.compile(rf"^/{re.escape(self.prefix)}[a-z0-9_-]+$")

    @staticmethod
    def action_pattern() -> re.Pattern[str]:
        """The action ids of this bot's buttons."""
        return re.compile(rf"^{re.escape(ACTION_PREFIX)}\d+$")

    def _prefixed(self, text: str) -> str:
        if not self.prefix:
            return text
        nouns = tuple(sorted(self._nouns(), key=len, reverse=True))
        if not nouns:
            return text
        if self._pattern is None or self._pattern[0] != nouns:  # plugins may be added after start
            alternatives = "|".join(map(re.escape, nouns))
            self._pattern = (nouns, re.compile(r"(?<![\w/.:-])/(" + alternatives + r")(?![\w-])"))
        return self._pattern[1].sub(lambda m: self.command(m.group(1)), text)

    def mrkdwn(self, text: str) -> str:
        """Neutral markup to escaped Slack mrkdwn, with prefixed command names."""
        return self._prefixed(to_slack(escape(text)))

    def message(self, reply: LocalReply) -> SlackMessage:
        """The whole reply as notification text plus blocks (files are sent separately)."""
        text = self.mrkdwn(reply.text) if reply.text else ""
        content: list[Block] = [_section(part) for part in chunks(text)]
        if reply.card is not None:
            content += self._card(reply.card)
        actions = self._buttons(reply.buttons)
        room = MAX_BLOCKS - len(actions)
        if len(content) > room:
            content = [*content[: room - 1], _context(ELLIPSIS)]
        fallback = text or (self.mrkdwn(reply.card.title) if reply.card else "")
        return SlackMessage(truncate(fallback, MAX_TEXT), tuple(content + actions))

    def _card(self, card: LocalCard) -> list[Block]:
        blocks: list[Block] = []
        title = to_plain(card.title).replace("**", "").strip()
        if title:
            blocks.append({"type": "header", "text": {"type": "plain_text", "text": truncate(title, MAX_HEADER),
                                                      "emoji": True}})
        if card.description:
            blocks += [_section(part) for part in chunks(self.mrkdwn(card.description))]
        inline: list[dict[str, str]] = []

        def flush() -> None:
            while inline:
                blocks.append({"type": "section", "fields": inline[:MAX_FIELDS]})
                del inline[:MAX_FIELDS]

        for field in card.fields:
            text = f"*{self.mrkdwn(field.name)}*\n{self.mrkdwn(field.value)}"
            if field.inline:
                inline.append({"type": "mrkdwn", "text": truncate(text, MAX_FIELD)})
                continue
            flush()
            blocks += [_section(part) for part in chunks(text)]
        flush()
        if card.url:
            blocks.append(_context(escape(f"<{card.url}>")))
        return blocks

    def _buttons(self, buttons: Sequence[LocalButton]) -> list[Block]:
        elements: list[Block] = []
        too_long: list[str] = []
        for index, button in enumerate(buttons):
            value = encode_button(button)
            if len(value) > MAX_VALUE:  # the member can still type the command
                too_long.append(f"`{self.mrkdwn(button.as_command_line())}`")
                continue
            label = button.label.strip() or button.as_command_line()
            element: Block = {"type": "button", "action_id": f"{ACTION_PREFIX}{index}", "value": value,
                              "text": {"type": "plain_text", "text": truncate(label, MAX_LABEL), "emoji": True}}
            if button.danger:
                element["style"] = "danger"
            elements.append(element)
        blocks: list[Block] = [{"type": "actions", "elements": elements[i:i + MAX_BUTTONS]}
                               for i in range(0, len(elements), MAX_BUTTONS)]
        if too_long:
            blocks.append(_context(" ".join(too_long)))
        return blocks
