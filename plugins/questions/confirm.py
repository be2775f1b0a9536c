"""Closing the loop with the asker: once a question gets its first answer, its asker is asked, once and
privately, whether it solved it ("Solved" runs `/solved N`, "Not yet" runs `/notsolved N`); an answered
question its asker never confirms is closed as answered, not confirmed ('unconfirmed') after
`confirm_after_days`, and never counted as solved.

The steps live on the question rows (`confirm_step`: 'ask', then 'expire'; `confirm_at`), planned in the
same batch as the answer, so an answer costs no scheduler write of its own: one due action per community
(`questions.confirm`, keyed by community and time, like the ladder's) wakes a sweep at the earliest
pending step. Each step happens once across restarts, double fires and processes: the ask is sent with a
dedupe key per question and recorded only where `confirm_step = 'ask'`, the closing is one UPDATE guarded
by `status = 'answered' AND confirm_step = 'expire'`.

The ask waits `ASK_AFTER` after the answer (the time to read it: an asker who thanks, reacts ✅ or runs
`/solved` meanwhile is never asked) and is moved out of the community's quiet hours. An asker who opted
out of private notes (`/questions notes off`), or whose community turned them off (`private_notes`), left,
or cannot get DMs is not asked; their answered question is closed as unconfirmed the same way.

"Not yet" (the button, or `/notsolved` typed) sends an answered (or unconfirmed) question back to
waiting: 'open' again with its first answer kept for the figures, listed by `/unanswered` with 🔁, told
to the helpers (helpers channel, else the question's thread) without mentioning anyone, and its ladder
resumes at the rung it had not reached (see `resume`), each rung still once. Its next answer takes it off
the ladder again and, the asker having been asked already, plans only the closing as unconfirmed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n import Msg, _, join
from bot.model import Button, DeliveryError, Reply
from bot.plugin import CommandError, DueAction, Invocation, PluginContext
from bot.storage.times import to_db
from plugins.questions import ladder
from plugins.questions.escalation import Escalation, asker_of
from plugins.questions.index import Tracked
from plugins.questions.repo import Question, QuestionsRepo
from plugins.questions.tracker import Tracker, as_tracked
from plugins.questions.wakeups import SweepAlarm

SWEEP = "questions.confirm"  # the due-action kind that wakes the confirmation sweep of one community
ASK = "ask"
EXPIRE = "expire"
ASK_AFTER = timedelta(minutes=15)
"""How long after the first answer the asker is asked: the time to read it, and to say thanks by themselves."""
RETRY = timedelta(minutes=15)
"""A private question that failed for an outage is tried again this much later (until the closing is due)."""


def resume(steps: ladder.Ladder, question: Question, now: datetime) -> tuple[str | None, datetime | None]:
    """Where the ladder of a question sent back to waiting at `now` resumes: (next rung, when).

    The rung it had not reached stays next, each rung still happens once, and none falls due sooner
    than `nudge_after` from now (the helpers were just told: they get the time a new question gives them).
    Rungs whose time passed while the question looked answered are not played in a burst: the last of
    the rungs due by then is the next one, the earlier ones are skipped (the helpers' notice stood in
    for them)."""
    if question.next_step is None:
        return None, None  # every rung was taken before the answer came
    plan = steps.plan(question.asked_at)
    kinds = [step.kind for step in plan]
    if question.next_step not in kinds:
        return question.next_step, max(question.next_step_at or now, now)
    pending = plan[kinds.index(question.next_step) :]
    grace = now + steps.nudge_after
    chosen = pending[0]
    for step in pending[1:]:
        if step.due_at <= grace:
            chosen = step
    due_at = max(chosen.due_at, grace)
    if chosen.kind in (ladder.NUDGE, ladder.ESCALATE):
        due_at = ladder.out_of_quiet_hours(due_at, steps.tz, steps.quiet_start, steps.quiet_end)
    return chosen.kind, due_at


class Confirmation:
    """The asker's confirmation: planning it on the first answer, the sweep (ask, then close as
    unconfirmed) and the "Not yet" command."""

    def __init__(self, ctx: PluginContext, tracker: Tracker, escalation: Escalation) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.escalation = escalation
        self.repo: QuestionsRepo = tracker.repo
        self.settings = tracker.settings
        self._alarm = SweepAlarm(ctx, SWEEP)
        tracker.later_answer_hooks.append(self.answered_again)

    @property
    def expire_after(self) -> timedelta:
        """How long an answered question waits for its asker's word before it is closed as unconfirmed."""
        return timedelta(days=self.settings.confirm_after_days)

    # ------------------------------------------------------------ planning (hot path: no I/O but the wake-up)

    async def answered(self, tracked: Tracked, at: datetime) -> None:
        """A question got its first answer (or its first since "Not yet"): plan the ask (or, the asker
        having been asked already, the closing) with the next batch, and make sure the sweep wakes."""
        steps = await self.tracker.ladder(tracked.community)
        ask_at = ladder.out_of_quiet_hours(at + ASK_AFTER, steps.tz, steps.quiet_start, steps.quiet_end)
        expire_at = at + self.expire_after
        self.repo.queue_confirm_plan(tracked.community, tracked.id, ask_at, expire_at)
        self.tracker.writes.queued()
        await self.arm(tracked.community, min(ask_at, expire_at))

    async def answered_again(self, tracked: Tracked, at: datetime) -> None:
        """A later answer: if its question was sent back to waiting by another process (the asker's "Not yet"
        pressed in a DM, which Discord delivers to shard 0 wherever the server is), it is answered again and
        its closing as unconfirmed planned, as `answered` does for a question this process sent back. A
        guarded UPDATE with the next batch; no read on the hot path, and no wake-up written for every later
        answer: the closing is `confirm_after_days` away, and the hourly `wake` arms the sweep for it."""
        self.repo.queue_answered_again(tracked.community, tracked.id, at + self.expire_after)
        self.tracker.writes.queued()

    async def wake(self) -> None:
        """Make sure every community's sweep wakes at its earliest pending step (start-up, hourly)."""
        for community, due_at in await self.repo.confirm_times():
            await self.arm(community, due_at)

    async def arm(self, community: str, due_at: datetime, *, after_sweep: bool = False) -> None:
        """Make sure the community's confirmation sweep wakes at `due_at` at the latest (no query when it
        already does)."""
        await self._alarm.arm(community, due_at, after_sweep=after_sweep)

    # ------------------------------------------------------------ the sweep

    async def sweep(self, action: DueAction) -> None:
        """Run every confirmation step due in the community (ask, close as unconfirmed), then wake up again
        for the next one. A private question that failed for an outage is postponed, not the sweep."""
        await self.tracker.flush()
        community = action.community
        postponed: set[int] = set()
        while True:
            due = [q for q in await self.repo.confirm_due(community, self.ctx.clock.now()) if q.id not in postponed]
            if not due:
                break
            for listed in due:
                question = await self._still_due(listed)
                if question is None:
                    postponed.add(listed.id)  # solved, sent back or closed since the list was read
                elif question.confirm_step == ASK:
                    if not await self._ask(question):
                        postponed.add(question.id)
                elif question.confirm_step == EXPIRE:
                    await self._expire(question)
                else:
                    postponed.add(question.id)  # a step this version does not know: left alone
        next_at = await self.repo.confirm_time(community)
        if next_at is not None:
            await self.arm(community, next_at, after_sweep=True)

    async def _still_due(self, listed: Question) -> Question | None:
        """The question as it stands now, if its step is still due (what chat queued meanwhile written first:
        a thanks a second ago means no private question)."""
        await self.tracker.flush()
        current = await self.repo.get(listed.community, listed.id)
        if current is None or current.status != "answered" or current.confirm_step != listed.confirm_step:
            return None
        return current

    async def _ask(self, question: Question) -> bool:
        """Ask the asker once, privately; False when postponed (an outage, tried again later)."""
        now = self.ctx.clock.now()
        expire_at = (question.answered_at or now) + self.expire_after
        # Past the closing already (the bot was down): asking now would close it a moment later.
        if expire_at > now and await self.escalation.may_note(question):
            asker = asker_of(question)
            try:
                await self.ctx.messenger.send(
                    asker, self.ask_reply(question), dedupe_key=f"questions.confirm:{question.community}:{question.id}"
                )
            except DeliveryError as error:
                steps = await self.tracker.ladder(question.community)
                retry = ladder.out_of_quiet_hours(now + RETRY, steps.tz, steps.quiet_start, steps.quiet_end)
                if error.transient and retry < expire_at:
                    await self.repo.postpone_confirm(question.community, question.id, ASK, retry)
                    self.ctx.logger.warning(
                        "questions: could not ask the asker of #%s in %s (%s); tried again at %s",
                        question.id,
                        question.community,
                        error,
                        to_db(retry),
                    )
                    return False
                # A closed DM or a refusal for good: not retried; the question is closed as unconfirmed in time.
                self.ctx.logger.warning(
                    "questions: could not ask the asker of #%s in %s: %s", question.id, question.community, error
                )
        await self.repo.asked_to_confirm(question.community, question.id, now, expire_at)
        return True

    async def _expire(self, question: Question) -> None:
        """Close an answered question its asker never confirmed (once: the UPDATE is guarded). It stays in the
        index until `track_days`, so a late thanks or ✅ still solves it; nobody is told."""
        if await self.repo.expire(question.community, question.id, self.ctx.clock.now()):
            self.ctx.logger.info(
                "questions: #%s in %s closed as answered, not confirmed", question.id, question.community
            )

    def ask_reply(self, question: Question) -> Reply:
        """The kind private question: did the answer solve it? With the two buttons and their typed forms."""
        number = str(question.id)
        return Reply(
            text=join(
                [
                    _(
                        "💬 Your question in #{channel} got an answer: “{excerpt}” {link}",
                        **self.escalation.about(question),
                    ),
                    _("Did it solve your question? Your word tells the helpers what still needs them."),
                    _(
                        "Press a button, or type `/solved {id}` or `/notsolved {id}`. The bot asks only once; "
                        "you can turn these notes off with `/questions notes off`.",
                        id=number,
                    ),
                ]
            ),
            buttons=(
                Button(_("Solved"), "solved", {"question": number}),
                Button(_("Not yet"), "notsolved", {"question": number}),
            ),
        )

    # ------------------------------------------------------------ "Not yet"

    async def not_yet(self, inv: Invocation, number: int | None) -> Reply:
        """`/notsolved [N]` (the "Not yet" button): only the asker; an answered or unconfirmed question goes
        back to waiting, the helpers are told, its ladder resumes. Pressed twice, or on a question that is
        no longer answered, it changes nothing and says so kindly."""
        await self.tracker.flush()
        question = await self._question(inv, number)
        if question.author_id != inv.user.user_id:
            raise CommandError(
                _("Only the person who asked #{id} can say that its answers did not solve it.", id=str(question.id)),
                _("Thank you for caring! You can answer it in its thread, or reply to it."),
            )
        if question.status == "open":
            if question.not_yet_at is not None:
                return Reply(
                    text=_("Already noted: question #{id} is back with the helpers.", id=str(question.id)),
                    ephemeral=True,
                )
            if question.next_step in (ladder.NUDGE, ladder.ESCALATE):
                text = _(
                    "Question #{id} has not had an answer yet: it is still waiting, and the helpers will be reminded.",
                    id=str(question.id),
                )
            else:  # its reminders are behind it: promise none
                text = _(
                    "Question #{id} has not had an answer yet: it is still waiting, listed for the helpers by "
                    "`/unanswered`.",
                    id=str(question.id),
                )
            return Reply(text=text, ephemeral=True)
        if question.status == "solved":
            raise CommandError(
                _("Question #{id} is already solved.", id=str(question.id)),
                _("If something is still missing, ask a new question: the helpers will see it."),
            )
        if question.status not in ("answered", "unconfirmed"):
            raise CommandError(_("Question #{id} is closed: it can no longer be sent back.", id=str(question.id)))
        now = self.ctx.clock.now()
        # A newcomer's first question resumes on its own, faster ladder (community_settings.py).
        newcomer = bool(await self.tracker.ladders.newcomer_ids(question.community, [question.id]))
        steps = await self.tracker.ladder(question.community, newcomer=newcomer)
        step, step_at = resume(steps, question, now)
        if not await self.repo.not_yet(question.community, question.id, now, step, step_at):
            return Reply(  # pressed twice at once: the other press did it
                text=_("Already noted: question #{id} is back with the helpers.", id=str(question.id)),
                ephemeral=True,
            )
        self._back_to_waiting(question)
        if step_at is not None:
            await self.tracker.arm(question.community, step_at)
        await self._tell_helpers(question, now)
        return Reply(
            text=_(
                "Thank you for telling us. Question #{id} is back with the helpers: they have been told it is "
                "not solved yet.",
                id=str(question.id),
            ),
            ephemeral=True,
        )

    async def _question(self, inv: Invocation, number: int | None) -> Question:
        """The numbered question, or the one of this thread, or the member's latest answered one."""
        community = inv.community.key
        if number is not None:
            found = await self.repo.get(community, number)
            if found is None:
                raise CommandError(
                    _("There is no question #{id} here.", id=str(number)),
                    _("Type /unanswered to see the open questions and their numbers."),
                )
            return found
        index = self.tracker.index
        thread = inv.channel.thread_id
        tracked = index.question(community, inv.channel.channel_id, thread) if thread else None
        if tracked is None:
            answered = [t for t in index.asked_by(community, inv.user.user_id) if t.answered_by is not None]
            tracked = answered[-1] if answered else None
        found = await self.repo.get(community, tracked.id) if tracked is not None else None
        if found is None:
            raise CommandError(
                _("You have no answered question to send back to the helpers."),
                _("Give its number, like `/notsolved 12`."),
            )
        return found

    def _back_to_waiting(self, question: Question) -> None:
        """The index follows: the question waits for a new answer (its answers kept, for thanks to credit)."""
        index = self.tracker.index
        tracked = index.by_id.get(question.id)
        if tracked is None:  # pruned already (an old unconfirmed question)
            tracked = as_tracked(question)
            index.add(tracked)
        tracked.answered_by = None

    async def _tell_helpers(self, question: Question, now: datetime) -> None:
        """Where the nudges go (helpers channel, else the question's thread): no mention, nobody pinged."""
        target, in_place = await self.escalation.helpers_place(question)
        text: Msg
        if in_place:
            text = _("🔁 The person who asked says this is not solved yet. Could someone take another look? 🙂")
        else:
            text = _(
                "🔁 Not solved yet, says the person who asked, in #{channel}: “{excerpt}” {link}",
                **self.escalation.about(question),
            )
        key = f"questions.notyet:{question.community}:{question.id}:{to_db(now)}"
        try:
            await self.ctx.messenger.send(target, Reply(text=text), dedupe_key=key)
        except DeliveryError as error:
            # The question is back on the ladder either way: its next rung tells the helpers again.
            self.ctx.logger.warning(
                "questions: could not tell the helpers that #%s is not solved yet: %s", question.id, error
            )
