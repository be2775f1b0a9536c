"""The members' `/watch` commands: keywords, muted words and authors, digest frequency and opt-out."""

from __future__ import annotations

from bot.folding import closest
from bot.i18n import Msg, Text, _, join
from bot.model import Reply, UserRef
from bot.plugin import Choice, CommandError, Invocation, choice, command, member, text
from plugins.filters.base import FiltersBase
from plugins.filters.watch import FREQUENCIES, parse_words

_FREQUENCY_LABELS: dict[str, Msg] = {"daily": _("daily"), "weekly": _("weekly"), "off": _("off")}
_ON_OFF = [Choice("on", _("on")), Choice("off", _("off"))]
_KEYWORDS = _("Keywords or phrases, separated by commas.")


class WatchCommands(FiltersBase):
    """`/watch ...` for every member; every reply is private."""

    @command(
        "watch add",
        _("Watch keywords: matching messages come in one private digest per period."),
        text("keywords", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_add(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch add rust, webassembly, meetup lille`."""
        return await self._add_words(inv, keywords, "watch", self.settings.keyword_limit)

    @command(
        "watch mute",
        _("Never get digest entries for messages containing these words."),
        text("words", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_mute(self, inv: Invocation, words: str) -> Reply:
        """`/watch mute crypto, giveaway`."""
        return await self._add_words(inv, words, "mute", self.settings.mute_limit)

    async def _add_words(self, inv: Invocation, raw: str, kind: str, limit: int) -> Reply:
        community, user_id = inv.community.key, inv.user.user_id
        words = parse_words(raw)
        existing = {w.normal for w in await self.watch_repo.words(community, user_id) if w.kind == kind}
        new = [w for w in words if w.normal not in existing]
        if len(existing) + len(new) > limit:
            what = _("keywords") if kind == "watch" else _("muted words")
            raise CommandError(
                _(
                    "You can have at most {limit} {what}; you have {count} and asked for {new} more.",
                    limit=limit,
                    what=what,
                    count=len(existing),
                    new=len(new),
                ),
                _("Remove some first with `/watch remove` or `/watch unmute`, or use broader words."),
            )
        now = self.ctx.clock.now()
        await self.watch_repo.add_words(community, user_id, kind, [(w.normal, w.typed) for w in new], now)
        await self.watch_repo.note_channel(community, user_id, inv.channel.channel_id, now)
        self.engine.changed_watch(community)
        parts: list[Text] = []
        if new:
            listed = ", ".join(w.typed for w in new)
            parts.append(
                _("Now watching: {words}.", words=listed) if kind == "watch" else _("Now muted: {words}.", words=listed)
            )
        if len(new) < len(words):
            parts.append(_("Already there: {words}.", words=", ".join(w.typed for w in words if w.normal in existing)))
        if kind == "watch" and (await self.watch_repo.member(community, user_id)).frequency == "off":
            parts.append(_("Your digest is off: turn it on with `/watch frequency daily`."))
        return Reply(text=join(parts), ephemeral=True)

    @command(
        "watch remove",
        _("Stop watching keywords."),
        text("keywords", _KEYWORDS, max_length=1000, rest=True),
        private=True,
    )
    async def watch_remove(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch remove rust`."""
        return await self._remove_words(inv, keywords, "watch")

    @command(
        "watch unmute", _("Stop muting words."), text("words", _KEYWORDS, max_length=1000, rest=True), private=True
    )
    async def watch_unmute(self, inv: Invocation, words: str) -> Reply:
        """`/watch unmute crypto`."""
        return await self._remove_words(inv, words, "mute")

    async def _remove_words(self, inv: Invocation, raw: str, kind: str) -> Reply:
        community, user_id = inv.community.key, inv.user.user_id
        words = parse_words(raw)
        mine = {w.normal: w.keyword for w in await self.watch_repo.words(community, user_id) if w.kind == kind}
        unknown = [w for w in words if w.normal not in mine]
        if unknown:
            suggestions = closest(unknown[0].typed, list(mine.values()))
            hint: Text = (
                _("Did you mean « {suggestion} »?", suggestion=suggestions[0])
                if suggestions
                else _("See your list with `/watch list`.")
            )
            raise CommandError(_("« {word} » is not in your list.", word=unknown[0].typed), hint)
        await self.watch_repo.remove_words(community, user_id, kind, [w.normal for w in words])
        self.engine.changed_watch(community)
        listed = ", ".join(mine[w.normal] for w in words)
        return Reply(text=_("Removed: {words}.", words=listed), ephemeral=True)

    @command("watch list", _("Show your watch list, mutes and digest settings."), private=True)
    async def watch_list(self, inv: Invocation) -> Reply:
        """`/watch list`."""
        community, user_id = inv.community.key, inv.user.user_id
        words = await self.watch_repo.words(community, user_id)
        prefs = await self.watch_repo.member(community, user_id)
        muted = await self.watch_repo.muted_authors(community, user_id)
        pending = await self.watch_repo.pending(community, user_id)
        none = _("none")
        watched = ", ".join(w.keyword for w in words if w.kind == "watch")
        mutes = ", ".join(w.keyword for w in words if w.kind == "mute")
        authors = ", ".join(
            self.ctx.directory.member_name(UserRef(inv.user.platform, inv.user.workspace_id, a)) for _u, a in muted
        )
        return Reply(
            text=join(
                [
                    _("Keywords: {words}", words=watched or none),
                    _("Muted words: {words}", words=mutes or none),
                    _("Muted authors: {names}", names=authors or none),
                    _(
                        "Digest: {frequency}; waiting for the next one: {count}.",
                        frequency=_FREQUENCY_LABELS[prefs.frequency],
                        count=len(pending),
                    ),
                    _("Hidden from others' digests: {value}.", value=prefs.optout),
                ]
            ),
            ephemeral=True,
        )

    @command(
        "watch mute-author",
        _("Leave a member's messages out of your digests."),
        member("member", _("The member to leave out.")),
        private=True,
    )
    async def watch_mute_author(self, inv: Invocation, member: UserRef) -> Reply:
        """`/watch mute-author @bob`."""
        if member == inv.user:
            raise CommandError(
                _("Your own messages are never in your digest."),
                _("Name another member, such as `/watch mute-author @name`."),
            )
        await self.watch_repo.set_muted_author(inv.community.key, inv.user.user_id, member.user_id, True)
        self.engine.changed_watch(inv.community.key)
        return Reply(
            text=_("Messages by {name} are left out of your digests.", name=self.ctx.directory.member_name(member)),
            ephemeral=True,
        )

    @command(
        "watch unmute-author",
        _("Include a member's messages in your digests again."),
        member("member", _("The member to include again.")),
        private=True,
    )
    async def watch_unmute_author(self, inv: Invocation, member: UserRef) -> Reply:
        """`/watch unmute-author @bob`."""
        changed = await self.watch_repo.set_muted_author(inv.community.key, inv.user.user_id, member.user_id, False)
        name = self.ctx.directory.member_name(member)
        if not changed:
            raise CommandError(_("{name} is not muted.", name=name), _("See your mutes with `/watch list`."))
        self.engine.changed_watch(inv.community.key)
        return Reply(text=_("Messages by {name} are in your digests again.", name=name), ephemeral=True)

    @command(
        "watch frequency",
        _("How often you get your watch digest."),
        choice("frequency", _("daily, weekly, or off"), [Choice(f, _FREQUENCY_LABELS[f]) for f in FREQUENCIES]),
        private=True,
    )
    async def watch_frequency(self, inv: Invocation, frequency: str) -> Reply:
        """`/watch frequency weekly`."""
        community, user_id = inv.community.key, inv.user.user_id
        await self.watch_repo.set_preference(community, user_id, "frequency", frequency)
        if frequency == "off":
            await self.watch_repo.delete_member_matches(community, user_id)
        self.engine.changed_watch(community)
        if frequency == "off":
            return Reply(text=_("Your watch digest is off; waiting matches were dropped."), ephemeral=True)
        return Reply(
            text=_(
                "You will get your watch digest {frequency}, at {hour}:00 in the community's time zone.",
                frequency=_FREQUENCY_LABELS[frequency],
                hour=self.settings.digest_hour,
            ),
            ephemeral=True,
        )

    @command(
        "watch optout",
        _("Keep your messages out of other members' watch digests (on), or not (off)."),
        choice("state", _("on or off"), _ON_OFF),
        private=True,
    )
    async def watch_optout(self, inv: Invocation, state: str) -> Reply:
        """`/watch optout on`."""
        community, user_id = inv.community.key, inv.user.user_id
        await self.watch_repo.set_preference(community, user_id, "optout", int(state == "on"))
        if state == "on":
            await self.watch_repo.delete_author_matches(community, user_id)
        self.engine.changed_watch(community)
        if state == "on":
            return Reply(text=_("Your messages no longer appear in anyone's watch digest."), ephemeral=True)
        return Reply(text=_("Your messages may appear in others' watch digests again."), ephemeral=True)
