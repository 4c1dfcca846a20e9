"""The request's unit of work: one session, one commit, its audit records sealed inside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.chain import chain_hash
from service.audit.models import AuditRecord, Ledger
from service.db import utcnow


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: an API client of an organisation, or the operator's command line."""

    client_id: str | None
    organisation: str | None
    roles: tuple[str, ...]


SYSTEM = Actor(client_id=None, organisation=None, roles=("system",))


@dataclass(slots=True)
class AuditEvent:
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    tender_ref: str | None = None


@dataclass
class Tx:
    session: Session
    actor: Actor = SYSTEM
    request_id: str | None = None
    _events: list[AuditEvent] = field(default_factory=list)
    _on_seal: list[Callable[[Ledger], None]] = field(default_factory=list)

    def audit(self, action: str, target_type: str | None, target_id: str | None,
              details: dict[str, Any], *, tender_ref: str | None = None) -> None:
        self._events.append(AuditEvent(action, target_type, target_id, details, tender_ref))

    def on_seal(self, hook: Callable[[Ledger], None]) -> None:
        """Run ``hook`` with the locked ledger row just before commit (to take list revisions)."""
        self._on_seal.append(hook)

    def commit(self) -> None:
        if self._events or self._on_seal:
            self._seal()
        self.session.commit()
        self._events.clear()
        self._on_seal.clear()

    def rollback(self) -> None:
        self.session.rollback()
        self._events.clear()
        self._on_seal.clear()

    def _seal(self) -> None:
        # Flush the domain rows first so their row locks are taken before the ledger lock:
        # the ledger is always the last lock a transaction takes, so writers queue on it and
        # never deadlock against each other on it.
        self.session.flush()
        ledger = self.session.execute(select(Ledger).where(Ledger.id == 1).with_for_update()).scalar_one()
        for hook in self._on_seal:
            hook(ledger)
        now = utcnow()
        for event in self._events:
            ledger.audit_seq += 1
            record = AuditRecord(
                seq=ledger.audit_seq, recorded_at=now, actor=self.actor.client_id,
                organisation=self.actor.organisation, role=",".join(self.actor.roles),
                action=event.action, target_type=event.target_type, target_id=event.target_id,
                request_id=self.request_id, tender_ref=event.tender_ref, details=event.details,
                prev_hash=ledger.audit_head, hash="")
            record.hash = chain_hash(ledger.audit_head, record)
            ledger.audit_head = record.hash
            self.session.add(record)
        self.session.flush()
