"""Creating, reviewing, editing and archiving groups, with their spaces on the platform.

A space is created before anything is written; when the database write fails the space is
deleted again, and when the platform refuses, nothing is written: never half a group.
"""

from __future__ import annotations

from bot.i18n import Msg, Text, _, join, term
from bot.model import Button, CommunityRef, DeliveryError, Level, Reply, Space, UserRef
from bot.plugin import CommandError, Invocation
from plugins.groups.lookups import GroupLookups
from plugins.groups.names import channel_slug, group_key, is_valid_name, parse_tags
from plugins.groups.records import ACTIVE, ARCHIVED, PENDING, Group, Location, NewGroup, to_db


def refused(exc: DeliveryError) -> CommandError:
    """The member-facing error for a platform that refused to act."""
    if exc.reason == "missing_permission":
        return CommandError(
            _(
                "The bot lacks the permission “{permission}” on this platform; nothing was changed.",
                permission=exc.permission or exc.detail or "?",
            ),
            _("Ask an administrator to grant it to the bot, then try again."),
        )
    # The platform's reason code (`failed`, `not_found`...) is English jargon a member cannot act on: left out.
    return CommandError(
        _("The platform refused to create or change the group's space; nothing was changed."),
        _("Try again later, or ask an administrator."),
    )


