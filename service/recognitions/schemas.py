"""Request and response bodies of recognitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.common.strict import Day, Reason


class RecognitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        examples=["EBRD-ECD-2026/14"], description="The recognising organisation's own decision.")
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)] = Field(
        description="The provision the recognition rests on.",
        examples=["Agreement for Mutual Enforcement of Debarment Decisions (2010)"])
    starts_on: Day = Field(description="First day the recognition is in force.", examples=["2026-05-01"])
    ends_on: Day | None = Field(
        examples=["2029-03-14"],
        default=None, description="Last day in force; null = as long as the entry.")

    @model_validator(mode="after")
    def _period(self) -> RecognitionCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class RecognitionWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(
        description="Why the recognition is withdrawn; kept in the audit log.",
        examples=["Recognition revoked by decision EBRD-ECD-2026/20"])


class RecognitionOut(BaseModel):
    id: str = Field(description="The recognition's id.", examples=["c7e2a1d4-5f6b-4a8c-9d0e-1f2a3b4c5d6e"])
    entry_id: str = Field(description="The recognised entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    organisation: str = Field(examples=["EBRD"], description="The recognising organisation.")
    decision_ref: str = Field(description="The recognising organisation's own decision.", examples=["EBRD-ECD-2026/14"])
    legal_basis: str = Field(
        description="The provision the recognition rests on.",
        examples=["Agreement for Mutual Enforcement of Debarment Decisions (2010)"])
    starts_on: date = Field(description="First day the recognition is in force.", examples=["2026-05-01"])
    ends_on: date | None = Field(description="Last day in force; null = as long as the entry.", examples=["2029-03-14"])
    origin: str = Field(examples=["decision"], description="decision, or cross_debarment (found in a published list).")
    origin_entry_id: str | None = Field(
        description="For a cross_debarment: the published list's entry it was found in.",
        examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    created_at: datetime = Field(description="When it was recorded (UTC).", examples=["2026-03-15T09:30:00Z"])
    created_by: str | None = Field(description="Client id that recorded it.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    withdrawn_at: datetime | None = Field(
        description="When it was withdrawn; null while in place.",
        examples=["2026-09-01T10:00:00Z"])
    withdrawn_by: str | None = Field(description="Client id that withdrew it.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    withdrawal_reason: str | None = Field(
        description="Why it was withdrawn.",
        examples=["Recognition revoked by decision EBRD-ECD-2026/20"])
