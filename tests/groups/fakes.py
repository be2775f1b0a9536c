"""A fake platform with channel management (the `Spaces` protocol), recording every call."""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, Space, UserRef
from tests.harness import FakePlatform


class FakeSpaces(FakePlatform):
    """FakePlatform + Spaces: channels and roles live in memory; `refuse` makes a method fail."""

    def __init__(
        self, name: str = "fake", workspace: str = "T1", capabilities: Iterable[Capability] = tuple(Capability)
    ) -> None:
        super().__init__(name, workspace, capabilities)
        self.calls: list[tuple[str, str]] = []
        self.access: dict[str, set[str]] = {}  # channel id -> user ids
        self.archived: set[str] = set()
        self.refuse: dict[str, DeliveryError] = {}  # method name -> error to raise

    def _check(self, method: str) -> None:
        error = self.refuse.get(method)
        if error is not None:
            raise error

    async def create_space(
        self, community: CommunityRef, name: str, *, topic: str = "", private: bool = False, forum: bool = False
    ) -> Space:
        """A new channel named `name` (and a role)."""
        self._check("create_space")
        channel_id = f"c-{name}"
        self.channels[channel_id] = name
        self.access[channel_id] = set()
        self.calls.append(("create_space", name))
        return Space(ChannelRef(self.name, self.workspace, channel_id), f"r-{name}")

    async def add_member(self, space: Space, user: UserRef) -> None:
        """Give access."""
        self._check("add_member")
        self.access[space.channel.channel_id].add(user.user_id)
        self.calls.append(("add_member", user.user_id))

    async def remove_member(self, space: Space, user: UserRef) -> None:
        """Take access away."""
        self._check("remove_member")
        self.access[space.channel.channel_id].discard(user.user_id)
        self.calls.append(("remove_member", user.user_id))

    async def rename_space(self, space: Space, name: str) -> None:
        """Rename the channel."""
        self._check("rename_space")
        self.channels[space.channel.channel_id] = name
        self.calls.append(("rename_space", name))

    async def archive_space(self, space: Space) -> None:
        """Archive the channel."""
        self._check("archive_space")
        self.archived.add(space.channel.channel_id)
        self.calls.append(("archive_space", space.channel.channel_id))

    async def delete_space(self, space: Space) -> None:
        """Delete the channel."""
        self._check("delete_space")
        self.channels.pop(space.channel.channel_id, None)
        self.access.pop(space.channel.channel_id, None)
        self.calls.append(("delete_space", space.channel.channel_id))
