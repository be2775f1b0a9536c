"""The settings of the poll plugin, read from `plugins.example` in config.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExampleSettings(BaseModel):
    """`plugins.example` in config.yaml; unknown keys are refused at start."""

    model_config = ConfigDict(extra="forbid")

    max_options: int = Field(default=5, ge=2, le=5)
