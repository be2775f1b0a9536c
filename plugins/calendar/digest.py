"""The calendar's digest section (`AdherenceDigest`): adherence per owner and per channel, and streaks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.i18n import Msg, Text, _, n_
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import DigestSection, PluginContext
from plugins.calendar import adherence
from plugins.calendar.repo import CalendarRepo
from plugins.calendar.settings import CalendarSettings

STREAK_LOOKBACK = timedelta(days=366)
MAX_LINES = 8


def _counts(counter: Counter[str]) -> Msg:
    planned = sum(counter.values())
    # Each count agrees with its own number in French ("1 manquée", "2 manquées").
    return _(
        "{on_time}/{planned} on time, {late} late, {missed}, {skipped}",
        on_time=counter[adherence.PUBLISHED],
        planned=planned,
        late=counter[adherence.LATE],
        missed=n_("{count} missed", "{count} missed", counter[adherence.MISSED]),
        skipped=n_("{count} skipped", "{count} skipped", counter[adherence.SKIPPED]),
    )


class AdherenceDigest:
    """The plugin's digest section, from the stored outcomes."""

    def __init__(self, ctx: PluginContext, repo: CalendarRepo, settings: CalendarSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings

    async def section(self, community: CommunityRef, start: datetime, end: datetime) -> DigestSection | None:
        """Figures for [start, end); None when nothing was planned."""
        now = self.ctx.clock.now()
        outcomes = await self.repo.outcomes(community.key, start, end)
        summary = adherence.summarise(outcomes, now, self.settings.late_after)
        if not summary.totals:
            return None
        history = await self.repo.outcomes(community.key, end - STREAK_LOOKBACK, end)
        streaks = adherence.streaks(history, now, self.settings.late_after)
        figures: dict[str, float | int | None] = dict(summary.figures())
        figures["best_streak"] = max(streaks.values(), default=0)
        lines: list[Text] = []
        owners = sorted(summary.by_owner.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        for owner_id, counter in owners[:MAX_LINES]:
            name = (
                self.ctx.directory.member_name(UserRef(community.platform, community.workspace_id, owner_id))
                if owner_id
                else None
            )
            lines.append(
                _("@{owner}: {counts}", owner=name, counts=_counts(counter))
                if name
                else _("No owner: {counts}", counts=_counts(counter))
            )
        for channel_id, counter in sorted(summary.by_channel.items())[:MAX_LINES]:
            name = self.ctx.directory.channel_name(ChannelRef(community.platform, community.workspace_id, channel_id))
            lines.append(_("#{channel}: {counts}", channel=name, counts=_counts(counter)))
        titles = await self.repo.titles(community.key, streaks)
        best = sorted(((count, titles.get(sid, "?")) for sid, count in streaks.items() if count >= 2), reverse=True)
        for count, title in best[:MAX_LINES]:
            lines.append(
                n_(
                    "🔥 **{title}**: {count} on time in a row",
                    "🔥 **{title}**: {count} on time in a row",
                    count,
                    title=title,
                )
            )
        return DigestSection("calendar", _("Editorial calendar"), figures, tuple(lines))
