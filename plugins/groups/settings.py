"""The groups plugin's settings (validated at start; unknown keys are errors)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GroupsSettings(BaseModel):
    """How groups are created and offered."""

    model_config = ConfigDict(extra="forbid")

    creation: Literal["propose", "direct"] = "propose"
    """propose: a new group waits for a moderator's approval; direct: members create groups at once."""
    suggest_on_join: bool = True
    """Offer groups once, by DM, to a member who joins the community."""
    forum_channels: bool = False
    """Ask for a forum channel (Discord) instead of a text channel for each group's space."""
    page_size: int = Field(default=10, ge=1, le=25)
    """Groups per page of `/group list`."""
    default_radius_km: int = Field(default=30, ge=1, le=500)
    """Radius of a local group, and of `/group nearby`, when none is given."""
