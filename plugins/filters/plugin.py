"""The filters plugin's declarations: the message filter, the edit listener, the watch listener, the jobs,
the digest section and privacy. Commands live in `filter_commands` (moderators) and `watch_commands`
(members)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import Text, _
from bot.model import CommunityRef, Message, MessageDeleted, MessageEdited, Reply, UserRef
from bot.plugin import DigestSection, MessageNotes, PluginContext, Sql, job, listen, message_filter
from plugins.filters.actions import Enforcer
from plugins.filters.delivery import Delivery, pending_export
from plugins.filters.edits import EditMemory
from plugins.filters.filter_commands import FilterCommands
from plugins.filters.matcher import ACTIONS, RuleMatcher
from plugins.filters.watch import excerpt
from plugins.filters.watch_commands import WatchCommands
from plugins.filters.watch_repo import WatchRepo

TOP_RULES = 5
log = logging.getLogger("affinity.filters")


class FiltersPlugin(FilterCommands, WatchCommands):
    """Community noise filters and personal keyword watch lists."""

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.enforcer = Enforcer(ctx)
        self.delivery = Delivery(ctx, self.watch_repo, self.settings)
        self._noted: set[tuple[str, str, str]] = set()
        self._reported: set[tuple[str, int]] = set()  # disabled patterns logged and reported, per process
        self.memory = EditMemory()

    async def stop(self) -> None:
        """Write the hit counts still in memory."""
        await self.enforcer.flush(self.repo)

    # ------------------------------------------------------------ the message path

    @message_filter
    async def screen(self, message: Message, notes: MessageNotes) -> None:
        """Apply the community's rules: one normalisation, one automaton pass."""
        if message.is_direct:
            return
        community = message.community.key
        self.memory.saw(community, message)  # an edit tells neither the author's roles nor if it is a bot
        matcher = self.engine.current_rules(community) or await self._rebuilt_rules(community)
        if matcher.empty or matcher.exempt(message.ref.channel.channel_id, message.author_roles):
            return
        padded = self.normal_of(message)
        # Phrases only (most communities): no coroutine to create on the hot path.
        hits = await matcher.screen(padded, message.text) if matcher.patterns else matcher.match_phrases(padded)
        if hits:
            self.memory.add_matched(community, message.ref, (h.rule.id for h in hits))
            await self.enforcer.apply(message, notes, hits)

    async def _rebuilt_rules(self, community: str) -> RuleMatcher:
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
            "Filter rule #{id} « {rule} » is disabled: {reason} It never runs; remove it with "
            "`/filter remove {id}` and add a pattern the filters accept.",
            id=rule_id,
            rule=pattern,
            reason=reason,
        )
        try:
            await self.ctx.messenger.send(
                channel, Reply(text=text), dedupe_key=f"filters.disabled:{community.key}:{rule_id}"
            )
        except Exception:  # the filter pass must go on: the rule is listed as disabled in `/filter list`
            log.warning("could not report disabled filter rule #%s of %s", rule_id, community.key, exc_info=True)

    @listen(MessageEdited)
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
        matcher = self.engine.current_rules(community) or await self._rebuilt_rules(community)
        if not matcher.empty and not matcher.exempt(ref.channel.channel_id, roles):
            every = await matcher.screen(self.normal_of(message), event.text)  # kept for `collect` below
            before = self.memory.matched(community, ref)
            hits = [h for h in every if h.rule.id not in before]
            if hits:
                self.memory.add_matched(community, ref, (h.rule.id for h in hits))
                await self.enforcer.apply(message, notes, hits, edited=True)
            if any(h.rule.action == "tag" for h in every):
                return  # noise now (or still): out of the watch digests
        if not notes.deleted:
            await self.collect(message, notes)

    @listen(MessageDeleted)
    async def forget_deleted(self, event: MessageDeleted) -> None:
        """A deleted message leaves the watch digests waiting for it (its excerpt must not outlive it)."""
        ref = event.ref
        await self.watch_repo.drop_deleted(event.community.key, ref.channel.channel_id, ref.message_id)

    @listen(Message)
    async def collect(self, message: Message, notes: MessageNotes) -> None:
        """Store a link and an excerpt for every member whose watch list matches (noise excluded)."""
        if message.is_direct:
            return
        community = message.community.key
        index = self.engine.current_watch(community) or await self.engine.watch_for(community)
        if not index.watchers:
            return
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

    # ------------------------------------------------------------ jobs

    @job("filters.watch_digests", cron="*/15 * * * *")
    async def send_digests(self, when: datetime) -> None:
        """Send the watch digests whose period has started."""
        await self.delivery.run(when)

    @job("filters.flush_hits", every=timedelta(minutes=5))
    async def flush_hits(self, when: datetime) -> None:
        """Write the buffered hit counts."""
        await self.enforcer.flush(self.repo)

    # ------------------------------------------------------------ digest

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Noise caught per action and the rules that caught the most."""
        await self.enforcer.flush(self.repo)
        counts = await self.repo.hits(community.key, start, end)
        if not counts:
            return None
        per_action = {action: sum(c.hits for c in counts if c.action == action) for action in ACTIONS}
        per_rule: dict[int, tuple[str, int]] = {}
        for c in counts:
            phrase, hits = per_rule.get(c.rule_id, (c.phrase, 0))
            per_rule[c.rule_id] = (phrase, hits + c.hits)
        top = sorted(per_rule.items(), key=lambda item: (-item[1][1], item[0]))[:TOP_RULES]
        figures: dict[str, float | int | None] = {
            "noise_total": sum(per_action.values()),
            "noise_tagged": per_action["tag"],
            "noise_flagged": per_action["flag"],
            "noise_deleted": per_action["delete"],
            "rules_triggered": len(per_rule),
        }
        lines: list[Text] = [
            _(
                "Messages caught: {total} ({tagged} tagged as noise, {flagged} flagged, {deleted} deleted).",
                total=figures["noise_total"],
                tagged=per_action["tag"],
                flagged=per_action["flag"],
                deleted=per_action["delete"],
            )
        ]
        lines += [_("Rule « {rule} »: {count}", rule=phrase, count=hits) for _id, (phrase, hits) in top]
        return DigestSection("filters", _("Noise filters"), figures, tuple(lines))

    # ------------------------------------------------------------ privacy

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """The member's watch list, mutes, preferences, pending matches for them, and excerpts of theirs
        waiting in others' digests (without saying whose)."""
        community = user.community.key
        words = await self.watch_repo.words(community, user.user_id)
        prefs = await self.watch_repo.member(community, user.user_id)
        muted = await self.watch_repo.muted_authors(community, user.user_id)
        muted_by = [u for u, a in await self.watch_repo.muted_authors(community) if a == user.user_id]
        return {
            "watch_keywords": [w.keyword for w in words if w.kind == "watch"],
            "muted_words": [w.keyword for w in words if w.kind == "mute"],
            "muted_authors": [a for _u, a in muted],
            "digest_frequency": prefs.frequency,
            "opted_out_of_others_digests": prefs.optout,
            "channels_posted_in": sorted(await self.watch_repo.channels(community, user.user_id)),
            "pending_matches": pending_export(await self.watch_repo.pending(community, user.user_id)),
            "your_messages_waiting_in_digests": pending_export(
                await self.watch_repo.pending(community, author_id=user.user_id)
            ),
            "muted_by_members": len(muted_by),
        }

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's watch data, their mutes by others and excerpts of their messages."""
        removed = await WatchRepo(tx).forget(user.community.key, user.user_id)
        self.engine.changed_watch(user.community.key)
        self.memory.forget(user)
        self._noted = {k for k in self._noted if not (k[0] == user.community.key and k[1] == user.user_id)}
        return removed


PLUGIN = FiltersPlugin
