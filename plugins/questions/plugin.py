"""The questions plugin's declarations: detection filter, tracking listeners, ladder due actions,
commands (/ask, /solved, /unanswered, /question close, /helpers, /questions notes), the digest
section and privacy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from bot.folding import closest, fold
from bot.i18n import Msg, Text, _
from bot.model import (
    Card,
    CardField,
    ChannelRef,
    CommunityRef,
    DeliveryError,
    Level,
    Message,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    Reply,
    UserRef,
)
from bot.plugin import (
    Choice,
    CommandError,
    DigestSection,
    DueAction,
    Invocation,
    MessageNotes,
    Plugin,
    PluginContext,
    Sql,
    autocomplete,
    channel,
    choice,
    command,
    due,
    integer,
    job,
    listen,
    message_filter,
    text,
)
from plugins.questions import detector, ladder, scoring, stats, views
from plugins.questions.escalation import Escalation
from plugins.questions.index import Tracked
from plugins.questions.repo import NewQuestion, Question, QuestionsRepo
from plugins.questions.settings import QuestionsSettings
from plugins.questions.tracker import Tracker


def _no_such(number: int) -> Msg:
    return _("There is no question #{id} here.", id=number)


_LIST_HINT = _("Type /unanswered to see the open questions and their numbers.")

_GROUP_HELP = _("The group or topic it is about.")
_QUESTION_HELP = _("Your question.")
_GROUP_MAX = 60
_QUESTION_MAX = 1500


class QuestionsPlugin(Plugin):
    """Patient answers: every question deserves an answer, and patient helpers are recognised."""

    name = "questions"
    Settings = QuestionsSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.settings = cast(QuestionsSettings, ctx.settings)
        self.repo = QuestionsRepo(ctx.db)
        self.tracker = Tracker(ctx, self.repo, self.settings)
        self.escalation = Escalation(ctx, self.tracker)

    async def start(self) -> None:
        """Load the active questions into the in-memory index and wake the ladders."""
        await self.tracker.load()

    async def stop(self) -> None:
        """Write what is still queued."""
        await self.tracker.drain()

    # ------------------------------------------------------------ chat

    @message_filter
    async def tag(self, message: Message, notes: MessageNotes) -> None:
        """Mark questions (and their language) so the activity writer records them."""
        await self.tracker.tag(message, notes)

    @listen(Message)
    async def on_message(self, message: Message, notes: MessageNotes) -> None:
        """Track new questions, answers and thanks."""
        await self.tracker.on_message(message, notes)

    @listen(ReactionAdded)
    async def on_reaction(self, event: ReactionAdded) -> None:
        """The asker's ✅ solves the question."""
        await self.tracker.on_reaction(event)

    @listen(MessageEdited)
    async def on_edit(self, event: MessageEdited) -> None:
        """Questions edited into statements and back."""
        await self.tracker.on_edit(event)

    @listen(MessageDeleted)
    async def on_delete(self, event: MessageDeleted) -> None:
        """A deleted question is closed."""
        await self.tracker.on_delete(event)

    # ------------------------------------------------------------ ladder

    @due(ladder.SWEEP)
    async def sweep(self, action: DueAction) -> None:
        """Run the ladder steps that fell due in a community: nudge, escalate, still waiting."""
        await self.escalation.sweep(action)

    @job("questions.prune", every=timedelta(hours=1))
    async def prune(self, when: datetime) -> None:
        """Let old answered questions drop out of the in-memory index; wake any ladder left asleep."""
        self.tracker.prune(when)
        await self.tracker.flush()
        await self.tracker.wake_ladders()

    # ------------------------------------------------------------ commands

    @command(
        "ask",
        _("Ask a question; the bot makes sure someone answers it."),
        # Every unnamed word is the question; the group is only ever given by name, before or after.
        text("question", _QUESTION_HELP, required=False, max_length=_QUESTION_MAX, rest=True),
        text("group", _GROUP_HELP, required=False, max_length=_GROUP_MAX, named_only=True),
    )
    async def ask(self, inv: Invocation, question: str = "", group: str | None = None) -> Reply:
        """`/ask How do I join the Lille group?`, with `group:newcomers` before or after it."""
        asked, group = question.strip(), (group or "").strip() or None
        if not asked:
            raise CommandError(_("Your question is empty."), _("Write it after /ask, like `/ask How do I ...?`."))
        target = self._ask_target(inv)
        card = Card(
            _("Question from {name}", name=self.ctx.directory.member_name(inv.user)),
            (CardField(_("Group"), group),) if group else (),
            description=asked,
        )
        try:
            ref = await self.ctx.messenger.send(target, Reply(card=card))
        except DeliveryError as error:
            raise CommandError(
                _("The question could not be posted in #{channel}.", channel=self.ctx.directory.channel_name(target)),
                _("Ask a moderator to check the bot's permissions."),
            ) from error
        if ref is None:
            raise CommandError(_("The question could not be posted."), _("Please try again."))
        language = await self.tracker.language_of(asked, inv.community.key)
        stored = await self.tracker.create(
            NewQuestion(
                inv.community.key,
                ref.channel.channel_id,
                ref.channel.thread_id,
                ref.message_id,
                inv.user.user_id,
                inv.at,
                language,
                detector.excerpt(asked, self.settings.excerpt_length),
                group,
                explicit=True,
            )
        )
        await self.tracker.flush()
        return Reply(
            text=_("Your question is posted as #{id}. The bot will make sure someone answers it.", id=stored.id),
            ephemeral=True,
        )

    def _ask_target(self, inv: Invocation) -> ChannelRef:
        if self.settings.ask_channel:
            return ChannelRef(inv.community.platform, inv.community.workspace_id, self.settings.ask_channel)
        return inv.channel

    @command(
        "solved",
        _("Mark your question as solved."),
        replace(
            integer(
                "question", _("The question's number (your latest one when left out)."), required=False, min_value=1
            ),
            autocomplete="open_questions",
        ),
    )
    async def solved(self, inv: Invocation, question: int | None = None) -> Reply:
        """`/solved` or `/solved 12`."""
        await self.tracker.flush()
        found = await self._question_to_solve(inv, question)
        if found.author_id != inv.user.user_id and inv.level < Level.MODERATOR:
            raise CommandError(
                _("Only the person who asked #{id} (or a moderator) can mark it solved.", id=found.id),
                _("Thank the person who helped you instead; it counts for them."),
            )
        if found.status not in ("open", "answered"):
            raise CommandError(_("Question #{id} is already {status}.", id=found.id, status=_status(found.status)))
        tracked = self.tracker.index.by_id.get(found.id) or Tracked(
            found.id,
            found.community,
            found.channel_id,
            found.message_id,
            found.author_id,
            found.asked_at,
            found.answered_by,
        )
        await self.tracker.solve(tracked, found.answered_by, inv.at)
        return Reply(text=_("Question #{id} is solved. Thank you for letting everyone know! ✅", id=found.id))

    async def _question_to_solve(self, inv: Invocation, number: int | None) -> Question:
        community = inv.community.key
        if number is not None:
            found = await self.repo.get(community, number)
            if found is None:
                raise CommandError(_no_such(number), self._id_hint(inv, number))
            return found
        thread = inv.channel.thread_id
        tracked = self.tracker.index.question(community, inv.channel.channel_id, thread) if thread else None
        if tracked is None:
            mine = self.tracker.index.asked_by(community, inv.user.user_id)
            here = [t for t in mine if t.channel_id == inv.channel.channel_id]
            tracked = (here or mine)[-1] if (here or mine) else None
        if tracked is None:
            raise CommandError(_("You have no open question to mark solved."), _("Give its number, like `/solved 12`."))
        found = await self.repo.get(community, tracked.id)
        if found is None:
            raise CommandError(_("You have no open question to mark solved."))
        return found

    def _id_hint(self, inv: Invocation, number: int) -> Text:
        ids = [str(t.id) for t in self.tracker.index.by_id.values() if t.community == inv.community.key]
        near = closest(str(number), ids)
        return _("Did you mean #{suggestion}?", suggestion=near[0]) if near else _LIST_HINT

    @command(
        "unanswered",
        _("List the questions still waiting for an answer, oldest first."),
        channel("channel", _("Only this channel."), required=False),
        text("group", _("Only questions about this group or topic."), required=False, max_length=60),
    )
    async def unanswered(self, inv: Invocation, channel: ChannelRef | None = None, group: str | None = None) -> Reply:
        """`/unanswered`, `/unanswered #help`, `/unanswered group:python`."""
        await self.tracker.flush()
        group_name = await self._group(inv.community.key, group) if group else None
        found = await self.repo.unanswered(
            inv.community.key, channel.channel_id if channel else None, group_name, views.MAX_LISTED + 50
        )
        return views.unanswered(self.ctx, found, self.ctx.clock.now())

    @autocomplete("open_questions")
    async def complete_open_questions(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Open questions whose number or excerpt contains what was typed, oldest first."""
        await self.tracker.flush()
        wanted = fold(prefix)
        found = await self.repo.unanswered(community.key, None, None, 200)
        hits = [q for q in found if wanted in str(q.id) or wanted in fold(q.excerpt)]
        return [Choice(str(q.id), f"#{q.id} {q.excerpt[:80]}") for q in hits[:25]]

    async def _group(self, community: str, given: str) -> str:
        groups = await self.repo.groups(community)
        match = next((g for g in groups if fold(g) == fold(given)), None)
        if match is not None:
            return match
        near = closest(given, groups)
        hint: Text = (
            _("Did you mean {suggestion}?", suggestion=near[0])
            if near
            else _("Questions get a group with `/ask ... group:name`.")
        )
        raise CommandError(_("No question is filed under the group {group}.", group=given.strip()[:60]), hint)

    @command(
        "question close",
        _("Close a question (duplicate, off-topic...)."),
        replace(integer("id", _("The question's number."), min_value=1), autocomplete="open_questions"),
        text("reason", _("Why it is closed, such as duplicate or off-topic."), max_length=200, rest=True),
        level=Level.MODERATOR,
    )
    async def question_close(self, inv: Invocation, id: int, reason: str) -> Reply:
        """`/question close 12 duplicate of #9`."""
        await self.tracker.flush()
        found = await self.repo.get(inv.community.key, id)
        if found is None:
            raise CommandError(_no_such(id), self._id_hint(inv, id))
        if not reason.strip():
            raise CommandError(_("Give a reason, such as duplicate or off-topic."))
        if not await self.tracker.close(found, reason.strip(), inv.at):
            raise CommandError(_("Question #{id} is already {status}.", id=id, status=_status(found.status)))
        return Reply(text=_("Question #{id} is closed: {reason}", id=id, reason=reason.strip()))

    @command(
        "helpers",
        _("The patience leaderboard: who answered questions lately."),
        integer("weeks", _("How many weeks to look back (4 by default)."), required=False, min_value=1, max_value=52),
    )
    async def helpers(self, inv: Invocation, weeks: int | None = None) -> Reply:
        """`/helpers` or `/helpers 12`."""
        await self.tracker.flush()
        span = weeks or 4
        since = self.ctx.clock.now() - timedelta(weeks=span)
        answered = await self.repo.answered_since(inv.community.key, since)
        standings = scoring.leaderboard(views.credits(answered, since, await self._joined(inv.community, answered)))
        return views.helpers(self.ctx, standings, inv.community.key, span)

    @command(
        "questions notes",
        _("Turn on or off the private note the bot sends when your question waits."),
        choice("state", _("on or off."), [Choice("on", _("on")), Choice("off", _("off"))]),
        private=True,
    )
    async def questions_notes(self, inv: Invocation, state: str) -> Reply:
        """`/questions notes off`."""
        await self.repo.set_notes(inv.community.key, inv.user.user_id, state == "on", inv.at)
        if state == "on":
            return Reply(text=_("You will get a private note when your question waits for an answer."), ephemeral=True)
        return Reply(text=_("No more private notes about your questions."), ephemeral=True)

    # ------------------------------------------------------------ digest and privacy

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Asked, answered, solved, times to a first answer, still waiting, helpers, languages."""
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
        return views.digest_section(self.ctx, community.key, figures, waiting, standings)

    async def _joined(self, community: CommunityRef, questions: list[Question]) -> dict[str, datetime | None]:
        """When each asker joined (looked up only for the leaderboard, never on the hot path)."""
        return await self.ctx.communities.joined_dates(community, (q.author_id for q in questions))

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """Questions asked, answers credited, private notes choice."""
        await self.tracker.flush()
        return await self.repo.export(user.community.key, user.user_id)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's questions and answers inside `tx`; drop them from the index."""
        await self.repo.flush(tx)  # queued rows first, so nothing about the member is written afterwards
        removed = await QuestionsRepo(tx).forget(user.community.key, user.user_id)
        index = self.tracker.index
        for tracked in list(index.by_id.values()):
            if tracked.community != user.community.key:
                continue
            if tracked.author_id == user.user_id:
                index.remove(tracked.id)
            elif user.user_id in tracked.answers.values():
                index.remove(tracked.id)
                tracked.answers = {m: u for m, u in tracked.answers.items() if u != user.user_id}
                tracked.answered_by = None if tracked.answered_by == user.user_id else tracked.answered_by
                index.add(tracked)
        return removed


def _before(question: Question, end: datetime) -> bool:
    return (question.answered_at or question.solved_at or end) < end


def _status(status: str) -> Text:
    names = {"solved": _("solved"), "closed": _("closed"), "withdrawn": _("withdrawn")}
    return names.get(status, status)


PLUGIN = QuestionsPlugin
