"""Application commands built from the plugins' `CommandDecl`s, the options of an invoked command read
back, and the sync with Discord skipped when nothing changed (table `discord_command_syncs`), done by
one process when several start at once (a lease per scope, table `leases`).

One top-level command per noun: `/settings timezone` is the subcommand `timezone` of `/settings`;
a one-word command (`/help`) carries its options itself. A noun declared both alone and with verbs
cannot exist on Discord (a command with subcommands cannot be run by itself): the lone one is left
out with a warning. `default_member_permissions` hides a command from members below the LEAST
strict level of its subcommands (Manage Messages for moderators, Manage Server for admins); the
dispatcher still checks each subcommand's own level.

French localizations: descriptions and choice labels come from the catalogs; a grouped command's own
description lists its subcommands under the translated `GROUP_DESCRIPTION`, with the names each
language shows. Command and option names stay English unless the catalog translates the msgid
`discord command name: <word>` or `discord option name: <name>` into a valid Discord name (lower case,
no spaces, 32 characters).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord
from discord.http import HTTPClient

from bot.config import DiscordConfig
from bot.i18n import Msg, Text, Translator, _
from bot.model import ChannelRef, Level, UserRef
from bot.platforms.discord import translate
from bot.plugin import CommandDecl, Param, ParamKind
from bot.processes import acquire_lease, claimant_id, release_lease
from bot.storage.database import Database
from bot.storage.times import to_db

log = logging.getLogger("affinity.discord.commands")

SUB_COMMAND, STRING, INTEGER, BOOLEAN, USER, CHANNEL, NUMBER, ATTACHMENT = 1, 3, 4, 5, 6, 7, 10, 11
OPTION_TYPES: Mapping[ParamKind, int] = {
    ParamKind.TEXT: STRING,
    ParamKind.INTEGER: INTEGER,
    ParamKind.NUMBER: NUMBER,
    ParamKind.BOOLEAN: BOOLEAN,
    ParamKind.CHOICE: STRING,
    ParamKind.DURATION: STRING,
    ParamKind.DATETIME: STRING,
    ParamKind.MEMBER: USER,
    ParamKind.CHANNEL: CHANNEL,
    ParamKind.ATTACHMENT: ATTACHMENT,
}
LEVEL_PERMISSIONS: Mapping[Level, int | None] = {
    Level.MEMBER: None,
    Level.MODERATOR: 1 << 13,  # Manage Messages
    Level.ADMIN: 1 << 5,  # Manage Server
}
TEXT_CHANNEL_TYPES = (0, 5, 10, 11, 12, 15)  # text, announcement, the three thread kinds, forum
THREAD_TYPES = frozenset({10, 11, 12})
MAX_CHOICES = 25
FRENCH = "fr"
_SAFE_INTEGER = 2**53  # Discord's bounds for integer and number options
_NAME = re.compile(r"^[-_\w]{1,32}$")
GROUP_DESCRIPTION = _("/{noun} commands: {verbs}.")
"""The description of a command with subcommands (plugins declare none for a noun); the text
commands' hint for a lone noun says the same."""


# ---------------------------------------------------------------- payload


def _text(translator: Translator, value: Text, limit: int) -> tuple[str, dict[str, str]]:
    """English text and its French localization (only when the catalog translates it)."""
    english = _clip(translator.render(value, "en"), limit)
    french = _clip(translator.render(value, FRENCH), limit)
    translated = not isinstance(value, Msg) or translator.has(FRENCH, value.msgid)
    return english, ({FRENCH: french} if translated and french != english else {})


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name_localization(translator: Translator, kind: str, name: str) -> dict[str, str]:
    msgid = f"discord {kind} name: {name}"
    if not translator.has(FRENCH, msgid):
        return {}
    french = translator.render(Msg(msgid), FRENCH).strip().lower()
    return {FRENCH: french} if _NAME.match(french) and french != name else {}


def _described(translator: Translator, entry: dict[str, Any], description: Text) -> dict[str, Any]:
    english, french = _text(translator, description, 100)
    entry["description"] = english
    if french:
        entry["description_localizations"] = french
    return entry


def _named(translator: Translator, kind: str, name: str, siblings: set[str]) -> dict[str, Any]:
    """The name, and its French name unless a sibling already uses it (Discord refuses duplicates)."""
    entry: dict[str, Any] = {"name": name}
    localized = _name_localization(translator, kind, name)
    if localized and localized[FRENCH] not in siblings:
        siblings.add(localized[FRENCH])
        entry["name_localizations"] = localized
    return entry


