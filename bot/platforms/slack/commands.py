"""Slash commands and button presses: one slash command per command noun (`/group`, `/help`...,
optionally prefixed: `/ab-group`), and Block Kit buttons that run a command as the member who
pressed them.

Both acknowledge Slack first (Slack gives up after 3 seconds), then look the member up (admins and
owners of this workspace are ADMIN; their Slack locale; their user groups as roles), run the command
through the dispatcher and answer through the response_url: ephemeral unless the reply is
public, errors always ephemeral. Files go to the channel for a public reply and to the member's
DMs for a private one (Slack has no private files), with a line saying where they went.

Rights come from this workspace only: a member of another organisation in a shared (Slack Connect)
channel, whose `users.info` carries their own workspace's `team_id` and `is_admin`, and a guest, are
plain members with no user-group roles, so neither an admin flag nor a moderators group is borrowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.formatting import LocalReply
from bot.i18n import Text, Translator, _
from bot.model import ChannelRef, CommandInvoked, CommunityRef, DeliveryError, Level, UserRef
from bot.platforms.base import EventSink
from bot.platforms.slack.delivery import Delivery
from bot.platforms.slack.directory import Directory, SlackUser
from bot.platforms.slack.render import Renderer, decode_button
from bot.platforms.slack.translate import PLATFORM, command_text

log = logging.getLogger("affinity.slack.commands")
_RESPONSES = 5  # answers a response_url takes


def at_home(profile: SlackUser, team: str) -> bool:
    """True for a full member of this workspace: not a guest, and not a member of another organisation
    reaching us through a shared (Slack Connect) channel, whose `team_id` is their own workspace's."""
    return bool(team) and profile.team_id == team and not profile.is_guest


def workspace_level(profile: SlackUser | None, team: str) -> Level:
    """ADMIN for the admins and owners of this workspace; everyone else (unknown, guests, and members
    of other organisations whatever `is_admin` says about their own workspace) is a MEMBER."""
    if profile is not None and profile.is_admin and at_home(profile, team):
        return Level.ADMIN
    return Level.MEMBER


