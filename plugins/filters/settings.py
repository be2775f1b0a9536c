"""The filters plugin's settings: rule limits, watch-list limits and when watch digests go out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FiltersSettings(BaseModel):
    """Limits of the filters plugin and when watch digests go out."""

    model_config = ConfigDict(extra="forbid")

    max_rules: int = Field(default=5000, ge=1, le=100_000)
    """Filter rules per community (phrases and patterns)."""
    max_regex_rules: int = Field(default=50, ge=0, le=1000)
    """Pattern rules per community: each is one more RE2 pass over every message (phrases share one pass)."""
    keyword_limit: int = Field(default=50, ge=1, le=1000)
    """Watch keywords per member."""
    mute_limit: int = Field(default=50, ge=1, le=1000)
    """Muted words per member."""
    digest_hour: int = Field(default=8, ge=0, le=23)
    """Local hour (community time zone) at which a watch period starts and its digest is sent."""
    digest_max_items: int = Field(default=30, ge=1, le=200)
    """Matches listed in one watch digest (the rest is counted)."""
