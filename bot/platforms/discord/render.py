"""Rendering a `LocalReply` as Discord messages: markdown text, an embed for the card, files for the
attachments and buttons whose `custom_id` carries the command to run.

A `custom_id` holds at most 100 characters: `ab:<index>:<command>?<args>` when it fits, otherwise
`ab:<index>:#<key>` with the command and arguments kept in the `discord_buttons` table (purged after
30 days; pressing an older button says it expired). A button sent by DM for a guild's member carries
that guild (`ab:<index>@<guild>:...`): a press in a DM has no guild of its own. Text longer than one
message (2000 characters) is split on line breaks into several messages; a card too big for one embed
(4096 characters of description, 25 fields of 1024 characters, 6,000 in all) becomes several embeds,
one per message; files and buttons go with the last message. Nothing is dropped: only a title (256)
or a field name (256) is cut, with an ellipsis.

Text a member wrote never pings or hides a link: every message carries `allowed_mentions` listing
only the members and roles the reply mentions on purpose (`bot.markup`; the client's default is
none), and `to_discord` puts a zero-width space in `@everyone`, `@here`, `<@…>` and the `](` of a
masked link, so they show as text with their real address.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import discord

from bot.formatting import LocalButton, LocalCard, LocalReply, discord_inert, mentions, to_discord, to_plain
from bot.model import Attachment
from bot.storage.database import Database
from bot.storage.times import to_db

MAX_CONTENT = 2000
MAX_CUSTOM_ID = 100
MAX_BUTTONS = 25
MAX_EMBED = 6000  # title + description + field names and values + footer + author name
MAX_TITLE, MAX_DESCRIPTION, MAX_FIELDS, MAX_FIELD_NAME, MAX_FIELD_VALUE = 256, 4096, 25, 256, 1024
_MIN_FIELD_VALUE = 20  # a field with less room than this is dropped rather than cut to an ellipsis
BUTTONS_KEPT = timedelta(days=30)
_PREFIX = "ab:"
_EMPTY = "\u200b"  # Discord refuses empty field names and values


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str) -> str:
    """Neutral markup as inert plain text (titles, field names, labels, thread names)."""
    return discord_inert(to_plain(text))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send; files and views are built fresh for each attempt."""

    content: str | None = None
    embed: discord.Embed | None = None
    attachments: tuple[Attachment, ...] = ()
    buttons: tuple[tuple[LocalButton, str], ...] = ()
    ephemeral: bool = False
    users: tuple[int, ...] = ()  # the members and roles the reply mentions on purpose: the only pings
    roles: tuple[int, ...] = ()

    def allowed_mentions(self) -> discord.AllowedMentions:
        """Exactly the chosen members and roles; never @everyone, @here or a replied-to author."""
        return discord.AllowedMentions(
            everyone=False,
            replied_user=False,
            users=[discord.Object(u) for u in self.users] or False,
            roles=[discord.Object(r) for r in self.roles] or False,
        )

    def files(self) -> list[discord.File]:
        """The attachments as discord.py files (a file can only be sent once)."""
        return [discord.File(io.BytesIO(a.content), filename=a.filename) for a in self.attachments]

    def view(self) -> discord.ui.View | None:
        """The buttons as a view; presses arrive as component interactions, not view callbacks."""
        if not self.buttons:
            return None
        view = discord.ui.View(timeout=None)
        for button, custom_id in self.buttons:
            style = discord.ButtonStyle.danger if button.danger else discord.ButtonStyle.primary
            label = clip(to_plain(button.label), 80) or clip(button.command, 80)
            view.add_item(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        return view

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `send`, `send_message`, `followup.send` or `edit_original_response`."""
        found: dict[str, Any] = {"allowed_mentions": self.allowed_mentions()}
        if self.content:
            found["content"] = self.content
        if self.embed is not None:
            found["embed"] = self.embed
        if self.attachments:
            found["files"] = self.files()
        view = self.view()
        if view is not None:
            found["view"] = view
        return found


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Text in pieces of at most `limit` characters, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current.strip():
        pieces.append(current)
    return pieces


def embeds(card: LocalCard) -> list[discord.Embed]:
    """A card as one embed, or several when it does not fit Discord's limits (nothing dropped).

    The first embed has the title (and URL); a description longer than 4,096 characters continues in
    the next ones, split at line breaks; fields follow, 25 at most per embed and a running total
    keeping each embed within 6,000 characters; a value longer than 1,024 characters continues in
    fields with an empty name."""
    title = clip(plain(card.title), MAX_TITLE)
    first = discord.Embed(title=title, url=card.url, colour=discord.Colour.blurple())
    found, left = [first], MAX_EMBED - len(title)
    if card.description:
        for index, part in enumerate(split_text(to_discord(card.description), MAX_DESCRIPTION)):
            if index:
                found.append(discord.Embed(colour=discord.Colour.blurple()))
                left = MAX_EMBED
            found[-1].description = part
            left -= len(part)
    for item in card.fields:
        name = clip(plain(item.name), MAX_FIELD_NAME) or _EMPTY
        values = split_text(to_discord(item.value), MAX_FIELD_VALUE) or [_EMPTY]
        for index, value in enumerate(values):
            shown = name if index == 0 else _EMPTY
            if len(found[-1].fields) == MAX_FIELDS or len(shown) + len(value) > left:
                found.append(discord.Embed(colour=discord.Colour.blurple()))
                left = MAX_EMBED
            found[-1].add_field(name=shown, value=value, inline=item.inline and len(values) == 1)
            left -= len(shown) + len(value)
    return found


@dataclass(frozen=True, slots=True)
class Pressed:
    """A pressed button: its command and arguments, and the guild it was sent for when sent by DM."""

    command: str
    args: dict[str, str]
    guild_id: int | None = None


class ButtonCodec:
    """Encodes buttons into `custom_id`s and reads them back when a member presses one."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    async def encode(self, index: int, button: LocalButton, guild_id: int | None = None) -> str:
        """The custom_id of the `index`-th button of a message; `guild_id` is the guild a DM is sent for
        (`ab:<index>@<guild>:...`), since a press in a DM carries no guild."""
        head = f"{_PREFIX}{index}" + (f"@{guild_id}" if guild_id else "") + ":"
        inline = f"{head}{quote(button.command)}"
        if button.args:
            inline += "?" + urlencode(button.args)
        if len(inline) <= MAX_CUSTOM_ID:
            return inline
        stored = json.dumps([button.command, dict(button.args)], ensure_ascii=False, sort_keys=True)
        key = hashlib.sha256(stored.encode("utf-8")).hexdigest()[:32]
        await self._db.execute(
            "INSERT INTO discord_buttons (key, command, args, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET created_at = excluded.created_at",
            (key, button.command, json.dumps(dict(button.args), ensure_ascii=False), to_db(self._now())),
        )
        return f"{head}#{key}"

    @staticmethod
    def is_ours(custom_id: str) -> bool:
        """True for a button this bot made."""
        return custom_id.startswith(_PREFIX)

    async def decode(self, custom_id: str) -> Pressed | None:
        """The command, arguments (and DM's guild) of a pressed button; None when it expired (or is unknown)."""
        parts = custom_id.split(":", 2)
        if len(parts) != 3 or not self.is_ours(custom_id):
            return None
        _index, _at, guild = parts[1].partition("@")
        guild_id = int(guild) if guild.isdigit() else None
        body = parts[2]
        if body.startswith("#"):
            row = await self._db.fetchone("SELECT command, args FROM discord_buttons WHERE key = ?", (body[1:],))
            if row is None:
                return None
            args: Mapping[str, Any] = json.loads(row["args"])
            return Pressed(str(row["command"]), {str(k): str(v) for k, v in args.items()}, guild_id)
        command, _sep, query = body.partition("?")
        return Pressed(unquote(command), dict(parse_qsl(query, keep_blank_values=True)), guild_id)

    async def purge(self, now: datetime) -> int:
        """Forget stored buttons older than 30 days."""
        return await self._db.execute("DELETE FROM discord_buttons WHERE created_at < ?", (to_db(now - BUTTONS_KEPT),))


async def render(
    reply: LocalReply, codec: ButtonCodec, *, guild_id: int | None = None, everyone_role: int | None = None
) -> list[Outgoing]:
    """The Discord messages for one reply (usually one); `guild_id` is the guild a DM is sent for,
    recorded with its buttons; `everyone_role` is the guild's @everyone role (its id is the guild's),
    which is never allowed to ping, even when a moderator set it as a purpose role."""
    users, roles = mentions(reply.text)
    parts = [Outgoing(content=text) for text in (split_text(to_discord(reply.text)) if reply.text.strip() else [])]
    for index, card in enumerate(embeds(reply.card) if reply.card is not None else []):
        if index == 0 and parts:
            parts[-1] = replace(parts[-1], embed=card)  # the card rides with the last piece of text
        else:
            parts.append(Outgoing(embed=card))
    buttons = tuple([(b, await codec.encode(i, b, guild_id)) for i, b in enumerate(reply.buttons[:MAX_BUTTONS])])
    if not parts:
        parts = [Outgoing(content=None if reply.attachments or buttons else _EMPTY)]
    parts[-1] = replace(parts[-1], attachments=reply.attachments, buttons=buttons)
    pinged = tuple(r for r in _snowflakes(roles) if r != everyone_role)
    return [replace(p, ephemeral=reply.ephemeral, users=_snowflakes(users), roles=pinged) for p in parts]


def _snowflakes(ids: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in ids if i.isascii() and i.isdigit())
