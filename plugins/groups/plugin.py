"""The groups plugin's declarations: `/group ...` and `/location ...` commands, the newcomer
listener, the announcement due action, autocomplete, the digest section and privacy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.i18n import _
from bot.model import CommunityRef, Level, MemberJoined, Reply, UserRef
from bot.plugin import (
    Choice,
    DigestSection,
    DueAction,
    GroupDigest,
    GroupInfo,
    Invocation,
    Place,
    PlaceLookup,
    Plugin,
    PluginContext,
    Sql,
    autocomplete,
    boolean,
    choice,
    command,
    due,
    integer,
    listen,
    member,
    text,
)
from plugins.groups.digests import GroupDigests
from plugins.groups.directory import GroupsDirectory
from plugins.groups.lifecycle import Lifecycle
from plugins.groups.lookups import GroupLookups
from plugins.groups.membership import Membership
from plugins.groups.names import MAX_NAME
from plugins.groups.places import Gazetteer
from plugins.groups.repo import GroupsRepo
from plugins.groups.settings import GroupsSettings
from plugins.groups.talk import Talk
from plugins.groups.views import Views

# The aliases are other natural spellings a member may type (docs/glossary.md, "Words you type"); the word
# shown in each language is the catalog's msgctxt "choice" entry for the value.
KINDS = [
    Choice("affinity", _("affinity: around an interest"), aliases=("affinites", "interet", "thème")),
    Choice("local", _("local: around a place"), aliases=("locale", "ville")),
]
DECISIONS = [
    Choice("approve", _("approve"), aliases=("approuve", "accepter", "oui")),
    Choice("reject", _("reject"), aliases=("refuse", "rejeter", "non")),
]
ON_OFF = [
    Choice("on", _("on"), aliases=("oui", "actif", "activer", "marche")),
    Choice("off", _("off"), aliases=("non", "inactif", "désactiver", "arrêt")),
]


def _group(rest: bool = False) -> Any:
    """The group parameter; `rest` when it is the only one, so `/group info Rust Lille` needs no quotes."""
    return text("group", _("The group's name."), max_length=MAX_NAME * 2, autocomplete="groups", rest=rest)


def _city(required: bool = False, rest: bool = False) -> Any:
    return text(
        "city",
        _("A city, with its country code if needed: `Lille` or `Paris, FR`."),
        max_length=100,
        autocomplete="cities",
        required=required,
        rest=rest,
    )


def _radius() -> Any:
    return integer("radius_km", _("A radius in kilometres (1 to 500)."), required=False, min_value=1, max_value=500)


class GroupsPlugin(Plugin[GroupsSettings]):
    """Affinity and local groups with their own spaces."""

    name = "groups"
    Settings = GroupsSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        # One service per role, all sharing one repo and one GroupLookups: the handlers below only delegate.
        self.repo = GroupsRepo(ctx.db)
        self.gazetteer = Gazetteer(ctx.db, ctx.clock, self.settings.gazetteer, ctx.logger)
        lookups = GroupLookups(ctx, self.repo, self.settings, self.gazetteer)
        self.lifecycle = Lifecycle(lookups)
        self.membership = Membership(lookups)
        self.views = Views(lookups)
        self.talk = Talk(lookups, self.views)
        self.digests = GroupDigests(lookups)
        self.directory = GroupsDirectory(lookups)

    async def start(self) -> None:
        """Load the places into the database in the background, unless they are there already."""
        self.gazetteer.start(self.settings.gazetteer_preload)

    async def stop(self) -> None:
        """Stop a load in progress between two of its batches."""
        await self.gazetteer.stop()

    @command(
        "group create",
        _("Create a group (or propose it to the moderators)."),
        text("name", _("The group's name, unique in the community."), max_length=MAX_NAME),
        choice("kind", _("affinity (an interest) or local (a place and a radius)."), KINDS),
        text("description", _("What the group is about."), max_length=500),
        text("tags", _("Tags separated by commas: `rust, web`."), required=False),
        _city(),
        _radius(),
        boolean("private", _("yes: owners approve who joins."), required=False),
    )
    async def create(
        self,
        inv: Invocation,
        name: str,
        kind: str,
        description: str,
        tags: str | None = None,
        city: str | None = None,
        radius_km: int | None = None,
        private: bool | None = None,
    ) -> Reply:
        """`/group create "Rust Lille" local "Rust near Lille" city:Lille radius_km:30`."""
        return await self.lifecycle.create(inv, name, kind, description, tags, city, radius_km, private)

    @command(
        "group review",
        _("Approve or reject a proposed group."),
        text("name", _("The proposed group's name."), max_length=MAX_NAME * 2),
        choice("decision", _("approve or reject."), DECISIONS),
        text("reason", _("Why (sent to the author)."), required=False, max_length=500, rest=True),
        level=Level.MODERATOR,
        private=True,
    )
    async def review(self, inv: Invocation, name: str, decision: str, reason: str | None = None) -> Reply:
        """`/group review "Rust Lille" approve`."""
        return await self.lifecycle.review(inv, name, decision, reason)

    @command("group join", _("Join a group (private groups: ask its owners)."), _group(rest=True))
    async def join(self, inv: Invocation, group: str) -> Reply:
        """`/group join "Rust Lille"`."""
        return await self.membership.join(inv, group)

    @command("group leave", _("Leave a group."), _group(rest=True))
    async def leave(self, inv: Invocation, group: str) -> Reply:
        """`/group leave "Rust Lille"`."""
        return await self.membership.leave(inv, group)

    @command(
        "group approve",
        _("Accept a request to join your private group."),
        _group(),
        member("member", _("The member who asked.")),
    )
    async def approve(self, inv: Invocation, group: str, member: UserRef) -> Reply:
        """`/group approve "Rust Lille" @bob`."""
        return await self.membership.answer(inv, group, member, approve=True)

    @command(
        "group deny",
        _("Decline a request to join your private group."),
        _group(),
        member("member", _("The member who asked.")),
    )
    async def deny(self, inv: Invocation, group: str, member: UserRef) -> Reply:
        """`/group deny "Rust Lille" @bob`."""
        return await self.membership.answer(inv, group, member, approve=False)

    @command(
        "group list",
        _("The directory of groups, with members and activity."),
        text("tag", _("Only groups with this tag."), required=False, max_length=40),
        choice("kind", _("Only this kind of group."), KINDS, required=False),
        integer("page", _("The page number."), required=False, min_value=1, max_value=10_000),
    )
    async def list_groups(
        self, inv: Invocation, tag: str | None = None, kind: str | None = None, page: int | None = None
    ) -> Reply:
        """`/group list tag:rust page:2`."""
        return await self.views.directory(inv, tag, kind, page)

    @command("group info", _("Everything about one group."), _group(rest=True))
    async def info(self, inv: Invocation, group: str) -> Reply:
        """`/group info "Rust Lille"`."""
        return await self.views.info(inv, group)

    @command("group nearby", _("Local groups near a city (or near yours), nearest first."), _city(), _radius())
    async def nearby(self, inv: Invocation, city: str | None = None, radius_km: int | None = None) -> Reply:
        """`/group nearby Roubaix radius_km:20`."""
        return await self.views.nearby(inv, city, radius_km)

    @command("group members", _("Who is in a group."), _group(rest=True))
    async def members(self, inv: Invocation, group: str) -> Reply:
        """`/group members "Rust Lille"`."""
        return await self.membership.members(inv, group)

    @command(
        "group edit",
        _("Change a group (owners and moderators)."),
        _group(),
        text("name", _("A new name."), required=False, max_length=MAX_NAME),
        text("description", _("A new description."), required=False, max_length=500),
        text("tags", _("New tags, separated by commas."), required=False),
        _city(),
        _radius(),
        boolean("private", _("yes: owners approve who joins."), required=False),
    )
    async def edit(
        self,
        inv: Invocation,
        group: str,
        name: str | None = None,
        description: str | None = None,
        tags: str | None = None,
        city: str | None = None,
        radius_km: int | None = None,
        private: bool | None = None,
    ) -> Reply:
        """`/group edit "Rust Lille" radius_km:40`."""
        changes = {
            "name": name,
            "description": description,
            "tags": tags,
            "city": city,
            "radius_km": radius_km,
            "private": private,
        }
        return await self.lifecycle.edit(inv, group, {k: v for k, v in changes.items() if v is not None})

    @command("group archive", _("Archive a group (owners and moderators)."), _group(rest=True))
    async def archive(self, inv: Invocation, group: str) -> Reply:
        """`/group archive "Rust Lille"`."""
        return await self.lifecycle.archive(inv, group)

    @command(
        "group ban",
        _("Remove a member from a group for good (owners and moderators)."),
        _group(),
        member("member", _("The member to ban.")),
    )
    async def ban(self, inv: Invocation, group: str, member: UserRef) -> Reply:
        """`/group ban "Rust Lille" @troll`."""
        return await self.membership.ban(inv, group, member)

    @command(
        "group owner",
        _("Add an owner to a group, or hand it over."),
        _group(),
        member("member", _("The member who becomes an owner.")),
        boolean("transfer", _("yes: you stop being an owner."), required=False),
    )
    async def owner(self, inv: Invocation, group: str, member: UserRef, transfer: bool | None = None) -> Reply:
        """`/group owner "Rust Lille" @carol transfer:yes`."""
        return await self.membership.owner(inv, group, member, bool(transfer))

    @command(
        "group announce",
        _("Post an announcement in the group and to members who opted in."),
        _group(),
        text("text", _("The announcement."), max_length=1500, rest=True),
    )
    async def announce(self, inv: Invocation, group: str, text: str) -> Reply:
        """`/group announce "Rust Lille" Meetup on Thursday!`."""
        return await self.talk.announce(inv, group, text)

    @command(
        "group notify",
        _("Receive a group's announcements by direct message, or not."),
        _group(),
        choice("state", _("on or off."), ON_OFF),
    )
    async def notify(self, inv: Invocation, group: str, state: str) -> Reply:
        """`/group notify "Rust Lille" on`."""
        return await self.membership.notify(inv, group, state)

    @command(
        "group topic",
        _("Open a topic (a thread) in a group's space."),
        _group(),
        text("title", _("The topic's title."), max_length=150),
        text("tags", _("Tags separated by commas."), required=False),
    )
    async def topic(self, inv: Invocation, group: str, title: str, tags: str | None = None) -> Reply:
        """`/group topic "Rust Lille" "Async traits" tags:async`."""
        return await self.talk.topic(inv, group, title, tags)

    @command("group topics", _("The recent topics of a group, with links."), _group(rest=True))
    async def topics(self, inv: Invocation, group: str) -> Reply:
        """`/group topics "Rust Lille"`."""
        return await self.talk.topics(inv, group)

    @command(
        "group digest",
        _("Send (or stop sending) the group's own digest to its owners by direct message."),
        _group(),
        choice("state", _("on or off."), ON_OFF),
    )
    async def digest(self, inv: Invocation, group: str, state: str) -> Reply:
        """`/group digest "Rust Lille" on` (owners and moderators)."""
        return await self.digests.digest_optin(inv, group, state)

    @command("group suggest", _("Groups for you, by your groups' tags and your city."))
    async def suggest(self, inv: Invocation) -> Reply:
        """`/group suggest`."""
        return await self.views.suggest(inv)

    @command(
        "location set", _("Share your city (only the city is stored)."), _city(required=True, rest=True), private=True
    )
    async def location_set(self, inv: Invocation, city: str) -> Reply:
        """`/location set Lille`."""
        return await self.views.location_set(inv, city)

    @command("location show", _("Show the city you shared."), private=True)
    async def location_show(self, inv: Invocation) -> Reply:
        """`/location show`."""
        return await self.views.location_show(inv)

    @command("location clear", _("Forget the city you shared."), private=True)
    async def location_clear(self, inv: Invocation) -> Reply:
        """`/location clear`."""
        return await self.views.location_clear(inv)

    # ------------------------------------------------------------ events, due actions, autocomplete

    @listen(MemberJoined)
    async def on_member_joined(self, event: MemberJoined) -> None:
        """Offer groups once to a newcomer."""
        await self.talk.welcome(event)

    @due("groups.announce")
    async def deliver_announcement(self, action: DueAction) -> None:
        """Send an announcement (exactly once per target)."""
        await self.talk.deliver(action)

    @autocomplete("groups")
    async def complete_groups(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Group names starting with, or close to, what was typed."""
        return await self.views.group_choices(community, prefix)

    @autocomplete("cities")
    async def complete_cities(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Places starting with what was typed, most populous first, as `Lille, FR` (with the region where
        several places share a name: `Saint-André, FR (Occitanie)`)."""
        return await self.views.city_choices(prefix)

    # ------------------------------------------------------------ digest and privacy

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """The groups section of the weekly digest."""
        return await self.digests.digest(community, start, end, timezone)

    async def group_digests(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> list[GroupDigest]:
        """The digests of the opted-in groups, for their owners (sent by the digest plugin)."""
        return await self.digests.group_digests(community, start, end, timezone)

    # ------------------------------------------------------------ for other plugins (GroupDirectory, Places)

    async def find_group(self, community: CommunityRef, raw: str) -> GroupInfo:
        """The active group a member named, or a translated CommandError."""
        return await self.directory.find_group(community, raw)

    async def group_by_id(self, community: CommunityRef, group_id: int) -> GroupInfo | None:
        """A group by id, whatever its status."""
        return await self.directory.group_by_id(community, group_id)

    async def group_owners(self, community: CommunityRef, group_id: int) -> list[UserRef]:
        """A group's owners."""
        return await self.directory.group_owners(community, group_id)

    async def member_groups(self, user: UserRef) -> list[GroupInfo]:
        """The active groups a member belongs to."""
        return await self.directory.member_groups(user)

    async def group_names(self, community: CommunityRef, prefix: str, limit: int = 25) -> list[str]:
        """Active group names for autocomplete."""
        return await self.directory.group_names(community, prefix, limit)

    async def resolve_place(self, raw: str) -> PlaceLookup:
        """A typed place name resolved by the gazetteer."""
        return await self.directory.resolve_place(raw)

    async def complete_places(self, prefix: str, limit: int = 25) -> list[Place]:
        """Places starting with `prefix`, most populous first."""
        return await self.directory.complete_places(prefix, limit)

    async def place_by_id(self, place_id: int) -> Place | None:
        """One place by its gazetteer id."""
        return await self.directory.place_by_id(place_id)

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """A member's memberships, ownerships, requests, bans, location and opt-ins."""
        return await self.repo.export_user(user.community.key, user.user_id)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Forget a member inside the shared transaction (last owners hand over, see docs/groups.md)."""
        return await self.repo.forget_user(tx, user.community.key, user.user_id, self.ctx.clock.now())


PLUGIN = GroupsPlugin
