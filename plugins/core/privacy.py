"""`/privacy export` and `/privacy forget`: gathering and deleting a member's data across every
plugin that implements `PrivacyParticipant`, plus the core's own rows, with a confirmation
token (table `confirmations`) so a forget is never done by accident."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.model import UserRef
from bot.plugin import ActivityBuffer, Communities, ForgetFollowUp, Plugin, PrivacyParticipant, SqlDatabase
from bot.storage.activity import export_member_activity, forget_member_activity
from bot.storage.times import from_db, to_db

CONFIRM_FOR = timedelta(minutes=10)
log = logging.getLogger("affinity.privacy")


def participants(plugins: Sequence[Plugin]) -> list[tuple[str, PrivacyParticipant]]:
    """The loaded plugins that store member data."""
    return [(p.name, p) for p in plugins if isinstance(p, PrivacyParticipant)]


async def export_all(
    db: SqlDatabase, communities: Communities, plugins: Sequence[Plugin], user: UserRef, now: datetime
) -> bytes:
    """Everything stored about a member in this community, as indented UTF-8 JSON."""
    data: dict[str, Any] = {
        "member": {"platform": user.platform, "community": user.community.key, "user_id": user.user_id},
        "exported_at": to_db(now),
        "core": {
            "preferences": await communities.export_member(user),
            "activity": await export_member_activity(db, user.community.key, user.user_id),
        },
    }
    for name, plugin in participants(plugins):
        data[name] = await plugin.export_user(user)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def forget_all(
    db: SqlDatabase, communities: Communities, activity: ActivityBuffer, plugins: Sequence[Plugin], user: UserRef
) -> int:
    """Delete everything stored about a member in one transaction; returns the rows removed."""
    # Buffered activity would re-create rows for the member after the delete: write it first.
    await activity.flush()
    async with db.transaction() as tx:
        removed = await communities.forget_member(user, tx)
        removed += await forget_member_activity(tx, user.community.key, user.user_id)
        removed += await tx.execute(
            "DELETE FROM confirmations WHERE community = ? AND user_id = ?", (user.community.key, user.user_id)
        )
        # The record of DMs sent to the member names them as a target.
        removed += await tx.execute(
            "DELETE FROM sent_messages WHERE community = ? AND target = ?", (user.community.key, f"dm:{user.user_id}")
        )
        for _name, plugin in participants(plugins):
            removed += await plugin.forget_user(user, tx)
    # Committed: now the plugins may message the members the forget concerns (a seat that went to the waitlist).
    for _name, plugin in participants(plugins):
        if isinstance(plugin, ForgetFollowUp):
            try:
                await plugin.after_forget(user)
            except Exception:
                log.exception("after the forget of a member, %s could not tell the others", _name)
    return removed


async def new_token(db: SqlDatabase, user: UserRef, action: str, now: datetime) -> str:
    """A short single-use token that confirms a destructive action for a few minutes."""
    token = secrets.token_hex(4).upper()
    await db.execute(
        "INSERT INTO confirmations (token, community, user_id, action, expires_at) VALUES (?, ?, ?, ?, ?)",
        (token, user.community.key, user.user_id, action, to_db(now + CONFIRM_FOR)),
    )
    return token


async def use_token(db: SqlDatabase, user: UserRef, action: str, token: str, now: datetime) -> bool:
    """True once for a valid, unexpired token of this member and action; the token is consumed."""
    async with db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT expires_at FROM confirmations WHERE token = ? AND community = ? AND user_id = ? AND action = ?",
            (token.strip().upper(), user.community.key, user.user_id, action),
        )
        if row is None:
            return False
        await tx.execute("DELETE FROM confirmations WHERE token = ?", (token.strip().upper(),))
        return from_db(row["expires_at"]) > now
