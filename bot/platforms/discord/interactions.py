"""Interactions: slash commands, autocomplete requests and button presses, answered within Discord's
3-second window.

A command runs through the dispatcher; when it answers within `Timing.defer_after` (2 s) the reply is
the interaction response itself. Otherwise the interaction is deferred ("thinking", private when the
command is private) and the reply replaces it when ready; a private reply (an error) after a public
deferral deletes the public placeholder and follows up privately instead. A quick reply with files
that comes more than `Timing.upload_after` (1 s) after the interaction arrived is deferred too, so
the upload does not run past the window; the files then replace the placeholder.

A button pressed in a DM runs in the community of the guild recorded with it when it was sent (a
DM interaction has no guild), with the member's level and roles from that guild's cache.

A member's level comes from their server-wide permissions (their roles), never from the permissions
Discord resolved in the channel of the interaction, which include that channel's overwrites.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.folding import fold
from bot.formatting import LocalReply
from bot.i18n import SUPPORTED_LOCALES, Translator, _
from bot.model import Attachment, CommandInvoked, CommunityRef, Level, UserRef
from bot.platforms.base import EventSink
from bot.platforms.discord import translate
from bot.platforms.discord.client import Timing
from bot.platforms.discord.commands import Called, FileOption, read_options
from bot.platforms.discord.render import ButtonCodec, Outgoing, clip, render
from bot.plugin import AutocompleteFn, Choice, CommandDecl, Param, ParamKind

log = logging.getLogger("affinity.discord.interactions")

MAX_SUGGESTIONS = 25
MAX_FILE_BYTES = 25 << 20  # larger files given to a command are left out (the command then asks for one)
LocaleFor = Callable[[UserRef, CommunityRef, str | None], Awaitable[str]]
Fetch = Callable[[str], Awaitable[bytes]]
MemberOf = Callable[[int, int], "discord.Member | None"]
"""A guild's cached member (guild id, user id), or None."""


def level_of(permissions: discord.Permissions) -> Level:
    """Administrator or Manage Server: admin; Manage Messages: moderator."""
    if permissions.administrator or permissions.manage_guild:
        return Level.ADMIN
    if permissions.manage_messages:
        return Level.MODERATOR
    return Level.MEMBER


def member_level(member: object) -> Level:
    """The level a guild member holds server-wide: from their roles (and guild ownership), never from
    one channel's overwrites.

    `interaction.permissions` is what Discord resolved for the member IN the channel, overwrites
    included: Manage Messages granted in a single channel must not make a moderator of the whole
    community. `Member.guild_permissions` adds up the permissions of the member's roles in the guild's
    cache (the guild owner and Administrator hold them all). A user outside any guild (a DM without a
    recorded guild) is a plain member."""
    return level_of(member.guild_permissions) if isinstance(member, discord.Member) else Level.MEMBER


