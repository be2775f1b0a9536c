"""Events mirrored as Discord guild scheduled events (`NativeEvents`): external, guild only, with the
event's times, place and description, so members see them in the server's Events list.

The bot needs the Manage Events permission, and Create Events, which Discord split from it in 2024 and now
asks to create an event (docs/discord.md); without them nothing is asked of Discord and the outcome names
the permission missing, as it does when Discord answers 403. Other refusals come back as a short `error`;
nothing here raises for Discord's answers. Texts are clipped to Discord's limits (name and location 100
characters, description 1,000). Members write these texts and Discord renders markdown in them: a masked
link shows its real address and `@everyone` or a mention stays text (`discord_inert`). Cancelling marks a
scheduled event cancelled (it stays in the list, struck out, until Discord drops it); one Discord will not
cancel (already started) is deleted.
"""

from __future__ import annotations

import logging

import discord

from bot.formatting import discord_inert
from bot.model import CommunityRef
from bot.platforms.discord.render import clip
from bot.plugin import NativeEvent, NativeEventOutcome

log = logging.getLogger("affinity.discord")

# Discord's names for the permissions, as a moderator sees them in the server settings.
MANAGE_EVENTS = "Manage Events"
CREATE_EVENTS = "Create Events"
MAX_NAME, MAX_LOCATION, MAX_DESCRIPTION = 100, 100, 1000
_NO_LOCATION = "—"  # Discord requires a location (1 to 100 characters) for an external event
_REASON = "affinity-bot: event mirrored"


class DiscordScheduledEvents:
    """`NativeEvents` over discord.py's guild scheduled events."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def create_event(self, community: CommunityRef, event: NativeEvent) -> NativeEventOutcome:
        """Create an external, guild-only scheduled event."""
        guild, refused = self._guild(community)
        if guild is None:
            return refused
        try:
            created = await guild.create_scheduled_event(
                name=_name(event),
                start_time=event.start,
                end_time=event.end,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=_location(event),
                description=_description(event) or discord.utils.MISSING,  # none rather than an empty one
                reason=_REASON,
            )
        except discord.HTTPException as exc:
            return _outcome(exc, "create")
        return NativeEventOutcome(str(created.id))

    async def update_event(self, community: CommunityRef, native_id: str, event: NativeEvent) -> NativeEventOutcome:
        """Change the name, times, place and description of an event created here."""
        guild, refused = self._guild(community)
        if guild is None:
            return refused
        if not native_id.isdigit():
            return NativeEventOutcome(None, error="not found")
        try:
            found = await guild.fetch_scheduled_event(int(native_id), with_counts=False)
            await found.edit(
                name=_name(event),
                start_time=event.start,
                end_time=event.end,
                location=_location(event),
                description=_description(event),
                reason=_REASON,
            )
        except discord.HTTPException as exc:
            return _outcome(exc, "update")
        return NativeEventOutcome(native_id)

    async def cancel_event(self, community: CommunityRef, native_id: str) -> NativeEventOutcome:
        """Cancel a scheduled event (listed as cancelled: `native_id` in the outcome); one that already
        started is deleted, one already gone, ended or cancelled is left as it is (`native_id` None)."""
        guild, refused = self._guild(community)
        if guild is None:
            return refused
        if not native_id.isdigit():
            return NativeEventOutcome(None)
        try:
            found = await guild.fetch_scheduled_event(int(native_id), with_counts=False)
            if found.status is discord.EventStatus.scheduled:
                try:
                    await found.edit(status=discord.EventStatus.cancelled, reason=_REASON)
                    return NativeEventOutcome(native_id)
                except discord.HTTPException as exc:
                    if exc.status == 403 or exc.status == 404 or exc.status >= 500:
                        raise
                    # Discord refuses the change (the event started meanwhile): take it off the list.
                    log.info("Discord would not cancel scheduled event %s (%s): deleting it", native_id, exc.text)
            if found.status in (discord.EventStatus.scheduled, discord.EventStatus.active):
                await found.delete(reason=_REASON)
        except discord.NotFound:
            pass  # deleted by a moderator: nothing left to cancel
        except discord.HTTPException as exc:
            return _outcome(exc, "cancel")
        return NativeEventOutcome(None)

    def _guild(self, community: CommunityRef) -> tuple[discord.Guild | None, NativeEventOutcome]:
        """The guild when the bot may manage its events there; else the outcome that says why not."""
        guild = self._client.get_guild(int(community.workspace_id)) if community.workspace_id.isdigit() else None
        if guild is None:
            return None, NativeEventOutcome(None, error="server not available")
        missing = _missing_permission(guild)
        if missing is not None:
            return None, NativeEventOutcome(None, missing_permission=missing)
        return guild, NativeEventOutcome(None)


def _missing_permission(guild: discord.Guild) -> str | None:
    """The events permission the bot lacks in the guild (from its roles in the cache), or None."""
    me = guild.me
    if me is None:
        return None  # not cached: Discord will tell
    held = me.guild_permissions
    if not held.manage_events:
        return MANAGE_EVENTS
    return None if held.create_events else CREATE_EVENTS


def _name(event: NativeEvent) -> str:
    return clip(discord_inert(" ".join(event.name.split())), MAX_NAME) or "?"


def _location(event: NativeEvent) -> str:
    return clip(discord_inert(" ".join(event.location.split())), MAX_LOCATION) or _NO_LOCATION


def _description(event: NativeEvent) -> str:
    return clip(discord_inert(event.description.strip()), MAX_DESCRIPTION)


def _outcome(exc: discord.HTTPException, action: str) -> NativeEventOutcome:
    """Discord's refusal as an outcome: 403 names the permission, anything else is a short reason."""
    if exc.status == 403:
        return NativeEventOutcome(None, missing_permission=MANAGE_EVENTS)
    if exc.status == 404:
        return NativeEventOutcome(None, error="not found")
    reason = f"{exc.status} {exc.text}".strip()[:200]
    log.warning("Discord refused to %s a scheduled event: %s", action, reason)
    return NativeEventOutcome(None, error=reason)
