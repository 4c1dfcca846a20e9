"""Typed views of the API's answers.

Models accept fields they do not know (``extra="allow"``), so a newer server does not break
an older client.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class FieldError(_Model):
    field: str
    message: str


class Problem(_Model):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class Token(_Model):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class Identifier(_Model):
    scheme: str
    value: str


class Entry(_Model):
    id: str
    organisation: str
    kind: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    addresses: list[str] = Field(default_factory=list)
    identifiers: list[Identifier] = Field(default_factory=list)
    listing: str
    grounds: list[str]
    legal_basis: str | None = None
    decision_ref: str | None = None
    decided_on: date | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    source: dict[str, Any] | None = None
    starts_on: date
    ends_on: date | None = None
    visibility: str
    external_ref: str | None = None
    status: str
    appeal_status: str = "none"
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    version: int
    revision: int
    created_at: datetime
    created_by: str | None = None
    updated_at: datetime
    updated_by: str | None = None

    @property
    def etag(self) -> str:
        """The ETag the server gives this version (send it as If-Match to change the entry)."""
        return f'"{self.id}.v{self.version}"'


class EntryPage(_Model):
    items: list[Entry]
    next_cursor: str | None = None


class Revision(_Model):
    version: int
    list_revision: int
    action: str
    recorded_at: datetime
    recorded_by: str | None = None
    data: dict[str, Any]


class BulkRowResult(_Model):
    index: int
    external_ref: str | None = None
    result: str
    id: str | None = None
    error: str | None = None


class BulkResult(_Model):
    created: int
    updated: int
    unchanged: int
    errors: int
    results: list[BulkRowResult]


class Subject(_Model):
    """A bidder to screen."""

    ref: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    identifiers: list[Identifier] = Field(default_factory=list)
    kind: str | None = None


class MatchedEntry(_Model):
    name: str
    listing: str
    grounds: list[str]
    starts_on: date
    ends_on: date | None = None
    status: str
    in_force: bool
    organisation: str


class StandingDecision(_Model):
    """The organisation's decision on this supplier and entry, shown beside the match."""

    id: str
    decision: str
    note: str | None = None
    action: str | None = None
    decided_by: str
    decided_at: datetime
    entry_revision: int
    current: bool


class ScreenMatch(_Model):
    entry_id: str
    score: float
    matched_name: str
    query_name: str
    explanation: dict[str, Any] = Field(default_factory=dict)
    entry: MatchedEntry
    decision: StandingDecision | None = None


class SubjectResult(_Model):
    ref: str
    matches: list[ScreenMatch]


class ScreenResponse(_Model):
    screening_id: str
    screened_at: datetime
    as_of: date
    list_revision: int
    algorithm: str
    threshold: float
    tender_ref: str | None = None
    results: list[SubjectResult]

    @property
    def hits(self) -> list[SubjectResult]:
        """The subjects with at least one match."""
        return [result for result in self.results if result.matches]


class ScreeningReceipt(ScreenResponse):
    organisation: str
    client_id: str
    request: dict[str, Any]


class AuditRecord(_Model):
    seq: int
    recorded_at: datetime
    actor: str | None = None
    organisation: str | None = None
    role: str | None = None
    action: str
    target_type: str | None = None
    target_id: str | None = None
    request_id: str | None = None
    tender_ref: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str


class AuditPage(_Model):
    items: list[AuditRecord]
    next_cursor: str | None = None


class VerifyReport(_Model):
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: str | None = None
    checkpoint_seq: int | None = None


class Change(_Model):
    revision: int
    entry_id: str
    version: int
    action: str
    removed: bool
    entry: Entry | None = None


class ChangePage(_Model):
    items: list[Change]
    next_since: int
    head: int
