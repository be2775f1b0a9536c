"""What the filters plugin's parts share: its settings, repositories, engine and the per-message
normal form (computed once, used by the filter and the watch listener)."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import Msg, _
from bot.model import Message, MessageRef
from bot.plugin import Plugin, PluginContext
from plugins.filters.engine import Engine
from plugins.filters.normalise import normalise
from plugins.filters.repo import FiltersRepo
from plugins.filters.watch_repo import WatchRepo

ACTION_LABELS: dict[str, Msg] = {"tag": _("tag"), "flag": _("flag"), "delete": _("delete")}


class FiltersSettings(BaseModel):
    """Limits of the filters plugin and when watch digests go out."""

    model_config = ConfigDict(extra="forbid")

    max_rules: int = Field(default=5000, ge=1, le=100_000)
    """Filter rules per community (phrases and patterns)."""
    max_regex_rules: int = Field(default=50, ge=0, le=1000)
    """Pattern rules per community: each is one more RE2 pass over every message (phrases share one pass)."""
    keyword_limit: int = Field(default=50, ge=1, le=1000)
    """Watch keywords per member."""
    mute_limit: int = Field(default=50, ge=1, le=1000)
    """Muted words per member."""
    digest_hour: int = Field(default=8, ge=0, le=23)
    """Local hour (community time zone) at which a watch period starts and its digest is sent."""
    digest_max_items: int = Field(default=30, ge=1, le=200)
    """Matches listed in one watch digest (the rest is counted)."""


class FiltersBase(Plugin):
    """State shared by the filter commands, the watch commands and the message path."""

    name = "filters"
    Settings = FiltersSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.settings = cast(FiltersSettings, ctx.settings)
        self.repo = FiltersRepo(ctx.db)
        self.watch_repo = WatchRepo(ctx.db)
        self.engine = Engine(self.repo, self.watch_repo)
        self._last: tuple[MessageRef, str] | None = None
        self._last_normal = ""

    def normal_of(self, message: Message) -> str:
        """The message's padded normal form, computed once for the filter and the watch listener (the text
        is part of the key: an edit keeps the message's ref)."""
        last = self._last
        if last is None or last[0] is not message.ref or last[1] is not message.text:
            self._last_normal = normalise(message.text)
            self._last = (message.ref, message.text)
        return self._last_normal
