"""The groups plugin seen from other plugins: `GroupDirectory` (groups by name or id, their owners, a
member's groups) and `Places` (the gazetteer), as the plain data of `bot.protocols`, so a feature that
lives in groups (events) never reads the groups' tables or imports this package."""

from __future__ import annotations

from bot.folding import fold
from bot.model import CommunityRef, UserRef
from bot.plugin import GroupInfo, Place, PlaceLookup
from plugins.groups.lookups import GroupLookups
from plugins.groups.places import StillLoading
from plugins.groups.records import Group


class GroupsDirectory:
    """Answers `GroupDirectory` and `Places` for the plugin (which delegates each method here)."""

    def __init__(self, lookups: GroupLookups) -> None:
        self.lookups = lookups
        self.repo = lookups.repo

    @staticmethod
    def info(group: Group) -> GroupInfo:
        """The public view of a stored group."""
        place = None
        if group.city_id is not None and group.lat is not None and group.lon is not None:
            place = Place(group.city_id, group.city_name or "", group.country or "", group.lat, group.lon, 0)
        return GroupInfo(
            group.id, group.community, group.name, group.kind, group.status, group.channel_id, place, group.private
        )

    async def find_group(self, community: CommunityRef, raw: str) -> GroupInfo:
        """The active group a member named (a translated CommandError otherwise)."""
        return self.info(await self.lookups.find_group(community, raw))

    async def group_by_id(self, community: CommunityRef, group_id: int) -> GroupInfo | None:
        """A group by id, whatever its status."""
        group = await self.repo.by_id(community.key, group_id)
        return None if group is None else self.info(group)

    async def group_owners(self, community: CommunityRef, group_id: int) -> list[UserRef]:
        """The group's owners."""
        members = await self.repo.members(community.key, group_id)
        return [self.lookups.user(community, m.user_id) for m in members if m.is_owner]

    async def member_groups(self, user: UserRef) -> list[GroupInfo]:
        """The active groups a member belongs to."""
        return [self.info(g) for g in await self.repo.groups_of(user.community.key, user.user_id)]

    async def group_names(self, community: CommunityRef, prefix: str, limit: int = 25) -> list[str]:
        """Active group names starting with `prefix` (folded), else containing it."""
        names = await self.repo.names(community.key)
        key = fold(prefix)
        starts = [n for n in names if fold(n).startswith(key)]
        inside = [n for n in names if key in fold(n) and n not in starts]
        return (starts + inside)[:limit]

    # ------------------------------------------------------------ places

    async def resolve_place(self, raw: str) -> PlaceLookup:
        """A typed place name resolved; never raises (a load still in progress after the wait: no place)."""
        try:
            return await self.lookups.gazetteer.resolve(raw)
        except StillLoading:
            return PlaceLookup(None)

    async def complete_places(self, prefix: str, limit: int = 25) -> list[Place]:
        """Places whose name starts with `prefix`, most populous first."""
        return await self.lookups.gazetteer.complete(prefix, limit)

    async def place_by_id(self, place_id: int) -> Place | None:
        """One place by its id."""
        return await self.lookups.gazetteer.by_id(place_id)
