"""Request and response bodies of the entries domain."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from service.common.stamps import CreatedAt, CreatedBy, UpdatedAt, UpdatedBy
from service.common.strict import Day, Reason
from service.entries.identifiers import VALUE_SCHEMAS, Scheme, normalise_identifier
from service.entries.states import Status, Visibility


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
    # The JSON text shows a NUL as "\u0000", anywhere in the value: one C-speed pass decides for
    # nearly every row, and only a row that may hold one is walked for the path to name.
    try:
        if "\\u0000" not in json.dumps(data):
            return data
    except (TypeError, ValueError):  # not plain JSON data (the walk below copes)
        pass
    where = _nul_path(data, "")
    if where is not None:
        raise ValueError(f"{where}: NUL characters are not allowed")
    return data


COUNTRY_CODES = tuple(sorted({country.alpha_2 for country in pycountry.countries} | _EXTRA_COUNTRIES))
_COUNTRY_SET = frozenset(COUNTRY_CODES)


def validate_country(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code (or XK), in either case; stored upper-case."""
    if value is None:
        return None
    code = value.upper()
    if code not in _COUNTRY_SET or not value.isalpha():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


# The document lists the codes the service takes (upper or lower case), so a client or a
# generator knows them without trying.
Country = Annotated[str, WithJsonSchema({
    "type": "string", "enum": [*COUNTRY_CODES, *(code.lower() for code in COUNTRY_CODES)],
    "description": "ISO 3166-1 alpha-2 country code (XK: Kosovo), upper or lower case."})]


def _identifier_schema(schema: dict[str, Any]) -> None:
    """One branch per scheme, each constraining the value as that scheme's check does."""
    schema["oneOf"] = [{"properties": {"scheme": {"const": scheme.value}, "value": rules}}
                       for scheme, rules in VALUE_SCHEMAS.items()]
    schema["description"] = ("An identifier of one scheme; its value is checked against the scheme's format "
                             "and check digits (see each `oneOf` branch) and stored in canonical form.")


class Identifier(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_identifier_schema)

    scheme: Scheme = Field(description="The identifier's scheme.", examples=["lei"])
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        examples=["5493001KJTIIGC8Y1R12"],
        description="Checked against the scheme's check digits or format; stored in canonical form.")

    @model_validator(mode="after")
    def _normalise(self) -> Identifier:
        self.value = normalise_identifier(self.scheme, self.value)
        return self


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(description="What the document is.", examples=["Decision of the Procurement Appeals Board"])
    url: AnyHttpUrl | None = Field(
        description="Where the document is published.",
        default=None, examples=["https://example.gov/decisions/2026-117.pdf"])


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publisher: str | None = Field(
        description="Who published the list the entry was imported from.",
        default=None, max_length=200, examples=["WBG"])
    list: str | None = Field(
        description="Name of the published list.",
        default=None, max_length=500, examples=["Listing of Ineligible Firms"])
    originating_institution: str | None = Field(
        default=None, max_length=200, examples=["ADB"],
        description="For a cross-debarment: the institution whose decision is recognised.")
    url: AnyHttpUrl | None = Field(
        default=None,
        description="Where the published list is.",
        examples=["https://www.worldbank.org/debarr"])
    row: int | None = Field(examples=[17], default=None, ge=0, description="Row of the published file it came from.")


