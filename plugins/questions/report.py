"""The questions' figures: the patience leaderboard (`/helpers`) and the weekly digest section (asked,
answered, solved, times to a first answer, still waiting, the top helpers, languages).

Askers' join dates (newcomers' questions weigh more in `scoring`) are looked up here only, never on
the hot path.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.model import CommunityRef, Reply
from bot.plugin import DigestSection, Invocation, PluginContext
from plugins.questions import scoring, stats, views
from plugins.questions.repo import Question
from plugins.questions.tracker import Tracker


class Report:
    """Reads the questions tables (after writing what is queued) into the leaderboard and the digest."""

    def __init__(self, ctx: PluginContext, tracker: Tracker) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.repo = tracker.repo
        self.settings = tracker.settings

    async def helpers(self, inv: Invocation, weeks: int | None) -> Reply:
        """Who answered questions over the last `weeks` (4 by default)."""
        await self.tracker.flush()
        span = weeks or 4
        since = self.ctx.clock.now() - timedelta(weeks=span)
        answered = await self.repo.answered_since(inv.community.key, since)
        standings = scoring.leaderboard(views.credits(answered, since, await self._joined(inv.community, answered)))
        return views.helpers(self.ctx, standings, inv.community.key, span)

    async def digest_section(self, community: CommunityRef, start: datetime, end: datetime) -> DigestSection | None:
        """The period's figures, the questions still waiting and the three top helpers."""
        await self.tracker.flush()
        counts = await self.repo.asked_counts(community.key, start, end)
        waits = [
            stats.hours_between(asked, answered)
            for asked, answered in await self.repo.answer_times(community.key, start, end)
        ]
        waiting = await self.repo.still_waiting(community.key, end - timedelta(hours=self.settings.waiting_after_hours))
        answered = await self.repo.answered_since(community.key, start)
        counted = [q for q in answered if _before(q, end)]
        standings = scoring.leaderboard(views.credits(counted, start, await self._joined(community, counted)), limit=3)
        figures = stats.summary(counts, waits, len(waiting))
        # Languages are named in the community's language (the digest's own language lines do the same).
        locale = (await self.ctx.communities.get(community)).locale
        names = {
            key.removeprefix("asked_"): self.ctx.translator.language_name(key.removeprefix("asked_"), locale)
            for key in figures
            if key.startswith("asked_")
        }
        return views.digest_section(self.ctx, community.key, figures, waiting, standings, names)

    async def _joined(self, community: CommunityRef, questions: list[Question]) -> dict[str, datetime | None]:
        """When each asker joined (looked up only for the leaderboard, never on the hot path)."""
        return await self.ctx.communities.joined_dates(community, (q.author_id for q in questions))


def _before(question: Question, end: datetime) -> bool:
    return (question.answered_at or question.solved_at or end) < end