class Interactions:
    """Answers every interaction the client receives."""

    def __init__(
        self,
        *,
        sink: EventSink,
        commands: Callable[[], Mapping[str, CommandDecl]],
        providers: Callable[[], Mapping[str, AutocompleteFn]],
        locale_for: LocaleFor,
        translator: Translator,
        codec: ButtonCodec,
        now: Callable[[], datetime],
        timing: Timing,
        fetch: Fetch,
        member_of: MemberOf | None = None,
    ) -> None:
        self._fetch = fetch
        self._member_of = member_of or (lambda _guild, _user: None)
        self._sink = sink
        self._commands = commands
        self._providers = providers
        self._locale_for = locale_for
        self._translator = translator
        self._codec = codec
        self._now = now
        self._timing = timing

    async def handle(self, interaction: discord.Interaction) -> None:
        """Route one interaction by its type; a failure to answer is logged, never raised."""
        arrived = time.monotonic()
        try:
            if interaction.type is discord.InteractionType.application_command:
                called = read_options(interaction.data or {}, interaction.guild_id)
                await self._run(interaction, called.path, called.options, arrived=arrived)
            elif interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction, read_options(interaction.data or {}, interaction.guild_id))
            elif interaction.type is discord.InteractionType.component:
                await self._button(interaction, arrived)
        except discord.HTTPException as exc:
            log.error("could not answer interaction %s: %s %s", interaction.id, exc.status, exc.text)

    # ------------------------------------------------------------ who and where

    def _user(self, interaction: discord.Interaction) -> UserRef:
        return translate.user(interaction.guild_id, interaction.user.id)

    def _event(
        self, interaction: discord.Interaction, path: str, options: dict[str, object], home: int | None = None
    ) -> CommandInvoked:
        """The command as the dispatcher wants it. `home` is the guild a DM's button was sent for: a
        press in a DM runs in that guild's community, with the member's level and roles there."""
        guild_id = interaction.guild_id
        if interaction.channel is not None:
            channel = translate.channel_of(guild_id, interaction.channel)
        else:
            channel = translate.place(guild_id, interaction.channel_id or 0)
        member: object = interaction.user
        if guild_id is None and home is not None:
            guild_id = home
            member = self._member_of(home, interaction.user.id)
        level = member_level(member)
        roles = frozenset(str(role.id) for role in getattr(member, "roles", ()) if not role.is_default())
        return CommandInvoked(
            translate.community(guild_id),
            self._now(),
            translate.user(guild_id, interaction.user.id),
            channel,
            path,
            options=options,
            platform_level=level,
            user_roles=roles,
            locale=interaction.locale.value,
        )

    # ------------------------------------------------------------ commands and buttons

    async def _run(
        self,
        interaction: discord.Interaction,
        path: str,
        options: dict[str, object],
        *,
        arrived: float,
        home: int | None = None,
    ) -> None:
        event = self._event(interaction, path, options, home)
        decl = self._commands().get(path)
        private = decl is not None and decl.private
        task = asyncio.ensure_future(self._invoke(event))
        done, _pending = await asyncio.wait({task}, timeout=self._timing.defer_after)
        if task in done:
            reply = task.result()
            if not reply.attachments or time.monotonic() - arrived <= self._timing.upload_after:
                await self._respond(interaction, reply)
                return
            # Uploading files takes time: an answer this late could miss Discord's 3 seconds, so
            # acknowledge first and send the files as the edit of the placeholder.
            await interaction.response.defer(ephemeral=reply.ephemeral, thinking=True)
            await self._follow(interaction, reply, deferred_private=reply.ephemeral)
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        await self._follow(interaction, await task, deferred_private=private)

    async def _invoke(self, event: CommandInvoked) -> LocalReply:
        """Download the files given to attachment options, then run the command."""
        options = dict(event.options or {})
        for name, value in list(options.items()):
            if isinstance(value, FileOption):
                del options[name]
                content = await self._download(value)
                if content is not None:
                    options[name] = Attachment(value.filename, content, value.content_type)
        return await self._sink.invoke(dataclasses.replace(event, options=options))

    async def _download(self, file: FileOption) -> bytes | None:
        if not file.url or file.size > MAX_FILE_BYTES:
            log.warning("file %s left out (%d bytes)", file.filename, file.size)
            return None
        try:
            return await self._fetch(file.url)
        except (discord.HTTPException, OSError) as exc:
            log.warning("could not download %s: %s", file.filename, exc)
            return None

    async def _respond(self, interaction: discord.Interaction, reply: LocalReply) -> None:
        parts = await render(reply, self._codec, everyone_role=interaction.guild_id)
        await _send(interaction.response.send_message, parts[0], ephemeral=reply.ephemeral)
        for part in parts[1:]:
            await _send(interaction.followup.send, part, ephemeral=reply.ephemeral)

    async def _follow(self, interaction: discord.Interaction, reply: LocalReply, *, deferred_private: bool) -> None:
        parts = await render(reply, self._codec, everyone_role=interaction.guild_id)
        rest = parts
        if reply.ephemeral and not deferred_private:
            # A public "thinking" message cannot become private: remove it, answer privately.
            await interaction.delete_original_response()
        else:
            await _send(interaction.edit_original_response, parts[0], edit=True)
            rest = parts[1:]
        for part in rest:
            await _send(interaction.followup.send, part, ephemeral=reply.ephemeral)

    async def _button(self, interaction: discord.Interaction, arrived: float) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if not self._codec.is_ours(custom_id):
            return
        pressed = await self._codec.decode(custom_id)
        if pressed is None:
            locale = await self._locale_for(
                self._user(interaction), translate.community(interaction.guild_id), interaction.locale.value
            )
            text = self._translator.render(_("This button has expired: run the command again."), locale)
            await interaction.response.send_message(text, ephemeral=True)
            return
        # Pressed in a guild, the guild is the interaction's own; in a DM, the one the button was sent for.
        await self._run(interaction, pressed.command, dict(pressed.args), arrived=arrived, home=pressed.guild_id)

    # ------------------------------------------------------------ autocomplete

    async def _autocomplete(self, interaction: discord.Interaction, called: Called) -> None:
        decl = self._commands().get(called.path)
        param = (
            next((p for p in decl.params if called.focused and p.name == called.focused[0]), None)
            if decl is not None
            else None
        )
        suggestions: list[Choice] = []
        if param is not None and called.focused is not None:
            suggestions = await self._suggest(interaction, param, called.focused[1])
        user, community = self._user(interaction), translate.community(interaction.guild_id)
        locale = await self._locale_for(user, community, interaction.locale.value)
        answers: list[app_commands.Choice[Any]] = []
        for item in suggestions[:MAX_SUGGESTIONS]:
            value = _typed(param, item.value) if param is not None else None
            if value is not None:
                label = clip(self._translator.render(item.label, locale), 100) or item.value[:100]
                answers.append(app_commands.Choice(name=label, value=value))
        await interaction.response.autocomplete(answers)

    async def _suggest(self, interaction: discord.Interaction, param: Param, typed: str) -> list[Choice]:
        if param.autocomplete:
            provider = self._providers().get(param.autocomplete)
            if provider is None:
                return []
            user, community = self._user(interaction), translate.community(interaction.guild_id)
            try:
                # Discord drops answers after 3 s: a slow provider gets no suggestions, not an error.
                return await asyncio.wait_for(provider(community, user, typed), timeout=self._timing.defer_after)
            except Exception:
                log.exception("autocomplete provider %s failed", param.autocomplete)
                return []
        return matching_choices(param.choices, typed, self._translator)