def option(param: Param, translator: Translator, siblings: set[str]) -> dict[str, Any]:
    """One typed option."""
    entry = _described(translator, _named(translator, "option", param.name, siblings), param.description)
    entry.update(type=OPTION_TYPES[param.kind], required=param.required)
    kind = param.kind
    if kind is ParamKind.TEXT:
        entry.update(min_length=1, max_length=max(1, min(param.max_length, 6000)))
    elif kind in (ParamKind.DURATION, ParamKind.DATETIME):
        entry["max_length"] = 64
    elif kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        convert = int if kind is ParamKind.INTEGER else float
        if param.min_value is not None:
            entry["min_value"] = convert(max(param.min_value, -_SAFE_INTEGER))
        if param.max_value is not None:
            entry["max_value"] = convert(min(param.max_value, _SAFE_INTEGER))
    elif kind is ParamKind.CHANNEL:
        entry["channel_types"] = list(TEXT_CHANNEL_TYPES)
    elif kind is ParamKind.CHOICE and len(param.choices) <= MAX_CHOICES:
        entry["choices"] = [_choice(translator, c.value, c.label) for c in param.choices]
    if param.autocomplete or (kind is ParamKind.CHOICE and len(param.choices) > MAX_CHOICES):
        entry["autocomplete"] = True
    return entry


def _choice(translator: Translator, value: str, label: Text) -> dict[str, Any]:
    english, french = _text(translator, label, 100)
    entry: dict[str, Any] = {"name": english, "value": value[:100]}
    if french:
        entry["name_localizations"] = french
    return entry


def _options(decl: CommandDecl, translator: Translator) -> list[dict[str, Any]]:
    siblings: set[str] = set()
    return [option(p, translator, siblings) for p in decl.params]


def _top(name: str, translator: Translator, level: Level) -> dict[str, Any]:
    entry = _named(translator, "command", name, set())
    entry.update(type=1, contexts=[0], integration_types=[0])
    permissions = LEVEL_PERMISSIONS[level]
    entry["default_member_permissions"] = str(permissions) if permissions is not None else None
    return entry


def command_payload(decls: Sequence[CommandDecl], translator: Translator) -> list[dict[str, Any]]:
    """The bulk-overwrite payload: one command per noun, sorted by name."""
    nouns: dict[str, list[CommandDecl]] = {}
    for decl in sorted(decls, key=lambda d: d.path):
        nouns.setdefault(decl.path.split(" ")[0], []).append(decl)
    payload: list[dict[str, Any]] = []
    for noun, group in nouns.items():
        verbs = [d for d in group if " " in d.path]
        if not verbs:
            entry = _described(translator, _top(noun, translator, group[0].level), group[0].description)
            entry["options"] = _options(group[0], translator)
            payload.append(entry)
            continue
        if len(verbs) != len(group):
            log.warning(
                "/%s is left out on Discord: /%s also has subcommands (declare it as /%s <verb>)", noun, noun, noun
            )
        entry = _top(noun, translator, min(d.level for d in verbs))
        siblings: set[str] = set()
        entry["options"] = [
            {
                **_described(translator, _named(translator, "command", d.path.split(" ")[1], siblings), d.description),
                "type": SUB_COMMAND,
                "options": _options(d, translator),
            }
            for d in verbs
        ]
        payload.append(_group_described(translator, entry))
    return payload


def _group_described(translator: Translator, entry: dict[str, Any]) -> dict[str, Any]:
    """A grouped command's description: its subcommands listed under a translated template, with the
    names each language shows (a French member sees the French names the catalog gives)."""

    def names(item: dict[str, Any], locale: str) -> str:
        return str(item.get("name_localizations", {}).get(locale, item["name"]))

    def described(locale: str) -> str:
        verbs = ", ".join(names(sub, locale) for sub in entry["options"])
        text = Msg(GROUP_DESCRIPTION.msgid, {"noun": names(entry, locale), "verbs": verbs})
        return _clip(translator.render(text, locale), 100)

    english, french = described("en"), described(FRENCH)
    entry["description"] = english
    if translator.has(FRENCH, GROUP_DESCRIPTION.msgid) and french != english:
        entry["description_localizations"] = {FRENCH: french}
    return entry


def payload_hash(payload: Sequence[Mapping[str, Any]]) -> str:
    """A stable digest of the payload."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- invoked commands


@dataclass(frozen=True, slots=True)
class FileOption:
    """A file given to an attachment option, still on Discord's CDN (the interaction downloads it)."""

    filename: str
    url: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Called:
    """An invoked command as the dispatcher wants it: full path, typed options, focused option."""

    path: str
    options: dict[str, object]
    focused: tuple[str, str] | None = None


def read_options(data: Mapping[str, Any], guild_id: int | None) -> Called:
    """The path and typed values of an application-command (or autocomplete) interaction."""
    path = str(data.get("name", ""))
    options: list[Mapping[str, Any]] = list(data.get("options") or [])
    if options and options[0].get("type") == SUB_COMMAND:
        path = f"{path} {options[0]['name']}"
        options = list(options[0].get("options") or [])
    resolved: Mapping[str, Any] = data.get("resolved") or {}
    values: dict[str, object] = {}
    focused = None
    for item in options:
        name = str(item["name"])
        if item.get("focused"):
            focused = (name, str(item.get("value", "")))
            continue
        values[name] = _value(item, resolved, guild_id)
    return Called(path, values, focused)


