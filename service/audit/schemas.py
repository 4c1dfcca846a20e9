"""Audit API shapes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Order(StrEnum):
    asc = "asc"
    desc = "desc"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


class AuditRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    recorded_at: datetime
    actor: str | None = Field(description="Client id of the caller; null for the operator's command line.")
    organisation: str | None = Field(description="The caller's organisation code.")
    role: str | None = Field(description="The caller's roles, comma-separated.")
    action: str = Field(examples=["entry.update"])
    target_type: str | None
    target_id: str | None
    request_id: str | None
    tender_ref: str | None
    details: dict[str, Any] = Field(description="What changed: before/after, or a screening's subjects.")
    prev_hash: str
    hash: str = Field(description="SHA-256 of prev_hash and the record's canonical content.")


class AuditPage(BaseModel):
    items: list[AuditRecordOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; stable while new records arrive.")


class VerifyReport(BaseModel):
    ok: bool
    records: int = Field(description="Records walked.")
    head_seq: int
    head_hash: str
    first_broken_seq: int | None
    reason: str | None = Field(examples=["hash mismatch", "gap", "prev_hash mismatch (reordering)",
                                         "checkpoint mismatch"])
    checkpoint_seq: int | None = Field(description="The seq of the checkpoint verified against, if any.")


class CheckpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    head_hash: str
    issued_at: datetime
    jws: str = Field(description="Compact JWS (RS256, kid of /.well-known/jwks.json) over "
                                 "{seq, head_hash, issued_at, iss}: keep it outside the system.")
