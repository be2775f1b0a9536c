"""Talking in groups: announcements (posted in the space and sent to opted-in members, exactly
once even across a restart), topics opened as threads, and the once-only suggestion to newcomers."""

from __future__ import annotations

from bot.formatting import link
from bot.i18n import Text, When, _, join, n_
from bot.model import Capability, Card, ChannelRef, CommunityRef, DeliveryError, MemberJoined, MessageRef, Reply
from bot.plugin import CommandError, DueAction, Invocation
from plugins.groups.lookups import GroupLookups
from plugins.groups.names import parse_tags
from plugins.groups.records import Group, Topic, to_db
from plugins.groups.views import Views

ANNOUNCE = "groups.announce"


class Talk:
    """`/group announce|topic|topics` and the newcomer suggestion."""

    def __init__(self, lookups: GroupLookups, views: Views) -> None:
        self.lookups = lookups
        self.ctx = lookups.ctx
        self.repo = lookups.repo
        self.settings = lookups.settings
        self.views = views  # the suggestions offered to newcomers are the ones `/group suggest` shows
        # Due-action key -> why the space post failed, for the announcements whose `/group announce` is
        # waiting for the first delivery to report the outcome (only those: nothing else piles up here).
        self._watched: dict[str, BaseException | None] = {}

    async def announce(self, inv: Invocation, name: str, text: str) -> Reply:
        """Record an announcement and deliver it through a due action (so a restart resumes it)."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        now = self.ctx.clock.now()
        announcement = await self.repo.add_announcement(inv.community.key, group.id, inv.user.user_id, text, now)
        key = f"{inv.community.key}:{announcement}"
        self._watched[key] = None  # before scheduling: a real-time wake-up may run the action first
        try:
            await self.ctx.scheduler.schedule(ANNOUNCE, key, inv.community.key, now, {"announcement": announcement})
            await self.ctx.scheduler.run_due()
        finally:
            failure = self._watched.pop(key, None)
        where = self.lookups.where(group)
        if failure is not None:
            raise await self._not_posted(inv.community, key, where, failure)
        readers = [m for m in await self.repo.members(inv.community.key, group.id) if m.notify]
        parts: list[Text] = [
            _("Announcement posted in {where}.", where=where)
            if where
            else _("{group} has no space: the announcement goes to opted-in members only.", group=group.name),
            n_(
                "{count} member receives it by direct message too.",
                "{count} members receive it by direct message too.",
                len(readers),
            )
            if readers
            else _("Nobody receives it by direct message."),
        ]
        return Reply(text=join(parts))

    async def _not_posted(self, community: CommunityRef, key: str, where: str, failure: BaseException) -> CommandError:
        """What to tell the manager whose announcement's space post just failed (the space post comes first,
        so nothing went out yet)."""
        if not isinstance(failure, DeliveryError) or failure.transient:
            # An outage (or an unexpected error): the due action stays pending and is retried with the DMs,
            # so announcing again would post it twice.
            return CommandError(
                _("The announcement could not be posted in {where} yet.", where=where),
                _(
                    "The bot will try again by itself in a few minutes, direct messages included: "
                    "there is no need to announce it again."
                ),
            )
        # A refusal that retrying will not fix (a missing permission, a deleted channel): drop the retry, so the
        # manager can announce again once it is fixed without a late retry posting it a second time.
        await self.ctx.scheduler.cancel(ANNOUNCE, key, community.key)
        hint = (
            _(
                "The bot lacks the “{permission}” permission there: ask an administrator to grant it, then try again.",
                permission=failure.permission,
            )
            if failure.permission
            else _("Try again later, or ask an administrator.")
        )
        return CommandError(
            _("The announcement could not be posted in {where}; it was not sent to anyone.", where=where), hint
        )

    async def deliver(self, action: DueAction) -> None:
        """Post an announcement in the space and DM the opted-in members; each send has its own dedupe key."""
        community = CommunityRef.from_key(action.community)
        number = int(action.payload["announcement"])
        found = await self.repo.announcement(community.key, number)
        group = await self.repo.by_id(community.key, found[0]) if found else None
        if found is None or group is None:
            return
        body = found[1]
        prefix = f"groups.announce:{community.key}:{number}"
        space = self.lookups.space_of(group)
        if space is not None:
            try:
                await self.ctx.messenger.send(
                    space.channel,
                    Reply(text=join([_("📣 Announcement for {group}", group=group.name), body])),
                    dedupe_key=f"{prefix}:space",
                )
            except Exception as exc:
                if action.key in self._watched:  # `/group announce` is waiting: it tells the manager
                    self._watched[action.key] = exc
                raise  # retried later (a waiting `/group announce` cancels it when retrying cannot help)
        dm = Reply(
            text=join(
                [
                    _("📣 Announcement from the group **{group}**:", group=group.name),
                    body,
                    _('Stop these messages with /group notify "{group}" off.', group=group.name),
                ]
            )
        )
        for member in await self.repo.members(community.key, group.id):
            if not member.notify:
                continue
            try:
                await self.ctx.messenger.send(
                    self.lookups.user(community, member.user_id), dm, dedupe_key=f"{prefix}:{member.user_id}"
                )
            except DeliveryError as exc:
                if exc.reason != "dm_closed":
                    raise  # retried later; the sends already done are skipped by their dedupe keys
                self.ctx.logger.info("member %s of group %s has closed DMs", member.user_id, group.id)

    async def topic(self, inv: Invocation, name: str, title: str, tags: str | None) -> Reply:
        """Open a topic: a message in the group's space and, where the platform has threads, its thread."""
        group = await self.lookups.find_group(inv.community, name)
        if await self.repo.member(
            inv.community.key, group.id, inv.user.user_id
        ) is None and not await self.lookups.is_manager(inv, group):
            raise CommandError(
                _("Only members of {group} can open topics in it.", group=group.name),
                _("Join it first with /group join {group}.", group=group.name),
            )
        now, space = self.ctx.clock.now(), self.lookups.space_of(group)
        topic_tags = parse_tags(tags)
        if space is None:
            await self.repo.add_topic(
                inv.community.key, group.id, title, topic_tags, (None, None, None), inv.user.user_id, now
            )
            return Reply(
                text=_(
                    "Topic “{title}” recorded; {group} has no space, so it has no thread.",
                    title=title,
                    group=group.name,
                )
            )
        head = Reply(
            text=join(
                [
                    _("🧵 New topic: **{title}**", title=title),
                    _(
                        "Opened by {member}{tags}",
                        member=self.ctx.directory.member_name(inv.user),
                        tags=f" · #{' #'.join(topic_tags)}" if topic_tags else "",
                    ),
                ]
            )
        )
        ref = await self.ctx.messenger.send(
            space.channel,
            head,
            dedupe_key=(f"groups.topic:{inv.community.key}:{group.id}:{inv.user.user_id}:{to_db(now)}"),
        )
        thread = None
        if ref is not None and Capability.THREADS in self.ctx.messenger.capabilities(inv.community):
            thread = ref.channel.in_thread(ref.message_id).thread_id
        await self.repo.add_topic(
            inv.community.key,
            group.id,
            title,
            topic_tags,
            (space.channel.channel_id, thread, ref.message_id if ref else None),
            inv.user.user_id,
            now,
        )
        url = self.ctx.messenger.link(ref) if ref else None
        return Reply(text=_("Topic opened: {link}", link=link(url, title)))

    async def topics(self, inv: Invocation, name: str) -> Reply:
        """The recent topics of a group, with links."""
        group = await self.lookups.find_group(inv.community, name)
        found = await self.repo.topics(inv.community.key, group.id)
        lines: list[Text] = [self._topic_line(inv, group, t) for t in found]
        if not lines:
            lines.append(_('No topic yet. Open one with /group topic "{group}" <title>.', group=group.name))
        return Reply(card=Card(_("Topics of {group}", group=group.name), description=join(lines)))

    def _topic_line(self, inv: Invocation, group: Group, topic: Topic) -> Text:
        url = None
        if topic.channel_id and topic.message_id:
            channel = ChannelRef(inv.community.platform, inv.community.workspace_id, topic.channel_id)
            url = self.ctx.messenger.link(MessageRef(channel, topic.message_id))
        tags = f" · #{' #'.join(topic.tags)}" if topic.tags else ""
        return _(
            "{title}{tags} · {when}",
            title=link(url, topic.title),
            tags=tags,
            when=When(topic.created_at, inv.timezone, "d MMM y"),
        )

    # ------------------------------------------------------------ newcomers

    async def welcome(self, event: MemberJoined) -> None:
        """Offer groups once to a member who joins the community (setting `suggest_on_join`)."""
        if event.is_bot or not self.settings.suggest_on_join:
            return
        key = event.community.key
        if await self.repo.was_welcomed(key, event.user.user_id):
            return
        found = await self.views.suggestions(event.community, event.user.user_id)
        if not found:
            return
        reply = Reply(
            text=join(
                [
                    _("Welcome! These groups might interest you:"),
                    *self.views.suggestion_lines(found),
                    _("See them all with /group list."),
                ]
            )
        )
        try:
            await self.ctx.messenger.send(event.user, reply, dedupe_key=f"groups.welcome:{key}:{event.user.user_id}")
        except DeliveryError as exc:
            if exc.transient:
                # A platform outage: not recorded as sent, so a later join event of the member offers it again
                # (a listener has no retry of its own; the dispatcher logs the error).
                raise
            self.ctx.logger.info("newcomer %s cannot receive DMs (%s)", event.user.user_id, exc.reason)
        await self.repo.mark_welcomed(key, event.user.user_id, self.ctx.clock.now())
