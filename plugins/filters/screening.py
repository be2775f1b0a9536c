"""Screening messages beyond the filter's hot path: the per-message normal form (computed once for the
filter and the watch listener), rebuilding a community's matcher and reporting the patterns RE2 refuses,
checking edited messages again, and storing watch-list matches."""

from __future__ import annotations

import logging

from bot.i18n import Text, _
from bot.model import CommunityRef, Message, MessageEdited, MessageRef, Reply, UserRef
from bot.plugin import MessageNotes, PluginContext
from plugins.filters.actions import Enforcer
from plugins.filters.edits import EditMemory
from plugins.filters.engine import Engine, WatchIndex
from plugins.filters.matcher import RuleMatcher
from plugins.filters.normalise import normalise
from plugins.filters.watch import excerpt
from plugins.filters.watch_repo import WatchRepo

log = logging.getLogger("affinity.filters")


class Screening:
    """What the message filter, the edit listener and the watch listener share, and their slower paths."""

    def __init__(
        self, ctx: PluginContext, engine: Engine, watch_repo: WatchRepo, memory: EditMemory, enforcer: Enforcer
    ) -> None:
        self.ctx = ctx
        self.engine = engine
        self.watch_repo = watch_repo
        self.memory = memory
        self.enforcer = enforcer
        self._last: tuple[MessageRef, str] | None = None
        self._last_normal = ""
        self._noted: set[tuple[str, str, str]] = set()
        self._reported: set[tuple[str, int]] = set()  # disabled patterns logged and reported, per process

    def normal_of(self, message: Message) -> str:
        """The message's padded normal form, computed once for the filter and the watch listener (the text
        is part of the key: an edit keeps the message's ref)."""
        last = self._last
        if last is None or last[0] is not message.ref or last[1] is not message.text:
            self._last_normal = normalise(message.text)
            self._last = (message.ref, message.text)
        return self._last_normal

    async def rebuilt_rules(self, community: str) -> RuleMatcher:
        """The matcher after a change (or at the first message): stored patterns RE2 refuses are set aside
        by the matcher; each is logged once per process and reported once to the moderators."""
        matcher = await self.engine.rules_for(community)
        for rule, refusal in matcher.disabled:
            if (community, rule.id) in self._reported:
                continue
            self._reported.add((community, rule.id))
            log.warning(
                "filter rule #%s of %s is disabled: RE2 cannot run its pattern %r", rule.id, community, rule.phrase
            )
            await self._report_disabled(CommunityRef.from_key(community), rule.id, rule.shown, refusal.reason)
        return matcher

    async def _report_disabled(self, community: CommunityRef, rule_id: int, pattern: str, reason: Text) -> None:
        """One post in the moderation channel, ever (a dedupe key per rule, kept in the database)."""
        channel = (await self.ctx.communities.get(community)).channel("moderation")
        if channel is None:
            return
        text = _(
            "Filter rule #{id} “{rule}” is disabled: {reason} It never runs; remove it with "
            "`/filter remove {id}` and add a pattern the filters accept.",
            id=str(rule_id),
            rule=pattern,
            reason=reason,
        )
        try:
            await self.ctx.messenger.send(
                channel, Reply(text=text), dedupe_key=f"filters.disabled:{community.key}:{rule_id}"
            )
        except Exception:  # the filter pass must go on: the rule is listed as disabled in `/filter list`
            log.warning("could not report disabled filter rule #%s of %s", rule_id, community.key, exc_info=True)

    async def rescreen(self, event: MessageEdited) -> None:
        """Apply the rules to an edited message's new text (only rules it did not match before act), and
        match it again against the watch lists: excerpts waiting in digests must show what it says now."""
        community, ref = event.community.key, event.ref
        await self.watch_repo.drop_message(community, event.author.user_id, ref.channel.channel_id, ref.message_id)
        roles = self.memory.roles_of(community, event.author, ref)
        if roles is None:
            return  # a bot, or a direct conversation (or an author or channel not seen since start)
        message = Message(event.community, event.at, ref, event.author, event.text, author_roles=roles)
        notes = MessageNotes()
        matcher = self.engine.current_rules(community) or await self.rebuilt_rules(community)
        if not matcher.empty and not matcher.exempt(ref.channel.channel_id, roles):
            every = await matcher.screen(self.normal_of(message), event.text)  # kept for `collect` below
            before = self.memory.matched(community, ref)
            hits = [h for h in every if h.rule.id not in before]
            if hits:
                self.memory.add_matched(community, ref, (h.rule.id for h in hits))
                await self.enforcer.apply(message, notes, hits, edited=True, first=not before)
            if any(h.rule.action == "tag" for h in every):
                return  # noise now (or still): out of the watch digests
        if not notes.deleted:
            index = self.engine.current_watch(community) or await self.engine.watch_for(community)
            if index.watchers:
                await self.collect(index, message, notes)

    async def collect(self, index: WatchIndex, message: Message, notes: MessageNotes) -> None:
        """Store a link and an excerpt for every member whose watch list matches (noise excluded); `index`
        is the community's watch index, which has watchers."""
        community = message.community.key
        author = message.author.user_id
        if author in index.watchers:
            await self._note_channel(community, author, message)
        if notes.tags and any(tag.startswith("noise:") for tag in notes.tags):
            return
        found = index.match(self.normal_of(message), author)
        if not found:
            return
        channel = message.ref.channel
        short = excerpt(message.text)
        await self.watch_repo.add_matches(
            community,
            [
                (user_id, keyword, channel.channel_id, channel.thread_id, message.ref.message_id, author, short)
                for user_id, keyword in found.items()
            ],
            message.at,
        )

    async def _note_channel(self, community: str, user_id: str, message: Message) -> None:
        key = (community, user_id, message.ref.channel.channel_id)
        if key not in self._noted:  # once per process: the table only needs to know the channel
            self._noted.add(key)
            await self.watch_repo.note_channel(community, user_id, key[2], message.at)

    def forget(self, user: UserRef) -> None:
        """Drop what the process remembers about the member (edits, channels noted)."""
        self.memory.forget(user)
        self._noted = {k for k in self._noted if not (k[0] == user.community.key and k[1] == user.user_id)}
