"""Request and response bodies of the entries domain."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from service.entries.identifiers import Scheme, normalise_identifier


class Kind(StrEnum):
    company = "company"
    person = "person"


class Listing(StrEnum):
    debarred = "debarred"
    flagged = "flagged"


class Ground(StrEnum):
    trafficking_in_human_beings = "trafficking_in_human_beings"
    forced_labour = "forced_labour"
    child_labour = "child_labour"
    unethical_recruitment = "unethical_recruitment"
    fraud = "fraud"
    corruption = "corruption"
    collusion = "collusion"
    coercion = "coercion"
    obstruction = "obstruction"
    other = "other"


class Visibility(StrEnum):
    public = "public"
    members = "members"
    restricted = "restricted"


class Status(StrEnum):
    active = "active"
    expired = "expired"
    not_yet_in_force = "not_yet_in_force"
    withdrawn = "withdrawn"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# Kosovo's user-assigned code is used by every development bank list.
_EXTRA_COUNTRIES = {"XK"}


def _nul_path(value: Any, path: str) -> str | None:
    """Where a NUL character hides in a JSON value: PostgreSQL can store none in text or JSONB."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _nul_path(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def reject_nul(data: Any) -> Any:
    where = _nul_path(data, "")
    if where is not None:
        raise ValueError(f"{where}: NUL characters are not allowed")
    return data


def validate_country(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if code not in _EXTRA_COUNTRIES and pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


class Identifier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Scheme = Field(examples=["lei"])
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        examples=["5493001KJTIIGC8Y1R12"],
        description="Checked against the scheme's check digits or format; stored in canonical form.")

    @model_validator(mode="after")
    def _normalise(self) -> Identifier:
        self.value = normalise_identifier(self.scheme, self.value)
        return self


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(examples=["Decision of the Procurement Appeals Board"])
    url: AnyHttpUrl | None = Field(default=None, examples=["https://example.gov/decisions/2026-117.pdf"])


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publisher: str | None = Field(default=None, max_length=200, examples=["WBG"])
    list: str | None = Field(default=None, max_length=500, examples=["Listing of Ineligible Firms"])
    originating_institution: str | None = Field(
        default=None, max_length=200, examples=["ADB"],
        description="For a cross-debarment: the institution whose decision is recognised.")
    url: AnyHttpUrl | None = None
    row: int | None = Field(default=None, ge=0, description="Row of the published file it came from.")


class EntryContent(BaseModel):
    """The fields a contributor sets."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(default=Kind.company, examples=["company"])
    name: Text = Field(examples=["ТОО «Алатау Строй»"])
    aliases: list[Text] = Field(default_factory=list, max_length=100, examples=[["Alatau Stroy LLP"]])
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2.", examples=["KZ"])
    addresses: list[LongText] = Field(default_factory=list, max_length=50)
    identifiers: list[Identifier] = Field(default_factory=list, max_length=50)
    listing: Listing = Field(default=Listing.debarred, examples=["debarred"])
    grounds: list[Ground] = Field(min_length=1, max_length=10, examples=[["forced_labour"]])
    legal_basis: LongText | None = Field(default=None, examples=["Public Procurement Act, art. 12"])
    decision_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None, examples=["MF-2026/117"])
    decided_on: date | None = Field(default=None, examples=["2026-03-02"])
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
    source: Source | None = None
    starts_on: date | None = Field(default=None, description="First day in force; defaults to today.",
                                   examples=["2026-03-15"])
    ends_on: date | None = Field(default=None, description="Last day in force; null = open-ended.",
                                 examples=["2029-03-14"])
    visibility: Visibility = Field(default=Visibility.members, examples=["members"])
    external_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        Field(default=None, description="The contributor's own reference, unique within its organisation.",
              examples=["KZ-MF-2026-117"]))

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return reject_nul(data)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)

    @field_validator("grounds")
    @classmethod
    def _unique_grounds(cls, grounds: list[Ground]) -> list[Ground]:
        return list(dict.fromkeys(grounds))

    @model_validator(mode="after")
    def _period(self) -> EntryContent:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        self.aliases = [alias for alias in dict.fromkeys(self.aliases) if alias != self.name]
        return self


class EntryCreate(EntryContent):
    pass


class EntryPatch(BaseModel):
    """Fields to change; absent fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    name: Text | None = None
    aliases: list[Text] | None = Field(default=None, max_length=100)
    country: str | None = None
    addresses: list[LongText] | None = Field(default=None, max_length=50)
    identifiers: list[Identifier] | None = Field(default=None, max_length=50)
    listing: Listing | None = None
    grounds: list[Ground] | None = Field(default=None, min_length=1, max_length=10)
    legal_basis: LongText | None = None
    decision_ref: str | None = Field(default=None, max_length=200)
    decided_on: date | None = None
    evidence: list[Evidence] | None = Field(default=None, max_length=50)
    source: Source | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    visibility: Visibility | None = None
    external_ref: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return reject_nul(data)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)] = Field(
        examples=["Listed in error: decision MF-2026/117 annulled"])


class EntryOut(BaseModel):
    id: str = Field(examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    organisation: str = Field(examples=["KZ"])
    kind: Kind
    name: str
    aliases: list[str]
    country: str | None
    addresses: list[str]
    identifiers: list[Identifier]
    listing: Listing
    grounds: list[Ground]
    legal_basis: str | None
    decision_ref: str | None
    decided_on: date | None
    evidence: list[dict[str, Any]]
    source: dict[str, Any] | None
    starts_on: date
    ends_on: date | None
    visibility: Visibility
    external_ref: str | None
    status: Status = Field(description="Derived from the dates on every read; never stale.")
    appeal_status: str = Field(examples=["none"], description=(
        "none, lodged, under_review, upheld, overturned or varied (the latest appeal)."))
    appeal_lodged_on: date | None = Field(default=None, description="The latest appeal's lodging date.")
    appeal_decided_on: date | None = Field(default=None, description="The latest appeal's decision date.")
    appeal_decision_ref: str | None = Field(default=None, description="The latest appeal's decision reference.")
    publication: str = Field(default="published", examples=["published"], description=(
        "published, pending_review or rejected: only published entries are screened or seen by "
        "other organisations (four-eyes publication)."))
    review_id: str | None = Field(default=None, description=(
        "The review this request opened (four-eyes organisations), else null."))
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    version: int = Field(description="Incremented on every change; the ETag is built from it.")
    revision: int = Field(description="List revision of the entry's last change.")
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None


class EntryPage(BaseModel):
    items: list[EntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class RevisionOut(BaseModel):
    version: int
    list_revision: int
    action: str = Field(examples=["entry.update"])
    recorded_at: datetime
    recorded_by: str | None
    data: dict[str, Any] = Field(description="The entry as it was at this version.")


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[dict[str, Any]] = Field(
        min_length=1, max_length=10_000,
        description="Up to 10,000 entries, each with an `external_ref`; rows are validated one by one.")


class BulkRowResult(BaseModel):
    index: int
    external_ref: str | None
    result: Literal["created", "updated", "unchanged", "error"]
    id: str | None = None
    error: str | None = None
    review_id: str | None = Field(default=None, description="The review opened for this row, if any.")


class BulkResponse(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: int
    results: list[BulkRowResult]
    review_batch: str | None = Field(default=None, description=(
        "When rows wait for review: the batch reference that approves them in one call."))
