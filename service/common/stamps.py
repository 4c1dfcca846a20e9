"""Who made a record and when, and who changed it last: the same four fields, described the same
way, on every resource that keeps them (entries, appeals)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

_CLIENT_ID = "dl_4f1c2a9e0b7d6c5a3e21"

CreatedAt = Annotated[datetime, Field(description="When it was created (UTC).", examples=["2026-03-15T09:30:00Z"])]
CreatedBy = Annotated[str | None, Field(
    description="Client id that created it; null for the operator's command line.", examples=[_CLIENT_ID])]
UpdatedAt = Annotated[datetime, Field(description="When it last changed (UTC).", examples=["2026-03-16T14:05:00Z"])]
UpdatedBy = Annotated[str | None, Field(
    description="Client id that changed it last; null for the operator's command line.", examples=[_CLIENT_ID])]
