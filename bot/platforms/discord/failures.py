"""Turning Discord's refusals into the neutral `DeliveryError`, naming the permission the bot lacks.

Discord answers 403 with JSON code 50013 (missing permissions) or 50001 (missing access), 50007 when
a member's DMs are closed, and 404 for unknown objects. Plugins decide what to tell the member from
the `reason` (and `permission`), never from an HTTP status. A server error is `failed` and logged
here; discord.py has already tried 500, 502, 504 and 524 five times (other 5xx are not retried).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import discord

from bot.model import DeliveryError

log = logging.getLogger("affinity.discord")

# Discord's own names for the permissions, as a moderator sees them in the server settings.
SEND_MESSAGES = "Send Messages"
MANAGE_CHANNELS = "Manage Channels"
MANAGE_ROLES = "Manage Roles"
MANAGE_MESSAGES = "Manage Messages"

DM_CLOSED = 50007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013


def delivery_error(exc: discord.HTTPException, permission: str) -> DeliveryError:
    """The neutral error for one refusal; `permission` is what the attempted action needs."""
    detail = f"{exc.status} {exc.code}: {exc.text}".strip()
    if exc.code == DM_CLOSED:
        return DeliveryError("dm_closed", detail)
    if exc.code in (MISSING_PERMISSIONS, MISSING_ACCESS) or exc.status == 403:
        return DeliveryError("missing_permission", detail, permission=permission)
    if exc.status == 404:
        return DeliveryError("not_found", detail)
    if exc.status >= 500 or exc.status == 429:
        return DeliveryError("failed", detail)  # discord.py's own retries are spent: try again later
    # Any other 4xx (a payload Discord refuses, an archived thread...) would fail the same way again.
    return DeliveryError("rejected", detail)


@contextmanager
def refusals(permission: str) -> Iterator[None]:
    """Raise `DeliveryError` instead of discord.py's HTTP exceptions inside the block."""
    try:
        yield
    except discord.HTTPException as exc:
        if exc.status >= 500:
            # An outage is nothing a moderator can fix and callers may only keep the reason, so the
            # operator learns of it here, with Discord's status.
            log.warning("Discord server error %d: %s", exc.status, exc.text or "no detail")
        raise delivery_error(exc, permission) from exc
