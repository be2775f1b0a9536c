"""Members' watch lists: what `/watch` does to keywords, muted words and authors, the digest frequency
and the opt-out, and the member's watch data for export and forget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.folding import closest
from bot.i18n import Msg, Text, _, join, n_
from bot.model import Reply, UserRef
from bot.plugin import CommandError, Invocation, PluginContext, Sql
from plugins.filters.delivery import pending_export
from plugins.filters.engine import Engine
from plugins.filters.settings import FiltersSettings
from plugins.filters.watch import parse_words
from plugins.filters.watch_repo import WatchRepo

FREQUENCY_LABELS: dict[str, Msg] = {"daily": _("daily"), "weekly": _("weekly"), "off": _("off")}
# How often, said in a sentence ("You will get your watch digest every day"): the calendar's counted words for
# a repetition, so "every day" reads the same in both plugins.
_FREQUENCY_ADVERBS: dict[str, Msg] = {
    "daily": n_("every day", "every {count} days", 1),
    "weekly": n_("every week", "every {count} weeks", 1),
}


class WatchLists:
    """`/watch ...` for every member; every reply is private. A change tells the engine, which rebuilds the
    community's watch index at the next message."""

    def __init__(self, ctx: PluginContext, watch_repo: WatchRepo, engine: Engine, settings: FiltersSettings) -> None:
        self.ctx = ctx
        self.watch_repo = watch_repo
        self.engine = engine
        self.settings = settings

    async def add(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch add rust, webassembly, meetup lille`."""
        return await self._add_words(inv, keywords, "watch", self.settings.keyword_limit)

    async def mute(self, inv: Invocation, words: str) -> Reply:
        """`/watch mute crypto, giveaway`."""
        return await self._add_words(inv, words, "mute", self.settings.mute_limit)

    async def _add_words(self, inv: Invocation, raw: str, kind: str, limit: int) -> Reply:
        community, user_id = inv.community.key, inv.user.user_id
        words = parse_words(raw)
        existing = {w.normal for w in await self.watch_repo.words(community, user_id) if w.kind == kind}
        new = [w for w in words if w.normal not in existing]
        if len(existing) + len(new) > limit:
            counts = {"have": len(existing), "new": len(new)}
            raise CommandError(
                n_(
                    "You can watch at most {count} keyword; you have {have} and asked for {new} more.",
                    "You can watch at most {count} keywords; you have {have} and asked for {new} more.",
                    limit,
                    **counts,
                )
                if kind == "watch"
                else n_(
                    "You can mute at most {count} word; you have {have} and asked for {new} more.",
                    "You can mute at most {count} words; you have {have} and asked for {new} more.",
                    limit,
                    **counts,
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

    async def remove(self, inv: Invocation, keywords: str) -> Reply:
        """`/watch remove rust`."""
        return await self._remove_words(inv, keywords, "watch")

    async def unmute(self, inv: Invocation, words: str) -> Reply:
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
                _("Did you mean “{suggestion}”?", suggestion=suggestions[0])
                if suggestions
                else _("See your list with `/watch list`.")
            )
            raise CommandError(_("“{word}” is not in your list.", word=unknown[0].typed), hint)
        await self.watch_repo.remove_words(community, user_id, kind, [w.normal for w in words])
        self.engine.changed_watch(community)
        listed = ", ".join(mine[w.normal] for w in words)
        # Counted so French agrees ("Retiré" for one word, "Retirés" for several).
        return Reply(text=n_("Removed: {words}.", "Removed: {words}.", len(words), words=listed), ephemeral=True)

    async def show(self, inv: Invocation) -> Reply:
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
                        frequency=FREQUENCY_LABELS[prefs.frequency],
                        count=len(pending),
                    ),
                    _("Hidden from others' digests: {value}.", value=prefs.optout),
                ]
            ),
            ephemeral=True,
        )

    async def mute_author(self, inv: Invocation, member: UserRef) -> Reply:
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

    async def unmute_author(self, inv: Invocation, member: UserRef) -> Reply:
        """`/watch unmute-author @bob`."""
        changed = await self.watch_repo.set_muted_author(inv.community.key, inv.user.user_id, member.user_id, False)
        name = self.ctx.directory.member_name(member)
        if not changed:
            raise CommandError(_("{name} is not muted.", name=name), _("See your mutes with `/watch list`."))
        self.engine.changed_watch(inv.community.key)
        return Reply(text=_("Messages by {name} are in your digests again.", name=name), ephemeral=True)

    async def set_frequency(self, inv: Invocation, frequency: str) -> Reply:
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
                frequency=_FREQUENCY_ADVERBS[frequency],
                hour=self.settings.digest_hour,
            ),
            ephemeral=True,
        )

    async def set_optout(self, inv: Invocation, state: str) -> Reply:
        """`/watch optout on`."""
        community, user_id = inv.community.key, inv.user.user_id
        await self.watch_repo.set_preference(community, user_id, "optout", int(state == "on"))
        if state == "on":
            await self.watch_repo.delete_author_matches(community, user_id)
        self.engine.changed_watch(community)
        if state == "on":
            return Reply(text=_("Your messages no longer appear in anyone's watch digest."), ephemeral=True)
        return Reply(text=_("Your messages may appear in others' watch digests again."), ephemeral=True)

    async def export(self, user: UserRef) -> Mapping[str, Any]:
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

    async def forget(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's watch data, their mutes by others and excerpts of their messages (in the
        forget transaction `tx`)."""
        removed = await WatchRepo(tx).forget(user.community.key, user.user_id)
        self.engine.changed_watch(user.community.key)
        return removed
