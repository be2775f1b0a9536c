"""The questions plugin's declarations: detection filter, tracking listeners, ladder due actions,
commands (/ask, /solved, /notsolved, /unanswered, /question close, /helpers, /questions notes,
/questions settings), the asker's confirmation sweep, the digest section, the ladder's lines of /settings
show, and privacy. Each handler hands over to a service: `Tracker` (chat), `Escalation` (the ladder),
`Confirmation` (closing the loop with the asker), `Desk` (commands), `LadderDesk` (the community's
ladder), `Report` (leaderboard and digest) and `Privacy`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import _
from bot.model import (
    CardField,
    ChannelRef,
    CommunityRef,
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
from plugins.questions import confirm, ladder
from plugins.questions.answers import Answers
from plugins.questions.community_settings import (
    VALUE_MAX,
    LadderDesk,
    continues_default,
    continues_delay,
    continues_quiet,
    describe,
)
from plugins.questions.confirm import Confirmation
from plugins.questions.desk import Desk
from plugins.questions.escalation import Escalation
from plugins.questions.privacy import Privacy
from plugins.questions.repo import QuestionsRepo
from plugins.questions.report import Report
from plugins.questions.settings import QuestionsSettings
from plugins.questions.tracker import Tracker

_GROUP_HELP = _("The group or topic it is about.")
_QUESTION_HELP = _("Your question.")
_GROUP_MAX = 60
_QUESTION_MAX = 1500
_SETTING: dict[str, Any] = {"required": False, "max_length": VALUE_MAX, "named_only": True}


class QuestionsPlugin(Plugin[QuestionsSettings]):
    """Patient answers: every question deserves an answer, and patient helpers are recognised."""

    name = "questions"
    Settings = QuestionsSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.repo = QuestionsRepo(ctx.db)
        self.tracker = Tracker(ctx, self.repo, self.settings)
        self.escalation = Escalation(ctx, self.tracker)
        self.desk = Desk(ctx, self.tracker)
        self.report = Report(ctx, self.tracker)
        self.privacy = Privacy(self.tracker)
        self.answers = Answers(self.tracker)
        self.ladder_desk = LadderDesk(ctx, self.tracker)
        self.confirmation = Confirmation(ctx, self.tracker, self.escalation)
        self.tracker.first_answer_hooks.append(self.confirmation.answered)

    async def start(self) -> None:
        """Load the active questions into the in-memory index and wake the ladders and confirmations."""
        await self.tracker.load()
        await self.confirmation.wake()

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

    @due(confirm.SWEEP)
    async def confirm_sweep(self, action: DueAction) -> None:
        """Ask the askers of newly answered questions; close the ones never confirmed as unconfirmed."""
        await self.confirmation.sweep(action)

    @job("questions.prune", every=timedelta(hours=1), scope="process")
    async def prune(self, when: datetime) -> None:
        """Let old answered questions drop out of the in-memory index; wake any ladder or confirmation left
        asleep."""
        await self.tracker.tidy(when)
        await self.confirmation.wake()

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
        return await self.desk.ask(inv, question, group)

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
        return await self.desk.solve(inv, question)

    @command(
        "notsolved",
        _("Say that the answers to your question did not solve it yet: it goes back to the helpers."),
        integer(
            "question",
            _("The question's number (your latest answered one when left out)."),
            required=False,
            min_value=1,
        ),
        private=True,
    )
    async def notsolved(self, inv: Invocation, question: int | None = None) -> Reply:
        """`/notsolved` or `/notsolved 12` (the "Not yet" button of the asker's private question)."""
        return await self.confirmation.not_yet(inv, question)

    @command(
        "unanswered",
        _("List the questions still waiting for an answer, oldest first."),
        channel("channel", _("Only this channel."), required=False),
        text("group", _("Only questions about this group or topic."), required=False, max_length=60),
    )
    async def unanswered(self, inv: Invocation, channel: ChannelRef | None = None, group: str | None = None) -> Reply:
        """`/unanswered`, `/unanswered #help`, `/unanswered group:python`."""
        return await self.desk.unanswered(inv, channel, group)

    @autocomplete("open_questions")
    async def complete_open_questions(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Open questions whose number or excerpt contains what was typed, oldest first."""
        return await self.desk.open_questions(community, prefix)

    @command(
        "question close",
        _("Close a question (duplicate, off-topic...)."),
        replace(integer("id", _("The question's number."), min_value=1), autocomplete="open_questions"),
        text("reason", _("Why it is closed, such as duplicate or off-topic."), max_length=200, rest=True),
        level=Level.MODERATOR,
    )
    async def question_close(self, inv: Invocation, id: int, reason: str) -> Reply:
        """`/question close 12 duplicate of #9`."""
        return await self.desk.close(inv, id, reason)

    @command(
        "helpers",
        _("The patience leaderboard: who answered questions lately."),
        integer("weeks", _("How many weeks to look back (4 by default)."), required=False, min_value=1, max_value=52),
    )
    async def helpers(self, inv: Invocation, weeks: int | None = None) -> Reply:
        """`/helpers` or `/helpers 12`."""
        return await self.report.helpers(inv, weeks)

    @command(
        "questions notes",
        _("Turn on or off the private note the bot sends when your question waits."),
        choice(
            "state",
            _("on or off"),
            [
                Choice("on", _("on"), aliases=("oui", "actif", "activer", "marche", "yes")),
                Choice("off", _("off"), aliases=("non", "inactif", "desactiver", "arret", "no")),
            ],
        ),
        private=True,
    )
    async def questions_notes(self, inv: Invocation, state: str) -> Reply:
        """`/questions notes off`."""
        return await self.desk.notes(inv, state == "on")

    @command(
        "questions settings",
        _("Show or change this community's question ladder: delays, quiet hours, newcomers' priority."),
        text("nudge", _("Nudge the helpers after this long, such as 4h or 90min."), joins=continues_delay, **_SETTING),
        text(
            "escalate",
            _("Mention the helpers or moderators after this long, such as 24h or 1 day."),
            joins=continues_delay,
            **_SETTING,
        ),
        text(
            "waiting",
            _("Mark the question as still waiting after this long, such as 3d."),
            joins=continues_delay,
            **_SETTING,
        ),
        text(
            "quiet_hours",
            _("When nudges and escalations wait, such as 22:00-08:00 or 22h-8h; off for none."),
            joins=continues_quiet,
            **_SETTING,
        ),
        text(
            "newcomers", _("Priority to a newcomer's first question: on or off."), joins=continues_default, **_SETTING
        ),
        level=Level.MODERATOR,
        private=True,
    )
    async def questions_settings(
        self,
        inv: Invocation,
        nudge: str | None = None,
        escalate: str | None = None,
        waiting: str | None = None,
        quiet_hours: str | None = None,
        newcomers: str | None = None,
    ) -> Reply:
        """`/questions settings`, `/questions settings nudge:2h quiet_hours:off` (`default` resets one)."""
        return await self.ladder_desk.settings(inv, nudge, escalate, waiting, quiet_hours, newcomers)

    async def settings_fields(self, community: CommunityRef) -> list[CardField]:
        """`SettingsFields`: the community's ladder in /settings show, each value with where it comes from."""
        tz = (await self.ctx.communities.get(community)).timezone
        return list(describe(await self.tracker.ladders.values(community.key, fresh=True), tz))

    # ------------------------------------------------------------ digest and privacy

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Asked, answered, solved, times to a first answer, still waiting, helpers, languages."""
        return await self.report.digest_section(community, start, end)

    async def answered_messages(self, community: CommunityRef, start: datetime, end: datetime) -> set[tuple[str, str]]:
        """`AnswerSource`: the questions asked in [start, end) that were answered or solved."""
        return await self.answers.answered_messages(community, start, end)

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """Questions asked, answers credited, private notes choice."""
        return await self.privacy.export(user)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's questions and answers inside `tx`; drop them from the index."""
        return await self.privacy.forget(user, tx)


PLUGIN = QuestionsPlugin
