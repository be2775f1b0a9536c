"""What happens to a message a rule caught: tag it as noise, flag it to the moderators, or delete it
(where the platform can) and tell its author privately which rule removed it.

Every post carries a dedupe key built from the message and the rule, so a message delivered twice (a
platform retry, a restart) or edited without a new rule matching is flagged once. An edit that makes a
message match a rule it did not match yet is handled the same way (`edited=True`), with posts that say
so. Hits are counted in memory and written in batches (`flush`), to keep the database off the
per-message path: one count per rule that matched (the digest's top rules), and one per message caught
(`MESSAGES_NOISE` or `MESSAGES_BAIT` in place of a rule id, with the action taken), so a message two rules
caught is one message in the digest's figures.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.formatting import link
from bot.i18n import _
from bot.model import Capability, Message, Reply
from bot.plugin import MessageNotes, PluginContext
from plugins.filters.matcher import Hit, strongest
from plugins.filters.repo import MESSAGES_BAIT, MESSAGES_NOISE, FiltersRepo, to_db

log = logging.getLogger("affinity.filters")


_HOURS: dict[tuple[int, int, int, int], str] = {}


def _hour(at: datetime) -> str:
    """The UTC hour bucket of a moment, as stored text (cached: hits cluster in the same hours)."""
    key = (at.year, at.month, at.day, at.hour) if at.utcoffset() == timedelta(0) else None
    if key is None:
        return to_db(at.replace(minute=0, second=0, microsecond=0))
    text = _HOURS.get(key)
    if text is None:
        if len(_HOURS) > 1000:
            _HOURS.clear()
        text = _HOURS[key] = to_db(at.replace(minute=0, second=0, microsecond=0))
    return text


class Enforcer:
    """Applies rule actions and counts them."""

    def __init__(self, ctx: PluginContext) -> None:
        self.ctx = ctx
        self.counts: Counter[tuple[str, str, int, str, str]] = Counter()

    async def apply(
        self, message: Message, notes: MessageNotes, hits: Sequence[Hit], *, edited: bool = False, first: bool = True
    ) -> str:
        """Tag, flag or delete; returns the action taken (delete falls back to flag when impossible).
        `edited`: the hits are rules the message matches since an edit (`message` carries the new text).
        `first`: no rule had caught the message yet, so it counts as one more message caught."""
        action = strongest(hits)
        for hit in hits:
            if hit.rule.action == "tag":
                notes.tags.add(f"noise:{hit.rule.id}")
        top = next(h for h in hits if h.rule.action == action)
        if action == "delete":
            if await self._delete(message, top, edited):
                notes.deleted = True
            else:
                action = "flag"
        if action == "flag":
            await self._flag(message, top, "flag", edited)
        hour = _hour(message.at)
        for hit in hits:
            taken = action if hit.rule.action == top.rule.action else hit.rule.action
            if taken == "delete" and not notes.deleted:
                taken = "flag"
            self.counts[(message.community.key, hour, hit.rule.id, hit.rule.shown, taken)] += 1
        if first:
            # Bait when a built-in bait rule caught it (the community's own rules are "noise").
            kind = MESSAGES_BAIT if any(hit.rule.builtin for hit in hits) else MESSAGES_NOISE
            counted = "flag" if action == "delete" and not notes.deleted else action
            self.counts[(message.community.key, hour, kind, "", counted)] += 1
        return action

    async def _delete(self, message: Message, hit: Hit, edited: bool) -> bool:
        if Capability.DELETE_MESSAGE not in self.ctx.messenger.capabilities(message.community):
            return False
        rule = hit.rule.shown
        if not await self.ctx.messenger.delete(message.ref, f"filter rule #{hit.rule.id}: {rule}"):
            return False
        channel = self.ctx.directory.channel_name(message.channel)
        key = f"filters.deleted:{message.community.key}:{message.channel.channel_id}:{message.ref.message_id}"
        note = Reply(
            text=_(
                "Your message in #{channel} was removed by the community's filter rule “{rule}”. "
                "If you think this is a mistake, please reply to a moderator.",
                channel=channel,
                rule=rule,
            )
        )
        try:
            await self.ctx.messenger.send(message.author, note, dedupe_key=key)
        except Exception:  # a closed DM must not undo the moderation
            log.warning("could not tell %s about a deleted message", message.author.user_id, exc_info=True)
        await self._flag(message, hit, "delete", edited)
        return True

    async def _flag(self, message: Message, hit: Hit, action: str, edited: bool) -> None:
        settings = await self.ctx.communities.get(message.community)
        channel = settings.channel("moderation")
        if channel is None:
            log.info("rule %s matched in %s but no moderation channel is set", hit.rule.id, message.community.key)
            return
        where = self.ctx.directory.channel_name(message.channel)
        values = {
            "author": self.ctx.directory.member_name(message.author),
            "place": link(self.ctx.messenger.link(message.ref), f"#{where}"),
            "id": str(hit.rule.id),  # a number to type back, not a quantity: no "1,234"
            "rule": hit.rule.shown,
            "found": hit.found,
        }
        if edited:
            text = (
                _(
                    "Removed after an edit: a message by {author} in {place} was edited to match filter rule "
                    "#{id} “{rule}” ({found}).",
                    **values,
                )
                if action == "delete"
                else _(
                    "Flagged after an edit: a message by {author} in {place} was edited to match filter rule "
                    "#{id} “{rule}” ({found}).",
                    **values,
                )
            )
        else:
            text = (
                _("Removed: a message by {author} in {place} matched filter rule #{id} “{rule}” ({found}).", **values)
                if action == "delete"
                else _(
                    "Flagged: a message by {author} in {place} matched filter rule #{id} “{rule}” ({found}).",
                    **values,
                )
            )
        # One post per message and rule: a redelivery, or an edit keeping the rule's match, posts nothing.
        key = (
            f"filters.{action}:{message.community.key}:{message.channel.channel_id}:{message.ref.message_id}"
            f":{hit.rule.id}"
        )
        await self.ctx.messenger.send(channel, Reply(text=text), dedupe_key=key)

    async def flush(self, repo: FiltersRepo) -> None:
        """Write the buffered hit counts."""
        if not self.counts:
            return
        counts, self.counts = self.counts, Counter()
        try:
            await repo.add_hits(counts)
        except Exception:
            self.counts.update(counts)  # keep them for the next try
            raise
