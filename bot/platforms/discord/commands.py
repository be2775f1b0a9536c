"""Application commands built from the plugins' `CommandDecl`s, the options of an invoked command read
back, and the sync with Discord skipped when nothing changed (table `discord_command_syncs`), done by
one process when several start at once (a lease per scope, table `leases`).

One top-level command per noun: `/settings timezone` is the subcommand `timezone` of `/settings`;
a one-word command (`/help`) carries its options itself. A noun declared both alone and with verbs
cannot exist on Discord (a command with subcommands cannot be run by itself): the lone one is left
out with a warning. `default_member_permissions` hides a command from members below the LEAST
strict level of its subcommands (Manage Messages for moderators, Manage Server for admins); the
dispatcher still checks each subcommand's own level.

French localizations: descriptions and choice labels come from the catalogs (a choice's `name` is
its English label, its `name_localizations` the French one; the value stays canonical); an option's
French name is its parameter's catalog entry under msgctxt "parameter" (`radius_km` -> `rayon_km`),
kept only when it is a Discord name and no sibling reads the same in French. Command and subcommand
names stay canonical: /help, the docs, Slack and the console all say /group. A grouped command's own
description lists its subcommands under the translated `GROUP_DESCRIPTION` (the first ones and
`… (/help group)` when they do not all fit). A declared description or choice
label over Discord's 100 characters is reported (a warning at each build, `problems` for the tests)
and cut only so Discord accepts the payload.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import unicodedata
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
from bot.plugin import Choice, CommandDecl, Param, ParamKind
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
MAX_NAME = 32
MAX_DESCRIPTION = 100  # a description, and a choice's name
LANGUAGES = {"en": "English", FRENCH: "French"}
_SPACE_RUN = re.compile(r"[^\S\u00a0\u202f]+")
GROUP_DESCRIPTION = _("/{noun} commands: {verbs}.")
"""The description of a command with subcommands (plugins declare none for a noun); the text
commands' hint for a lone noun says the same."""


# ---------------------------------------------------------------- payload


def is_discord_name(name: str) -> bool:
    r"""Discord's rule for command and option names: `^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`,
    in lower case wherever a letter has one (Discord refuses `Rayon_km`)."""
    if not 1 <= len(name) <= MAX_NAME or name != name.lower():
        return False
    return all(c in "-_" or unicodedata.category(c)[0] in "LN" or _indic(c) for c in name)


def _indic(char: str) -> bool:
    """Devanagari and Thai (their combining marks are neither letters nor numbers, yet allowed)."""
    point = ord(char)
    return 0x0900 <= point <= 0x097F or 0xA8E0 <= point <= 0xA8FF or 0x0E00 <= point <= 0x0E7F