class Lifecycle:
    """`/group create`, `/group review`, `/group edit`, `/group archive`."""

    def __init__(self, lookups: GroupLookups) -> None:
        self.lookups = lookups
        self.ctx = lookups.ctx
        self.repo = lookups.repo
        self.settings = lookups.settings

    async def create(
        self,
        inv: Invocation,
        name: str,
        kind: str,
        description: str,
        tags: str | None,
        city: str | None,
        radius_km: int | None,
        private: bool | None,
    ) -> Reply:
        """Create a group at once, or propose it to the moderators (setting `creation`)."""
        community = inv.community
        await self._check_free_name(community, name)
        place, radius = await self._place(kind, city, radius_km)
        direct = self.settings.creation == "direct" or inv.level >= Level.MODERATOR
        new = NewGroup(
            name,
            group_key(name),
            kind,
            description,
            parse_tags(tags),
            bool(private),
            ACTIVE if direct else PENDING,
            place,
            radius,
            inv.user.user_id,
        )
        notes: list[Text] = []
        if not direct:
            async with self.ctx.db.transaction() as tx:
                await self.repo.insert_group(tx, community.key, new, self.ctx.clock.now())
            notes.insert(0, await self._propose(community, new, inv.user))
            return Reply(text=join(notes))
        space, space_note = await self.open_space(community, new.name, description, new.private, inv.user)
        try:
            async with self.ctx.db.transaction() as tx:
                await self.repo.insert_group(
                    tx,
                    community.key,
                    new,
                    self.ctx.clock.now(),
                    space.channel.channel_id if space else None,
                    space.role_id if space else None,
                )
        except Exception:
            await self._undo(community, space)
            raise
        notes.insert(0, _("Group **{name}** created; you are its owner.", name=name))
        if space_note:
            notes.append(space_note)
        elif space:
            notes.append(_("Its space: #{channel}.", channel=self.ctx.directory.channel_name(space.channel)))
        return Reply(text=join(notes))

    async def _check_free_name(self, community: CommunityRef, name: str, same_id: int | None = None) -> None:
        if not is_valid_name(name):
            raise CommandError(
                _("A group name needs at least one letter or digit and at most 60 characters."),
                _("For example: `Rust Lille`."),
            )
        existing = await self.repo.by_key(community.key, group_key(name))
        if existing is None or existing.id == same_id:
            return
        where = self.lookups.where(existing) or f"/group info {existing.name}"
        if existing.status == PENDING:
            raise CommandError(
                _("A group called {name} is already waiting for a moderator's review.", name=existing.name),
                _("Choose another name, or join it once it is approved."),
            )
        if existing.status == ARCHIVED:
            raise CommandError(
                _("A group called {name} was archived: its name stays taken.", name=existing.name),
                _("Choose another name, for example “{name} 2”.", name=name),
            )
        raise CommandError(
            _("A group called {name} already exists: {where}.", name=existing.name, where=where),
            _("Join it with /group join {name}, or choose another name.", name=existing.name),
        )

    async def _place(self, kind: str, city: str | None, radius_km: int | None) -> tuple[Location | None, int | None]:
        if kind != "local":
            if city is not None or radius_km is not None:
                raise CommandError(
                    _("city and radius_km are for local groups."), _("Use kind:local for a group around a place.")
                )
            return None, None
        if city is None:
            raise CommandError(
                _("A local group needs a city."),
                _('For example: /group create "Rust Lille" local "Rust near Lille" city:Lille radius_km:30'),
            )
        found = await self.lookups.find_city(city)
        return self.lookups.location_of(found), radius_km or self.settings.default_radius_km

    async def _propose(self, community: CommunityRef, new: NewGroup, author: UserRef) -> Msg:
        buttons = (
            Button(_("Approve"), "group review", {"name": new.name, "decision": "approve"}),
            Button(_("Reject"), "group review", {"name": new.name, "decision": "reject"}, danger=True),
        )
        proposal = Reply(
            text=join(
                [
                    _(
                        "{member} proposes the group **{name}** ({kind}): {description}",
                        member=self.ctx.directory.member_name(author),
                        name=new.name,
                        kind=term(new.kind, "choice"),
                        description=new.description,
                    ),
                    _('Review it with the buttons or `/group review "{name}" approve|reject [reason]`.', name=new.name),
                ]
            ),
            buttons=buttons,
        )
        if await self.lookups.tell_moderators(community, proposal, f"groups.propose:{community.key}:{new.name_key}"):
            return _(
                "Your group **{name}** was proposed to the moderators; you will get a message once it is reviewed.",
                name=new.name,
            )
        return _(
            "Your group **{name}** waits for a moderator's approval (`/group review`); you will get a "
            "message once it is reviewed.",
            name=new.name,
        )

    async def open_space(
        self, community: CommunityRef, name: str, description: str, private: bool, owner: UserRef
    ) -> tuple[Space | None, Msg | None]:
        """Create the group's space and let the owner in, or say why the group has none."""
        spaces = self.ctx.messenger.spaces(community)
        if spaces is None:
            return None, _("This platform cannot create channels: the group works without its own space.")
        try:
            space = await spaces.create_space(
                community,
                channel_slug(name),
                topic=description[:250],
                private=private,
                forum=self.settings.forum_channels,
            )
        except DeliveryError as exc:
            raise refused(exc) from exc
        try:
            await spaces.add_member(space, owner)
        except DeliveryError as exc:
            await self._undo(community, space)
            raise refused(exc) from exc
        return space, None

    async def _undo(self, community: CommunityRef, space: Space | None) -> None:
        spaces = self.ctx.messenger.spaces(community)
        if space is None or spaces is None:
            return
        try:
            await spaces.delete_space(space)
        except DeliveryError:
            self.ctx.logger.exception("could not delete the half-created space %s", space.channel.channel_id)

    async def review(self, inv: Invocation, name: str, decision: str, reason: str | None) -> Reply:
        """A moderator approves (the space is created then) or rejects a proposed group."""
        group = await self.lookups.find_group(inv.community, name, (PENDING,))
        author = self.lookups.user(inv.community, group.created_by) if group.created_by else None
        if decision == "reject":
            await self.repo.delete_group(inv.community.key, group.id)
            if author is not None:
                text: list[Text] = [_("Your proposed group **{name}** was not accepted.", name=group.name)]
                if reason:
                    text.append(_("Reason: {reason}", reason=reason))
                await self._dm(author, Reply(text=join(text)), f"groups.reviewed:{group.community}:{group.id}")
            return Reply(text=_("Proposal **{name}** rejected.", name=group.name))
        space, note = await self.open_space(
            inv.community, group.name, group.description, group.private, author or inv.user
        )
        try:
            await self.repo.update(
                inv.community.key,
                group.id,
                {
                    "status": ACTIVE,
                    "activated_at": to_db(self.ctx.clock.now()),
                    "channel_id": space.channel.channel_id if space else None,
                    "role_id": space.role_id if space else None,
                },
            )
        except Exception:
            await self._undo(inv.community, space)
            raise
        if author is not None:
            await self._dm(
                author,
                Reply(text=_("Your group **{name}** was approved; you are its owner.", name=group.name)),
                f"groups.reviewed:{group.community}:{group.id}",
            )
        return Reply(text=join([_("Group **{name}** approved.", name=group.name), *([note] if note else [])]))

    async def _dm(self, user: UserRef, reply: Reply, dedupe_key: str) -> None:
        try:
            await self.ctx.messenger.send(user, reply, dedupe_key=dedupe_key)
        except DeliveryError:
            self.ctx.logger.info("could not DM %s (%s)", user.user_id, dedupe_key)

    async def archive(self, inv: Invocation, name: str) -> Reply:
        """Archive a group: its space becomes read-only, it leaves the directory, its name stays taken."""
        group = await self.lookups.find_group(inv.community, name, (ACTIVE, ARCHIVED))
        await self.lookups.require_manager(inv, group)
        if group.status == ARCHIVED:
            raise CommandError(
                _("{group} is already archived.", group=group.name), _("Its name stays taken; its history is kept.")
            )
        spaces, space = self.ctx.messenger.spaces(inv.community), self.lookups.space_of(group)
        if spaces is not None and space is not None:
            try:
                await spaces.archive_space(space)
            except DeliveryError as exc:
                raise refused(exc) from exc
        await self.repo.update(
            inv.community.key, group.id, {"status": ARCHIVED, "archived_at": to_db(self.ctx.clock.now())}
        )
        return Reply(text=_("Group **{name}** archived.", name=group.name))

    async def edit(self, inv: Invocation, name: str, changes: dict[str, object]) -> Reply:
        """Change a group's name, description, tags, place, radius or privacy."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        fields, notes = await self._edits(inv.community, group, changes)
        if not fields:
            raise CommandError(
                _("Nothing to change."), _("Give at least one of name, description, tags, city, radius_km or private.")
            )
        if "name" in fields:
            spaces, space = self.ctx.messenger.spaces(inv.community), self.lookups.space_of(group)
            if spaces is not None and space is not None:
                try:
                    await spaces.rename_space(space, channel_slug(str(fields["name"])))
                except DeliveryError as exc:
                    raise refused(exc) from exc
        await self.repo.update(inv.community.key, group.id, fields)
        return Reply(text=join([_("Group **{name}** updated.", name=fields.get("name", group.name)), *notes]))

    async def _edits(
        self, community: CommunityRef, group: Group, changes: dict[str, object]
    ) -> tuple[dict[str, object], list[Text]]:
        fields: dict[str, object] = {}
        notes: list[Text] = []
        if isinstance(changes.get("name"), str):
            new_name = str(changes["name"])
            await self._check_free_name(community, new_name, same_id=group.id)
            fields.update(name=new_name, name_key=group_key(new_name))
        if isinstance(changes.get("description"), str):
            fields["description"] = changes["description"]
        if isinstance(changes.get("tags"), str):
            fields["tags"] = " ".join(parse_tags(str(changes["tags"])))
        if isinstance(changes.get("private"), bool):
            fields["private"] = int(bool(changes["private"]))
        city, radius = changes.get("city"), changes.get("radius_km")
        if city is None and isinstance(radius, int) and group.kind == "local" and group.city_id is not None:
            fields["radius_km"] = radius  # the stored place stays: its name may now name a bigger town
        elif city is not None or radius is not None:
            current = f"{group.city_name}, {group.country}" if group.city_name else None
            place, new_radius = await self._place(
                group.kind,
                city if isinstance(city, str) else current,
                radius if isinstance(radius, int) else group.radius_km,
            )
            if place is not None:
                fields.update(
                    city_id=place.city_id,
                    city_name=place.city_name,
                    country=place.country,
                    lat=place.lat,
                    lon=place.lon,
                    radius_km=new_radius,
                )
        return fields, notes
