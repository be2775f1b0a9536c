"""Group lookups shared by the groups services (held by composition, one instance per plugin): finding
a group or a city with did-you-mean, checking who may manage a group, the group's space, and its
recent activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.folding import closest
from bot.i18n import Text, _
from bot.model import ChannelRef, CommunityRef, Level, Reply, Space, UserRef
from bot.plugin import CommandError, Invocation, Place, PluginContext
from plugins.groups.names import group_key
from plugins.groups.places import Gazetteer
from plugins.groups.records import ACTIVE, PENDING, Group, Location
from plugins.groups.repo import GroupsRepo
from plugins.groups.settings import GroupsSettings

ACTIVITY_DAYS = 28
MIN_POPULATION = {"cities500": 500, "cities1000": 1000, "cities5000": 5000, "cities15000": 15000}


class GroupLookups:
    """What every groups service needs: the context, the repo, the settings and the lookups over them."""

    def __init__(self, ctx: PluginContext, repo: GroupsRepo, settings: GroupsSettings, gazetteer: Gazetteer) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings
        self.gazetteer = gazetteer

    # ------------------------------------------------------------ lookups

    async def find_group(self, community: CommunityRef, raw: str, statuses: tuple[str, ...] = (ACTIVE,)) -> Group:
        """The group a member named, or a CommandError saying why it cannot be used: it waits for review,
        it is archived, it is already active (for a review), or no group has that name (did-you-mean)."""
        group = await self.repo.by_key(community.key, group_key(raw))
        if group is not None and group.status in statuses:
            return group
        if group is not None:
            raise self._wrong_status(group, statuses)
        names = await self.repo.names(community.key, statuses)
        guesses = closest(raw, names, n=1)
        hint: Text
        if guesses:
            hint = _("Did you mean {suggestion}?", suggestion=guesses[0])
        elif statuses == (PENDING,):
            hint = (
                _("No group is waiting for review at the moment.")
                if not names
                else _("Waiting for review: {names}.", names=", ".join(names))
            )
        else:
            hint = _("Type /group list to see the groups.")
        raise CommandError(_("There is no group called “{name}”.", name=raw[:60]), hint)

    @staticmethod
    def _wrong_status(group: Group, statuses: tuple[str, ...]) -> CommandError:
        """Why an existing group cannot be used by this command, in the words of its state."""
        if statuses == (PENDING,):  # a review
            if group.status == ACTIVE:
                return CommandError(
                    _("{group} is not waiting for review: it is already active.", group=group.name),
                    _("Type /group info {group} to see it.", group=group.name),
                )
            return CommandError(
                _("{group} is not waiting for review: it has been archived.", group=group.name),
                _("Its name stays taken; its history is kept."),
            )
        if group.status == PENDING:
            return CommandError(
                _("{group} is not open yet: it is waiting for a moderator's review.", group=group.name),
                _("Try again once it is approved; its author gets a message then."),
            )
        return CommandError(
            _("{group} has been archived: it is closed and only keeps its history.", group=group.name),
            _("Type /group list to see the active groups."),
        )

    async def find_city(self, raw: str) -> Place:
        """The place a member named; an ambiguous name silently takes the most populous (a country after a
        comma, or an autocomplete choice with its region, picks another)."""
        place, _others = await self.resolve_city(raw)
        return place

    async def resolve_city(self, raw: str) -> tuple[Place, tuple[Place, ...]]:
        """The place a member named and the other places of that name, or a CommandError with did-you-mean."""
        lookup = await self.gazetteer.resolve(raw)
        if lookup.place is None:
            hint: Text = (
                _("Did you mean {suggestion}?", suggestion=" / ".join(lookup.suggestions))
                if lookup.suggestions
                else _(
                    "Use a town of {population} inhabitants or more, with its country if needed: `Paris, FR`.",
                    population=MIN_POPULATION[self.settings.gazetteer],
                )
            )
            raise CommandError(_("I do not know the city “{name}”.", name=raw[:60]), hint)
        return lookup.place, lookup.others

    async def is_manager(self, inv: Invocation, group: Group) -> bool:
        """Owners of the group and moderators manage it."""
        if inv.level >= Level.MODERATOR:
            return True
        member = await self.repo.member(inv.community.key, group.id, inv.user.user_id)
        return member is not None and member.is_owner

    async def require_manager(self, inv: Invocation, group: Group) -> None:
        """Refuse anyone who is neither an owner of the group nor a moderator."""
        if await self.is_manager(inv, group):
            return
        owners = [
            self.name_of(inv.community, m.user_id)
            for m in await self.repo.members(inv.community.key, group.id)
            if m.is_owner
        ]
        raise CommandError(
            _("Only the owners of {group} and the moderators can do that.", group=group.name),
            _("Ask one of its owners: {owners}.", owners=", ".join(owners))
            if owners
            else _("{group} has no owner at the moment: ask a moderator.", group=group.name),
        )

    # ------------------------------------------------------------ spaces and places

    @staticmethod
    def space_of(group: Group) -> Space | None:
        """The group's space on its platform, when it has one."""
        if group.channel_id is None:
            return None
        ref = CommunityRef.from_key(group.community)
        return Space(ChannelRef(ref.platform, ref.workspace_id, group.channel_id), group.role_id)

    def where(self, group: Group) -> str:
        """`#rust-lille` for a group with a space, else an empty string."""
        space = self.space_of(group)
        return f"#{self.ctx.directory.channel_name(space.channel)}" if space else ""

    @staticmethod
    def location_of(place: Place) -> Location:
        """What we store of a place: its id, name, country and centre."""
        return Location(place.place_id, place.name, place.country, place.lat, place.lon)

    def user(self, community: CommunityRef, user_id: str) -> UserRef:
        """A member of a community from a stored id."""
        return UserRef(community.platform, community.workspace_id, user_id)

    def name_of(self, community: CommunityRef, user_id: str) -> str:
        """A member's display name from a stored id."""
        return self.ctx.directory.member_name(self.user(community, user_id))

    async def activity(self, community: CommunityRef, now: datetime, timezone: str) -> dict[str, int]:
        """channel id -> messages over the last four weeks (from the core's daily rollup)."""
        today = now.astimezone(ZoneInfo(timezone)).date()
        first = today - timedelta(days=ACTIVITY_DAYS - 1)
        return await self.repo.channel_messages(community.key, first.isoformat(), today.isoformat())

    async def tell_moderators(self, community: CommunityRef, reply: Reply, dedupe_key: str) -> bool:
        """Post in the moderation channel; False when the community has none."""
        settings = await self.ctx.communities.get(community)
        channel = settings.channel("moderation")
        if channel is None:
            return False
        await self.ctx.messenger.send(channel, reply, dedupe_key=dedupe_key)
        return True
