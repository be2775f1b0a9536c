"""The groups' digests: the `groups` section of the community digest (new groups, member growth,
the most active groups), and per-group digests.

Per-group digests: a group's owners (or a moderator) opt the group in with `/group digest`, and
the digest plugin then sends each owner, by DM, that group's figures of the period along with the
community's digest (through `bot.plugin.GroupDigestSource`; this plugin never imports the digest).

A group's section: members now, members who joined and left in the period, messages in the group's
space (from the core's `activity_channel_daily` rollup, by local day) and the topics opened."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Text, _, join, n_
from bot.model import CommunityRef, Reply
from bot.plugin import CommandError, DigestSection, GroupDigest, Invocation
from plugins.groups.lookups import GroupLookups
from plugins.groups.records import Group

TOP_ACTIVE = 3
TOPIC_TITLES = 3
TITLE_LENGTH = 60


class GroupDigests:
    """The community digest's groups section, `/group digest <group> on|off` and the sections sent to the
    owners of opted-in groups."""

    def __init__(self, lookups: GroupLookups) -> None:
        self.lookups = lookups
        self.ctx = lookups.ctx
        self.repo = lookups.repo
        self.settings = lookups.settings

    async def digest(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """New groups, member growth and the most active groups of the period."""
        key = community.key
        groups = await self.repo.groups(key)
        if not groups:
            return None
        new = await self.repo.created_between(key, start, end)
        joins = await self.repo.joins_between(key, start, end)
        zone = ZoneInfo(timezone)
        last_day = (end - timedelta(microseconds=1)).astimezone(zone).date().isoformat()
        counts = await self.repo.channel_messages(key, start.astimezone(zone).date().isoformat(), last_day)
        busiest = sorted(((counts.get(g.channel_id or "", 0), g.name) for g in groups), key=lambda p: (-p[0], p[1]))
        busiest = [pair for pair in busiest if pair[0] > 0][:TOP_ACTIVE]
        figures: dict[str, Any] = {
            "groups_total": len(groups),
            "groups_new": len(new),
            "memberships_new": joins,
            "groups_active": sum(1 for g in groups if counts.get(g.channel_id or "", 0)),
        }
        lines: list[Text] = [
            _(
                "{groups}, {new}: {names}",
                groups=n_("{count} group", "{count} groups", len(groups)),
                new=n_("{count} new", "{count} new", len(new)),
                names=", ".join(new),
            )
            if new
            else _("{groups}, none new", groups=n_("{count} group", "{count} groups", len(groups))),
            n_("{count} new membership", "{count} new memberships", joins),
        ]
        if busiest:
            lines.append(_("Most active: {groups}", groups=", ".join(f"{n} ({c})" for c, n in busiest)))
        return DigestSection("groups", _("Groups"), figures, tuple(lines))

    async def digest_optin(self, inv: Invocation, name: str, state: str) -> Reply:
        """Opt a group in or out of its owners' digest (owners and moderators)."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        key, now = inv.community.key, self.ctx.clock.now()
        if state == "on":
            if not await self.repo.set_digest(key, group.id, inv.user.user_id, now):
                raise CommandError(
                    _("The owners of {group} already get its digest.", group=group.name),
                    _('Stop it with /group digest "{group}" off.', group=group.name),
                )
            lines: list[Text] = [
                _(
                    "The owners of {group} will get the group's digest by direct message, with each community digest.",
                    group=group.name,
                )
            ]
            if not any(p.name == "digest" for p in self.ctx.plugins()):
                lines.append(_("The digest plugin is not enabled in this bot: nothing is sent until it is."))
            return Reply(text=join(lines))
        if not await self.repo.set_digest(key, group.id, None, None):
            raise CommandError(
                _("The owners of {group} do not get its digest.", group=group.name),
                _('Start it with /group digest "{group}" on.', group=group.name),
            )
        return Reply(text=_("The owners of {group} will no longer get the group's digest.", group=group.name))

    async def group_digests(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> list[GroupDigest]:
        """One digest per opted-in active group that has owners, for [start, end)."""
        key = community.key
        chosen = await self.repo.digest_groups(key)
        if not chosen:
            return []
        zone = ZoneInfo(timezone)
        first = start.astimezone(zone).date().isoformat()
        last = (end - timedelta(microseconds=1)).astimezone(zone).date().isoformat()
        messages = await self.repo.channel_messages(key, first, last)
        found: list[GroupDigest] = []
        for group in await self.repo.groups(key):
            if group.id not in chosen:
                continue
            members = await self.repo.members(key, group.id)
            owners = tuple(self.lookups.user(community, m.user_id) for m in members if m.is_owner)
            if not owners:
                continue
            section = await self._section(group, len(members), start, end, messages)
            found.append(GroupDigest(str(group.id), group.name, owners, section))
        return found

    async def _section(
        self, group: Group, size: int, start: datetime, end: datetime, messages: dict[str, int]
    ) -> DigestSection:
        key = group.community
        joined, left = await self.repo.group_period(key, group.id, start, end)
        topics = await self.repo.topics_between(key, group.id, start, end)
        said = messages.get(group.channel_id, 0) if group.channel_id else None
        figures: dict[str, float | int | None] = {
            "members": size,
            "members_joined": joined,
            "members_left": left,
            "messages": said,
            "topics": len(topics),
        }
        lines: list[Text] = [
            _(
                "{members} ({joined}, {left})",
                # English keeps its "Members: 2" form; French counts each word ("2 membres", "1 départ").
                members=n_("Members: {count}", "Members: {count}", size),
                joined=n_("{count} joined", "{count} joined", joined),
                left=n_("{count} left", "{count} left", left),
            )
        ]
        where = self.lookups.where(group)
        lines.append(
            _("Messages in {where}: {count}", where=where, count=said)
            if said is not None
            else _("No space on the platform: messages are not counted.")
        )
        if topics:
            titles = join([_("“{title}”", title=_short(t)) for t in topics[:TOPIC_TITLES]], ", ")  # « » in French
            more = len(topics) - TOPIC_TITLES
            shown: Text = (
                titles
                if more <= 0
                else n_("{titles} and {count} more", "{titles} and {count} more", more, titles=titles)
            )
            lines.append(
                n_("Topics opened: {count}: {titles}", "Topics opened: {count}: {titles}", len(topics), titles=shown)
            )
        else:
            lines.append(_("Topics opened: none"))
        return DigestSection("group", _("Group {group}", group=group.name), figures, tuple(lines))


def _short(title: str) -> str:
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"
