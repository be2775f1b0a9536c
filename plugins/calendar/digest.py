"""The calendar's digest section: adherence per owner and per channel, and streaks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.i18n import Msg, Text, _
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import DigestSection, PluginContext
from plugins.calendar import adherence
from plugins.calendar.repo import CalendarRepo
from plugins.calendar.settings import CalendarSettings

STREAK_LOOKBACK = timedelta(days=366)
MAX_LINES = 8


def _counts(counter: Counter[str]) -> Msg:
    planned = sum(counter.values())
    return _(
        "{on_time}/{planned} on time, {late} late, {missed} missed, {skipped} skipped",
        on_time=counter[adherence.PUBLISHED],
        planned=planned,
        late=counter[adherence.LATE],
        missed=counter[adherence.MISSED],
        skipped=counter[adherence.SKIPPED],
    )


async def section(
    ctx: PluginContext,
    repo: CalendarRepo,
    settings: CalendarSettings,
    community: CommunityRef,
    start: datetime,
    end: datetime,
) -> DigestSection | None:
    """Figures for [start, end); None when nothing was planned."""
    now = ctx.clock.now()
    outcomes = await repo.outcomes(community.key, start, end)
    summary = adherence.summarise(outcomes, now, settings.late_after)
    if not summary.totals:
        return None
    history = await repo.outcomes(community.key, end - STREAK_LOOKBACK, end)
    streaks = adherence.streaks(history, now, settings.late_after)
    figures: dict[str, float | int | None] = dict(summary.figures())
    figures["best_streak"] = max(streaks.values(), default=0)
    lines: list[Text] = []
    for owner_id, counter in sorted(summary.by_owner.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))[:MAX_LINES]:
        name = (
            ctx.directory.member_name(UserRef(community.platform, community.workspace_id, owner_id))
            if owner_id
            else None
        )
        lines.append(
            _("@{owner}: {counts}", owner=name, counts=_counts(counter))
            if name
            else _("No owner: {counts}", counts=_counts(counter))
        )
    for channel_id, counter in sorted(summary.by_channel.items())[:MAX_LINES]:
        name = ctx.directory.channel_name(ChannelRef(community.platform, community.workspace_id, channel_id))
        lines.append(_("#{channel}: {counts}", channel=name, counts=_counts(counter)))
    titles = await repo.titles(community.key, streaks)
    best = sorted(((count, titles.get(sid, "?")) for sid, count in streaks.items() if count >= 2), reverse=True)
    for count, title in best[:MAX_LINES]:
        lines.append(_("🔥 **{title}**: {count} on time in a row", title=title, count=count))
    return DigestSection("calendar", _("Editorial calendar"), figures, tuple(lines))
