"""The questions plugin's settings (the `plugins.questions` section of the configuration).

The ladder's values here (the three delays, the quiet hours, `newcomer_priority`) are the defaults of every
community; a community's moderators may choose their own with `/questions settings`
(plugins/questions/community_settings.py), which then override these for that community only."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from plugins.questions.ladder import format_quiet_hours, parse_quiet_hours


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
    """Local time span (community time zone) when nudges wait (`22:00-08:00`, `22h-8h`); empty or `off` to disable."""
    newcomer_priority: bool = True
    """A newcomer's first question (asked within 30 days of joining) gets its nudge and escalation after half
    the delays and comes first in /unanswered."""
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
        try:
            return format_quiet_hours(parse_quiet_hours(value))
        except ValueError:
            start, sep, end = value.partition("-")
            if sep and start.strip() and start.strip() == end.strip():
                return ""  # `00:00-00:00` always meant "no quiet hours"
            raise ValueError("quiet_hours must look like 22:00-08:00 (or be empty for none)") from None

    @model_validator(mode="after")
    def _check_order(self) -> QuestionsSettings:
        # The ladder's steps happen in order; a community's own choice is held to the same rule.
        if not self.nudge_after_hours < self.escalate_after_hours < self.waiting_after_hours:
            raise ValueError(
                "the ladder's delays must grow: nudge_after_hours < escalate_after_hours < waiting_after_hours"
            )
        return self

    def quiet_span(self) -> tuple[time, time]:
        """The quiet hours as (start, end); equal times mean no quiet hours."""
        span = parse_quiet_hours(self.quiet_hours)
        return span if span is not None else (time(0, 0), time(0, 0))
