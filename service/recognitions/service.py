"""Recognitions: an organisation other than the listing one adopts an entry's listing with its
own decision, and may withdraw that recognition.

A recognition is not part of the entry's content (the entry's version, ETag and change-feed
history do not move), but screening shows it: each change takes a list revision of its own,
kept on the recognition (``created_revision``/``withdrawn_revision``), so every replica's
screening index sees the list move and reloads the recognised entry, and a replay of a past
screening knows which recognitions were in force at its revision.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.entries import service as entries
from service.entries.models import Entry
from service.entries.publication import PUBLISHED
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, Forbidden, NotFound
from service.kernel.ledger import Ledger
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.recognitions.models import Recognition
from service.recognitions.schemas import RecognitionCreate, RecognitionOut


def to_out(session: Session, recognition: Recognition) -> RecognitionOut:
    org = session.get(Organisation, recognition.organisation_id)
    assert org is not None
    return RecognitionOut(
        id=recognition.id, entry_id=recognition.entry_id, organisation=org.code,
        decision_ref=recognition.decision_ref, legal_basis=recognition.legal_basis,
        starts_on=recognition.starts_on, ends_on=recognition.ends_on, origin=recognition.origin,
        origin_entry_id=recognition.origin_entry_id, created_at=recognition.created_at,
        created_by=recognition.created_by, withdrawn_at=recognition.withdrawn_at,
        withdrawn_by=recognition.withdrawn_by, withdrawal_reason=recognition.withdrawal_reason)


def _take_revision(tx: Tx, then: Callable[[int], None]) -> None:
    def take(ledger: Ledger) -> None:
        ledger.list_revision += 1
        then(ledger.list_revision)

    tx.on_seal(take)


def in_force(recognition: Recognition, on: date) -> bool:
    return (recognition.withdrawn_at is None and recognition.starts_on <= on
            and (recognition.ends_on is None or recognition.ends_on >= on))


def create(tx: Tx, principal: Principal, entry_id: str, body: RecognitionCreate) -> Recognition:
    entry = entries.get_visible(tx.session, principal, entry_id)
    if entry.organisation_id == principal.organisation_id:
        raise Forbidden("an organisation recognises other organisations' entries, not its own")
    return add(tx, principal, entry, body, origin="decision", origin_entry_id=None)


def add(tx: Tx, principal: Principal, entry: Entry, body: RecognitionCreate, *, origin: str,
        origin_entry_id: str | None) -> Recognition:
    if entry.publication != PUBLISHED or entry.withdrawn_at is not None:
        state = "withdrawn" if entry.withdrawn_at is not None else entry.publication
        raise Conflict(f"entry {entry.id} is {state}: only published entries in the list are recognised")
    existing = active_of(tx.session, entry.id, principal.organisation_id)
    if existing is not None:
        raise Conflict(f"{principal.organisation} already recognises entry {entry.id} ({existing.id})")
    recognition = Recognition(
        id=str(uuid.uuid4()), entry_id=entry.id, organisation_id=principal.organisation_id,
        decision_ref=body.decision_ref, legal_basis=body.legal_basis, starts_on=body.starts_on,
        ends_on=body.ends_on, origin=origin, origin_entry_id=origin_entry_id, created_at=utcnow(),
        created_by=principal.client_id, created_revision=0)
    tx.session.add(recognition)

    def taken(revision: int) -> None:
        recognition.created_revision = revision

    _take_revision(tx, taken)
    tx.audit("recognition.create", "recognition", recognition.id, {
        "entry_id": entry.id, "listing_organisation": entry.organisation.code,
        "organisation": principal.organisation, "decision_ref": body.decision_ref,
        "legal_basis": body.legal_basis, "starts_on": body.starts_on.isoformat(),
        "ends_on": body.ends_on.isoformat() if body.ends_on else None, "origin": origin,
        "origin_entry_id": origin_entry_id})
    return recognition


def active_of(session: Session, entry_id: str, organisation_id: int) -> Recognition | None:
    query = select(Recognition).where(Recognition.entry_id == entry_id, Recognition.organisation_id == organisation_id,
                                      Recognition.withdrawn_at.is_(None))
    return session.execute(query).scalars().first()


def _visible(session: Session, principal: Principal, recognition_id: str) -> Recognition:
    recognition = session.get(Recognition, recognition_id)
    if recognition is None:
        raise NotFound(f"recognition {recognition_id!r} does not exist")
    entries.require_visible(session, principal, recognition.entry_id,
                            f"recognition {recognition_id!r} does not exist")
    return recognition


def withdraw(tx: Tx, principal: Principal, recognition_id: str, reason: str) -> Recognition:
    recognition = _visible(tx.session, principal, recognition_id)
    if recognition.organisation_id != principal.organisation_id:
        raise Forbidden("only the recognising organisation withdraws its recognition")
    if recognition.withdrawn_at is not None:
        raise Conflict(f"recognition {recognition.id} is already withdrawn")
    recognition.withdrawn_at = utcnow()
    recognition.withdrawn_by = principal.client_id
    recognition.withdrawal_reason = reason
    entry = tx.session.execute(select(Entry).where(Entry.id == recognition.entry_id)).scalar_one()

    def taken(revision: int) -> None:
        recognition.withdrawn_revision = revision

    _take_revision(tx, taken)
    tx.audit("recognition.withdraw", "recognition", recognition.id, {
        "entry_id": entry.id, "organisation": principal.organisation, "reason": reason})
    return recognition


def list_for_entry(session: Session, principal: Principal, entry_id: str) -> list[Recognition]:
    entries.get_visible(session, principal, entry_id)
    query = select(Recognition).where(Recognition.entry_id == entry_id).order_by(Recognition.created_at,
                                                                                Recognition.id)
    return list(session.execute(query).scalars())
