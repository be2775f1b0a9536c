"""The filters plugin's declarations: the `/filter` and `/watch` commands, the message filter, the edit,
delete and watch listeners, the jobs, the digest section and privacy. Each handler delegates: `/filter`
to `FilterRules` (rules.py), `/watch` and privacy to `WatchLists` (watch_lists.py), edits and watch
matches to `Screening` (screening.py), the digest section to `noise_report`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import _
from bot.model import ChannelRef, CommunityRef, Level, Message, MessageDeleted, MessageEdited, Reply, UserRef
from bot.plugin import (
    Choice,
    DigestSection,
    Invocation,
    MessageNotes,
    Plugin,
    PluginContext,
    Sql,
    autocomplete,
    boolean,
    channel,
    choice,
    command,
    job,
    listen,
    member,
    message_filter,
    text,
)
from plugins.filters.actions import Enforcer
from plugins.filters.delivery import Delivery
from plugins.filters.edits import EditMemory
from plugins.filters.engine import Engine
from plugins.filters.noise_report import noise_section
from plugins.filters.repo import FiltersRepo
from plugins.filters.rules import ACTION_CHOICES, FilterRules
from plugins.filters.screening import Screening
from plugins.filters.settings import FiltersSettings
from plugins.filters.watch import FREQUENCIES
from plugins.filters.watch_lists import FREQUENCY_LABELS, WatchLists
from plugins.filters.watch_repo import WatchRepo

# Other spellings a member may type besides each value's word in every language (`activé`, `on`).
_ON_OFF = [
    Choice("on", _("on"), aliases=("oui", "actif", "activer", "marche", "yes")),
    Choice("off", _("off"), aliases=("non", "inactif", "desactiver", "arret", "no")),
]
_FREQUENCY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "daily": ("quotidienne", "jour", "chaque jour", "day"),
    "weekly": ("hebdomadaire", "semaine", "week"),
    "off": _ON_OFF[1].aliases,
}
_KEYWORDS = _("Keywords or phrases, separated by commas.")


class FiltersPlugin(Plugin[FiltersSettings]):
    """Community noise filters and personal keyword watch lists."""

    name = "filters"
    Settings = FiltersSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.repo = FiltersRepo(ctx.db)
        self.watch_repo = WatchRepo(ctx.db)
        self.engine = Engine(self.repo, self.watch_repo)
        self.memory = EditMemory()
        self.enforcer = Enforcer(ctx)
        self.rules = FilterRules(ctx, self.repo, self.engine, self.settings)
        self.watch = WatchLists(ctx, self.watch_repo, self.engine, self.settings)
        self.screening = Screening(ctx, self.engine, self.watch_repo, self.memory, self.enforcer)
        self.delivery = Delivery(ctx, self.watch_repo, self.settings)

    async def stop(self) -> None:
        """Write the hit counts still in memory."""
        await self.enforcer.flush(self.repo)

    # ------------------------------------------------------------ the message path

    @message_filter
    async def screen(self, message: Message, notes: MessageNotes) -> None:
        """Apply the community's rules: one normalisation, one automaton pass. The hot path stays here,
        written out: delegating to a service would cost one more coroutine per message."""
        if message.is_direct:
            return
        community = message.community.key
        self.memory.saw(community, message)  # an edit tells neither the author's roles nor if it is a bot
        matcher = self.engine.current_rules(community) or await self.screening.rebuilt_rules(community)
        if matcher.empty or matcher.exempt(message.ref.channel.channel_id, message.author_roles):
            return
        padded = self.screening.normal_of(message)
        # Phrases only (most communities): no coroutine to create on the hot path.
        hits = await matcher.screen(padded, message.text) if matcher.patterns else matcher.match_phrases(padded)
        if hits:
            self.memory.add_matched(community, message.ref, (h.rule.id for h in hits))
            await self.enforcer.apply(message, notes, hits)

    @listen(MessageEdited)
    async def rescreen(self, event: MessageEdited) -> None:
        """Apply the rules to an edited message's new text and match it again against the watch lists."""
        await self.screening.rescreen(event)

    @listen(MessageDeleted)
    async def forget_deleted(self, event: MessageDeleted) -> None:
        """A deleted message leaves the watch digests waiting for it (its excerpt must not outlive it)."""
        ref = event.ref
        await self.watch_repo.drop_deleted(event.community.key, ref.channel.channel_id, ref.message_id)

    @listen(Message)
    async def collect(self, message: Message, notes: MessageNotes) -> None:
        """Store a link and an excerpt for every member whose watch list matches (noise excluded). Runs for
        every message: without watchers (most communities) it returns before creating another coroutine."""
        if message.is_direct:
            return
        community = message.community.key
        index = self.engine.current_watch(community) or await self.engine.watch_for(community)
        if index.watchers:
            await self.screening.collect(index, message, notes)

    # ------------------------------------------------------------ /filter (moderators)

    @command(
        "filter add",
        _("Add a filter rule: a phrase (or a pattern) and what to do with matching messages."),
        # Every unnamed word is the phrase; action and regex are only ever given by name, before or after.
        text(
            "phrase",
            _("The phrase to catch (case, accents, plurals ignored) or a pattern: the rest of the line, no quotes."),
            max_length=200,
            rest=True,
        ),
        replace(
            choice(
                "action", _("What to do: tag as noise, flag to moderators, or delete."), ACTION_CHOICES, required=False
            ),
            named_only=True,
        ),
        replace(boolean("regex", _("Treat the phrase as a regular expression."), required=False), named_only=True),
        level=Level.MODERATOR,
        private=True,
    )
    async def filter_add(
        self, inv: Invocation, phrase: str, action: str | None = None, regex: bool | None = None
    ) -> Reply:
        """`/filter add tag a friend action:flag` (also the older `/filter add "tag a friend" flag`)."""
        return await self.rules.add(inv, phrase, action, regex)

    @command(
        "filter remove",
        _("Remove a filter rule."),
        text(
            "rule", _("The rule's number (#12) or its phrase."), max_length=200, autocomplete="filter_rules", rest=True
        ),
        level=Level.MODERATOR,
        private=True,
    )
    async def filter_remove(self, inv: Invocation, rule: str) -> Reply:
        """`/filter remove 12` or `/filter remove tag a friend`."""
        return await self.rules.remove(inv, rule)

    @autocomplete("filter_rules")
    async def complete_rules(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Rules whose phrase contains what was typed."""
        return await self.rules.complete(community, user, prefix)

    @command("filter list", _("List the filter rules and exemptions."), level=Level.MODERATOR, private=True)
    async def filter_list(self, inv: Invocation) -> Reply:
        """`/filter list`."""
        return await self.rules.show(inv)

    @command(
        "filter test",
        _("Show which filter rules a text would trigger, and why."),
        text("text", _("The text to test."), max_length=2000, rest=True),
        level=Level.MODERATOR,
        private=True,
    )
    async def filter_test(self, inv: Invocation, text: str) -> Reply:
        """`/filter test Tag a friend who needs this!`."""
        return await self.rules.test(inv, text)

    @command(
        "filter bait",
        _("Switch the built-in engagement-bait rules (French and English) on or off."),
        choice("state", _("on or off"), _ON_OFF),
        level=Level.MODERATOR,
        private=True,
    )
    async def filter_bait(self, inv: Invocation, state: str) -> Reply:
        """`/filter bait on`: the built-in phrases become ordinary `tag` rules marked built-in."""
        return await self.rules.set_bait(inv, state)

    @command(
        "filter exempt",
        _("Exempt a channel or a role from the filters (or end the exemption)."),
        channel("channel", _("A channel the filters should skip."), required=False),
        text("role", _("A role (its id or mention) whose members the filters skip."), required=False, max_length=100),
        choice("state", _("on to exempt, off to end the exemption"), _ON_OFF, required=False),
        level=Level.MODERATOR,
        private=True,
    )
    async def filter_exempt(
        self, inv: Invocation, channel: ChannelRef | None = None, role: str | None = None, state: str = "on"
    ) -> Reply:
        """`/filter exempt channel:#mods`, `/filter exempt role:@Staff state:off`."""
        return await self.rules.set_exemption(inv, channel, role, state)

    # ------------------------------------------------------------ /watch (members)

    @command(
        "watch add",
        _("Watch keywords: matching messages come in one private digest per period."),
        text("keywords", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_add(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch add rust, webassembly, meetup lille`."""
        return await self.watch.add(inv, keywords)

    @command(
        "watch mute",
        _("Never get digest entries for messages containing these words."),
        text("words", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_mute(self, inv: Invocation, words: str) -> Reply:
        """`/watch mute crypto, giveaway`."""
        return await self.watch.mute(inv, words)

    @command(
        "watch remove",
        _("Stop watching keywords."),
        text("keywords", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_remove(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch remove rust`."""
        return await self.watch.remove(inv, keywords)

    @command(
        "watch unmute", _("Stop muting words."), text("words", _KEYWORDS, max_length=1000, rest=True), private=True
    )
    async def watch_unmute(self, inv: Invocation, words: str) -> Reply:
        """`/watch unmute crypto`."""
        return await self.watch.unmute(inv, words)

    @command("watch list", _("Show your watch list, mutes and digest settings."), private=True)
    async def watch_list(self, inv: Invocation) -> Reply:
        """`/watch list`."""
        return await self.watch.show(inv)

    @command(
        "watch mute-author",
        _("Leave a member's messages out of your digests."),
        member("member", _("The member to leave out.")),
        private=True,
    )
    async def watch_mute_author(self, inv: Invocation, member: UserRef) -> Reply:
        """`/watch mute-author @bob`."""
        return await self.watch.mute_author(inv, member)

    @command(
        "watch unmute-author",
        _("Include a member's messages in your digests again."),
        member("member", _("The member to include again.")),
        private=True,
    )
    async def watch_unmute_author(self, inv: Invocation, member: UserRef) -> Reply:
        """`/watch unmute-author @bob`."""
        return await self.watch.unmute_author(inv, member)

    @command(
        "watch frequency",
        _("How often you get your watch digest."),
        choice(
            "frequency",
            _("daily, weekly, or off"),
            [Choice(f, FREQUENCY_LABELS[f], aliases=_FREQUENCY_ALIASES[f]) for f in FREQUENCIES],
        ),
        private=True,
    )
    async def watch_frequency(self, inv: Invocation, frequency: str) -> Reply:
        """`/watch frequency weekly`."""
        return await self.watch.set_frequency(inv, frequency)

    @command(
        "watch optout",
        _("Keep your messages out of other members' watch digests (on), or not (off)."),
        choice("state", _("on or off"), _ON_OFF),
        private=True,
    )
    async def watch_optout(self, inv: Invocation, state: str) -> Reply:
        """`/watch optout on`."""
        return await self.watch.set_optout(inv, state)

    # ------------------------------------------------------------ jobs

    @job("filters.watch_digests", cron="*/15 * * * *", scope="platform")
    async def send_digests(self, when: datetime) -> None:
        """Send the watch digests whose period has started."""
        await self.delivery.run(when)

    @job("filters.flush_hits", every=timedelta(minutes=5), scope="process")
    async def flush_hits(self, when: datetime) -> None:
        """Write the buffered hit counts."""
        await self.enforcer.flush(self.repo)

    # ------------------------------------------------------------ digest and privacy

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Messages caught (noise, bait, per action), their share of the messages posted, the top rules."""
        await self.enforcer.flush(self.repo)
        return await noise_section(self.repo, community, start, end, timezone)

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """The member's watch data (see `WatchLists.export`)."""
        return await self.watch.export(user)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's watch data, their mutes by others and excerpts of their messages."""
        removed = await self.watch.forget(user, tx)
        self.screening.forget(user)
        return removed


PLUGIN = FiltersPlugin
