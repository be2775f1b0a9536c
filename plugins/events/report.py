"""Events in the weekly digest (events held, RSVPs, going rate, waitlists, per group) and in privacy
(a member's RSVPs and organised events: export and forget).

Owned by events-cal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.model import CommunityRef, UserRef
from bot.plugin import DigestSection, Sql
from plugins.events.desk import Desk


class Report:
    """Digest section and privacy."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """The events section for [start, end)."""
        raise NotImplementedError("events-cal builds this")

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """A member's RSVPs and organised events."""
        raise NotImplementedError("events-cal builds this")

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Forget a member's RSVPs and their name as organiser."""
        raise NotImplementedError("events-cal builds this")
