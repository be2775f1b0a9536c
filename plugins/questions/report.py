"""The questions' figures: the patience leaderboard (`/helpers`) and the weekly digest section (asked,
answered, solved, answered but not confirmed by the asker, times to a first answer, still waiting, the top
helpers, languages).

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

LANGUAGES_LOOKBACK = timedelta(days=366)


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
        return views.helpers(self.ctx, standings, inv.community.key, span, views.unconfirmed_by(answered, since))

    async def digest_section(self, community: CommunityRef, start: datetime, end: datetime) -> DigestSection | None:
        """The period's figures (typed metrics), the questions still waiting at its end (the oldest, each
        once) and the three top helpers; None when the community never had a question before `end` (the
        feature unused: no section rather than a column of zeros)."""
        await self.tracker.flush()
        key = community.key
        if not await self.repo.asked_any(key, end):
            return None
        counts = await self.repo.asked_counts(key, start, end)
        # The same per-language keys for every period computed now (this one and the previous one): the
        # languages of the last year, at zero where none was asked, so each compares with its past.
        seen = {c.language for c in counts}
        recent = await self.repo.languages_since(key, self.ctx.clock.now() - LANGUAGES_LOOKBACK)
        counts += [stats.LanguageCount(language, 0, 0) for language in recent if language not in seen]
        waits = [
            stats.seconds_between(asked, answered) for asked, answered in await self.repo.answer_times(key, start, end)
        ]
        # The community's own "still waiting" delay when it chose one (as it is today, for past periods too).
        cutoff = end - (await self.tracker.ladders.values(key)).waiting
        waiting_count = await self.repo.waiting_count(key, cutoff, end)
        # The oldest ones, enough to fill the list with distinct questions even when some are repeated.
        oldest = await self.repo.waiting_at(key, cutoff, end, views.WAITING_SCANNED)
        answered = await self.repo.answered_since(key, start)
        counted = [q for q in answered if _before(q, end)]
        standings = scoring.leaderboard(views.credits(counted, start, await self._joined(community, counted)), limit=3)
        unconfirmed = await self.repo.unconfirmed_count(key, start, end)
        figures = stats.summary(counts, waits, waiting_count, unconfirmed)
        return views.digest_section(self.ctx, key, figures, oldest, standings)

    async def _joined(self, community: CommunityRef, questions: list[Question]) -> dict[str, datetime | None]:
        """When each asker joined (looked up only for the leaderboard, never on the hot path)."""
        return await self.ctx.communities.joined_dates(community, (q.author_id for q in questions))


def _before(question: Question, end: datetime) -> bool:
    return (question.answered_at or question.solved_at or end) < end
