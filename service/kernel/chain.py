"""Hash-chain arithmetic shared by the writer and the verifier."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Protocol


class ChainFields(Protocol):
    """What the hash covers: an ORM ``AuditRecord`` or a plain row read by the verifier."""

    @property
    def seq(self) -> int: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def organisation(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...
    @property
    def action(self) -> str: ...
    @property
    def target_type(self) -> str | None: ...
    @property
    def target_id(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def tender_ref(self) -> str | None: ...
    @property
    def details(self) -> dict[str, Any]: ...


def canonical_content(record: ChainFields) -> bytes:
    """The bytes a record's hash covers: every field but the hashes, in a fixed form.

    Keys are sorted and timestamps written in one ISO form so that the bytes are the same
    whether the record comes back from SQLite's JSON text or PostgreSQL's JSONB.
    """
    content: dict[str, Any] = {
        "seq": record.seq,
        "recorded_at": _iso(record.recorded_at),
        "actor": record.actor,
        "organisation": record.organisation,
        "role": record.role,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "request_id": record.request_id,
        "tender_ref": record.tender_ref,
        "details": record.details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def chain_hash(prev_hash: str, record: ChainFields) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode())
    digest.update(canonical_content(record))
    return digest.hexdigest()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
