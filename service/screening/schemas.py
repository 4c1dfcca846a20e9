"""Screening requests, answers and receipts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.common.strict import Day, Flag, Instant, Integer, Number
from service.decisions.schemas import StandingDecision
from service.entries.schemas import Country, validate_country

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NameText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SubjectIdentifier(BaseModel):
    """A bidder's identifier as the bidder gave it: formatting is normalised, checksums are not
    enforced (a mistyped bidder number must still be screened, not rejected)."""

    model_config = ConfigDict(extra="forbid")

    scheme: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                             max_length=32)] = Field(
        description="Identifier scheme, e.g. bin, lei, inn.",
        examples=["bin"])
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="The identifier as the bidder gave it.",
        examples=["123456789012"])


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: Short = Field(description="The caller's reference for this bidder.", examples=["bid-17"])
    name: NameText = Field(description="The bidder's name.", examples=["Alatau Stroy LLP"])
    aliases: list[NameText] = Field(
        description="Other names of the bidder.",
        default_factory=list, max_length=20, examples=[["ТОО «Алатау Строй»"]])
    country: Country | None = Field(default=None, examples=["KZ"], description="ISO 3166-1 alpha-2.")
    identifiers: list[SubjectIdentifier] = Field(
        description="The bidder's identifiers.",
        examples=[[{"scheme": "bin", "value": "123456789012"}]],
        default_factory=list, max_length=20)
    kind: Annotated[str, StringConstraints(pattern="^(company|person)$")] | None = Field(
        default=None,
        description="company or person; null = either.",
        examples=["company"])

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)


# What one screening may cost: matching work grows with every name (a subject's name and each
# alias) and its length, so the bound is on their totals over the request, not per subject only
# (1,000 subjects x 21 names x 500 characters would be 10.5 million characters).
MAX_SCREEN_NAMES = 5_000
MAX_SCREEN_CHARACTERS = 250_000
COST_BOUND = (f"At most 1,000 subjects, {MAX_SCREEN_NAMES:,} names in all (each subject's name and aliases) "
              f"and {MAX_SCREEN_CHARACTERS:,} characters of names in all; a request over a bound is refused "
              "with 422 before any matching.")


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "description": COST_BOUND,
        "x-cost-bound": {"subjects": 1000, "names": MAX_SCREEN_NAMES, "characters": MAX_SCREEN_CHARACTERS}})

    subjects: list[Subject] = Field(min_length=1, max_length=1000, description="1 to 1,000 bidders.")
    as_of: Day | None = Field(default=None, description="Valid time: the day the list is read for "
                                                          "(default today).", examples=["2026-11-26"])
    threshold: Number | None = Field(examples=[0.85], default=None, ge=0.0, le=1.0,
                                    description="Minimum score; null = the calibrated default.")
    limit: Integer = Field(examples=[5], default=5, ge=1, le=50,
                                            description="Matches per subject at most.")
    tender_ref: Short | None = Field(
        description="The tender the screening is for; kept in the audit log.",
        default=None, examples=["KZ-2026-0042"])
    include_inactive: Flag = Field(examples=[False], default=False, description="Also report entries not in force on "
                                                              "as_of (expired, not yet started, withdrawn).")
    known_at: Instant | None = Field(default=None, description=(
        "Record time: read the list as it was known at this instant (every entry's latest version "
        "recorded by then), instead of the live list. Slower; for investigations."),
        examples=["2026-05-01T12:00:00Z"])

    @field_validator("known_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A time without an offset is read as UTC, the service's clock.
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _within_cost_bound(self, info: ValidationInfo) -> ScreenRequest:
        if info.context and info.context.get("stored"):
            return self  # a kept receipt's request is replayed as it was, bound or not
        names = sum(1 + len(subject.aliases) for subject in self.subjects)
        if names > MAX_SCREEN_NAMES:
            raise ValueError(f"{names:,} names (names and aliases) in one screening; at most "
                             f"{MAX_SCREEN_NAMES:,}: split the bidders over several requests")
        characters = sum(len(subject.name) + sum(map(len, subject.aliases)) for subject in self.subjects)
        if characters > MAX_SCREEN_CHARACTERS:
            raise ValueError(f"{characters:,} characters of names in one screening; at most "
                             f"{MAX_SCREEN_CHARACTERS:,}: split the bidders over several requests")
        return self


class Recogniser(BaseModel):
    organisation: str = Field(description="The recognising organisation.", examples=["EBRD"])
    decision_ref: str = Field(description="Its own decision.", examples=["EBRD-ECD-2026/14"])
    legal_basis: str = Field(
        description="The provision the recognition rests on.",
        examples=["Agreement for Mutual Enforcement of Debarment Decisions (2010)"])
    starts_on: date = Field(description="First day the recognition is in force.", examples=["2026-05-01"])
    ends_on: date | None = Field(description="Last day in force; null = as long as the entry.", examples=["2029-03-14"])


class MatchedEntry(BaseModel):
    name: str = Field(description="The entry's name.", examples=["ТОО «Алатау Строй»"])
    listing: str = Field(description="debarred or flagged.", examples=["debarred"])
    grounds: list[str] = Field(description="Why it was listed.", examples=[["fraud"]])
    starts_on: date = Field(description="First day in force.", examples=["2026-03-15"])
    ends_on: date | None = Field(description="Last day in force; null = open-ended.", examples=["2029-03-14"])
    status: str = Field(examples=["active"], description="Status on as_of.")
    in_force: bool = Field(
        examples=[True],
        description="False only for matches reported because include_inactive=true.")
    appeal_status: str = Field(
        description="none, lodged, under_review, upheld, overturned or varied.",
        examples=["none"])
    organisation: str = Field(description="Code of the organisation that listed it.", examples=["KZ"])
    legal_basis: str | None = Field(
        description="The legal provision the decision rests on.",
        examples=["Public Procurement Act, art. 12"])
    decision_ref: str | None = Field(description="The deciding body's reference.", examples=["MF-2026/117"])
    decided_on: date | None = Field(description="Date of the decision.", examples=["2026-03-02"])
    source: dict[str, Any] | None = Field(
        description="The published list it was imported from, if any.",
        examples=[{"publisher": "WBG", "list": "Listing of Ineligible Firms",
                   "url": "https://www.worldbank.org/debarr", "row": 17}])
    appeal_lodged_on: date | None = Field(
        default=None,
        description="The latest appeal's lodging date.",
        examples=["2026-04-02"])
    appeal_decided_on: date | None = Field(
        default=None,
        description="The latest appeal's decision date.",
        examples=["2026-06-15"])
    appeal_decision_ref: str | None = Field(
        default=None,
        description="The latest appeal's decision reference.",
        examples=["PAB-2026/33-D"])
    recognised_by: list[Recogniser] = Field(default_factory=list, description=(
        "Every other organisation whose recognition of the entry is in force on as_of."))


class ScreenMatch(BaseModel):
    entry_id: str = Field(description="The matched entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    score: float = Field(description="Match score from 0 to 1.", ge=0.0, le=1.0, examples=[0.93])
    matched_name: str = Field(examples=["ТОО «Алатау Строй»"], description="The listed name or alias that was met.")
    query_name: str = Field(
        examples=["Alatau Stroy LLP"],
        description="The subject's name or alias that met it ('' if by identifier).")
    explanation: dict[str, Any] = Field(
        description="How the score was reached: the aligned tokens and any identifier hit.",
        examples=[{"method": "name", "tokens": [["alatau", "алатау", 1.0], ["stroy", "строй", 1.0]]}])
    entry: MatchedEntry
    decision: StandingDecision | None = Field(
        default=None, description="The organisation's standing decision on this supplier (name, country, "
                                  "identifiers) and entry, shown beside the match, never instead of it; "
                                  "null when there is none.")


class SubjectResult(BaseModel):
    ref: str = Field(description="The subject's ref from the request.", examples=["bid-17"])
    matches: list[ScreenMatch] = Field(description="Matches at or above the threshold, best first.")


class ScreenResponse(BaseModel):
    screening_id: str = Field(
        description="Id of the stored screening; replay it later.",
        examples=["e4d3c2b1-a098-4f76-8e54-3210fedcba98"])
    screened_at: datetime = Field(description="When it ran (UTC).", examples=["2026-03-15T09:30:00Z"])
    as_of: date = Field(description="Valid time: the day the list was read for.", examples=["2026-11-26"])
    list_revision: int = Field(examples=[1042], description="The list revision the screening read.")
    algorithm: str = Field(description="The matching algorithm and version.", examples=["debarlist-match/1.0"])
    threshold: float = Field(description="The minimum score applied.", examples=[0.85])
    tender_ref: str | None = Field(
        default=None,
        description="The tender the screening was for.",
        examples=["KZ-2026-0042"])
    known_at: datetime | None = Field(
        examples=["2026-05-01T12:00:00Z"],
        default=None, description="The record time read, if one was asked.")
    results: list[SubjectResult] = Field(description="One result per subject, in request order.")


class ScreeningReceipt(ScreenResponse):
    organisation: str = Field(description="Code of the screening organisation.", examples=["KZ"])
    client_id: str = Field(description="Client id that ran the screening.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    request: dict[str, Any] = Field(
        examples=[{"subjects": [{"ref": "bid-17", "name": "Alatau Stroy LLP"}], "tender_ref": "KZ-2026-0042"}],
        description="The request as received.")
