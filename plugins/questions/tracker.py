"""Following questions through chat: detection of new ones, answers (thread, reply, mention of
the asker), solves (✅ from the asker, thanks crediting a helper), edits and deletions.

Ordinary messages cost a few dictionary look-ups in the `OpenIndex`; the database is touched only
when a message is a question or touches an active one. Writes are queued and handed to the database
in batches by the `BatchWriter` (plugins/questions/batches.py).

A message the filters tagged as noise (`noise:<rule id>`: the built-in engagement-bait list, or a
moderator's tag rule) is not followed as a question, and does not answer one: bait such as « Qu'en
pensez-vous ? » asks for reactions, not for a helper, and spam in a question's thread helps nobody.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from bot.model import ChannelRef, MessageDeleted, MessageEdited, ReactionAdded
from bot.model import Message as ChatMessage
from bot.plugin import MessageNotes, PluginContext, SqlDatabase
from plugins.questions import detector, ladder, reading
from plugins.questions import model as question_model
from plugins.questions.batches import BatchWriter
from plugins.questions.community_settings import CommunityLadders
from plugins.questions.index import OpenIndex, Tracked
from plugins.questions.repo import Answer, NewQuestion, Question, QuestionsRepo
from plugins.questions.settings import QuestionsSettings
from plugins.questions.wakeups import SweepAlarm

UNKNOWN = "unknown"
_LANGUAGE_CACHE = 4096
_MIN_LETTERS = 12  # below this the statistical detector cannot judge (bot.language's `min_letters`)
# The filters plugin tags the messages its tag rules catch (the bait list among them) `noise:<rule id>`.
_NOISE = "noise:"


class _QuestionIds:
    """Question ids reserved from the database's sequence of `questions.id`, a block at a time.

    A question's id must be known when it is seen (its answers and ladder refer to it) while its row is
    written with the next batch, so ids cannot come from the insert itself. Reserved from the database,
    they are unique across processes; a block of 64 costs one round trip per 64 questions, and ids left
    in a block at shutdown are simply never used."""

    BLOCK = 64

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        self._free: deque[int] = deque()
        self._lock = asyncio.Lock()

    async def reserve(self) -> None:
        """Hold a block ahead (start-up), so questions asked while the database is busy still get ids."""
        async with self._lock:
            if not self._free:
                self._free.extend(await self._db.allocate_ids("questions", self.BLOCK))

    async def take(self) -> int:
        """The next id (one round trip to the database per block)."""
        await self.reserve()
        return self._free.popleft()


class Tracker:
    """Keeps the questions tables, the index and the ladder's due actions in step with chat."""

    def __init__(self, ctx: PluginContext, repo: QuestionsRepo, settings: QuestionsSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings
        self.index = OpenIndex()
        self._ids = _QuestionIds(ctx.db)
        self._alarm = SweepAlarm(ctx, ladder.SWEEP)
        self.ladders = CommunityLadders(ctx, settings)
        self.writes = BatchWriter(ctx, repo)
        self._languages: dict[tuple[str, str, int], str] = {}
        # Repeated texts (FAQs, copy-paste, "any update?") skip detection; bounded by clearing. Keyed by the
        # community's language too: short texts are read in it, and moderators may change it.
        self._verdicts: dict[tuple[str, str, int], tuple[str, bool]] = {}
        self._excluded = {name.lstrip("#") for name in settings.excluded_channels}
        # Called with each question that gets its first answer (or its first since its asker said "Not yet"):
        # the asker's confirmation is planned there (plugins/questions/confirm.py).
        self.first_answer_hooks: list[Callable[[Tracked, datetime], Awaitable[None]]] = []
        # Called with each later answer: its question may have been sent back to waiting by another process
        # ("Not yet" pressed in a DM, which Discord delivers to shard 0), unknown to this index.
        self.later_answer_hooks: list[Callable[[Tracked, datetime], Awaitable[None]]] = []

    async def load(self) -> None:
        """Fill the index from the database and wake each community's ladder (start-up)."""
        await self._ids.reserve()
        await asyncio.to_thread(question_model.shipped)  # read the weights file now, off the loop
        await self.wake_ladders()
        since = self.ctx.clock.now() - timedelta(days=self.settings.track_days)
        questions = await self.repo.active_since(since)
        answers = await self.repo.answers_of([q.id for q in questions])
        for question in questions:
            self.index.add(as_tracked(question))
        for answer in answers:
            tracked = self.index.by_id.get(answer.question_id)
            if tracked is not None:
                self.index.add_answer(tracked, answer.user_id, answer.message_id)

    async def wake_ladders(self) -> None:
        """Make sure every community's sweep wakes at its earliest pending step (start-up, and now and
        then in case a wake-up could not be scheduled while the database was busy)."""
        for community, due_at in await self.repo.next_step_times():
            await self.arm(community, due_at)

    def prune(self, now: datetime) -> int:
        """Let answered questions older than the tracking window drop out of the index."""
        ids = self.index.answered_before(now - timedelta(days=self.settings.track_days))
        for question_id in ids:
            self.index.remove(question_id)
        return len(ids)

    async def tidy(self, now: datetime) -> None:
        """The hourly upkeep: prune the index, write what is queued, wake any ladder left asleep."""
        self.prune(now)
        await self.flush()
        await self.wake_ladders()

    # ------------------------------------------------------------ detection (message filter)

    async def tag(self, message: ChatMessage, notes: MessageNotes) -> None:
        """Set `notes.is_question` and, for question candidates only, `notes.language`.

        A paste (`reading.MAX_CHARS`) is never a question and costs one length check; a text in a language
        the bot does not follow is not one either (its language is noted as unknown)."""
        text = message.text
        if message.is_direct or reading.is_paste(text) or not detector.is_candidate(text) or self._is_excluded(message):
            if notes.is_question is None:
                notes.is_question = False
            return
        community = message.community.key
        locale = (await self.ctx.communities.get(community)).locale
        key = (community, locale, hash(text))  # a hash: no message text is kept in memory
        known = self._verdicts.get(key)
        if known is None:
            language = await self.language_of(text, community)
            known = (language, await self._reads_as_question(text, language))
            if len(self._verdicts) >= _LANGUAGE_CACHE:
                self._verdicts.clear()
            self._verdicts[key] = known
        notes.language, notes.is_question = known

    async def asks(self, text: str, language: str) -> bool:
        """Whether `text` asks something: the rules on the loop (cheap, bounded); the question model
        (plugins/questions/model.py) only where the combination trained for `language` needs its opinion
        on this message (`needs_model`; with the shipped weights, no language does: all ship the rules),
        in a worker thread."""
        rules = detector.is_question(text, language)
        if not question_model.needs_model(text, language, rules):
            return rules
        return await asyncio.to_thread(question_model.verdict, text, language, rules)

    async def _reads_as_question(self, text: str, language: str) -> bool:
        """`asks` for a candidate read in `language`: never for a language the bot does not follow (unknown).

        What follows a Discord block quote (`>>> `) is someone else's: the detector reads only the poster's
        own words (`clauses.own_words`)."""
        return language in detector.LANGUAGES and await self.asks(text, language)

    async def language_of(self, text: str, community: str) -> str:
        """The language a question candidate is read in: one of the detector's languages, or `unknown` when
        the text is plainly in a language the bot does not follow (the language service said `other`).

        Only the poster's own words are judged (quotes, code, links, emoji set aside). Texts too short
        for the statistical detector (under 12 letters) and unclear ones take the community's language;
        an interrogative opener moves them to another language only when the text's function words
        agree (`reading.settle`)."""
        locale = (await self.ctx.communities.get(community)).locale
        key = (community, locale, hash(text))
        cached = self._languages.get(key)
        if cached is not None:
            return cached
        own = reading.own_words(text)
        detected = await self.ctx.language.detect(own) if reading.letters(own) >= _MIN_LETTERS else UNKNOWN
        followed = [code for code in self.ctx.language.languages if code in detector.LANGUAGES]
        if detected == UNKNOWN or detected in followed:
            language = reading.settle(own, detected if detected != UNKNOWN else locale, followed)
        else:  # `other`, or a configured language without an opener table: not followed
            language = reading.rescue(own, locale, followed) or UNKNOWN
        if len(self._languages) >= _LANGUAGE_CACHE:
            self._languages.clear()  # a crude bound: repeated texts (FAQs, copy-paste) are what it is for
        self._languages[key] = language
        return language

    def _is_excluded(self, message: ChatMessage) -> bool:
        return self._excluded_channel(message.channel)

    def _excluded_channel(self, channel: ChannelRef) -> bool:
        if not self._excluded:
            return False
        parent = channel.parent()
        return parent.channel_id in self._excluded or self.ctx.directory.channel_name(parent) in self._excluded

    # ------------------------------------------------------------ tracking (listener)

    async def on_message(self, message: ChatMessage, notes: MessageNotes) -> None:
        """Answers, thanks and new questions; noise (bait, spam the filters tagged) is neither a question nor
        an answer: a bot replying "Who agrees?" in every thread must not take questions off the ladder."""
        if message.is_direct:
            return
        community = message.community.key
        asker = self.index.has_asker(community, message.author.user_id)
        if asker and detector.is_thanks(message.text) and await self._thanks(message):
            return
        if is_noise(notes.tags):
            return
        tracked = self._answered_question(message)
        if tracked is not None:
            await self.answer(tracked, message.author.user_id, message.ref.message_id, message.at)
        if (
            notes.is_question
            # A question in reply to someone else's question ("Did you try restarting?", "which version?")
            # is a helper asking the asker to clarify: the asker answers it, the helpers need no nudge.
            and tracked is None
            and self.index.question(community, message.channel.channel_id, message.ref.message_id) is None
        ):
            # (A platform may deliver a message twice: a gateway resume, a Slack retry after a slow ack.)
            await self.create(self._new(message, notes.language or UNKNOWN))

    def _answered_question(self, message: ChatMessage) -> Tracked | None:
        """The active question this message answers, if any (never the asker's own)."""
        community, author = message.community.key, message.author.user_id
        channel = message.channel
        candidates: list[Tracked | None] = []
        if channel.thread_id is not None:
            candidates.append(self.index.question(community, channel.channel_id, channel.thread_id))
        if message.reply_to is not None:
            ref = message.reply_to
            candidates.append(self.index.question(community, ref.channel.channel_id, ref.message_id))
        for tracked in candidates:
            if tracked is not None and tracked.author_id != author:
                return tracked
        if not message.mentions:
            return None
        window = timedelta(hours=self.settings.mention_window_hours)
        for mentioned in message.mentions:
            if mentioned.user_id == author or not self.index.has_asker(community, mentioned.user_id):
                continue
            mine = [
                t
                for t in self.index.asked_by(community, mentioned.user_id)
                if t.channel_id == channel.channel_id and timedelta() <= message.at - t.asked_at <= window
            ]
            if mine:
                return mine[-1]
        return None

    async def _thanks(self, message: ChatMessage) -> bool:
        """The asker thanks someone: solve the question and credit that person. False when unclear."""
        community, asker = message.community.key, message.author.user_id
        helper = next((m.user_id for m in message.mentions if m.user_id != asker), None)
        tracked: Tracked | None = None
        channel = message.channel
        if channel.thread_id is not None:
            tracked = self.index.question(community, channel.channel_id, channel.thread_id)
        if message.reply_to is not None:
            ref = message.reply_to
            answered = self.index.answered_by_message(community, ref.channel.channel_id, ref.message_id)
            if answered is not None and answered.author_id == asker:
                tracked = answered
                helper = helper or answered.answers.get(ref.message_id)
        if tracked is None and helper is not None:
            mine = [t for t in self.index.asked_by(community, asker) if t.channel_id == channel.channel_id]
            tracked = mine[-1] if mine else None
        if tracked is None or tracked.author_id != asker:
            return False
        helper = helper or tracked.answered_by or _last_helper(tracked)
        if helper is None:
            return False
        await self.solve(tracked, helper, message.at, message.ref.message_id)
        return True

    async def on_reaction(self, event: ReactionAdded) -> None:
        """The asker's ✅ on the question or on an answer solves it."""
        if event.emoji not in self.settings.solved_emoji:
            return
        community, ref = event.community.key, event.message
        tracked = self.index.question(community, ref.channel.channel_id, ref.message_id)
        helper: str | None = None
        if tracked is None:
            tracked = self.index.answered_by_message(community, ref.channel.channel_id, ref.message_id)
            helper = tracked.answers.get(ref.message_id) if tracked else None
        if tracked is None or tracked.author_id != event.user.user_id:
            return
        await self.solve(tracked, helper or tracked.answered_by or _last_helper(tracked), event.at)

    async def on_edit(self, event: MessageEdited) -> None:
        """A question edited into a statement stops; edited back, it is tracked again."""
        community, ref = event.community.key, event.ref
        tracked = self.index.question(community, ref.channel.channel_id, ref.message_id)
        candidate = not reading.is_paste(event.text) and detector.is_candidate(event.text)
        if tracked is None and (not candidate or self._excluded_channel(ref.channel)):
            return
        await self.flush()
        question = await self.repo.by_message(community, ref.channel.channel_id, ref.message_id)
        language = await self.language_of(event.text, community) if candidate else UNKNOWN
        asks = await self._reads_as_question(event.text, language)
        if question is None:
            if asks:
                await self.create(
                    NewQuestion(
                        community,
                        ref.channel.channel_id,
                        ref.channel.thread_id,
                        ref.message_id,
                        event.author.user_id,
                        event.at,
                        language,
                        self._excerpt(event.text),
                    )
                )
            return
        if not asks and question.status == "open" and await self.repo.withdraw(community, question.id):
            self.index.remove(question.id)
        elif asks and question.status == "withdrawn":
            reopened = await self.repo.reopen(community, question.id, self._excerpt(event.text))
            if reopened is not None:
                self.index.add(as_tracked(reopened))
                if reopened.next_step_at is not None:
                    await self.arm(community, reopened.next_step_at)

    async def on_delete(self, event: MessageDeleted) -> None:
        """A deleted question is closed."""
        community, ref = event.community.key, event.ref
        await self.flush()
        question = await self.repo.by_message(community, ref.channel.channel_id, ref.message_id)
        if question is not None:
            await self.close(question, "deleted", event.at)

    # ------------------------------------------------------------ state changes

    async def create(self, new: NewQuestion) -> Tracked:
        """Index a new question and queue its row; its first ladder step wakes the community's sweep."""
        question_id = await self._ids.take()
        newcomer = (await self.ladders.values(new.community)).newcomers and await self.ladders.is_newcomer_first(
            new.community, new.author_id, new.asked_at, self.index.has_asker(new.community, new.author_id)
        )
        step = (await self.ladder(new.community, newcomer=newcomer)).step_after(None, new.asked_at)
        self.repo.queue_insert(question_id, new, step.kind if step else None, step.due_at if step else None)
        if newcomer:
            self.ladders.queue_newcomer(self.repo, new.community, question_id)
        tracked = Tracked(question_id, new.community, new.channel_id, new.message_id, new.author_id, new.asked_at)
        self.index.add(tracked)
        self.writes.queued()  # before waking the ladder: a busy database failing that must not leave the row unflushed
        if step is not None:
            await self.arm(new.community, step.due_at)
        return tracked

    async def answer(self, tracked: Tracked, helper: str, message_id: str, at: datetime) -> None:
        """Credit an answer; the first one takes the question off the ladder (the sweep skips it)."""
        first = tracked.answered_by is None
        self.index.add_answer(tracked, helper, message_id)
        self.repo.queue_answer(tracked.community, Answer(tracked.id, helper, message_id, at), first)
        self.writes.queued()
        for hook in self.first_answer_hooks if first else self.later_answer_hooks:
            await hook(tracked, at)

    async def solve(self, tracked: Tracked, helper: str | None, at: datetime, message_id: str | None = None) -> None:
        """Mark solved, crediting `helper`; the question leaves the index."""
        if helper is not None and tracked.answered_by is None and message_id is not None:
            self.repo.queue_answer(tracked.community, Answer(tracked.id, helper, message_id, at), first=False)
        self.repo.queue_solve(tracked.community, tracked.id, helper, at)
        self.index.remove(tracked.id)
        self.writes.queued()

    async def close(self, question: Question, reason: str, at: datetime) -> bool:
        """Close a question for good (moderator, deletion)."""
        await self.flush()
        self.index.remove(question.id)
        return await self.repo.close(question.community, question.id, reason, at)

    async def flush(self) -> None:
        """Write the queued rows now (before any read of the questions tables)."""
        await self.writes.flush()

    async def drain(self) -> None:
        """Wait for a background write, then write what is left (plugin stop)."""
        await self.writes.drain()

    async def ladder(self, community: str, *, newcomer: bool = False, fresh: bool = False) -> ladder.Ladder:
        """The community's ladder: its time zone, and its delays and quiet hours (the community's choice,
        else the configuration's; plugins/questions/community_settings.py). `newcomer`: the faster ladder
        of a newcomer's first question while the community gives it priority. `fresh`: read the choices
        from the database rather than the (shared-database: 30-second) cache."""
        tz = (await self.ctx.communities.get(community)).timezone
        return (await self.ladders.values(community, fresh=fresh)).ladder(tz, newcomer=newcomer)

    async def arm(self, community: str, due_at: datetime, *, after_sweep: bool = False) -> None:
        """Make sure the community's ladder sweep wakes at `due_at` at the latest (no query when it already does)."""
        await self._alarm.arm(community, due_at, after_sweep=after_sweep)

    # ------------------------------------------------------------ helpers

    def _new(self, message: ChatMessage, language: str) -> NewQuestion:
        channel = message.channel
        return NewQuestion(
            message.community.key,
            channel.channel_id,
            channel.thread_id,
            message.ref.message_id,
            message.author.user_id,
            message.at,
            language,
            self._excerpt(message.text),
        )

    def _excerpt(self, text: str) -> str:
        return detector.excerpt(text, self.settings.excerpt_length)


def is_noise(tags: Iterable[str]) -> bool:
    """True when the filters tagged the message as noise (engagement bait among it): not a question to chase."""
    return any(tag.startswith(_NOISE) for tag in tags)


def as_tracked(question: Question) -> Tracked:
    """A stored question as the in-memory index holds it (its current answerer, without its answers)."""
    return Tracked(
        question.id,
        question.community,
        question.channel_id,
        question.message_id,
        question.author_id,
        question.asked_at,
        question.answered_by,
    )


def _last_helper(tracked: Tracked) -> str | None:
    """Who answered it last: a question its asker sent back to waiting ("Not yet") keeps its answers but
    no current answerer, and the asker's later thanks or ✅ still credits the person who helped."""
    return next(reversed(tracked.answers.values()), None)
