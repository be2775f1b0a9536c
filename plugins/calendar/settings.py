"""The calendar's settings (config.yaml, `plugins: calendar: {...}`), validated at start."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.when.dates import parse_offsets


class CalendarSettings(BaseModel):
    """Reminders, the publish-detection window, escalation and how far ahead series are planned."""

    model_config = ConfigDict(extra="forbid")

    remind: str = "1d,2h"
    """Default reminder offsets before due (`1d,2h`; `none` for no reminder)."""
    window_before_hours: float = Field(12, ge=0, le=168)
    """A post by the owner this long before due already counts as the publication."""
    window_after_hours: float = Field(24, gt=0, le=720)
    """A post this long after due still counts (late); after it the occurrence is missed."""
    grace_hours: float = Field(24, gt=0, le=720)
    """After due, how long before an unpublished occurrence is reported to the managers."""
    late_after_minutes: int = Field(60, ge=0, le=10080)
    """A publication this long after due is counted as late rather than on time."""
    horizon_days: int = Field(56, ge=1, le=366)
    """How far ahead recurring series are materialised (8 weeks)."""
    max_ahead: int = Field(60, ge=1, le=500)
    """At most this many occurrences of one series are materialised ahead."""
    alert_channel: Literal["calendar", "digest", "moderation", "helpers"] = "calendar"
    """The channel purpose alerts go to; `digest` is used when that purpose has no channel."""
    manager_role: Literal["managers", "helpers", "moderators"] = "managers"
    """The role purpose (`/settings role`) whose members may plan entries, besides moderators."""

    @field_validator("remind")
    @classmethod
    def _offsets(cls, value: str) -> str:
        if parse_offsets(value) is None:
            raise ValueError("remind must look like `1d,2h` or `none` (at most 5 offsets of up to 30 days)")
        return value

    @property
    def window_before(self) -> timedelta:
        """Publish-detection window before due."""
        return timedelta(hours=self.window_before_hours)

    @property
    def window_after(self) -> timedelta:
        """Publish-detection window after due."""
        return timedelta(hours=self.window_after_hours)

    @property
    def grace(self) -> timedelta:
        """Delay before the managers' alert."""
        return timedelta(hours=self.grace_hours)

    @property
    def late_after(self) -> timedelta:
        """Tolerance for an on-time publication."""
        return timedelta(minutes=self.late_after_minutes)

    @property
    def horizon(self) -> timedelta:
        """How far ahead series are materialised."""
        return timedelta(days=self.horizon_days)