class _EntryInputRules(BaseModel):
    """Rules shared by a whole entry and a patch of one: no NUL anywhere, ISO country codes."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return reject_nul(data)

    @field_validator("country", check_fields=False)
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)


class EntryContent(_EntryInputRules):
    """The fields a contributor sets."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(default=Kind.company, examples=["company"])
    name: Text = Field(description="The listed company's or person's name as decided.", examples=["ТОО «Алатау Строй»"])
    aliases: list[Text] = Field(
        description="Other names it is known by (transliterations, former names).",
        default_factory=list, max_length=100, examples=[["Alatau Stroy LLP"]])
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2.", examples=["KZ"])
    addresses: list[LongText] = Field(
        description="Postal addresses, one per item.",
        examples=[["050000, Алматы, пр. Абая, 10"]],
        default_factory=list, max_length=50)
    identifiers: list[Identifier] = Field(
        description="Registration, tax or LEI numbers.",
        examples=[[{"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}]],
        default_factory=list, max_length=50)
    listing: Listing = Field(default=Listing.debarred, examples=["debarred"])
    grounds: list[Ground] = Field(
        description="Why it was listed, one or more grounds.",
        min_length=1, max_length=10, examples=[["forced_labour"]])
    legal_basis: LongText | None = Field(
        description="The legal provision the decision rests on.",
        default=None, examples=["Public Procurement Act, art. 12"])
    decision_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        description="The deciding body's reference for the decision.",
        default=None, examples=["MF-2026/117"])
    decided_on: Day | None = Field(description="Date of the decision.", default=None, examples=["2026-03-02"])
    evidence: list[Evidence] = Field(
        description="Published documents supporting the decision.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]],
        default_factory=list, max_length=50)
    source: Source | None = None
    starts_on: Day | None = Field(default=None, description="First day in force; defaults to today.",
                                   examples=["2026-03-15"])
    ends_on: Day | None = Field(default=None, description="Last day in force; null = open-ended.",
                                 examples=["2029-03-14"])
    visibility: Visibility = Field(default=Visibility.members, examples=["members"])
    external_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        Field(default=None, description="The contributor's own reference, unique within its organisation.",
              examples=["KZ-MF-2026-117"]))

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


class EntryPatch(_EntryInputRules):
    """Fields to change; absent fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    name: Text | None = Field(
        default=None,
        description="New name; absent keeps the current one.",
        examples=["ТОО «Алатау Строй»"])
    aliases: list[Text] | None = Field(
        description="Other names it is known by (transliterations, former names).",
        examples=[["Alatau Stroy LLP"]],
        default=None, max_length=100)
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2.", examples=["KZ"])
    addresses: list[LongText] | None = Field(
        description="Postal addresses, one per item.",
        examples=[["050000, Алматы, пр. Абая, 10"]],
        default=None, max_length=50)
    identifiers: list[Identifier] | None = Field(
        description="Registration, tax or LEI numbers.",
        examples=[[{"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}]],
        default=None, max_length=50)
    listing: Listing | None = None
    grounds: list[Ground] | None = Field(
        description="Why it was listed, one or more grounds.",
        examples=[["forced_labour"]],
        default=None, min_length=1, max_length=10)
    legal_basis: LongText | None = Field(
        default=None,
        description="The legal provision the decision rests on.",
        examples=["Public Procurement Act, art. 12"])
    decision_ref: str | None = Field(
        description="The deciding body's reference for the decision.",
        examples=["MF-2026/117"],
        default=None, max_length=200)
    decided_on: Day | None = Field(default=None, description="Date of the decision.", examples=["2026-03-02"])
    evidence: list[Evidence] | None = Field(
        description="Published documents supporting the decision.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]],
        default=None, max_length=50)
    source: Source | None = None
    starts_on: Day | None = Field(default=None, description="New first day in force.", examples=["2026-03-15"])
    ends_on: Day | None = Field(
        default=None,
        description="New last day in force; null = open-ended.",
        examples=["2029-03-14"])
    visibility: Visibility | None = None
    external_ref: str | None = Field(
        description="The contributor's own reference, unique within its organisation.",
        examples=["KZ-MF-2026-117"],
        default=None, min_length=1, max_length=200)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(
        description="Why the entry is withdrawn; kept in the audit log.",
        examples=["Listed in error: decision MF-2026/117 annulled"])


class EntryOut(BaseModel):
    id: str = Field(description="The entry's id.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    organisation: str = Field(description="Code of the organisation that listed it.", examples=["KZ"])
    kind: Kind
    name: str = Field(description="The listed company's or person's name as decided.", examples=["ТОО «Алатау Строй»"])
    aliases: list[str] = Field(
        description="Other names it is known by (transliterations, former names).",
        examples=[["Alatau Stroy LLP"]])
    country: str | None = Field(description="ISO 3166-1 alpha-2.", examples=["KZ"])
    addresses: list[str] = Field(
        description="Postal addresses, one per item.",
        examples=[["050000, Алматы, пр. Абая, 10"]])
    identifiers: list[Identifier] = Field(
        description="Registration, tax or LEI numbers.",
        examples=[[{"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}]])
    listing: Listing
    grounds: list[Ground] = Field(description="Why it was listed, one or more grounds.", examples=[["forced_labour"]])
    legal_basis: str | None = Field(
        description="The legal provision the decision rests on.",
        examples=["Public Procurement Act, art. 12"])
    decision_ref: str | None = Field(
        description="The deciding body's reference for the decision.",
        examples=["MF-2026/117"])
    decided_on: date | None = Field(description="Date of the decision.", examples=["2026-03-02"])
    evidence: list[dict[str, Any]] = Field(
        description="Published documents supporting the decision.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]])
    source: dict[str, Any] | None = Field(
        description="The published list it was imported from, if any.",
        examples=[{"publisher": "WBG", "list": "Listing of Ineligible Firms",
                   "url": "https://www.worldbank.org/debarr", "row": 17}])
    starts_on: date = Field(description="First day in force.", examples=["2026-03-15"])
    ends_on: date | None = Field(description="Last day in force; null = open-ended.", examples=["2029-03-14"])
    visibility: Visibility
    external_ref: str | None = Field(
        description="The contributor's own reference, unique within its organisation.",
        examples=["KZ-MF-2026-117"])
    status: Status = Field(description="Derived from the dates on every read; never stale.")
    appeal_status: str = Field(examples=["none"], description=(
        "none, lodged, under_review, upheld, overturned or varied (the latest appeal)."))
    appeal_lodged_on: date | None = Field(
        examples=["2026-04-02"],
        default=None, description="The latest appeal's lodging date.")
    appeal_decided_on: date | None = Field(
        examples=["2026-06-15"],
        default=None, description="The latest appeal's decision date.")
    appeal_decision_ref: str | None = Field(
        examples=["PAB-2026/33-D"],
        default=None, description="The latest appeal's decision reference.")
    publication: str = Field(default="published", examples=["published"], description=(
        "published, pending_review or rejected: only published entries are screened or seen by "
        "other organisations (four-eyes publication)."))
    review_id: str | None = Field(examples=["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"], default=None, description=(
        "The review this request opened (four-eyes organisations), else null."))
    withdrawn_at: datetime | None = Field(
        description="When it was withdrawn; null while not withdrawn.",
        examples=["2026-09-01T10:00:00Z"])
    withdrawal_reason: str | None = Field(
        description="Why it was withdrawn.",
        examples=["Listed in error: decision MF-2026/117 annulled"])
    version: int = Field(examples=[3], description="Incremented on every change; the ETag is built from it.")
    revision: int = Field(examples=[1042], description="List revision of the entry's last change.")
    created_at: CreatedAt
    created_by: CreatedBy
    updated_at: UpdatedAt
    updated_by: UpdatedBy


class EntryPage(BaseModel):
    items: list[EntryOut] = Field(description="The entries of this page.")
    next_cursor: str | None = Field(
        examples=["eyJrIjoiMjAyNi0wMy0xNSIsImlkIjoiM2YxYjljMWUifQ"],
        description="Pass as `cursor` for the next page; null on the last.")


class RevisionOut(BaseModel):
    version: int = Field(description="The entry's version this revision recorded.", examples=[2])
    list_revision: int = Field(description="The list revision of the change.", examples=[1040])
    action: str = Field(description="What happened, as in the audit log.", examples=["entry.update"])
    recorded_at: datetime = Field(description="When the change was recorded (UTC).", examples=["2026-03-15T09:30:00Z"])
    recorded_by: str | None = Field(
        description="Client id that made the change; null for the operator's command line.",
        examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    data: dict[str, Any] = Field(
        examples=[{"name": "ТОО «Алатау Строй»", "country": "KZ", "grounds": ["fraud"]}],
        description="The entry as it was at this version.")


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[dict[str, Any]] = Field(
        examples=[[{"external_ref": "KZ-MF-2026-117", "name": "ТОО «Алатау Строй»", "grounds": ["fraud"]}]],
        min_length=1, max_length=10_000,
        description="Up to 10,000 entries, each with an `external_ref`; rows are validated one by one.")


class BulkRowResult(BaseModel):
    index: int = Field(description="Position of the row in the request, from 0.", examples=[0])
    external_ref: str | None = Field(description="The row's external_ref.", examples=["KZ-MF-2026-117"])
    result: Literal["created", "updated", "unchanged", "error"] = Field(
        description="What the row did.",
        examples=["created"])
    id: str | None = Field(
        default=None,
        description="The entry's id; null when the row failed.",
        examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    error: str | None = Field(
        default=None,
        description="Why the row failed; null otherwise.",
        examples=["grounds: field required"])
    review_id: str | None = Field(
        examples=["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"],
        default=None, description="The review opened for this row, if any.")


class BulkResponse(BaseModel):
    created: int = Field(description="Rows that created an entry.", examples=[120])
    updated: int = Field(description="Rows that changed an entry.", examples=[4])
    unchanged: int = Field(description="Rows equal to the stored entry.", examples=[870])
    errors: int = Field(description="Rows rejected; see `results`.", examples=[1])
    results: list[BulkRowResult] = Field(description="One result per row, in request order.")
    review_batch: str | None = Field(examples=["bulk-4c3e1d7a-5b7f-4d1e-9d2a-1c0b7e9f3a21"], default=None, description=(
        "When rows wait for review: the batch reference that approves them in one call."))
