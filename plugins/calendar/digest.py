"""The calendar's digest section (`AdherenceDigest`): adherence, published, late, missed and streaks as typed
metrics (the digest compares each with the previous period), and per owner, per channel and per series
lines."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.i18n import Msg, Text, _, n_
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.plugin import DigestSection, Metric, PluginContext
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


def metrics(summary: adherence.Summary, current: int, best: int) -> tuple[Metric, ...]:
    """The section's figures: `current` is the longest streak still going at the period's end, `best` the
    longest ever (over the last year): a record, so no change is shown for it."""
    figures = summary.figures()
    return (
        Metric("adherence", _("On-time publishing rate"), summary.adherence(), "share"),
        Metric("planned", _("Posts planned"), figures["planned"]),
        Metric("published_on_time", _("Published on time"), figures["published_on_time"]),
        Metric("published_late", _("Published late"), figures["published_late"]),
        Metric("missed", _("Missed"), figures["missed"]),
        Metric("skipped", _("Skipped"), figures["skipped"]),
        Metric("current_streak", _("Current best streak (on time in a row)"), current),
        Metric("best_streak", _("Record streak over the last year (on time in a row)"), best, compare=False),
    )


class AdherenceDigest:
    """The plugin's digest section, from the stored outcomes."""

    def __init__(self, ctx: PluginContext, repo: CalendarRepo, settings: CalendarSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings

    async def section(self, community: CommunityRef, start: datetime, end: datetime) -> DigestSection | None:
        """Figures for [start, end); None when the calendar had nothing due in the year up to `end` (the
        feature unused). A quiet period of a calendar in use gets its zeros, so the next one compares."""
        now = self.ctx.clock.now()
        history = await self.repo.outcomes(community.key, end - STREAK_LOOKBACK, end)
        outcomes = [o for o in history if o.due_at >= start]
        if not history:
            return None
        summary = adherence.summarise(outcomes, now, self.settings.late_after)
        streaks = adherence.streaks(history, now, self.settings.late_after)
        records = adherence.best_runs(history, now, self.settings.late_after)
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
        if len(owners) > MAX_LINES:
            lines.append(n_("…and {count} more owner.", "…and {count} more owners.", len(owners) - MAX_LINES))
        channels = sorted(summary.by_channel.items())
        for channel_id, counter in channels[:MAX_LINES]:
            name = self.ctx.directory.channel_name(ChannelRef(community.platform, community.workspace_id, channel_id))
            lines.append(_("#{channel}: {counts}", channel=name, counts=_counts(counter)))
        if len(channels) > MAX_LINES:
            lines.append(n_("…and {count} more channel.", "…and {count} more channels.", len(channels) - MAX_LINES))
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
        values = metrics(summary, max(streaks.values(), default=0), max(records.values(), default=0))
        return DigestSection(
            "calendar", _("Editorial calendar"), {m.key: m.value for m in values}, tuple(lines), values
        )
