"""The bot's own voice inside a reply: links and mentions that only code can write.

Every text a reply carries is untrusted: a group name, a question, a topic or a calendar title may
hold `<!here>`, `@everyone`, `<@U123>` or a masked link `[label](url)`, and each platform's renderer
shows all of it as plain text. What the bot says on purpose is written with these objects instead:
`Link` (a link with a label), `Mention` (a member it chose to ping, such as an owner it reminds) and
`RoleMention` (a role it escalates to). Given as parameters of a translated message, they become
tokens delimited by three Unicode noncharacters (U+FDD0-U+FDD2, never used in interchange); the
renderers turn tokens, and only tokens, into live links and pings.

A member cannot forge a token: the translator passes every plain string through `inert`, which
reads any token inside it as plain text and drops stray delimiters, so only objects built by code
reach a renderer as tokens. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, SEP, CLOSE = "\ufdd0", "\ufdd1", "\ufdd2"
_DELIMITERS = re.compile("[\ufdd0-\ufdd2]")
_TOKEN = re.compile("\ufdd0(link|user|role)((?:\ufdd1[^\ufdd0-\ufdd2]*)*)\ufdd2")


def _token(kind: str, *fields: str) -> str:
    return OPEN + kind + "".join(SEP + _DELIMITERS.sub("", value) for value in fields) + CLOSE


@dataclass(frozen=True, slots=True)
class Link:
    """A link the bot makes (to a message, a report): shown as `label` where the platform allows it."""

    url: str
    label: str

    def __str__(self) -> str:
        return _token("link", self.url, self.label)


@dataclass(frozen=True, slots=True)
class Mention:
    """A member the bot chooses to ping; `name` is shown where the platform has no mentions."""

    user_id: str
    name: str

    def __str__(self) -> str:
        return _token("user", self.user_id, self.name)


@dataclass(frozen=True, slots=True)
class RoleMention:
    """A role (a Slack user group) the bot chooses to ping; `name` is shown where there are no roles."""

    role_id: str
    name: str = ""

    def __str__(self) -> str:
        return _token("role", self.role_id, self.name or self.role_id)


Piece = str | Link | Mention | RoleMention
"""A run of plain text, or one thing the bot wrote on purpose."""


def _piece(kind: str, raw: str) -> Link | Mention | RoleMention | None:
    fields = raw.split(SEP)[1:]
    if len(fields) != 2:
        return None
    first, second = fields
    if kind == "link":
        return Link(first, second)
    if kind == "user":
        return Mention(first, second)
    return RoleMention(first, second)


def pieces(text: str) -> list[Piece]:
    """`text` as plain runs and tokens, in order; stray delimiters are dropped from the plain runs."""
    found: list[Piece] = []
    position = 0
    for match in _TOKEN.finditer(text):
        token = _piece(match.group(1), match.group(2))
        if token is None:
            continue
        if match.start() > position:
            found.append(_DELIMITERS.sub("", text[position : match.start()]))
        found.append(token)
        position = match.end()
    if position < len(text):
        found.append(_DELIMITERS.sub("", text[position:]))
    return [p for p in found if p != ""]


def plain(piece: Piece) -> str:
    """How a piece reads without links or pings: `label (url)`, `@name`."""
    if isinstance(piece, Link):
        return piece.label if piece.label == piece.url else f"{piece.label} ({piece.url})"
    if isinstance(piece, Mention):
        return f"@{piece.name}"
    if isinstance(piece, RoleMention):
        return f"@{piece.name or piece.role_id}"
    return piece


def inert(text: str) -> str:
    """`text` with no token left: what looks like one reads as plain text. Applied to every string the
    translator renders, so text a member wrote can never become a link or a ping."""
    if not _DELIMITERS.search(text):
        return text
    return "".join(plain(p) for p in pieces(text))
