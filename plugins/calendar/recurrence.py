"""Recurring slots: presets (daily, weekly, biweekly, monthly) and RFC 5545 RRULEs.

Occurrences are computed on the wall clock of the community's zone with dateutil, then converted
to UTC, so a slot at 09:00 Europe/Paris stays at 09:00 across the daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]

__all__ = ["PRESETS", "normalise_rule", "occurrences"]

PRESETS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    # French words members naturally type.
    "quotidien": "FREQ=DAILY",
    "hebdomadaire": "FREQ=WEEKLY",
    "hebdo": "FREQ=WEEKLY",
    "bimensuel": "FREQ=WEEKLY;INTERVAL=2",
    "mensuel": "FREQ=MONTHLY",
}
_TOO_OFTEN = {"SECONDLY", "MINUTELY", "HOURLY"}
_UTC_UNTIL = re.compile(r"(UNTIL=\d{8}T\d{6})Z", re.IGNORECASE)
_ANCHOR = datetime(2026, 1, 5, 9, 0)
MAX_RULE = 200


def normalise_rule(text: str) -> str | None:
    """The RRULE body for a preset or a valid RRULE (`FREQ=WEEKLY;BYDAY=TU`); None when invalid.

    Rules firing more often than daily are refused: an editorial calendar has no hourly slots."""
    cleaned = text.strip()
    preset = PRESETS.get(cleaned.lower())
    if preset is not None:
        return preset
    if len(cleaned) > MAX_RULE:
        return None
    body = re.sub(r"^RRULE:", "", cleaned.replace(" ", ""), flags=re.IGNORECASE).upper()
    # Slots live on the local wall clock, so a UTC UNTIL is read on that clock too.
    body = _UTC_UNTIL.sub(r"\1", body)
    if "DTSTART" in body or (not body.startswith("FREQ=") and ";FREQ=" not in body):
        return None
    try:
        rule = _build(body, _ANCHOR)
    except (ValueError, TypeError, KeyError, OverflowError):
        return None
    if any(f"FREQ={freq}" in body for freq in _TOO_OFTEN):
        return None
    return body if rule is not None else None


def _build(body: str, start_local: datetime) -> rrule:
    rule = rrulestr(body, dtstart=start_local)
    if not isinstance(rule, rrule):
        raise ValueError("not a single rule")
    return rule


def occurrences(body: str | None, start_local: datetime, tz: str, *, after: datetime, until: datetime,
                limit: int) -> list[datetime]:
    """UTC moments of the slots in (after, until], at most `limit`, from a naive local start.

    Without a rule the only slot is the start itself."""
    zone = ZoneInfo(tz)
    if body is None:
        moments: Iterator[datetime] = iter([start_local])
    else:
        local_after = after.astimezone(zone).replace(tzinfo=None)
        moments = _build(body, start_local).xafter(max(local_after, start_local), inc=local_after < start_local)
    found: list[datetime] = []
    for local in moments:
        # fold=0: an hour that exists twice (October) is the first one; one skipped (March) moves forward.
        moment = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if moment > until or len(found) >= limit:
            break
        if moment > after:
            found.append(moment)
    return found
