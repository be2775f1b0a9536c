"""What every events service shares (held by composition, one per plugin): the context, the repos (events
and occurrences in `repo`, answers in `rsvps`), the settings, and the groups plugin's `GroupDirectory` and
`Places`, found among the loaded plugins."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import CommandError, GroupDirectory, Places, PluginContext
from plugins.events.repo import EventsRepo
from plugins.events.rsvp_repo import RsvpRepo
from plugins.events.settings import EventsSettings


class Desk:
    """The events plugin's shared parts."""

    def __init__(self, ctx: PluginContext, repo: EventsRepo, settings: EventsSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.rsvps = RsvpRepo(ctx.db)
        self.settings = settings

    def now(self) -> datetime:
        """The injected clock's now (aware UTC)."""
        return self.ctx.clock.now()

    def groups_or_none(self) -> GroupDirectory | None:
        """The groups plugin, or None when it is not enabled."""
        for plugin in self.ctx.plugins():
            if isinstance(plugin, GroupDirectory):
                return plugin
        return None

    def groups(self) -> GroupDirectory:
        """The groups plugin, which events live in; a CommandError when it is not enabled."""
        found = self.groups_or_none()
        if found is not None:
            return found
        raise CommandError(
            _("Events live in groups, and the groups feature is not enabled here."),
            _("An administrator can enable the `groups` plugin in the configuration."),
        )

    def places(self) -> Places:
        """The gazetteer (the groups plugin)."""
        for plugin in self.ctx.plugins():
            if isinstance(plugin, Places):
                return plugin
        raise CommandError(
            _("Events live in groups, and the groups feature is not enabled here."),
            _("An administrator can enable the `groups` plugin in the configuration."),
        )

    @staticmethod
    def community(key: str) -> CommunityRef:
        """A community from its stored key."""
        return CommunityRef.from_key(key)

    @staticmethod
    def user(community: str, user_id: str) -> UserRef:
        """A member of a community from a stored id."""
        ref = CommunityRef.from_key(community)
        return UserRef(ref.platform, ref.workspace_id, user_id)

    @staticmethod
    def channel(community: str, channel_id: str, thread_id: str | None = None) -> ChannelRef:
        """A channel of a community from a stored id."""
        ref = CommunityRef.from_key(community)
        return ChannelRef(ref.platform, ref.workspace_id, channel_id, thread_id)

    def name_of(self, community: str, user_id: str) -> str:
        """A member's display name (plain text: it is shown inert)."""
        return self.ctx.directory.member_name(self.user(community, user_id))