def _value(item: Mapping[str, Any], resolved: Mapping[str, Any], guild_id: int | None) -> object:
    kind, value = item.get("type"), item.get("value")
    if kind == USER and value is not None:
        return UserRef(translate.PLATFORM, translate.workspace(guild_id), str(value))
    if kind == CHANNEL and value is not None:
        return _channel(str(value), resolved, guild_id)
    if kind == ATTACHMENT and value is not None:
        found: Mapping[str, Any] = (resolved.get("attachments") or {}).get(str(value)) or {}
        return FileOption(
            str(found.get("filename") or "file"),
            str(found.get("url") or ""),
            str(found.get("content_type") or "application/octet-stream"),
            int(found.get("size") or 0),
        )
    return value


def _channel(channel_id: str, resolved: Mapping[str, Any], guild_id: int | None) -> ChannelRef:
    found: Mapping[str, Any] = (resolved.get("channels") or {}).get(channel_id) or {}
    if found.get("type") in THREAD_TYPES and found.get("parent_id"):
        return translate.place(guild_id, int(channel_id), int(found["parent_id"]))
    return translate.place(guild_id, int(channel_id))


# ---------------------------------------------------------------- sync


SYNC_LEASE = timedelta(minutes=2)
"""How long a process may hold a scope's sync (one bulk overwrite takes seconds): one dead mid-sync
leaves the scope to the next process that starts after that."""


class CommandSync:
    """Overwrites the application commands of each scope whose stored hash differs.

    Several processes may start at once (a rolling restart of shard processes): each scope's sync is
    done under a named lease (bot/processes.py), and the stored hash is read again once the lease is
    held, so one process syncs a scope and the others find it done or skip it."""

    def __init__(self, db: Database, config: DiscordConfig, *, holder: str | None = None) -> None:
        self._db = db
        self._config = config
        self.holder = holder or claimant_id()

    def scopes(self) -> list[str]:
        """The configured guild ids, or `global`."""
        return [str(g) for g in self._config.guild_ids] or ["global"]

    async def sync(
        self, http: HTTPClient, application_id: int, payload: list[dict[str, Any]], now: datetime
    ) -> list[str]:
        """Sync where needed; returns the scopes that were written. Failures are logged, not raised:
        the bot still works with the commands Discord already has."""
        digest = payload_hash(payload)
        app = str(application_id)
        rows = await self._db.fetchall(
            "SELECT scope, payload_hash FROM discord_command_syncs WHERE application_id = ?", (app,)
        )
        stored = {row["scope"]: row["payload_hash"] for row in rows}
        wanted = self.scopes()
        written: list[str] = []
        for scope in wanted:
            if stored.get(scope) == digest:
                log.info("application commands of %s unchanged; sync skipped", scope)
                continue
            async with self._leased(app, scope, now) as ours:
                # Read again under the lease: another process may have synced this payload meanwhile.
                if not ours or await self._stored(app, scope) == digest:
                    continue
                if await self._put(http, application_id, scope, payload):
                    await self._db.execute(
                        "INSERT INTO discord_command_syncs (application_id, scope, payload_hash, synced_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (application_id, scope) DO UPDATE SET "
                        "payload_hash = excluded.payload_hash, synced_at = excluded.synced_at",
                        (app, scope, digest, to_db(now)),
                    )
                    written.append(scope)
        for scope in stored:
            # A development guild that is no longer configured: remove its copies of the commands; and
            # when guilds replace the global commands, empty the global set (members would see both).
            if scope in wanted:
                continue
            async with self._leased(app, scope, now) as ours:
                if (
                    ours
                    and await self._stored(app, scope) is not None
                    and await self._put(http, application_id, scope, [])
                ):
                    await self._db.execute(
                        "DELETE FROM discord_command_syncs WHERE application_id = ? AND scope = ?", (app, scope)
                    )
        return written

    async def _stored(self, app: str, scope: str) -> str | None:
        value = await self._db.fetchval(
            "SELECT payload_hash FROM discord_command_syncs WHERE application_id = ? AND scope = ?", (app, scope)
        )
        return None if value is None else str(value)

    @contextlib.asynccontextmanager
    async def _leased(self, app: str, scope: str, now: datetime) -> AsyncIterator[bool]:
        """Hold the sync lease of one scope for the block; yields False when another process holds it."""
        name = f"discord.command_sync:{app}:{scope}"
        if not await acquire_lease(self._db, name, self.holder, now, SYNC_LEASE):
            log.info("another process is syncing the application commands of %s; left to it", scope)
            yield False
            return
        try:
            yield True
        finally:
            await release_lease(self._db, name, self.holder)

    async def _put(self, http: HTTPClient, application_id: int, scope: str, payload: list[dict[str, Any]]) -> bool:
        try:
            if scope == "global":
                await http.bulk_upsert_global_commands(application_id, payload)
            else:
                await http.bulk_upsert_guild_commands(application_id, int(scope), payload)
        except discord.HTTPException as exc:
            if exc.code == 50001:
                log.error(
                    "cannot sync commands to guild %s: the bot was added without the "
                    "applications.commands scope; add it again with `affinity-bot discord-invite-url`",
                    scope,
                )
            else:
                log.error("cannot sync the application commands of %s: %s %s", scope, exc.status, exc.text)
            return False
        log.info("application commands of %s synced (%d commands)", scope, len(payload))
        return True
