"""The groups' digests: the `groups` section of the community digest (typed metrics: groups, new groups,
memberships, members in groups, active groups, messages and conversations in the groups' channels; the top
groups by conversations), and per-group digests. Conversations follow the core's one definition
(`bot.plugin.conversation_counts`, over the raw messages): no data for a period older than their retention.

Per-group digests: a group's owners (or a moderator) opt the group in with `/group digest`, and
the digest plugin then sends each owner, by DM, that group's figures of the period along with the
community's digest (through `bot.plugin.GroupDigestSource`; this plugin never imports the digest).

A group's section (metrics too, compared by the digest with the group's previous period): members at the
end of the period, members who joined and left in it, messages in the group's space (from the core's
`activity_channel_daily` rollup, by local day; no data without a space), conversations there and the topics
opened, whose titles are its lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Text, _, join, n_
from bot.model import CommunityRef, Reply
from bot.plugin import CommandError, DigestSection, GroupDigest, Invocation, Metric, conversation_counts
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
        """The groups as metrics (groups, new groups, memberships, members in groups, active groups, messages
        in their channels) and the top groups; None when the community had no group before `end`."""
        key = community.key
        groups = await self.repo.active_before(key, end)
        if not groups:
            return None
        new = await self.repo.created_between(key, start, end)
        joins = await self.repo.joins_between(key, start, end)
        counts = await self._messages(key, start, end, timezone)
        spoken = {g.channel_id: counts.get(g.channel_id, 0) for g in groups if g.channel_id}
        talks = await self._conversations(key, start, end)
        values = (
            Metric("groups_total", _("Groups"), len(groups)),
            Metric("groups_new", _("New groups"), len(new)),
            Metric("memberships_new", _("New memberships"), joins),
            Metric(
                "members_in_groups", _("Members in at least one group"), await self.repo.members_in_groups(key, end)
            ),
            Metric("groups_active", _("Active groups (with messages)"), sum(1 for n in spoken.values() if n)),
            Metric("group_messages", _("Messages in the groups' channels"), sum(spoken.values())),
            Metric(
                "group_conversations",
                _("Conversations in the groups' channels"),
                None if talks is None else sum(talks.get(channel, 0) for channel in spoken),
            ),
        )
        lines: list[Text] = []
        if new:
            lines.append(_("New groups: {names}", names=", ".join(dict.fromkeys(new))))  # each name once
        top = self._top(groups, spoken, talks)
        if top is not None:
            lines.append(top)
        return DigestSection("groups", _("Groups"), {m.key: m.value for m in values}, tuple(lines), values)

    @staticmethod
    def _top(groups: list[Group], spoken: dict[str, int], talks: dict[str, int] | None) -> Text | None:
        """The top groups by conversations (quality over volume; ties by messages, then name), or by messages
        when the period is older than the raw messages kept; None when no group qualifies."""
        with_space = [g for g in groups if g.channel_id]
        if talks is not None:
            ranked = sorted(
                ((talks.get(g.channel_id or "", 0), spoken.get(g.channel_id or "", 0), g.name) for g in with_space),
                key=lambda t: (-t[0], -t[1], t[2]),
            )
            best = [(count, name) for count, _said, name in ranked if count > 0][:TOP_ACTIVE]
            return _("Top groups by conversations: {groups}", groups=_ranking(best)) if best else None
        by_messages = sorted(
            ((spoken.get(g.channel_id or "", 0), g.name) for g in with_space), key=lambda p: (-p[0], p[1])
        )
        best = [pair for pair in by_messages if pair[0] > 0][:TOP_ACTIVE]
        return _("Top groups by messages: {groups}", groups=_ranking(best)) if best else None

    async def _conversations(self, community: str, start: datetime, end: datetime) -> dict[str, int] | None:
        """channel id -> conversations whose root was posted in [start, end), by the core's one definition
        (`bot.plugin.conversation_counts`, over the raw messages); None when the period is older than the raw
        messages kept (no data, never zero)."""
        counts = await conversation_counts(
            self.ctx.db, community, start, end, now=self.ctx.clock.now(), retention_days=self.ctx.retention_days
        )
        return None if counts is None else {c.channel_id: c.conversations for c in counts.channels}

    async def _messages(self, community: str, start: datetime, end: datetime, timezone: str) -> dict[str, int]:
        """channel id -> messages in [start, end), by local day (the core's daily rollup)."""
        zone = ZoneInfo(timezone)
        first = start.astimezone(zone).date().isoformat()
        last = (end - timedelta(microseconds=1)).astimezone(zone).date().isoformat()
        return await self.repo.channel_messages(community, first, last)

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
        messages = await self._messages(key, start, end, timezone)
        talks = await self._conversations(key, start, end)
        found: list[GroupDigest] = []
        for group in await self.repo.groups(key):
            if group.id not in chosen:
                continue
            members = await self.repo.members(key, group.id)
            owners = tuple(self.lookups.user(community, m.user_id) for m in members if m.is_owner)
            if not owners:
                continue
            section = await self._section(group, start, end, messages, talks)
            found.append(GroupDigest(str(group.id), group.name, owners, section))
        return found

    async def _section(
        self, group: Group, start: datetime, end: datetime, messages: dict[str, int], talks: dict[str, int] | None
    ) -> DigestSection:
        """One group's metrics (members at the end of the period, joined, left, messages and conversations in
        its channel, topics opened) and the titles of the topics opened."""
        key = group.community
        joined, left = await self.repo.group_period(key, group.id, start, end)
        topics = await self.repo.topics_between(key, group.id, start, end)
        said = messages.get(group.channel_id, 0) if group.channel_id else None
        where = self.lookups.where(group)
        values = (
            Metric("members", _("Members"), await self.repo.size_at(key, group.id, end)),
            Metric("members_joined", _("Members who joined"), joined),
            Metric("members_left", _("Members who left"), left),
            # No space on the platform: its messages are not counted (no data, not zero).
            Metric(
                "messages",
                _("Messages in {where}", where=where) if where else _("Messages in the group's channel"),
                said,
            ),
            Metric(
                "conversations",
                _("Conversations"),
                talks.get(group.channel_id, 0) if talks is not None and group.channel_id else None,
            ),
            Metric("topics", _("Topics opened"), len(topics)),
        )
        lines: list[Text] = []
        if said is None:
            lines.append(_("No space on the platform: messages are not counted."))
        if topics:
            titles = join([_("“{title}”", title=_short(t)) for t in topics[:TOPIC_TITLES]], ", ")  # « » in French
            more = len(topics) - TOPIC_TITLES
            shown: Text = (
                titles
                if more <= 0
                else n_("{titles} and {count} more", "{titles} and {count} more", more, titles=titles)
            )
            lines.append(_("Topics: {titles}", titles=shown))
        section_values = {m.key: m.value for m in values}
        return DigestSection("group", _("Group {group}", group=group.name), section_values, tuple(lines), values)


def _ranking(entries: list[tuple[int, str]]) -> Text:
    """`Rust Lille (12), Go Paris (3)`: each count formatted per locale."""
    return join([_("{name} ({count})", name=name, count=count) for count, name in entries], ", ")


def _short(title: str) -> str:
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"
