"""The questions desk: what members and moderators do by command. Asking a ticket (`/ask`), marking a
question solved (`/solved`), listing the ones still waiting (`/unanswered` and the open-questions
autocomplete), closing one (`/question close`) and the private-note choice (`/questions notes`).

Every read of the questions tables first writes what the tracker queued, so a question asked a moment
ago is already listed, solvable and closable.
"""

from __future__ import annotations

from bot.folding import closest, fold
from bot.i18n import Msg, Text, _
from bot.model import Card, CardField, ChannelRef, CommunityRef, DeliveryError, Level, Reply
from bot.plugin import Choice, CommandError, Invocation, PluginContext
from plugins.questions import detector, views
from plugins.questions.repo import SOLVABLE, NewQuestion, Question
from plugins.questions.tracker import Tracker, as_tracked

_LIST_HINT = _("Type /unanswered to see the open questions and their numbers.")


def _no_such(number: int) -> Msg:
    return _("There is no question #{id} here.", id=str(number))


def status_name(status: str) -> Text:
    """A question's final status, as members read it."""
    names = {
        "solved": _("solved"),
        "closed": _("closed"),
        "withdrawn": _("withdrawn"),
        "unconfirmed": _("answered, not confirmed"),
    }
    return names.get(status, status)


class Desk:
    """The commands' work, over the tracker (its index, queue and repo)."""

    def __init__(self, ctx: PluginContext, tracker: Tracker) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.repo = tracker.repo
        self.settings = tracker.settings

    async def ask(self, inv: Invocation, question: str, group: str | None) -> Reply:
        """Post the question as a card (in `ask_channel` when set) and track it as an explicit ticket."""
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
            text=_("Your question is posted as #{id}. The bot will make sure someone answers it.", id=str(stored.id)),
            ephemeral=True,
        )

    def _ask_target(self, inv: Invocation) -> ChannelRef:
        if self.settings.ask_channel:
            return ChannelRef(inv.community.platform, inv.community.workspace_id, self.settings.ask_channel)
        return inv.channel

    async def solve(self, inv: Invocation, number: int | None) -> Reply:
        """Solve the numbered question, or the member's latest (the one of this thread first)."""
        await self.tracker.flush()
        found = await self._question_to_solve(inv, number)
        if found.author_id != inv.user.user_id and inv.level < Level.MODERATOR:
            raise CommandError(
                _("Only the person who asked #{id} (or a moderator) can mark it solved.", id=str(found.id)),
                _("Thank the person who helped you instead; it counts for them."),
            )
        if found.status == "solved" and found.author_id == inv.user.user_id:
            # The asker's "Solved" pressed twice (or typed after a thanks): nothing to change, nothing wrong.
            return Reply(text=_("Question #{id} is already solved. Thank you! ✅", id=str(found.id)), ephemeral=True)
        # An unconfirmed one too: closed as answered, not confirmed, its asker's late word still counts.
        if found.status not in SOLVABLE:
            raise CommandError(
                _("Question #{id} is already {status}.", id=str(found.id), status=status_name(found.status))
            )
        tracked = self.tracker.index.by_id.get(found.id) or as_tracked(found)
        await self.tracker.solve(tracked, found.answered_by, inv.at)
        return Reply(text=_("Question #{id} is solved. Thank you for letting everyone know! ✅", id=str(found.id)))

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

    async def unanswered(self, inv: Invocation, channel: ChannelRef | None, group: str | None) -> Reply:
        """The questions still waiting, oldest first, in one channel or group when given."""
        await self.tracker.flush()
        group_name = await self._group(inv.community.key, group) if group else None
        found = await self.repo.unanswered(
            inv.community.key, channel.channel_id if channel else None, group_name, views.MAX_LISTED + 50
        )
        # Newcomers' first questions first, while the community gives them priority (community_settings.py).
        first: list[Question] = []
        ladders = self.tracker.ladders
        if (await ladders.values(inv.community.key)).newcomers:
            first = await ladders.newcomer_questions(
                inv.community.key, channel.channel_id if channel else None, group_name, views.MAX_LISTED
            )
        marked = {q.id for q in first}
        found = first + [q for q in found if q.id not in marked]
        return views.unanswered(self.ctx, found, self.ctx.clock.now(), inv.locale, newcomers=marked)

    async def open_questions(self, community: CommunityRef, prefix: str) -> list[Choice]:
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

    async def close(self, inv: Invocation, number: int, reason: str) -> Reply:
        """Close a question for good, with the moderator's reason."""
        await self.tracker.flush()
        found = await self.repo.get(inv.community.key, number)
        if found is None:
            raise CommandError(_no_such(number), self._id_hint(inv, number))
        if not reason.strip():
            raise CommandError(_("Give a reason, such as duplicate or off-topic."))
        if not await self.tracker.close(found, reason.strip(), inv.at):
            raise CommandError(
                _("Question #{id} is already {status}.", id=str(number), status=status_name(found.status))
            )
        return Reply(text=_("Question #{id} is closed: {reason}", id=str(number), reason=reason.strip()))

    async def notes(self, inv: Invocation, enabled: bool) -> Reply:
        """Turn the member's private note about a waiting question on or off."""
        await self.repo.set_notes(inv.community.key, inv.user.user_id, enabled, inv.at)
        if enabled:
            return Reply(text=_("You will get a private note when your question waits for an answer."), ephemeral=True)
        return Reply(text=_("No more private notes about your questions."), ephemeral=True)
