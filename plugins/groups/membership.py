"""Joining and leaving groups, private join requests, bans, owners and announcement opt-ins."""

from __future__ import annotations

from bot.i18n import Msg, _, join, n_
from bot.model import Button, Card, DeliveryError, Reply, UserRef
from bot.plugin import CommandError, Invocation
from plugins.groups.lifecycle import refused
from plugins.groups.lookups import GroupLookups
from plugins.groups.records import Group, to_db

MEMBERS_SHOWN = 50


class Membership:
    """`/group join|leave|approve|deny|ban|owner|notify|members`."""

    def __init__(self, lookups: GroupLookups) -> None:
        self.lookups = lookups
        self.ctx = lookups.ctx
        self.repo = lookups.repo
        self.settings = lookups.settings

    async def join(self, inv: Invocation, name: str) -> Reply:
        """Join a group, or ask its owners when it is private."""
        group = await self.lookups.find_group(inv.community, name)
        key, user_id = inv.community.key, inv.user.user_id
        if await self.repo.is_banned(key, group.id, user_id):
            raise CommandError(
                _("You cannot join {group}: its owners removed you from it for good.", group=group.name),
                _("If you think this is a mistake, talk to a moderator."),
            )
        if await self.repo.member(key, group.id, user_id) is not None:
            where = self.lookups.where(group)
            raise CommandError(
                _("You are already a member of {group}.", group=group.name),
                _("Its space: {where}.", where=where)
                if where
                else _("Type /group info {group} to see it.", group=group.name),
            )
        if group.private:
            return await self._request(inv, group)
        await self._space_add(group, inv.user)
        await self.repo.add_member(key, group.id, user_id, self.ctx.clock.now())
        where = self.lookups.where(group)
        text = (
            _("Welcome to **{group}**! Its space: {where}.", group=group.name, where=where)
            if where
            else _("Welcome to **{group}**!", group=group.name)
        )
        return Reply(text=text, ephemeral=True)

    async def _request(self, inv: Invocation, group: Group) -> Reply:
        now = self.ctx.clock.now()
        if not await self.repo.add_request(inv.community.key, group.id, inv.user.user_id, now):
            raise CommandError(
                _("Your request to join {group} is already waiting for its owners.", group=group.name),
                _("You will get a message as soon as they answer."),
            )
        who = self.ctx.directory.member_name(inv.user)
        ask = Reply(
            text=join(
                [
                    _("{member} asks to join your private group **{group}**.", member=who, group=group.name),
                    _('Answer with the buttons or `/group approve "{group}" @{member}`.', group=group.name, member=who),
                ]
            ),
            buttons=(
                Button(_("Approve"), "group approve", {"group": group.name, "member": inv.user.user_id}),
                Button(_("Deny"), "group deny", {"group": group.name, "member": inv.user.user_id}, danger=True),
            ),
        )
        for owner in [m for m in await self.repo.members(inv.community.key, group.id) if m.is_owner]:
            try:
                await self.ctx.messenger.send(
                    self.lookups.user(inv.community, owner.user_id),
                    ask,
                    dedupe_key=(
                        f"groups.request:{group.community}:{group.id}:{inv.user.user_id}:{owner.user_id}:{to_db(now)}"
                    ),
                )
            except DeliveryError:
                self.ctx.logger.info("owner %s of group %s cannot receive DMs", owner.user_id, group.id)
        return Reply(
            text=_("{group} is private: your request was sent to its owners.", group=group.name), ephemeral=True
        )

    async def _space_add(self, group: Group, user: UserRef) -> None:
        spaces, space = self.ctx.messenger.spaces(user.community), self.lookups.space_of(group)
        if spaces is not None and space is not None:
            try:
                await spaces.add_member(space, user)
            except DeliveryError as exc:
                raise refused(exc) from exc

    async def _space_remove(self, group: Group, user: UserRef) -> None:
        spaces, space = self.ctx.messenger.spaces(user.community), self.lookups.space_of(group)
        if spaces is not None and space is not None:
            try:
                await spaces.remove_member(space, user)
            except DeliveryError as exc:
                raise refused(exc) from exc

    async def leave(self, inv: Invocation, name: str) -> Reply:
        """Leave a group (the last owner must hand over or archive first)."""
        group = await self.lookups.find_group(inv.community, name)
        key = inv.community.key
        me = await self.repo.member(key, group.id, inv.user.user_id)
        if me is None:
            mine = [g.name for g in await self.repo.groups_of(key, inv.user.user_id)]
            raise CommandError(
                _("You cannot leave {group}: you are not a member of it.", group=group.name),
                _("Your groups: {names}.", names=", ".join(mine))
                if mine
                else _("You are not in any group yet: /group list shows them."),
            )
        owners = [m for m in await self.repo.members(key, group.id) if m.is_owner]
        if me.is_owner and len(owners) == 1:
            raise CommandError(
                _("You are the last owner of {group}: you cannot leave it as it is.", group=group.name),
                _("Give it another owner with /group owner, or archive it with /group archive."),
            )
        await self._space_remove(group, inv.user)
        await self.repo.remove_member(key, group.id, inv.user.user_id, self.ctx.clock.now())
        return Reply(text=_("You left {group}.", group=group.name), ephemeral=True)

    async def answer(self, inv: Invocation, name: str, member: UserRef, approve: bool) -> Reply:
        """An owner approves or denies a request to join a private group."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        who = self.ctx.directory.member_name(member)
        key = inv.community.key
        if await self.repo.member(key, group.id, member.user_id) is not None:
            raise CommandError(
                _(
                    "{member} is already a member of {group}: there is no request to answer.",
                    member=who,
                    group=group.name,
                )
            )
        if not await self.repo.drop_request(key, group.id, member.user_id):
            raise await self._no_request(inv, group, who)
        if not approve:
            await self._tell(member, _("Your request to join **{group}** was declined.", group=group.name), group)
            return Reply(text=_("Request of {member} declined.", member=who))
        try:
            await self._space_add(group, member)
        except CommandError:
            await self.repo.add_request(key, group.id, member.user_id, self.ctx.clock.now())
            raise
        await self.repo.add_member(key, group.id, member.user_id, self.ctx.clock.now())
        await self._tell(member, _("You are now a member of **{group}**.", group=group.name), group)
        return Reply(text=_("{member} joined {group}.", member=who, group=group.name))

    async def _no_request(self, inv: Invocation, group: Group, who: str) -> CommandError:
        """The refusal for answering a request that does not exist, naming the ones that do."""
        waiting = [
            self.lookups.name_of(inv.community, user_id)
            for user_id in await self.repo.requests(inv.community.key, group.id)
        ]
        if not waiting and not group.private:
            return CommandError(
                _("{group} is open to everyone: members join it without a request.", group=group.name),
                _('To approve who joins, make it private: `/group edit "{group}" private:yes`.', group=group.name),
            )
        return CommandError(
            _("{member} has no pending request to join {group}.", member=who, group=group.name),
            n_("Request waiting: {names}.", "Requests waiting: {names}.", len(waiting), names=", ".join(waiting))
            if waiting
            else _("No request is waiting for {group}.", group=group.name),
        )

    async def _tell(self, member: UserRef, text: Msg, group: Group) -> None:
        try:
            await self.ctx.messenger.send(
                member,
                Reply(text=text),
                dedupe_key=(
                    f"groups.answer:{group.community}:{group.id}:{member.user_id}:{to_db(self.ctx.clock.now())}"
                ),
            )
        except DeliveryError:
            self.ctx.logger.info("could not tell %s about group %s", member.user_id, group.id)

    async def ban(self, inv: Invocation, name: str, member: UserRef) -> Reply:
        """Remove a member from a group for good (they cannot rejoin)."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        who = self.ctx.directory.member_name(member)
        if member == inv.user:
            raise CommandError(_("You cannot ban yourself."), _("Use /group leave to leave a group."))
        key = inv.community.key
        if await self.repo.is_banned(key, group.id, member.user_id):
            raise CommandError(_("{member} is already banned from {group}.", member=who, group=group.name))
        current = await self.repo.member(key, group.id, member.user_id)
        if current is None and not await self.repo.drop_request(key, group.id, member.user_id):
            raise CommandError(
                _("{member} is not a member of {group} and has not asked to join it.", member=who, group=group.name),
                _("There is no one to ban: /group members {group} shows who is in it.", group=group.name),
            )
        if current is not None:
            await self._space_remove(group, member)
        await self.repo.ban(key, group.id, member.user_id, inv.user.user_id, self.ctx.clock.now())
        return Reply(text=_("{member} is banned from {group}.", member=who, group=group.name))

    async def owner(self, inv: Invocation, name: str, member: UserRef, transfer: bool) -> Reply:
        """Add an owner, or hand the group over (`transfer`)."""
        group = await self.lookups.find_group(inv.community, name)
        await self.lookups.require_manager(inv, group)
        key, who = inv.community.key, self.ctx.directory.member_name(member)
        target = await self.repo.member(key, group.id, member.user_id)
        if target is None:
            raise CommandError(
                _("{member} is not a member of {group}.", member=who, group=group.name),
                _("They can join first with /group join {group}.", group=group.name),
            )
        if target.is_owner and not transfer:
            raise CommandError(
                _("{member} is already an owner of {group}.", member=who, group=group.name),
                _("To hand the group over and stop being an owner yourself, add transfer:yes."),
            )
        await self.repo.set_owner(key, group.id, member.user_id, True)
        if group.ownerless:
            await self.repo.update(key, group.id, {"ownerless": 0})
        if transfer and member != inv.user:
            await self.repo.set_owner(key, group.id, inv.user.user_id, False)
            return Reply(text=_("{member} is now the owner of {group}.", member=who, group=group.name))
        return Reply(text=_("{member} is now an owner of {group}.", member=who, group=group.name))

    async def notify(self, inv: Invocation, name: str, state: str) -> Reply:
        """Opt in or out of the group's announcements by DM."""
        group = await self.lookups.find_group(inv.community, name)
        if await self.repo.member(inv.community.key, group.id, inv.user.user_id) is None:
            raise CommandError(
                _("You are not a member of {group}.", group=group.name),
                _("Join it first with /group join {group}.", group=group.name),
            )
        await self.repo.set_notify(inv.community.key, group.id, inv.user.user_id, state == "on")
        text = (
            _("You will receive the announcements of {group} by direct message.", group=group.name)
            if state == "on"
            else _("You will no longer receive the announcements of {group} by direct message.", group=group.name)
        )
        return Reply(text=text, ephemeral=True)

    async def members(self, inv: Invocation, name: str) -> Reply:
        """Who is in a group (private groups: members and managers only)."""
        group = await self.lookups.find_group(inv.community, name)
        key = inv.community.key
        everyone = await self.repo.members(key, group.id)
        if group.private and not (
            any(m.user_id == inv.user.user_id for m in everyone) or await self.lookups.is_manager(inv, group)
        ):
            raise CommandError(
                _("{group} is private: only its members see who is in it.", group=group.name),
                _("Ask to join it with /group join {group}.", group=group.name),
            )
        lines = [
            f"**{self.lookups.name_of(inv.community, m.user_id)}** 👑"
            if m.is_owner
            else self.lookups.name_of(inv.community, m.user_id)
            for m in everyone[:MEMBERS_SHOWN]
        ]
        card = Card(
            _("Members of {group} ({count})", group=group.name, count=len(everyone)), description="\n".join(lines)
        )
        return Reply(card=card, ephemeral=True)
