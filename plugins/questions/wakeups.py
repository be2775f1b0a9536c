"""The wake-up of a per-community sweep (the ladder's, the asker's confirmation's): one due action keyed
by community and time, written only when the sweep would not wake early enough otherwise.

Each process remembers the earliest wake-up it armed per community, so a burst of questions or answers
costs one scheduler write, not one each. The due action's key (community and time) makes a wake-up
armed twice, or by two processes, one action.
"""

from __future__ import annotations

from datetime import datetime

from bot.plugin import PluginContext


class SweepAlarm:
    """Arms the due action of kind `kind` that wakes one community's sweep."""

    def __init__(self, ctx: PluginContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind
        self._armed: dict[str, datetime] = {}  # community -> the wake-up this process armed last

    async def arm(self, community: str, due_at: datetime, *, after_sweep: bool = False) -> None:
        """Make sure the community's sweep wakes at `due_at` at the latest (no query when it already does).
        `after_sweep`: the sweep that just ran used its wake-up, so the next one is written whatever is
        remembered."""
        now = self.ctx.clock.now()
        due_at = max(due_at, now)  # a step already late (a re-opened question) runs at the next catch-up
        armed = self._armed.get(community)
        if not after_sweep and armed is not None and now < armed <= due_at:
            return
        # Recorded before the write, so the questions of a burst arriving meanwhile do not each schedule one.
        self._armed[community] = due_at
        try:
            await self.ctx.scheduler.schedule(self.kind, f"{community}:{due_at.isoformat()}", community, due_at)
        except BaseException:
            if self._armed.get(community) == due_at:  # not armed after all: the next arm (or the hourly wake) retries
                if armed is None:
                    del self._armed[community]
                else:
                    self._armed[community] = armed
            raise
