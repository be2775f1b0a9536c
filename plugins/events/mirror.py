"""The platform's own event listing (Discord guild scheduled events), kept in step with each occurrence.

Each occurrence has its own platform event (`event_occurrences.native_id`): a repeating event shows as its
upcoming dates. A platform that refuses (no permission) leaves the bot's own events working; the outcome
tells the organiser which permission the bot needs (`missing_permission_note`).

Owned by events-core."""

from __future__ import annotations

from bot.i18n import Msg, Text, _
from bot.plugin import NativeEvent, NativeEventOutcome
from plugins.events.desk import Desk
from plugins.events.records import CANCELLED, Event, Occurrence

MAX_DESCRIPTION = 1000

# Permissions as platforms name them, in the reader's language.
PERMISSIONS: dict[str, Msg] = {"Manage Events": _("Manage Events"), "Create Events": _("Create Events")}


def missing_permission_note(outcomes: list[NativeEventOutcome | None]) -> Text | None:
    """What the organiser is told when the platform refused for lack of a permission, else None."""
    missing = next((o.missing_permission for o in outcomes if o is not None and o.missing_permission), None)
    if missing is None:
        return None
    return _(
        "To show it among the server's events too, the bot needs the “{permission}” permission; "
        "the event works without it.",
        permission=PERMISSIONS.get(missing, missing),
    )


def native_of(event: Event, occurrence: Occurrence) -> NativeEvent:
    """What the platform lists: the title, the times, where (place, address, link, else the group)."""
    where = " · ".join(p for p in (event.address, event.place_label, event.online_url) if p) or event.group_name
    description = event.description
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return NativeEvent(
        name=event.title,
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        location=where,
        description=description,
    )


class Mirror:
    """Creates, updates and cancels the platform's copy of an occurrence."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def sync(self, event: Event, occurrence: Occurrence) -> NativeEventOutcome | None:
        """Create or update the platform's event; None where the platform has none."""
        if occurrence.status == CANCELLED or event.status == CANCELLED:
            return await self.cancel(event, occurrence)
        if occurrence.ends_at <= self.desk.now():
            return None  # a date that is over is not listed again
        native = self.desk.ctx.messenger.native_events(self.desk.community(event.community))
        if native is None:
            return None
        community = self.desk.community(event.community)
        listed = native_of(event, occurrence)
        if occurrence.native_id is not None:
            outcome = await native.update_event(community, occurrence.native_id, listed)
            if outcome.ok or outcome.missing_permission is not None:
                return self._logged(event, outcome)
            # Deleted on the platform by hand: list it again.
        outcome = await native.create_event(community, listed)
        if outcome.ok and outcome.native_id is not None:
            await self.desk.repo.set_native(event.community, occurrence.id, outcome.native_id)
        return self._logged(event, outcome)

    async def cancel(self, event: Event, occurrence: Occurrence) -> NativeEventOutcome | None:
        """Cancel the platform's event."""
        if occurrence.native_id is None:
            return None
        native = self.desk.ctx.messenger.native_events(self.desk.community(event.community))
        if native is None:
            return None
        outcome = await native.cancel_event(self.desk.community(event.community), occurrence.native_id)
        return self._logged(event, outcome)

    def _logged(self, event: Event, outcome: NativeEventOutcome) -> NativeEventOutcome:
        if outcome.error is not None:
            self.desk.ctx.logger.warning("event %s: the platform's copy failed: %s", event.id, outcome.error)
        return outcome
