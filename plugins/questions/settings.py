"""The questions plugin's settings (the `plugins.questions` section of the configuration)."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugins.questions.ladder import parse_clock


class QuestionsSettings(BaseModel):
    """Detection, tracking and escalation settings; every value has a sensible default."""

    model_config = ConfigDict(extra="forbid")

    excluded_channels: list[str] = Field(default_factory=list)
    """Channel ids or names (without #) whose messages are never read as questions."""
    nudge_after_hours: float = Field(4.0, gt=0)
    """Gentle nudge in the helpers channel (or the question's thread) after this long unanswered."""
    escalate_after_hours: float = Field(24.0, gt=0)
    """Mention of the helpers role (else DMs to `escalate_to`, else the moderators role) after this long."""
    waiting_after_hours: float = Field(72.0, gt=0)
    """Listed as still waiting after this long."""
    quiet_hours: str = "22:00-08:00"
    """Local time span (community time zone) when nudges wait; empty to disable."""
    mention_window_hours: float = Field(6.0, ge=0)
    """A message mentioning the asker in the same channel within this long counts as an answer."""
    solved_emoji: list[str] = Field(default_factory=lambda: ["✅", "white_check_mark", "heavy_check_mark", "✔️"])
    """Reactions from the asker that mark the question solved."""
    ask_channel: str | None = None
    """Channel id where `/ask` tickets are posted; the current channel when unset."""
    escalate_to: list[str] = Field(default_factory=list)
    """Platform-qualified member ids (`discord:123`) DMed at the 24 h step when no helpers role is set."""
    private_notes: bool = True
    """Send the asker one kind private note when the question is nudged (members may opt out)."""
    excerpt_length: int = Field(140, ge=20, le=500)
    """Characters of a question kept as its excerpt."""
    track_days: int = Field(30, ge=1, le=365)
    """Answered-but-unsolved questions are watched for thanks and ✅ this many days."""
    confirm_after_days: float = Field(7.0, gt=0, le=365)
    """An answered question its asker never confirms (Solved / Not yet) is closed as answered, not confirmed
    this long after its first answer; never counted as solved."""

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, value: str) -> str:
        if value.strip():
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError("quiet_hours must look like 22:00-08:00")
            for part in (start, end):
                clock = parse_clock(part.strip())
                if not 0 <= clock.hour < 24:
                    raise ValueError("quiet_hours must look like 22:00-08:00")
        return value.strip()

    def quiet_span(self) -> tuple[time, time]:
        """The quiet hours as (start, end); equal times mean no quiet hours."""
        if not self.quiet_hours:
            return time(0, 0), time(0, 0)
        start, _, end = self.quiet_hours.partition("-")
        return parse_clock(start.strip()), parse_clock(end.strip())
