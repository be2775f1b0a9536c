"""Fixtures of the events tests.

`until_rsvp_and_life_land`: TEMPORARY. The lifecycle service is built on another branch; until it lands on
main its methods raise NotImplementedError. This fixture replaces the methods the organiser's flows call
(Lifecycle.planned/changed/cancelled) with recorders that do nothing else, so the organiser's own behaviour
can be tested. (The RSVP service is on main: `Answers.promote_waitlist` runs for real.) Remove it once the
lifecycle is on main."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugins.events.lifecycle import Lifecycle


@pytest.fixture
def until_rsvp_and_life_land(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Record the calls to the not-yet-built lifecycle and RSVP methods instead of raising."""
    calls: list[tuple[str, Any]] = []

    def recorder(name: str) -> Any:
        async def record(self: Any, *args: Any) -> Any:
            calls.append((name, args))
            return None

        return record

    for name in ("planned", "changed", "cancelled"):
        monkeypatch.setattr(Lifecycle, name, recorder(name))
    yield calls
