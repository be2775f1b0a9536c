"""The escalation ladder at work: the gentle nudge (with the asker's private note), the helpers'
mention, the DMs to `escalate_to` or the moderators' mention, and the "still waiting" flag.

One due action per community (`questions.ladder`, keyed by community and time) wakes a sweep at
the earliest pending step; each question row records its next step, so creating a question costs
no scheduler write on the hot path. Each step runs once per question: its row is advanced only
after the step ran (`WHERE next_step = ?` guards double fires) and every send carries a dedupe key
per question, so a restart between sending and recording never posts twice.
"""

from __future__ import annotations

from bot.i18n import Span, _
from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, MessageRef, Reply, Target, UserRef
from bot.plugin import DueAction, PluginContext
from plugins.questions import ladder
from plugins.questions.repo import Question, QuestionsRepo
from plugins.questions.settings import QuestionsSettings
from plugins.questions.tracker import Tracker

# How a role is mentioned on each platform (the neutral markup has no role mention yet).
_ROLE_MENTIONS = {"discord": "<@&{role}>", "slack": "<!subteam^{role}>"}


def role_mention(platform: str, role: str) -> str:
    """The mention of a role on a platform, or `@role` where none is known."""
    return _ROLE_MENTIONS.get(platform, "@{role}").format(role=role)


def question_ref(question: Question) -> MessageRef:
    """The message that asked the question."""
    community = CommunityRef.from_key(question.community)
    channel = ChannelRef(community.platform, community.workspace_id, question.channel_id, question.thread_id)
    return MessageRef(channel, question.message_id)


