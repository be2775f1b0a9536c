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
    gazetteer: Literal["cities500", "cities1000", "cities5000", "cities15000"] = "cities500"
    """Which GeoNames places the city lookups know: of 500 inhabitants or more (about 235,000, the default;
    loaded once per database in seconds), or 1,000, 5,000, 15,000 (about 34,000; quicker to load: tests)."""
    gazetteer_preload: bool = True
    """Load the places in the background a few seconds after start; off: at the first lookup that needs them."""
