"""Rendering a `LocalReply` as Slack messages: mrkdwn text and Block Kit blocks, within Block Kit's
limits (3000 characters per text, 2000 per field, 10 fields per section, 50 blocks per message, 25
buttons per actions block, 75 characters per button label, 2000 per button value) and within the
roughly 12,000 characters Slack accepts in one message's blocks: a long reply is split at line breaks
into sections, and the sections into as many messages as it takes (the buttons go with the last one);
nothing is dropped. Only a header (150) or a button label (75) is cut, with an ellipsis.

Every text is escaped (`& < >`): what a member wrote, `<!here>`, `<@U1>` or `<url|label>` included,
shows as text; only the bot's own links and mentions (`bot.markup` tokens) become Slack's `<…>`.

Buttons carry their command and arguments as JSON in their `value`; `decode_button` reads it
back when a member presses one. Pure: no I/O and no SDK import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.formatting import LocalButton, LocalCard, LocalReply, slack_escape, to_plain, to_slack

MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
MAX_MESSAGE = 11_000  # characters of text in one message's blocks; Slack refuses from about 12,000
MAX_HEADER = 150
MAX_BUTTONS = 25
MAX_LABEL = 75
MAX_VALUE = 2000
ACTION_PREFIX = "affinity:"
ELLIPSIS = "…"

Block = dict[str, Any]


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


def escape(text: str) -> str:
    """Escape `& < >` for Slack: nothing in `text` becomes a link or a mention."""
    return slack_escape(text)


def size(block: Block) -> int:
    """The characters of text in a block, as Slack counts them against a message."""
    return sum(len(text) for text in _texts(block))


def _texts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


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


def _pack(content: Sequence[Block], actions: Sequence[Block]) -> list[list[Block]]:
    """Blocks in order, in as few messages as Slack accepts (50 blocks, `MAX_MESSAGE` characters each);
    the buttons go with the last message."""
    messages: list[list[Block]] = []
    current: list[Block] = []
    used = 0
    for block in [*content, *actions]:
        weight = size(block)
        if current and (len(current) == MAX_BLOCKS or used + weight > MAX_MESSAGE):
            messages.append(current)
            current, used = [], 0
        current.append(block)
        used += weight
    if current:
        messages.append(current)
    return messages


def _fallback(blocks: Sequence[Block], title: str) -> str:
    """A message's notification text: its sections' text, else the card's title, else its fields."""
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    fields = [f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", ())]
    return truncate("\n".join(texts) or title or "\n".join(fields), MAX_TEXT)


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
        return self._prefixed(to_slack(text))

    def messages(self, reply: LocalReply) -> list[SlackMessage]:
        """The whole reply as one message or more (files are sent separately); none for files alone."""
        text = self.mrkdwn(reply.text) if reply.text else ""
        content: list[Block] = [_section(part) for part in chunks(text)]
        if reply.card is not None:
            content += self._card(reply.card)
        title = self.mrkdwn(reply.card.title) if reply.card else ""
        return [
            SlackMessage(_fallback(blocks, title), tuple(blocks))
            for blocks in _pack(content, self._buttons(reply.buttons))
        ]

    def message(self, reply: LocalReply) -> SlackMessage:
        """The reply as one message: the first of `messages` (a test and preview convenience)."""
        found = self.messages(reply)
        return found[0] if found else SlackMessage("", ())

    def _card(self, card: LocalCard) -> list[Block]:
        blocks: list[Block] = []
        title = to_plain(card.title).replace("**", "").strip()
        if title:
            blocks.append(
                {"type": "header", "text": {"type": "plain_text", "text": truncate(title, MAX_HEADER), "emoji": True}}
            )
        if card.description:
            blocks += [_section(part) for part in chunks(self.mrkdwn(card.description))]
        inline: list[dict[str, str]] = []

        def flush() -> None:
            # Ten fields at most per section, and few enough characters for the section to fit a message.
            group: list[dict[str, str]] = []
            for item in inline:
                if group and (
                    len(group) == MAX_FIELDS or sum(len(g["text"]) for g in group) + len(item["text"]) > 2 * MAX_TEXT
                ):
                    blocks.append({"type": "section", "fields": group})
                    group = []
                group.append(item)
            if group:
                blocks.append({"type": "section", "fields": group})
            inline.clear()

        for field in card.fields:
            text = f"*{self.mrkdwn(field.name)}*\n{self.mrkdwn(field.value)}"
            if field.inline and len(text) <= MAX_FIELD:
                inline.append({"type": "mrkdwn", "text": text})
                continue
            flush()  # a field too long to sit beside others gets sections of its own
            blocks += [_section(part) for part in chunks(text)]
        flush()
        if card.url:
            blocks.append(_context(f"<{card.url.replace('>', '%3E').replace('|', '%7C')}>"))
        return blocks

    def _buttons(self, buttons: Sequence[LocalButton]) -> list[Block]:
        elements: list[Block] = []
        too_long: list[str] = []
        for index, button in enumerate(buttons):
            value = encode_button(button)
            if len(value) > MAX_VALUE:  # the member can still type the command
                too_long.append(f"`{self.mrkdwn(button.as_command_line())}`")
                continue
            label = to_plain(button.label).strip() or button.as_command_line()
            element: Block = {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}{index}",
                "value": value,
                "text": {"type": "plain_text", "text": truncate(label, MAX_LABEL), "emoji": True},
            }
            if button.danger:
                element["style"] = "danger"
            elements.append(element)
        blocks: list[Block] = [
            {"type": "actions", "elements": elements[i : i + MAX_BUTTONS]} for i in range(0, len(elements), MAX_BUTTONS)
        ]
        if too_long:
            blocks.append(_context(" ".join(too_long)))
        return blocks
