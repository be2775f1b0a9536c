"""The events plugin's settings (validated at start; unknown keys are errors)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EventsSettings(BaseModel):
    """Limits and defaults of events."""

    model_config = ConfigDict(extra="forbid")

    max_capacity: int = Field(default=1000, ge=1, le=100_000)
    """The largest capacity an organiser may set."""
    default_reminders: str = "1d,1h"
    """Reminders to attendees before each occurrence, as `/event create reminders:` reads them."""
    organiser_milestones: str = "30d,7d"
    """Save-the-date and countdown reminders to organisers, before each occurrence."""
    occurrences_ahead: int = Field(default=3, ge=1, le=12)
    """How many upcoming dates of a repeating event exist (and take RSVPs) at a time."""
    max_duration_hours: int = Field(default=72, ge=1, le=24 * 14)
    """The longest an occurrence may last."""
    default_duration_minutes: int = Field(default=120, ge=15, le=24 * 60)
    """How long an event lasts when the organiser gives neither a duration nor an end."""
    default_radius_km: int = Field(default=30, ge=1, le=500)
    """The radius of `/event list near:` when none is given."""
    page_size: int = Field(default=10, ge=1, le=25)
    """Events per page of `/event list` and `/event mine`."""
