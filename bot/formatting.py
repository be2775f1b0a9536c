"""Rendering a neutral `Reply` for one reader: translation into strings, and conversion of the
small neutral markup (**bold**, _italic_, `code`, and the bot's own links and mentions from
`bot.markup`) to each platform's dialect.

Platforms receive a `LocalReply` whose texts are already strings in the reader's language, so
they never deal with catalogs. Everything in those strings but the `bot.markup` tokens is text a
member may have written: `to_slack`, `to_discord` and `to_plain` show it as text, never as a ping
or a masked link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import Text, Translator
from bot.markup import Link, Mention, Piece, RoleMention, pieces, plain
from bot.model import Attachment, Reply, UserRef

__all__ = [
    "Link",
    "LocalButton",
    "LocalCard",
    "LocalField",
    "LocalReply",
    "Mention",
    "RoleMention",
    "discord_inert",
    "link",
    "localize",
    "markdown_escape",
    "mention",
    "mentions",
    "role_mention",
    "slack_escape",
    "to_discord",
    "to_markdown",
    "to_plain",
    "to_slack",
]


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


_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_PLAIN_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_SLACK_ID = re.compile(r"[A-Z0-9]+")
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
# What makes Discord text live: @everyone/@here, <@id> <@!id> <@&id>, and the `](` of a masked link.
_DISCORD_LIVE = re.compile(r"@(?=everyone|here)|<@|\](?=\()", re.IGNORECASE)  # `@everyone0` pings too
_ZWSP = "\u200b"


def link(url: str | None, label: str) -> Link | str:
    """A link the bot makes, or just the label when there is no URL."""
    return Link(url, label) if url else label


def mention(user: UserRef, name: str) -> Mention:
    """A ping of a member the bot chose (an owner it reminds); `name` shows where there are no pings."""
    return Mention(user.user_id, name)


def role_mention(role_id: str, name: str = "") -> RoleMention:
    """A ping of a role the bot chose (the moderators it escalates to)."""
    return RoleMention(role_id, name)


def mentions(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The user ids and role ids the bot chose to ping in a text, each once, in order."""
    found = pieces(text)
    users = dict.fromkeys(p.user_id for p in found if isinstance(p, Mention))
    roles = dict.fromkeys(p.role_id for p in found if isinstance(p, RoleMention))
    return tuple(users), tuple(roles)


def discord_inert(text: str) -> str:
    """Plain text made harmless for Discord: `@everyone`, `@here` and `<@…>` mentions get a zero-width
    space after the `@` (they would not ping, with `allowed_mentions` none, but still look alarming) and
    a masked link `[label](url)` one between `]` and `(`, so its real address shows."""
    return _DISCORD_LIVE.sub(lambda m: m.group(0) + _ZWSP, text)


def _discord_piece(piece: Piece) -> str:
    if isinstance(piece, str):
        return discord_inert(piece)
    if isinstance(piece, Link):
        label = discord_inert(piece.label.replace("[", "(").replace("]", ")").replace("\n", " "))
        url = piece.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        return f"[{label}]({url})"
    if isinstance(piece, Mention) and _SNOWFLAKE.fullmatch(piece.user_id):
        return f"<@{piece.user_id}>"
    if isinstance(piece, RoleMention) and _SNOWFLAKE.fullmatch(piece.role_id):
        return f"<@&{piece.role_id}>"
    return discord_inert(plain(piece))


def to_discord(text: str) -> str:
    """Neutral markup to Discord markdown: member text inert, the bot's links `[label](url)`, its
    mentions `<@id>` / `<@&id>` (they ping only when the message's `allowed_mentions` lists them)."""
    return "".join(_discord_piece(p) for p in pieces(text))


def slack_escape(text: str) -> str:
    """Slack's three control characters as entities: `<!here>`, `<@U1>` or `<url|label>` show as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_piece(piece: Piece) -> str:
    if isinstance(piece, str):
        return slack_escape(piece)
    if isinstance(piece, Link):
        url = piece.url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
        return f"<{url}|{slack_escape(piece.label)}>" if piece.label else f"<{url}>"
    if isinstance(piece, Mention) and _SLACK_ID.fullmatch(piece.user_id):
        return f"<@{piece.user_id}>"
    if isinstance(piece, RoleMention) and _SLACK_ID.fullmatch(piece.role_id):
        return f"<!subteam^{piece.role_id}>"
    return slack_escape(plain(piece))


def to_slack(text: str) -> str:
    """Neutral markup to Slack mrkdwn: everything escaped (`& < >`) but the bot's own links and
    mentions; **bold** becomes *bold*."""
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", "".join(_slack_piece(p) for p in pieces(text)))


# What can start markup inside a line of CommonMark/GFM text: backslash first (so the escapes added after it
# stay escapes), emphasis, code, links, raw HTML and autolinks, table cells, entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&])")
_MARKDOWN_URL = re.compile(r"(?i)^(?:https?://|mailto:)[^\s<>]+$")


def markdown_escape(text: str) -> str:
    """Plain text as literal markdown: every inline special character backslash-escaped, line breaks folded
    (what a member wrote can neither open a link, a tag or emphasis, nor break a table or start a block)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _markdown_piece(piece: Piece) -> str:
    if isinstance(piece, Link):
        label = markdown_escape(piece.label or piece.url)
        if not _MARKDOWN_URL.match(piece.url):
            return label  # only web and mail links: never `javascript:` or a relative path
        return f"[{label}]({piece.url.replace('(', '%28').replace(')', '%29')})"
    if isinstance(piece, (Mention, RoleMention)):
        return markdown_escape(plain(piece))
    return piece


def to_markdown(text: str) -> str:
    """Neutral markup for a markdown file (a digest written to disk): the bot's links `[label](url)` (http,
    https and mailto; the label escaped), mentions `@name` (a file pings nobody). The plain runs stay as
    written: the caller escapes what a member wrote with `markdown_escape` (see plugins/digest/markdown.py)."""
    return "".join(_markdown_piece(p) for p in pieces(text))


def to_plain(text: str) -> str:
    """Neutral markup to plain terminal text: **bold** loses its markers, `code` keeps its backticks,
    links become 'label (url)', mentions '@name'."""
    text = "".join(plain(p) for p in pieces(text))
    return _PLAIN_BOLD.sub(lambda m: m.group(1), text)
