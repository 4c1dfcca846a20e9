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

    seq: int = Field(description="Position in the hash chain, from 1.", examples=[5012])
    recorded_at: datetime = Field(description="When it was recorded (UTC).", examples=["2026-03-15T09:30:00Z"])
    actor: str | None = Field(
        examples=["dl_4f1c2a9e0b7d6c5a3e21"],
        description="Client id of the caller; null for the operator's command line.")
    organisation: str | None = Field(examples=["KZ"], description="The caller's organisation code.")
    role: str | None = Field(examples=["contributor"], description="The caller's roles, comma-separated.")
    action: str = Field(description="What happened.", examples=["entry.update"])
    target_type: str | None = Field(description="Kind of object acted on.", examples=["entry"])
    target_id: str | None = Field(
        description="Id of the object acted on.",
        examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    request_id: str | None = Field(
        description="The request's X-Request-ID.",
        examples=["7d0c2f1e-3a4b-4c5d-9e6f-0a1b2c3d4e5f"])
    tender_ref: str | None = Field(description="For a screening: the tender it was for.", examples=["KZ-2026-0042"])
    details: dict[str, Any] = Field(
        examples=[{"before": {"ends_on": None}, "after": {"ends_on": "2029-03-14"}}],
        description="What changed: before/after, or a screening's subjects.")
    prev_hash: str = Field(
        description="The previous record's hash (zeros for the first).",
        examples=["0000000000000000000000000000000000000000000000000000000000000000"])
    hash: str = Field(
        examples=["9b74c9897bac770ffc029102a200c5de3f1b9c1e7d2a4c1e9a510f3e2b7a9d10"],
        description="SHA-256 of prev_hash and the record's canonical content.")


class AuditPage(BaseModel):
    items: list[AuditRecordOut] = Field(description="The records of this page, in the requested order.")
    next_cursor: str | None = Field(examples=["5012"],
        description="Pass as `cursor` for the next page; stable while new records arrive.")


class VerifyReport(BaseModel):
    ok: bool = Field(description="True when the whole chain verifies.", examples=[True])
    records: int = Field(examples=[5012], description="Records walked.")
    head_seq: int = Field(description="Seq of the last record.", examples=[5012])
    head_hash: str = Field(
        description="Hash of the last record.",
        examples=["9b74c9897bac770ffc029102a200c5de3f1b9c1e7d2a4c1e9a510f3e2b7a9d10"])
    first_broken_seq: int | None = Field(description="The first record that fails; null when ok.", examples=[4711])
    reason: str | None = Field(
        description="Why the chain breaks there; null when ok.",
        examples=["hash mismatch", "gap", "prev_hash mismatch (reordering)",
                                         "checkpoint mismatch"])
    checkpoint_seq: int | None = Field(
        examples=[5000],
        description="The seq of the checkpoint verified against, if any.")


class CheckpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="Seq of the record the checkpoint seals.", examples=[5000])
    head_hash: str = Field(
        description="Hash of that record.",
        examples=["9b74c9897bac770ffc029102a200c5de3f1b9c1e7d2a4c1e9a510f3e2b7a9d10"])
    issued_at: datetime = Field(description="When the checkpoint was signed (UTC).", examples=["2026-03-15T09:30:00Z"])
    jws: str = Field(
        examples=["eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzZXEiOjUwMDB9.c2lnbmF0dXJl"],
        description="Compact JWS (RS256, kid of /.well-known/jwks.json) over "
                                 "{seq, head_hash, issued_at, iss}: keep it outside the system.")