class Escalation:
    """The sweep of a community's ladder and its three steps."""

    def __init__(self, ctx: PluginContext, tracker: Tracker) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.repo: QuestionsRepo = tracker.repo
        self.settings: QuestionsSettings = tracker.settings

    async def sweep(self, action: DueAction) -> None:
        """Run every step that fell due in the community, then wake up again for the next one.

        A step whose send fails for a platform outage (`DeliveryError` "failed") is not recorded as
        run: the other questions still go through, then the sweep raises, so the scheduler retries
        this due action later (2, 4, 8... minutes) and that retry runs the step again (the sends that
        went out are skipped by their dedupe keys)."""
        await self.tracker.flush()
        community = action.community
        steps = await self.tracker.ladder(community)
        failed: dict[int, DeliveryError] = {}
        while True:
            # The failed ones stay due: leaving them out keeps this loop from running them again.
            due = [q for q in await self.repo.due_steps(community, self.ctx.clock.now()) if q.id not in failed]
            for question in due:
                try:
                    await self.run_step(question)
                except DeliveryError as error:  # only "failed" gets here: `_send` handles the others
                    failed[question.id] = error
                    continue
                following = steps.step_after(question.next_step, question.asked_at)
                await self.repo.advance(community, question.id, question.next_step or "",
                                        following.kind if following else None,
                                        following.due_at if following else None)
            if not due:
                break
        if failed:
            # No re-arm: the earliest step is a failed one, already due, and arming a sweep at once would
            # spin; the retry of this action does the rest and re-arms when it succeeds.
            first = min(failed)
            raise DeliveryError("failed", f"questions: {len(failed)} ladder step(s) in {community} not delivered "
                                          f"(#{first}: {failed[first]}); retried later") from failed[first]
        next_at = await self.repo.next_step_time(community)
        if next_at is not None:
            await self.tracker.arm(community, next_at, after_sweep=True)

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
        age = Span(self.ctx.clock.now() - question.asked_at)
        if in_place:
            text = _("This question has been waiting for {age}. Can someone lend a hand? 🙂", age=age)
        else:
            text = _("🙋 A question has been waiting for {age} in #{channel}: “{excerpt}” {link}", age=age,
                     channel=self._channel_name(question), excerpt=question.excerpt, link=self._link(question))
        await self._send(target, Reply(text=text), f"questions.nudge:{question.community}:{question.id}")
        await self._private_note(question)

    async def escalate(self, question: Question) -> None:
        """Mention the helpers role; else DM the members in `escalate_to` (those of this platform);
        else mention the moderators role. With none of them set, the reminder mentions nobody: the
        moderators and admins named in the bot's configuration are not visible to plugins."""
        settings = await self.ctx.communities.get(question.community)
        age = Span(self.ctx.clock.now() - question.asked_at)
        community = CommunityRef.from_key(question.community)
        role = settings.roles.get("helpers")
        recipients = [] if role is not None else self._escalate_to(community)
        if recipients:
            text = _("A question has had no answer for {age} in #{channel}: “{excerpt}” {link}", age=age,
                     channel=self._channel_name(question), excerpt=question.excerpt, link=self._link(question))
            for user_id in recipients:
                moderator = UserRef(community.platform, community.workspace_id, user_id)
                await self._send(moderator, Reply(text=text),
                                 f"questions.escalate:{question.community}:{question.id}:{user_id}")
            return
        role = role or settings.roles.get("moderators")
        target, _in_place = await self._helpers_place(question)
        channel, link = self._channel_name(question), self._link(question)
        if role:
            text = _("{mention} Still no answer after {age} in #{channel}: “{excerpt}” {link}",
                     mention=role_mention(community.platform, role), age=age, channel=channel,
                     excerpt=question.excerpt, link=link)
        else:
            self.ctx.logger.info("questions: #%s in %s escalated without a mention: set a helpers or moderators "
                                 "role, or escalate_to", question.id, question.community)
            text = _("Still no answer after {age} in #{channel}: “{excerpt}” {link}", age=age, channel=channel,
                     excerpt=question.excerpt, link=link)
        await self._send(target, Reply(text=text), f"questions.escalate:{question.community}:{question.id}")

    def _escalate_to(self, community: CommunityRef) -> list[str]:
        """The user ids of `escalate_to` on the community's platform, each once."""
        found: list[str] = []
        for qualified in self.settings.escalate_to:
            platform, _sep, user_id = qualified.partition(":")
            if platform == community.platform and user_id and user_id not in found:
                found.append(user_id)
        return found

    async def _private_note(self, question: Question) -> None:
        """One kind private note to the asker, unless they opted out, left, or DMs are impossible."""
        community = CommunityRef.from_key(question.community)
        if not self.settings.private_notes or await self.repo.notes_off(question.community, question.author_id):
            return
        if Capability.DIRECT_MESSAGES not in self.ctx.messenger.capabilities(community):
            return
        asker = UserRef(community.platform, community.workspace_id, question.author_id)
        membership = await self.ctx.communities.export_member(asker)
        if membership.get("left_at") and (membership.get("joined_at") or "") <= membership["left_at"]:
            return
        text = _("Your question in #{channel} (“{excerpt}”) has not had an answer yet, but it has been seen: "
                 "the helpers have been told. You can turn these notes off with `/questions notes off`.",
                 channel=self._channel_name(question), excerpt=question.excerpt)
        await self._send(asker, Reply(text=text), f"questions.note:{question.community}:{question.id}")

    async def _helpers_place(self, question: Question) -> tuple[Target, bool]:
        """The helpers channel, else the question's thread (or its channel): (target, is it in place)."""
        settings = await self.ctx.communities.get(question.community)
        helpers = settings.channel("helpers")
        if helpers is not None:
            return helpers, False
        ref = question_ref(question)
        if ref.channel.thread_id is None and Capability.THREADS in self.ctx.messenger.capabilities(
                ref.channel.community):
            return ref.channel.in_thread(question.message_id), True
        return ref.channel, True

    async def _send(self, target: Target, reply: Reply, dedupe_key: str) -> None:
        try:
            await self.ctx.messenger.send(target, reply, dedupe_key=dedupe_key)
        except DeliveryError as error:
            if error.reason == "failed":
                raise  # a platform outage: the sweep leaves the step due and has it retried
            # A closed DM or a missing permission must not make the step retry forever.
            self.ctx.logger.warning("questions: could not deliver %s: %s", dedupe_key, error)

    def _channel_name(self, question: Question) -> str:
        return self.ctx.directory.channel_name(question_ref(question).channel.parent())

    def _link(self, question: Question) -> str:
        link = self.ctx.messenger.link(question_ref(question))
        return f"<{link}|↗>" if link else ""
