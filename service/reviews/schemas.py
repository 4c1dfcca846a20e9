"""Request and response bodies of four-eyes reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class ReviewOut(BaseModel):
    id: str
    entry_id: str
    organisation: str
    kind: Literal["publish", "change"] = Field(description="publish: a new entry; change: a change to a "
                                                           "published entry.")
    status: Literal["pending", "approved", "rejected"]
    proposed: dict[str, Any] | None = Field(description="For a change: the entry's content after it.")
    base_version: int | None = Field(description="For a change: the entry version it was proposed against.")
    authors: list[str] = Field(description="Clients that wrote the content; none of them may decide.")
    batch_ref: str | None
    reason: str | None = Field(description="Why it was rejected.")
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)] = Field(
        examples=["Decision reference does not match the ministry's register"])


class BatchApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=36)]] | None = Field(
        default=None, min_length=1, max_length=10_000, description="Review ids.")
    batch_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = (
        Field(default=None, description="Every pending review of this bulk request or import.",
              examples=["import-4c3e1d7a-5b7f-4d1e-9d2a-1c0b7e9f3a21"]))

    @model_validator(mode="after")
    def _one_of(self) -> BatchApproval:
        if (self.ids is None) == (self.batch_ref is None):
            raise ValueError("give exactly one of ids or batch_ref")
        return self


class BatchResult(BaseModel):
    approved: int
    ids: list[str]
