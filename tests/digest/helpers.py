"""Shared helpers of the digest tests: the harness with the digest enabled, and PNG checks."""

from __future__ import annotations

import json
import struct
from typing import Any

from bot.model import ChannelRef, Level, UserRef
from tests.harness import Harness, Sent

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "digest": {}}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def use_managers_channel(h: Harness) -> None:
    """Create #managers and make it the digest channel."""
    h.platform.channel("managers")
    reply = await h.command("mod", "/settings channel purpose:digest channel:#managers", level=Level.MODERATOR)
    assert "managers" in reply.text


def in_channel(h: Harness, name: str) -> list[Sent]:
    """What the bot posted in a channel."""
    return [s for s in h.sent if isinstance(s.target, ChannelRef) and s.target.channel_id == name]


def in_dm(h: Harness, who: str) -> list[Sent]:
    """What the bot sent to a member's DMs."""
    return [s for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == who]


async def stored(h: Harness) -> list[dict[str, Any]]:
    """Every stored digest, oldest first, with its figures decoded."""
    rows = await h.app.db.fetchall(
        "SELECT period_start, period_end, figures, rendered, renderings, reached, sent_at FROM digests "
        "ORDER BY period_start"
    )
    return [{**dict(r), "figures": json.loads(r["figures"])} for r in rows]


def values(digest: dict[str, Any], section: str, field: str = "value") -> dict[str, Any]:
    """One section of a stored digest's JSON as {metric key: value} (or `field`: "previous", "kind")."""
    return {key: entry[field] for key, entry in digest["figures"]["sections"][section].items()}
