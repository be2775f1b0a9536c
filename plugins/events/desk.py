"""What every events service shares (held by composition, one per plugin): the context, the repo, the
settings, and the groups plugin's `GroupDirectory` and `Places`, found among the loaded plugins."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _
from bot.plugin import CommandError, GroupDirectory, Places, PluginContext
from plugins.events.repo import EventsRepo
from plugins.events.settings import EventsSettings


class Desk:
    """The events plugin's shared parts."""

    def __init__(self, ctx: PluginContext, repo: EventsRepo, settings: EventsSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings

    def now(self) -> datetime:
        """The injected clock's now (aware UTC)."""
        return self.ctx.clock.now()

    def groups(self) -> GroupDirectory:
        """The groups plugin, which events live in; a CommandError when it is not enabled."""
        for plugin in self.ctx.plugins():
            if isinstance(plugin, GroupDirectory):
                return plugin
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
