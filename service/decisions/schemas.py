"""A decision as a screening shows it beside its match."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class StandingDecision(BaseModel):
    id: str = Field(description="The decision's id (its history: GET /v1/decisions/{id}/history).",
                    examples=["7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"])
    decision: Literal["confirmed", "false_positive"] = Field(
        description="What a screener of the organisation decided on this supplier and entry.",
        examples=["false_positive"])
    note: str | None = Field(description="Its note or reason.", examples=["Different firm: another BIN"])
    action: str | None = Field(description="The action taken, if recorded.", examples=[None])
    decided_by: str = Field(description="Who decided (client id or person).", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    decided_at: datetime = Field(description="When (UTC).", examples=["2026-12-02T09:30:00Z"])
    entry_revision: int = Field(description="The entry's list revision the decision was made on.", examples=[1042])
    current: bool = Field(description="Whether the entry is still at that revision; false when it changed since, "
                                      "so the decision may need a second look.", examples=[True])
