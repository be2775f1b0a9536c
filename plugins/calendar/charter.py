"""The community's editorial charter: `/charter show` and `/charter set` (one text per community,
stored in `calendar_charters`; new owners get it by DM from the entry service)."""

from __future__ import annotations

from bot.i18n import _, join
from bot.model import Reply
from bot.plugin import CommandError, Invocation, PluginContext
from plugins.calendar.repo import CalendarRepo


class CharterService:
    """Shows and saves the charter."""

    def __init__(self, ctx: PluginContext, repo: CalendarRepo) -> None:
        self.ctx = ctx
        self.repo = repo

    async def show(self, inv: Invocation) -> Reply:
        """The charter, or how to write one."""
        body = await self.repo.charter(inv.community.key)
        if body is None:
            return Reply(
                text=_("This community has no editorial charter yet. Moderators can write one with `/charter set`."),
                ephemeral=True,
            )
        return Reply(text=join([_("📜 **Editorial charter**"), body]), ephemeral=True)

    async def set(self, inv: Invocation, text: str) -> Reply:
        """Save a non-empty charter."""
        body = text.strip()
        if not body:
            raise CommandError(_("The charter cannot be empty."), _("Write the charter after `/charter set`."))
        await self.repo.set_charter(inv.community.key, body, inv.user.user_id, self.ctx.clock.now())
        return Reply(text=_("The editorial charter is saved; new owners will see it with their first entry."))
