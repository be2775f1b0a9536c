"""The `stuck` test plugin: `/hang` awaits forever, `/spin` never yields to the event loop.

Used by tests/test_shutdown.py only, to prove a signal stops the process whatever a handler does.
"""

from __future__ import annotations

import asyncio
import sys

from bot.i18n import _
from bot.model import Reply
from bot.plugin import Invocation, Plugin, command


class StuckPlugin(Plugin):
    """Handlers that do not end."""

    name = "stuck"

    @command("hang", _("Wait forever."))
    async def hang(self, inv: Invocation) -> Reply:
        """Await something that never happens (a lost network reply, a lock never released)."""
        print("STUCK: hanging", file=sys.stderr, flush=True)
        await asyncio.Event().wait()
        return Reply(text="unreachable")

    @command("spin", _("Compute forever."))
    async def spin(self, inv: Invocation) -> Reply:
        """A CPU loop in Python: it never gives the event loop back."""
        print("STUCK: spinning", file=sys.stderr, flush=True)
        while True:
            pass


PLUGIN = StuckPlugin
