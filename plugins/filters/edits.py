"""What the filter remembers, in memory, to check edited messages.

An edit (`MessageEdited`) carries the new text, the message and its author, but not the author's roles,
whether the author is a bot, or whether it happened in a direct conversation. So the filter notes:

- the roles of every author whose message it screened (the roles of their latest message). Bots'
  messages never reach the filter, so an author it never saw is treated as a bot: their edits are ignored;
- the channels it screened a message in: direct conversations are never among them, so their edits are
  ignored like their messages;
- the rules each caught message has matched, so an edit acts only on rules the message did not match yet.

Each memory is bounded (the oldest entries go first) and lost on restart: see docs/filters.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from bot.model import Message, MessageRef, UserRef

AUTHOR_MEMORY = 100_000  # authors remembered per community
CHANNEL_MEMORY = 10_000  # channels remembered per community
CAUGHT_MEMORY = 50_000  # caught messages remembered per process
K = TypeVar("K")
V = TypeVar("V")


def _put(store: dict[K, V], key: K, value: V, limit: int) -> None:
    """Store a value, first dropping the oldest entry when the store is full."""
    if len(store) >= limit and key not in store:
        del store[next(iter(store))]  # dicts keep insertion order
    store[key] = value


class EditMemory:
    """Authors' roles and channels seen per community, and the rules caught messages matched."""

    def __init__(
        self, authors: int = AUTHOR_MEMORY, channels: int = CHANNEL_MEMORY, caught: int = CAUGHT_MEMORY
    ) -> None:
        self._limits = (authors, channels, caught)
        # community -> (author id -> roles of their latest message, channel ids seen)
        self._seen: dict[str, tuple[dict[str, frozenset[str]], dict[str, None]]] = {}
        self._caught: dict[tuple[str, str, str], frozenset[int]] = {}

    def saw(self, community: str, message: Message) -> None:
        """Note a screened channel message's author, roles and channel (the hot path: string-keyed
        dictionaries only, about a quarter of a microsecond)."""
        seen = self._seen.get(community)
        if seen is None:
            seen = self._seen[community] = ({}, {})
        roles, channels = seen
        author = message.author.user_id
        if len(roles) >= self._limits[0] and author not in roles:
            del roles[next(iter(roles))]
        roles[author] = message.author_roles
        channel = message.ref.channel.channel_id
        if channel not in channels:
            _put(channels, channel, None, self._limits[1])

    def roles_of(self, community: str, author: UserRef, ref: MessageRef) -> frozenset[str] | None:
        """The roles of the author's latest screened message; None when the author (a bot?) or the channel
        (a direct conversation?) was never seen."""
        seen = self._seen.get(community)
        if seen is None or ref.channel.channel_id not in seen[1]:
            return None
        return seen[0].get(author.user_id)

    def matched(self, community: str, ref: MessageRef) -> frozenset[int]:
        """The rules the message has matched so far (empty when it never matched or was forgotten)."""
        return self._caught.get(_key(community, ref), frozenset())

    def add_matched(self, community: str, ref: MessageRef, rule_ids: Iterable[int]) -> None:
        """Remember more rules the message matched."""
        key = _key(community, ref)
        _put(self._caught, key, self._caught.get(key, frozenset()) | frozenset(rule_ids), self._limits[2])

    def forget(self, user: UserRef) -> None:
        """Drop a member's roles (`/privacy forget`)."""
        seen = self._seen.get(user.community.key)
        if seen is not None:
            seen[0].pop(user.user_id, None)


def _key(community: str, ref: MessageRef) -> tuple[str, str, str]:
    return community, ref.channel.channel_id, ref.message_id
