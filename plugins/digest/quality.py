"""The digest's "Conversation quality" section: figures that reward conversation rather than volume.

Every figure comes from one read of the raw message metadata (`conversation_counts`, the one definition
of "got a reply" and of a conversation, bot/storage/conversations.py), so a share's numerator and
denominator always agree, plus the answers the questions feature recorded (every `AnswerSource`): a
question answered with a plain message, or solved, got a reply even when no reply is linked to it, so
"got a reply" never says less than the questions section's "answered". A period older than the raw
retention (`database.retention_days`) is "no data", never zero.

`conversations_per_channel` gives the same figures per channel, for the groups' digests.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Text, _, join, n_
from bot.model import ChannelRef, CommunityRef
from bot.plugin import (
    AnswerSource,
    ChannelConversations,
    ConversationCounts,
    DigestSection,
    Metric,
    PluginContext,
    conversation_counts,
)
from plugins.digest.periods import Period

KEY = "quality"
TOP_CHANNELS = 5


async def answered_messages(
    ctx: PluginContext, community: CommunityRef, start: datetime, end: datetime
) -> set[tuple[str, str]]:
    """(channel_id, message_id) of the questions of [start, end) that some plugin recorded as answered."""
    found: set[tuple[str, str]] = set()
    for source in [p for p in ctx.plugins() if isinstance(p, AnswerSource)]:
        try:
            found |= await source.answered_messages(community, start, end)
        except Exception:
            # One plugin's failure must not cost the whole digest; the figure may then be a little low.
            ctx.logger.exception("digest: reading the answered questions of %s failed", community.key)
    return found


async def period_counts(
    ctx: PluginContext, community: str, start: datetime, end: datetime
) -> ConversationCounts | None:
    """The figures of [start, end) (aware UTC), answered questions included; None past the raw retention."""
    ref = CommunityRef.from_key(community)
    return await conversation_counts(
        ctx.db,
        community,
        start,
        end,
        await answered_messages(ctx, ref, start, end),
        now=ctx.clock.now(),
        retention_days=ctx.retention_days,
    )


async def conversations_per_channel(
    ctx: PluginContext, community: str, start: datetime, end: datetime
) -> dict[str, ChannelConversations] | None:
    """Per channel id: messages, got a reply, conversations and those with two or more participants over
    [start, end); None when the period is older than the raw retention (no data). A channel without a
    message in the period is absent (its figures are all zero)."""
    counts = await period_counts(ctx, community, start, end)
    return None if counts is None else {c.channel_id: c for c in counts.channels}


def _metrics(counts: ConversationCounts | None) -> tuple[Metric, ...]:
    return (
        Metric(
            "got_reply_share",
            _("Share of messages that got a reply"),
            None if counts is None else counts.got_reply_share,
            "share",
        ),
        Metric("got_reply", _("Messages that got a reply"), None if counts is None else counts.got_reply),
        Metric("conversations", _("Conversations"), None if counts is None else counts.conversations),
        Metric(
            "conversations_two_plus",
            _("Conversations with two or more participants"),
            None if counts is None else counts.conversations_two_plus,
        ),
        Metric(
            "two_plus_share",
            _("Share of conversations with two or more participants"),
            None if counts is None else counts.two_plus_share,
            "share",
        ),
    )


def _top_line(ctx: PluginContext, community: str, counts: ConversationCounts) -> Text | None:
    ranked = counts.by_conversations()[:TOP_CHANNELS]
    if not ranked:
        return None
    ref = CommunityRef.from_key(community)
    names = [
        _(
            "{name} ({count})",
            name="#" + ctx.directory.channel_name(ChannelRef(ref.platform, ref.workspace_id, c.channel_id)),
            count=c.conversations,
        )
        for c in ranked
    ]
    return _("Top channels by conversations: {channels}", channels=join(names, ", "))


async def section(ctx: PluginContext, community: str, period: Period, tz: str) -> DigestSection:
    """The "Conversation quality" section of `period` (local days in `tz`)."""
    start, end = period.bounds(tz)
    counts = await period_counts(ctx, community, start, end)
    lines: list[Text] = []
    if counts is None:
        days = ctx.retention_days
        lines.append(
            n_(
                "Replies and conversations are counted from the messages of the last day only: "
                "this period is older, so they are not known.",
                "Replies and conversations are counted from the messages of the last {count} days only: "
                "this period is older, so they are not known.",
                days,
            )
        )
    else:
        top = _top_line(ctx, community, counts)
        if top is not None:
            lines.append(top)
    return DigestSection(KEY, _("Conversation quality"), lines=tuple(lines), metrics=_metrics(counts))
