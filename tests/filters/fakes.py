"""A fake platform that can delete messages and say who reads which channel, and shared helpers."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st

from bot.model import Capability, ChannelRef, Level, MessageRef, UserRef
from plugins.filters.plugin import FiltersPlugin
from tests.harness import FakePlatform, Harness

PLUGINS: dict[str, dict[str, object]] = {"core": {}, "filters": {}}
MOD = Level.MODERATOR


def plugin(h: Harness) -> FiltersPlugin:
    """The running filters plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, FiltersPlugin))


async def with_mod_channel(h: Harness) -> None:
    """A #mods channel set as the moderation channel."""
    h.platform.channel("mods")
    await h.command("mod", "/settings channel purpose:moderation channel:#mods", level=MOD)


class DeletingPlatform(FakePlatform):
    """FakePlatform with the optional `delete_message` and `can_read` hooks."""

    def __init__(
        self,
        capabilities: Iterable[Capability] = tuple(Capability),
        private: dict[str, set[str]] | None = None,
        refuse_delete: bool = False,
    ) -> None:
        super().__init__(capabilities=capabilities)
        self.deleted: list[tuple[MessageRef, str]] = []
        self.private = private  # channel -> members who can read it; None: cannot tell
        self.refuse_delete = refuse_delete

    async def delete_message(self, ref: MessageRef, reason: str) -> bool:
        """Record the deletion."""
        if self.refuse_delete:
            return False
        self.deleted.append((ref, reason))
        return True

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Members listed for a private channel; everyone elsewhere; None when not configured."""
        if self.private is None:
            return None
        allowed = self.private.get(channel.channel_id)
        return True if allowed is None else user.user_id in allowed


# What a hostile member types at the filters: long runs of one unit (where backtracking engines explode),
# mentions, direction overrides, NULs, lone and paired surrogates, and any text at all.
_RUNS = ["a", "1", " ", "!", "é", "\u202e", "\x00", "\ud800", "@everyone ", "<!here> ", "<@U1> "]
_PIECES = ["a", "aa", "1", " ", "!", "b", "@everyone ", "<!channel>", "\u202e", "\u2066", "\x00", "\udfff"]
_PIECES += ["\ud83d", "\ud83d\ude00", "é", "\n"]


def crafted_texts(*units: str, pieces: int = 300, free: int = 200) -> st.SearchStrategy[str]:
    """Hostile message texts of up to 2,000 characters; `units` adds words the rules under test match."""
    return st.one_of(
        st.sampled_from([*_RUNS, *units]).flatmap(lambda unit: st.integers(1, 2000).map(lambda n: (unit * n)[:2000])),
        st.lists(st.sampled_from([*_PIECES, *units]), max_size=pieces).map("".join),
        st.text(max_size=free),
    )


PATTERN_TOKENS = [  # regex pieces a hostile moderator combines
    "a",
    "b",
    "x",
    "z",
    "1",
    " ",
    "@",
    "!",
    ".",
    r"\d",
    r"\w",
    r"\s",
    r"\b",
    "[ab]",
    "[^a]",
    r"\pL",
    "(",
    ")",
    "(?:",
    "|",
    "*",
    "+",
    "?",
    "{2}",
    "{1,3}",
    "{0,}",
    "^",
    "$",
    r"\1",
    "(?=",
    "(?<!",
    "++",
    "[",
    "]",
    "\\",
    "{",
    "é",
    "\u202e",
    "everyone",
    "<!here>",
    "here",
]
