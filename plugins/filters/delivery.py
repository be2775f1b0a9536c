"""Sending watch digests: one DM per member and period, then the delivered matches are deleted.

A recurring job calls `run`; for each member with pending matches it computes the member's current
period in the community's time zone. When that period was not delivered yet, the matches from before
its start are sent in one DM (dedupe key per member and period), then deleted and the period recorded
in one transaction. A restart between the two steps re-runs the period: the send is skipped by its
dedupe key and the rows are deleted, so nothing is lost or sent twice.

Visibility: only matches from channels the member can read are listed. The platform answers through
the optional `can_read` hook; when it cannot tell (None), a channel counts as readable when the member
posted in it or ran `/watch` there (table `watch_channels`). Matches from other channels are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.model import ChannelRef, CommunityRef, DeliveryError, MessageRef, UserRef
from bot.plugin import PluginContext
from plugins.filters.repo import PendingMatch, WatchMember
from plugins.filters.settings import FiltersSettings
from plugins.filters.watch import digest_reply, period
from plugins.filters.watch_repo import WatchRepo

log = logging.getLogger("affinity.filters")


class Delivery:
    """Builds and sends the watch digests that are due."""

    def __init__(self, ctx: PluginContext, repo: WatchRepo, settings: FiltersSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings

    async def run(self, now: datetime) -> int:
        """Send every digest whose period has started by `now`; returns how many DMs were sent."""
        sent = 0
        for community in await self.repo.communities():
            tz = (await self.ctx.communities.get(community)).timezone
            members = {m.user_id: m for m in await self.repo.members(community)}
            for user_id in await self.repo.pending_members(community):
                prefs = members.get(user_id, WatchMember(user_id, "daily", False, None))
                if prefs.frequency == "off":
                    await self.repo.delete_member_matches(community, user_id)
                    continue
                key, start = period(now, tz, prefs.frequency, self.settings.digest_hour)
                if prefs.last_period == key:
                    continue
                try:
                    sent += await self._deliver(community, user_id, key, start)
                except Exception:  # one member's failure must not hold back the others; retried next run
                    log.exception("watch digest for %s in %s failed", user_id, community)
        return sent

    async def _deliver(self, community: str, user_id: str, key: str, start: datetime) -> int:
        ref = CommunityRef.from_key(community)
        user = UserRef(ref.platform, ref.workspace_id, user_id)
        matches = await self.repo.pending(community, user_id, before=start)
        if not matches:
            return 0
        muted = {a for _u, a in await self.repo.muted_authors(community, user_id)}
        readable = await self._readable(user, {m.channel_id for m in matches})
        shown = [m for m in matches if m.channel_id in readable and m.author_id not in muted]
        sent = 0
        if shown:
            reply = digest_reply(
                shown, lambda m: self._link(ref, m), self._channel_name(ref), self.settings.digest_max_items
            )
            try:
                await self.ctx.messenger.send(user, reply, dedupe_key=f"filters.watch:{community}:{user_id}:{key}")
                sent = 1
            except DeliveryError as error:
                if error.transient:
                    raise  # an outage: the excerpts wait for the next run
                # Closed DMs, a member who left, a refusal for good: keeping the excerpts would only pile them up.
                log.info("watch digest for %s not delivered (%s); dropped", user_id, error.reason)
        async with self.ctx.db.transaction() as tx:
            repo = WatchRepo(tx)
            await repo.delete_matches(m.id for m in matches)
            await repo.set_preference(community, user_id, "last_period", key)
        return sent

    async def _readable(self, user: UserRef, channel_ids: set[str]) -> set[str]:
        readable: set[str] = set()
        posted: set[str] | None = None
        for channel_id in sorted(channel_ids):
            channel = ChannelRef(user.platform, user.workspace_id, channel_id)
            answer = await self.ctx.messenger.can_read(user, channel)
            if answer is None:
                if posted is None:
                    posted = await self.repo.channels(user.community.key, user.user_id)
                answer = channel_id in posted
            if answer:
                readable.add(channel_id)
        return readable

    def _link(self, community: CommunityRef, match: PendingMatch) -> str | None:
        channel = ChannelRef(community.platform, community.workspace_id, match.channel_id, match.thread_id)
        return self.ctx.messenger.link(MessageRef(channel, match.message_id))

    def _channel_name(self, community: CommunityRef) -> _ChannelNamer:
        return _ChannelNamer(self.ctx, community)


class _ChannelNamer:
    """Channel id -> name, for the digest lines."""

    def __init__(self, ctx: PluginContext, community: CommunityRef) -> None:
        self.ctx = ctx
        self.community = community

    def __call__(self, channel_id: str) -> str:
        return self.ctx.directory.channel_name(
            ChannelRef(self.community.platform, self.community.workspace_id, channel_id)
        )


def pending_export(matches: Sequence[PendingMatch]) -> list[dict[str, str | None]]:
    """Pending matches as JSON-ready rows."""
    return [
        {
            "keyword": m.keyword,
            "channel_id": m.channel_id,
            "message_id": m.message_id,
            "excerpt": m.excerpt,
            "at": m.at.isoformat(),
        }
        for m in matches
    ]
