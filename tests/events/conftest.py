"""Fixtures of the events tests.

`until_rsvp_and_life_land`: TEMPORARY. The RSVP and lifecycle services are built on other branches; until
they land on main their methods raise NotImplementedError. This fixture replaces the methods the
organiser's flows call (Lifecycle.planned/changed/cancelled, Answers.promote_waitlist) with recorders that
do nothing else, so the organiser's own behaviour can be tested. Remove it once they are on main."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugins.events.answers import Answers
from plugins.events.lifecycle import Lifecycle


@pytest.fixture
def until_rsvp_and_life_land(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Record the calls to the not-yet-built lifecycle and RSVP methods instead of raising."""
    calls: list[tuple[str, Any]] = []

    def recorder(name: str) -> Any:
        async def record(self: Any, *args: Any) -> Any:
            calls.append((name, args))
            return [] if name == "promote_waitlist" else None

        return record

    for name in ("planned", "changed", "cancelled"):
        monkeypatch.setattr(Lifecycle, name, recorder(name))
    monkeypatch.setattr(Answers, "promote_waitlist", recorder("promote_waitlist"))
    yield calls