class CommandRunner:
    """Runs slash commands and button presses and answers them."""

    def __init__(
        self,
        *,
        sink: EventSink,
        directory: Directory,
        delivery: Delivery,
        renderer: Renderer,
        translator: Translator,
        now: Callable[[], datetime],
        team_id: Callable[[], str],
    ) -> None:
        self.sink = sink
        self.directory = directory
        self.delivery = delivery
        self.renderer = renderer
        self.translator = translator
        self.now = now
        self.team_id = team_id

    def noun(self, command: str) -> str:
        """The command noun of a slash command (`/ab-group` -> `group`)."""
        name = command.strip().lstrip("/")
        prefix = self.renderer.prefix
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    async def slash_command(self, command: Mapping[str, Any]) -> None:
        """Run a slash command (already acknowledged) and answer it."""
        user_id, channel_id = str(command["user_id"]), str(command["channel_id"])
        event = await self.invocation(
            user_id,
            channel_id,
            path=self.noun(str(command["command"])),
            text=command_text(str(command.get("text") or "")),
        )
        reply = await self.sink.invoke(event)
        await self.answer(reply, user_id=user_id, channel_id=channel_id, response_url=command.get("response_url"))

    async def button(self, body: Mapping[str, Any]) -> None:
        """Run the command of a pressed button (already acknowledged) as the member who pressed it."""
        user_id = str(body["user"]["id"])
        container = body.get("container") or {}
        channel_id = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        action = (body.get("actions") or [{}])[0]
        decoded = decode_button(str(action.get("value") or ""))
        if decoded is None:
            profile = await self._profile(user_id)
            locale = (profile.locale if profile else None) or "en"
            reply = self.local(_("This button no longer works: run the command again."), locale)
        else:
            command, args = decoded
            event = await self.invocation(user_id, channel_id, path=command, options=args)
            reply = await self.sink.invoke(event)
        # On a private message (a confirmation), the answer replaces the buttons so they cannot be
        # pressed twice; on a public one, the presser gets a private answer and the message stays.
        await self.answer(
            reply,
            user_id=user_id,
            channel_id=channel_id,
            response_url=body.get("response_url"),
            replace_original=bool(container.get("is_ephemeral")) and reply.ephemeral,
        )

    async def invocation(
        self,
        user_id: str,
        channel_id: str,
        *,
        path: str,
        text: str | None = None,
        options: Mapping[str, object] | None = None,
    ) -> CommandInvoked:
        """The neutral command event, with the member's Slack level, user groups and locale."""
        team = self.team_id()
        profile = await self._profile(user_id)
        # Roles only for a member known to belong here: when users.info fails, nothing says the caller is
        # not a guest or from another organisation, so the moderators user group must not lift them.
        home = profile is not None and at_home(profile, team)
        roles = await self.directory.groups_of(user_id) if home else frozenset[str]()
        return CommandInvoked(
            CommunityRef(PLATFORM, team),
            self.now(),
            UserRef(PLATFORM, team, user_id),
            ChannelRef(PLATFORM, team, channel_id),
            path,
            text,
            options=options,
            platform_level=workspace_level(profile, team),
            user_roles=roles,
            locale=profile.locale if profile else None,
        )

    async def _profile(self, user_id: str) -> SlackUser | None:
        try:
            return await self.directory.user(user_id)
        except Exception as exc:  # an unknown level is MEMBER; the command still runs
            log.warning("users.info failed for %s: %s", user_id, exc)
            return None

    def local(self, text: Text, locale: str) -> LocalReply:
        """A private reply made of one message of this platform's own."""
        return LocalReply(self.translator.render(text, locale), None, (), (), True, locale)

    async def answer(
        self, reply: LocalReply, *, user_id: str, channel_id: str, response_url: object, replace_original: bool = False
    ) -> None:
        """Files first (so the answer can say where they went), then the answer itself."""
        if reply.attachments:
            notes = await self._send_files(reply, user_id, channel_id)
            reply = replace(reply, attachments=(), text="\n".join(p for p in (reply.text, *notes) if p))
        messages = self.renderer.messages(reply)  # several when the reply is too long for one
        public, answered = not reply.ephemeral, 0
        if isinstance(response_url, str) and response_url:
            for message in messages[:_RESPONSES]:
                if not await self.delivery.respond(
                    response_url, message, public=public, replace_original=replace_original and answered == 0
                ):
                    break
                answered += 1
        rest = messages[answered:]
        if not rest:
            return
        try:  # the response_url expired (30 minutes) or was used up: post directly
            if public:
                await self.delivery.post_messages(channel_id, rest)
            else:
                await self.delivery.ephemeral_messages(channel_id, user_id, rest)
        except DeliveryError as exc:
            log.warning("could not answer %s in %s: %s", user_id, channel_id, exc)

    async def _send_files(self, reply: LocalReply, user_id: str, channel_id: str) -> list[str]:
        if not reply.ephemeral:
            try:
                await self.delivery.upload(channel_id, reply.attachments)
                return []
            except DeliveryError as exc:  # e.g. the bot is not in the channel: the member still gets them
                log.info("files for %s go to DMs: %s", user_id, exc)
        names = ", ".join(a.filename for a in reply.attachments)
        try:
            dm = await self.delivery.dm_channel(user_id)
            await self.delivery.upload(dm, reply.attachments)
        except DeliveryError as exc:
            log.warning("could not send files to %s: %s", user_id, exc)
            return [
                self.translator.render(
                    _("⚠️ {files} could not be sent ({reason}).", files=names, reason=exc.detail or exc.reason),
                    reply.locale,
                )
            ]
        if dm == channel_id:
            return []
        return [self.translator.render(_("📎 {files}: sent to you in a direct message.", files=names), reply.locale)]
