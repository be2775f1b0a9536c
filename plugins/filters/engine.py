"""The in-memory side of filters and watch lists: one rule matcher and one watch index per community,
each rebuilt only when its rules change (a version counter bumped by every command that edits them).

The hot path (`rules_for`, `watch_for`) is a dictionary lookup and an integer comparison when nothing
changed, so the per-message cost is one normalisation and one automaton pass per index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plugins.filters.matcher import PhraseIndex, RuleMatcher
from plugins.filters.repo import FiltersRepo, WatchMember, WatchWord
from plugins.filters.watch_repo import WatchRepo


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One member's keyword (or muted word) in a community's watch index."""

    user_id: str
    keyword: str
    mute: bool


class WatchIndex:
    """Every active watch list of a community in one automaton, with mutes and author opt-outs."""

    def __init__(
        self, version: int, words: Sequence[WatchWord], muted: Sequence[tuple[str, str]], members: Sequence[WatchMember]
    ) -> None:
        self.version = version
        off = {m.user_id for m in members if m.frequency == "off"}
        self.optouts = frozenset(m.user_id for m in members if m.optout)
        live = [w for w in words if w.user_id not in off]
        self.watchers = frozenset(w.user_id for w in live if w.kind == "watch")
        self.index: PhraseIndex[WatchEntry] = PhraseIndex(
            (w.normal, WatchEntry(w.user_id, w.keyword, w.kind == "mute")) for w in live
        )
        by_member: dict[str, set[str]] = {}
        for user_id, author_id in muted:
            by_member.setdefault(user_id, set()).add(author_id)
        self.muted_authors = {user: frozenset(authors) for user, authors in by_member.items()}

    def match(self, padded: str, author_id: str) -> dict[str, str]:
        """Member -> first keyword matched, without the author, muted words, muted and opted-out authors."""
        if not self.watchers or author_id in self.optouts:
            return {}
        found: dict[str, str] = {}
        muting: set[str] = set()
        for _form, entries in self.index.find(padded):
            for entry in entries:
                if entry.user_id == author_id:
                    continue
                if entry.mute:
                    muting.add(entry.user_id)
                else:
                    found.setdefault(entry.user_id, entry.keyword)
        for user_id in list(found):
            if user_id in muting or author_id in self.muted_authors.get(user_id, ()):
                del found[user_id]
        return found


class Engine:
    """Caches a `RuleMatcher` and a `WatchIndex` per community; `changed_*` marks one stale."""

    def __init__(self, rules: FiltersRepo, watch: WatchRepo) -> None:
        self._rules_repo = rules
        self._watch_repo = watch
        self._matchers: dict[str, RuleMatcher] = {}
        self._indexes: dict[str, WatchIndex] = {}
        self._rule_versions: dict[str, int] = {}
        self._watch_versions: dict[str, int] = {}
        self.rebuilds = 0

    def changed_rules(self, community: str) -> None:
        """A rule or an exemption changed: rebuild on next use."""
        self._rule_versions[community] = self._rule_versions.get(community, 0) + 1

    def changed_watch(self, community: str) -> None:
        """A keyword, mute, frequency or opt-out changed: rebuild on next use."""
        self._watch_versions[community] = self._watch_versions.get(community, 0) + 1

    def current_rules(self, community: str) -> RuleMatcher | None:
        """The cached matcher when it is up to date (the hot path: no coroutine, no I/O)."""
        matcher = self._matchers.get(community)
        if matcher is not None and matcher.version == self._rule_versions.get(community, 0):
            return matcher
        return None

    def current_watch(self, community: str) -> WatchIndex | None:
        """The cached watch index when it is up to date."""
        index = self._indexes.get(community)
        if index is not None and index.version == self._watch_versions.get(community, 0):
            return index
        return None

    async def rules_for(self, community: str) -> RuleMatcher:
        """The community's current rule matcher."""
        matcher = self._matchers.get(community)
        version = self._rule_versions.get(community, 0)
        if matcher is None or matcher.version != version:
            rules = await self._rules_repo.rules(community)
            exemptions = await self._rules_repo.exemptions(community)
            matcher = RuleMatcher(
                version,
                rules,
                [e.value for e in exemptions if e.kind == "channel"],
                [e.value for e in exemptions if e.kind == "role"],
            )
            self._matchers[community] = matcher
            self.rebuilds += 1
        return matcher

    async def watch_for(self, community: str) -> WatchIndex:
        """The community's current watch index."""
        index = self._indexes.get(community)
        version = self._watch_versions.get(community, 0)
        if index is None or index.version != version:
            index = WatchIndex(
                version,
                await self._watch_repo.words(community),
                await self._watch_repo.muted_authors(community),
                await self._watch_repo.members(community),
            )
            self._indexes[community] = index
            self.rebuilds += 1
        return index
