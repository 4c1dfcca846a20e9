"""Screening requests, answers and receipts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from service.entries.schemas import validate_country

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NameText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SubjectIdentifier(BaseModel):
    """A bidder's identifier as the bidder gave it: formatting is normalised, checksums are not
    enforced (a mistyped bidder number must still be screened, not rejected)."""

    model_config = ConfigDict(extra="forbid")

    scheme: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                             max_length=32)] = Field(examples=["bin"])
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        examples=["123456789012"])


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: Short = Field(description="The caller's reference for this bidder.", examples=["bid-17"])
    name: NameText = Field(examples=["Alatau Stroy LLP"])
    aliases: list[NameText] = Field(default_factory=list, max_length=20, examples=[["ТОО «Алатау Строй»"]])
    country: str | None = Field(default=None, examples=["KZ"], description="ISO 3166-1 alpha-2.")
    identifiers: list[SubjectIdentifier] = Field(default_factory=list, max_length=20)
    kind: Annotated[str, StringConstraints(pattern="^(company|person)$")] | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subjects: list[Subject] = Field(min_length=1, max_length=1000, description="1 to 1,000 bidders.")
    as_of: date | None = Field(default=None, description="Valid time: the day the list is read for "
                                                          "(default today).", examples=["2026-11-26"])
    threshold: float | None = Field(default=None, ge=0.0, le=1.0,
                                    description="Minimum score; null = the calibrated default.")
    limit: int = Field(default=5, ge=1, le=50, description="Matches per subject at most.")
    tender_ref: Short | None = Field(default=None, examples=["KZ-2026-0042"])
    include_inactive: bool = Field(default=False, description="Also report entries not in force on "
                                                              "as_of (expired, not yet started, withdrawn).")
    known_at: datetime | None = Field(default=None, description=(
        "Record time: read the list as it was known at this instant (every entry's latest version "
        "recorded by then), instead of the live list. Slower; for investigations."),
        examples=["2026-05-01T12:00:00Z"])

    @field_validator("known_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A time without an offset is read as UTC, the service's clock.
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Recogniser(BaseModel):
    organisation: str = Field(examples=["EBRD"])
    decision_ref: str
    legal_basis: str
    starts_on: date
    ends_on: date | None


class MatchedEntry(BaseModel):
    name: str
    listing: str
    grounds: list[str]
    starts_on: date
    ends_on: date | None
    status: str = Field(description="Status on as_of.")
    in_force: bool = Field(description="False only for matches reported because include_inactive=true.")
    appeal_status: str
    organisation: str
    legal_basis: str | None
    decision_ref: str | None
    decided_on: date | None
    source: dict[str, Any] | None
    appeal_lodged_on: date | None = None
    appeal_decided_on: date | None = None
    appeal_decision_ref: str | None = None
    recognised_by: list[Recogniser] = Field(default_factory=list, description=(
        "Every other organisation whose recognition of the entry is in force on as_of."))


class ScreenMatch(BaseModel):
    entry_id: str
    score: float = Field(ge=0.0, le=1.0, examples=[0.93])
    matched_name: str = Field(description="The listed name or alias that was met.")
    query_name: str = Field(description="The subject's name or alias that met it ('' if by identifier).")
    explanation: dict[str, Any]
    entry: MatchedEntry


class SubjectResult(BaseModel):
    ref: str
    matches: list[ScreenMatch]


class ScreenResponse(BaseModel):
    screening_id: str
    screened_at: datetime
    as_of: date
    list_revision: int = Field(description="The list revision the screening read.")
    algorithm: str = Field(examples=["debarlist-match/1.0"])
    threshold: float
    tender_ref: str | None = None
    known_at: datetime | None = Field(default=None, description="The record time read, if one was asked.")
    results: list[SubjectResult]


class ScreeningReceipt(ScreenResponse):
    organisation: str
    client_id: str
    request: dict[str, Any] = Field(description="The request as received.")
