"""The escalation ladder at work: the gentle nudge (with the asker's private note), the helpers'
mention, the DMs to `escalate_to` or the moderators' mention, and the "still waiting" flag.

One due action per community (`questions.ladder`, keyed by community and time) wakes a sweep at
the earliest pending step; each question row records its next step, so creating a question costs
no scheduler write on the hot path. Each step runs once per question: its row is advanced only
after the step ran (`WHERE next_step = ?` guards double fires) and every send carries a dedupe key
per question, so a restart between sending and recording never posts twice. Right before each step
the queued writes are flushed and the question read again: an answer accepted while the sweep was
sending the previous steps (still in the tracker's queue) stops its step.

A step whose send fails for an outage (`DeliveryError` "failed") backs off on its own question: its
`next_step_at` moves forward (`ladder.Ladder.retry_at`: 15 min growing to hourly, out of quiet
hours) and the sweep goes on and succeeds, so one failing question never holds back the others.
The retries stop when the question is no longer open or leaves the tracking window (`track_days`
after it was asked): the step is then logged as given up and the ladder moves on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.formatting import Link, role_mention
from bot.i18n import Span, _
from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, MessageRef, Reply, Target, UserRef
from bot.plugin import DueAction, PluginContext
from plugins.questions import ladder
from plugins.questions.repo import Question, QuestionsRepo
from plugins.questions.settings import QuestionsSettings
from plugins.questions.tracker import Tracker

_RETRYING_BOUND = 10_000  # questions remembered as already warned about (a crude bound: cleared when reached)


def question_ref(question: Question) -> MessageRef:
    """The message that asked the question."""
    community = CommunityRef.from_key(question.community)
    channel = ChannelRef(community.platform, community.workspace_id, question.channel_id, question.thread_id)
    return MessageRef(channel, question.message_id)


def asker_of(question: Question) -> UserRef:
    """The member who asked the question (where private notes to them go)."""
    community = CommunityRef.from_key(question.community)
    return UserRef(community.platform, community.workspace_id, question.author_id)


class Escalation:
    """The sweep of a community's ladder and its three steps."""

    def __init__(self, ctx: PluginContext, tracker: Tracker) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.repo: QuestionsRepo = tracker.repo
        self.settings: QuestionsSettings = tracker.settings
        # question id -> the step already warned about as failing (one warning per step, per process)
        self._retrying: dict[int, str] = {}
        # the places (channel or member, keyed with their community) that failed for an outage during the
        # community's current sweep, with the error
        self._down: dict[str, DeliveryError] = {}

    async def sweep(self, action: DueAction) -> None:
        """Run every step that fell due in the community, then wake up again for the next one.

        A step whose send fails for an outage (`DeliveryError` "failed") is not recorded as run: its
        question is postponed (`_postpone`) and the sweep goes on; the sweep itself succeeds and wakes
        up again at the earliest pending step, a retry included. The sends of a step that went out are
        skipped on the retry by their dedupe keys."""
        await self.tracker.flush()
        community = action.community
        # Read fresh: another process (or a moment ago, this one) may have changed the community's ladder.
        steps = await self.tracker.ladder(community, fresh=True)
        quick = await self.tracker.ladder(community, newcomer=True)  # a newcomer's first question, when prioritised
        postponed: set[int] = set()  # a guard: a postponed question is not run twice in one sweep
        self._forget_down(community)
        try:
            while True:
                due = [q for q in await self.repo.due_steps(community, self.ctx.clock.now()) if q.id not in postponed]
                newcomers = await self.tracker.ladders.newcomer_ids(community, [q.id for q in due]) if due else set()
                for listed in due:
                    own = quick if listed.id in newcomers else steps
                    question = await self._still_due(listed)
                    if question is None:
                        postponed.add(listed.id)  # answered, solved or closed since the list was read
                        continue
                    try:
                        await self.run_step(question)
                    except DeliveryError as error:  # only "failed" gets here: `_send` handles the others
                        if await self._postpone(question, own, error):
                            postponed.add(question.id)
                            continue
                    self._retrying.pop(question.id, None)
                    following = own.step_after(question.next_step, question.asked_at)
                    await self.repo.advance(
                        community,
                        question.id,
                        question.next_step or "",
                        following.kind if following else None,
                        following.due_at if following else None,
                    )
                if not due:
                    break
        finally:
            self._forget_down(community)  # only this community's: another's sweep may be running
        next_at = await self.repo.next_step_time(community)
        if next_at is not None:
            await self.tracker.arm(community, next_at, after_sweep=True)

    async def _still_due(self, listed: Question) -> Question | None:
        """The question as it stands now, if its step is still due: the answers accepted since the sweep
        began are written first (a step's sends may take seconds, and chat goes on meanwhile)."""
        await self.tracker.flush()
        current = await self.repo.get(listed.community, listed.id)
        if current is None or current.status != "open" or current.next_step != listed.next_step:
            return None
        return current

    def _forget_down(self, community: str) -> None:
        prefix = f"{community}:"
        for place in [p for p in self._down if p.startswith(prefix)]:
            del self._down[place]

    async def _postpone(self, question: Question, steps: ladder.Ladder, error: DeliveryError) -> bool:
        """Move a step that met an outage to its retry time; False when it is given up instead (the
        question left the tracking window), for the caller to record it as run."""
        now = self.ctx.clock.now()
        step = question.next_step or ""
        retry = steps.retry_at(step, question.asked_at, now)
        window_end = question.asked_at + timedelta(days=self.settings.track_days)
        if retry > window_end:
            self._retrying.pop(question.id, None)
            self.ctx.logger.error(
                "questions: gave up the %s of #%s in %s: never delivered (%s), and the question "
                "is past track_days (%s days)",
                step,
                question.id,
                question.community,
                error,
                self.settings.track_days,
            )
            return False
        await self.repo.postpone(question.community, question.id, step, retry)  # out of the due steps
        if self._retrying.get(question.id) == step:
            self.ctx.logger.debug(
                "questions: the %s of #%s in %s still not delivered (%s); next try at %s",
                step,
                question.id,
                question.community,
                error,
                _iso(retry),
            )
            return True
        if len(self._retrying) >= _RETRYING_BOUND:
            self._retrying.clear()
        self._retrying[question.id] = step
        self.ctx.logger.warning(
            "questions: the %s of #%s in %s was not delivered (%s); tried again at %s and later until it goes through",
            step,
            question.id,
            question.community,
            error,
            _iso(retry),
        )
        return True

    async def run_step(self, question: Question) -> None:
        """One step; sends carry a dedupe key per question, so a step interrupted after sending and run
        again never posts twice."""
        if question.next_step == ladder.NUDGE:
            await self.nudge(question)
        elif question.next_step == ladder.ESCALATE:
            await self.escalate(question)

    async def nudge(self, question: Question) -> None:
        """A gentle nudge with a link in the helpers channel, or in the question's thread."""
        target, in_place = await self._helpers_place(question)
        age = self._age(question)
        back = question.not_yet_at is not None
        # Sent back by its asker ("Not yet"): it had answers, so "waiting for 3 days" and the asker's
        # "not had an answer yet" note would both be false; the asker already knows it is back.
        if in_place and back:
            text = _("Its asker says this is still not solved ({age} ago). Can someone take another look? 🙂", age=age)
        elif in_place:
            text = _("This question has been waiting for {age}. Can someone lend a hand? 🙂", age=age)
        elif back:
            text = _(
                "🔁 Still not solved, {age} after its asker said so, in #{channel}: “{excerpt}” {link}",
                age=age,
                **self.about(question),
            )
        else:
            text = _(
                "🙋 A question has been waiting for {age} in #{channel}: “{excerpt}” {link}",
                age=age,
                **self.about(question),
            )
        await self._send(target, Reply(text=text), f"questions.nudge:{question.community}:{question.id}")
        if not back:
            await self._private_note(question)

    def _age(self, question: Question) -> Span:
        """How long the question has waited: since it was asked, or since its asker sent it back."""
        return Span(self.ctx.clock.now() - (question.not_yet_at or question.asked_at))

    async def escalate(self, question: Question) -> None:
        """Mention the helpers role; else DM the members in `escalate_to` (those of this platform);
        else mention the moderators role. With none of them set, the reminder mentions nobody: the
        moderators and admins named in the bot's configuration are not visible to plugins."""
        settings = await self.ctx.communities.get(question.community)
        back = question.not_yet_at is not None
        where = {"age": self._age(question), **self.about(question)}
        community = CommunityRef.from_key(question.community)
        role = settings.roles.get("helpers")
        recipients = [] if role is not None else self._escalate_to(community)
        if recipients:
            if back:
                text = _(
                    "A question is still not solved, {age} after its asker said so, in #{channel}: “{excerpt}” {link}",
                    **where,
                )
            else:
                text = _("A question has had no answer for {age} in #{channel}: “{excerpt}” {link}", **where)
            failure: DeliveryError | None = None
            for user_id in recipients:  # every recipient is tried; a failure is raised after the others
                moderator = UserRef(community.platform, community.workspace_id, user_id)
                try:
                    await self._send(
                        moderator, Reply(text=text), f"questions.escalate:{question.community}:{question.id}:{user_id}"
                    )
                except DeliveryError as error:
                    failure = failure or error
            if failure is not None:
                raise failure
            return
        role = role or settings.roles.get("moderators")
        target, _in_place = await self._helpers_place(question)
        if role and back:
            text = _(
                "{mention} Still not solved, {age} after its asker said so, in #{channel}: “{excerpt}” {link}",
                mention=role_mention(role),
                **where,
            )
        elif role:
            text = _(
                "{mention} Still no answer after {age} in #{channel}: “{excerpt}” {link}",
                mention=role_mention(role),
                **where,
            )
        else:
            self.ctx.logger.info(
                "questions: #%s in %s escalated without a mention: set a helpers or moderators role, or escalate_to",
                question.id,
                question.community,
            )
            text = (
                _("Still not solved, {age} after its asker said so, in #{channel}: “{excerpt}” {link}", **where)
                if back
                else _("Still no answer after {age} in #{channel}: “{excerpt}” {link}", **where)
            )
        await self._send(target, Reply(text=text), f"questions.escalate:{question.community}:{question.id}")

    def _escalate_to(self, community: CommunityRef) -> list[str]:
        """The user ids of `escalate_to` on the community's platform, each once."""
        found: list[str] = []
        for qualified in self.settings.escalate_to:
            platform, _sep, user_id = qualified.partition(":")
            if platform == community.platform and user_id and user_id not in found:
                found.append(user_id)
        return found

    async def may_note(self, question: Question) -> bool:
        """Whether the asker may get a private note about their question (this one, or the confirmation's
        ask): not when the community turned private notes off, the asker opted out, left, or DMs are
        impossible."""
        if not self.settings.private_notes or await self.repo.notes_off(question.community, question.author_id):
            return False
        if Capability.DIRECT_MESSAGES not in self.ctx.messenger.capabilities(CommunityRef.from_key(question.community)):
            return False
        membership = await self.ctx.communities.export_member(asker_of(question))
        return not (membership.get("left_at") and (membership.get("joined_at") or "") <= membership["left_at"])

    async def _private_note(self, question: Question) -> None:
        """One kind private note to the asker, unless they opted out, left, or DMs are impossible."""
        if not await self.may_note(question):
            return
        text = _(
            "Your question in #{channel} (“{excerpt}”) has not had an answer yet, but it has been seen: "
            "the helpers have been told. You can turn these notes off with `/questions notes off`.",
            channel=self._channel_name(question),
            excerpt=question.excerpt,
        )
        await self._send(asker_of(question), Reply(text=text), f"questions.note:{question.community}:{question.id}")

    async def _helpers_place(self, question: Question) -> tuple[Target, bool]:
        """The helpers channel, else the question's thread (or its channel): (target, is it in place)."""
        settings = await self.ctx.communities.get(question.community)
        helpers = settings.channel("helpers")
        if helpers is not None:
            return helpers, False
        ref = question_ref(question)
        if ref.channel.thread_id is None and Capability.THREADS in self.ctx.messenger.capabilities(
            ref.channel.community
        ):
            return ref.channel.in_thread(question.message_id), True
        return ref.channel, True

    async def helpers_place(self, question: Question) -> tuple[Target, bool]:
        """Where the helpers are told about a question (the nudge's place): (target, is it in place)."""
        return await self._helpers_place(question)

    async def _send(self, target: Target, reply: Reply, dedupe_key: str) -> None:
        """Send once (dedupe key); "failed" is raised for the sweep to postpone the step, any other
        refusal is logged and the step counts as done. A place that failed for an outage is not tried
        again in the same sweep: its other steps are postponed at once."""
        place = _place(target)
        earlier = self._down.get(place)
        if earlier is not None:
            raise DeliveryError("failed", f"not tried, {place} failed earlier in this sweep ({earlier})")
        try:
            await self.ctx.messenger.send(target, reply, dedupe_key=dedupe_key)
        except DeliveryError as error:
            if error.transient:
                self._down[place] = error
                raise  # an outage: the sweep postpones the step
            # A closed DM, a missing permission or a refusal for good must not make the step retry forever.
            self.ctx.logger.warning("questions: could not deliver %s: %s", dedupe_key, error)

    def about(self, question: Question) -> dict[str, object]:
        """What the helpers' messages say of a question: its channel's name, its excerpt and a link to it
        (the `{channel}`, `{excerpt}` and `{link}` of their texts)."""
        return {"channel": self._channel_name(question), "excerpt": question.excerpt, "link": self._link(question)}

    def _channel_name(self, question: Question) -> str:
        return self.ctx.directory.channel_name(question_ref(question).channel.parent())

    def _link(self, question: Question) -> Link | str:
        url = self.ctx.messenger.link(question_ref(question))
        return Link(url, "↗") if url else ""


def _place(target: Target) -> str:
    """A channel (its threads included) or a member's DMs, as one failing place."""
    if isinstance(target, UserRef):
        return f"{target.community.key}:@{target.user_id}"
    return f"{target.community.key}:#{target.channel_id}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
