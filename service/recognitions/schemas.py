"""Request and response bodies of recognitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class RecognitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        examples=["EBRD-ECD-2026/14"], description="The recognising organisation's own decision.")
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)] = Field(
        examples=["Agreement for Mutual Enforcement of Debarment Decisions (2010)"])
    starts_on: date = Field(examples=["2026-05-01"])
    ends_on: date | None = Field(default=None, description="Last day in force; null = as long as the entry.")

    @model_validator(mode="after")
    def _period(self) -> RecognitionCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class RecognitionWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)] = Field(
        examples=["Recognition revoked by decision EBRD-ECD-2026/20"])


class RecognitionOut(BaseModel):
    id: str
    entry_id: str
    organisation: str = Field(description="The recognising organisation.")
    decision_ref: str
    legal_basis: str
    starts_on: date
    ends_on: date | None
    origin: str = Field(description="decision, or cross_debarment (found in a published list).")
    origin_entry_id: str | None
    created_at: datetime
    created_by: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str | None