class _Builder:
    """Renders the payload's texts in English and French and notes every text over Discord's limits:
    a description too long is cut only so Discord accepts the payload, and reported (logged at each
    build, listed in `problems`) so its owner shortens it in the declaration or the catalog."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.problems: list[str] = []

    def fit(self, text: str, where: str, locale: str, limit: int = MAX_DESCRIPTION) -> str:
        # One line, but the no-break spaces stay: French puts U+202F before `:` and inside « ».
        text = _SPACE_RUN.sub(" ", text).strip() or "-"
        if len(text) <= limit:
            return text
        problem = f"{where}: {len(text)} characters in {LANGUAGES[locale]} (Discord accepts {limit})"
        log.warning("%s; cut for Discord, shorten it: %r", problem, text)
        self.problems.append(problem)
        return text[: limit - 1] + "…"

    def texts(self, value: Text, where: str) -> tuple[str, dict[str, str]]:
        """English text and its French localization (only when the catalog translates it)."""
        english = self.fit(self.translator.render(value, "en"), where, "en")
        translated = not isinstance(value, Msg) or self.translator.has(FRENCH, value)
        if not translated:
            return english, {}
        french = self.fit(self.translator.render(value, FRENCH), where, FRENCH)
        return english, ({FRENCH: french} if french != english else {})

    def described(self, entry: dict[str, Any], description: Text, where: str) -> dict[str, Any]:
        english, french = self.texts(description, f"{where} description")
        entry["description"] = english
        if french:
            entry["description_localizations"] = french
        return entry

    def french_name(self, param: Param, where: str) -> str | None:
        """The option's French name (catalog msgctxt "parameter"), when it is a valid Discord name."""
        if not self.translator.has(FRENCH, param.label):
            return None
        french = self.translator.render(param.label, FRENCH).strip()
        if french == param.name:
            return None
        if not is_discord_name(french):
            log.warning(
                "%s option %s: the French name %r is not a Discord name (lower case, no spaces, at most %d "
                "characters); Discord shows %s",
                where,
                param.name,
                french,
                MAX_NAME,
                param.name,
            )
            return None
        return french

    def option(self, param: Param, where: str) -> dict[str, Any]:
        """One typed option (its French name is added with its siblings': see `_localize_names`)."""
        entry = self.described({"name": param.name}, param.description, f"{where} option {param.name}")
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
            entry["choices"] = [self.choice(c, f"{where} option {param.name} choice {c.value}") for c in param.choices]
        if param.autocomplete or (kind is ParamKind.CHOICE and len(param.choices) > MAX_CHOICES):
            entry["autocomplete"] = True
        return entry

    def choice(self, choice: Choice, where: str) -> dict[str, Any]:
        """A choice: its label in English as the name, in French as the localization; the value canonical."""
        english, french = self.texts(choice.label, where)
        entry: dict[str, Any] = {"name": english, "value": choice.value[:100]}
        if french:
            entry["name_localizations"] = french
        return entry

    def options(self, decl: CommandDecl) -> list[dict[str, Any]]:
        where = f"/{decl.path}"
        entries = [self.option(p, where) for p in decl.params]
        _localize_names(where, entries, [self.french_name(p, where) for p in decl.params])
        return entries

    def top(self, name: str, level: Level) -> dict[str, Any]:
        # Command names stay canonical (no French localization): /help, the docs, Slack and the console
        # all name /group, and a French member typing /groupe while the help says /group would be lost.
        entry: dict[str, Any] = {"name": name, "type": 1, "contexts": [0], "integration_types": [0]}
        permissions = LEVEL_PERMISSIONS[level]
        entry["default_member_permissions"] = str(permissions) if permissions is not None else None
        return entry

    def grouped(self, noun: str, entry: dict[str, Any]) -> dict[str, Any]:
        """A grouped command's description: its subcommands listed under a translated template."""
        verbs = [sub["name"] for sub in entry["options"]]
        entry["description"] = english = self.verbs_line(noun, verbs, "en")
        if self.translator.has(FRENCH, GROUP_DESCRIPTION.msgid):
            french = self.verbs_line(noun, verbs, FRENCH)
            if french != english:
                entry["description_localizations"] = {FRENCH: french}
        return entry

    def verbs_line(self, noun: str, verbs: list[str], locale: str) -> str:
        """`/group commands: create, join, leave.`, made to fit by design: when every verb does not fit
        in 100 characters, the first ones that do, then `… (/help group)`, which lists them all."""
        for count in range(len(verbs), 0, -1):
            shown = ", ".join(verbs[:count]) + ("" if count == len(verbs) else f", … (/help {noun})")
            text = self.translator.render(Msg(GROUP_DESCRIPTION.msgid, {"noun": noun, "verbs": shown}), locale)
            if len(text) <= MAX_DESCRIPTION:
                return text
        return self.fit(f"/help {noun}", f"/{noun} description", locale)


def _localize_names(where: str, entries: list[dict[str, Any]], french: list[str | None]) -> None:
    """Give each option its French name unless two siblings would then read the same in French (Discord
    refuses the whole payload): the later translated one keeps its English name, with a warning."""
    names = list(french)
    while True:
        shown = [name or entry["name"] for name, entry in zip(names, entries, strict=True)]
        clash = next(
            (i for i in reversed(range(len(shown))) if names[i] is not None and shown.count(shown[i]) > 1), None
        )
        if clash is None:
            break
        log.warning(
            "%s option %s: its French name %r is taken by another option; Discord shows %s",
            where,
            entries[clash]["name"],
            names[clash],
            entries[clash]["name"],
        )
        names[clash] = None
    for name, entry in zip(names, entries, strict=True):
        if name is not None:
            entry["name_localizations"] = {FRENCH: name}


def command_payload(
    decls: Sequence[CommandDecl], translator: Translator, *, problems: list[str] | None = None
) -> list[dict[str, Any]]:
    """The bulk-overwrite payload: one command per noun, sorted by name. Each text over Discord's limits
    is logged and appended to `problems`."""
    build = _Builder(translator)
    nouns: dict[str, list[CommandDecl]] = {}
    for decl in sorted(decls, key=lambda d: d.path):
        nouns.setdefault(decl.path.split(" ")[0], []).append(decl)
    payload: list[dict[str, Any]] = []
    for noun, group in nouns.items():
        verbs = [d for d in group if " " in d.path]
        if not verbs:
            entry = build.described(build.top(noun, group[0].level), group[0].description, f"/{noun}")
            entry["options"] = build.options(group[0])
            payload.append(entry)
            continue
        if len(verbs) != len(group):
            log.warning(
                "/%s is left out on Discord: /%s also has subcommands (declare it as /%s <verb>)", noun, noun, noun
            )
        entry = build.top(noun, min(d.level for d in verbs))
        entry["options"] = [
            {
                **build.described({"name": d.path.split(" ")[1]}, d.description, f"/{d.path}"),
                "type": SUB_COMMAND,
                "options": build.options(d),
            }
            for d in verbs
        ]
        payload.append(build.grouped(noun, entry))
    if problems is not None:
        problems.extend(build.problems)
    return payload


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