def matching_choices(choices: Sequence[Choice], typed: str, translator: Translator) -> list[Choice]:
    """The choices whose words match what was typed, accents and case aside: the value, its word and
    its label in every language the bot speaks, or an alias (`hebdo`, `semaine` and `weekly` all find
    the weekly choice). The answers are then labelled in the reader's language."""
    wanted = fold(typed)

    def spellings(choice: Choice) -> set[str]:
        labels = {translator.render(choice.label, locale) for locale in SUPPORTED_LOCALES}
        return {choice.value, *choice.aliases, *translator.spellings(choice.word), *labels}

    return [c for c in choices if any(wanted in fold(s) for s in spellings(c))]


def _typed(param: Param, value: str) -> str | int | float | None:
    """A suggestion's value in the option's type (integer options need integers)."""
    try:
        if param.kind is ParamKind.INTEGER:
            return int(value)
        if param.kind is ParamKind.NUMBER:
            return float(value)
    except ValueError:
        return None
    return value[:100]


async def _send(
    method: Callable[..., Awaitable[Any]], part: Outgoing, *, ephemeral: bool = False, edit: bool = False
) -> None:
    """Send one part with a response, follow-up or edit method, then drop the view from discord.py's
    store: presses are handled from the raw interaction, not by view callbacks."""
    kwargs = part.kwargs()
    if edit:
        if "files" in kwargs:
            kwargs["attachments"] = kwargs.pop("files")
    else:
        kwargs["ephemeral"] = ephemeral
    try:
        await method(**kwargs)
    finally:
        view = kwargs.get("view")
        if isinstance(view, discord.ui.View):
            view.stop()
