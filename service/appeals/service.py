"""Appeals, recorded by the listing organisation against its own entry.

Each step changes the entry through the entries service (a new version and a list revision,
so every screening index shows it): ``appeal_status`` and the appeal's dates always; an
``overturned`` decision also withdraws the entry with the decision's reference; ``varied``
changes its period or grounds (validated like any change). Outcomes are decisions of an
appeal body, not of the organisation's staff, so they are not held for four-eyes review.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.appeals.models import Appeal
from service.appeals.schemas import OUTCOMES, AppealLodge, AppealOut, AppealStep, Step
from service.auth.models import Organisation
from service.entries import service as entries
from service.entries.models import Entry
from service.entries.publication import PUBLISHED
from service.entries.schemas import EntryContent
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from service.kernel.principal import Principal
from service.kernel.uow import Tx

OPEN = ("lodged", "under_review")
# Which step may follow which: a decided appeal is closed (a further appeal is a new one).
NEXT: dict[str, frozenset[Step]] = {
    "lodged": frozenset(Step),
    "under_review": frozenset(OUTCOMES),
}


def to_out(session: Session, appeal: Appeal) -> AppealOut:
    org = session.get(Organisation, appeal.organisation_id)
    assert org is not None
    return AppealOut(id=appeal.id, entry_id=appeal.entry_id, organisation=org.code, status=appeal.status,
                     reference=appeal.reference, lodged_on=appeal.lodged_on, decided_on=appeal.decided_on,
                     decision_ref=appeal.decision_ref, documents=list(appeal.documents), steps=list(appeal.steps),
                     created_at=appeal.created_at, created_by=appeal.created_by, updated_at=appeal.updated_at,
                     updated_by=appeal.updated_by)


def _own_entry(tx: Tx, principal: Principal, entry_id: str) -> Entry:
    entry = entries.get_visible(tx.session, principal, entry_id)
    if entry.organisation_id != principal.organisation_id:
        raise Forbidden("appeals are recorded by the organisation that listed the entry")
    return entry


def _documents(docs: list[Any]) -> list[dict[str, Any]]:
    return [doc.model_dump(mode="json") for doc in docs]


def lodge(tx: Tx, principal: Principal, entry_id: str, body: AppealLodge) -> Appeal:
    entry = _own_entry(tx, principal, entry_id)
    if entry.publication != PUBLISHED:
        raise Conflict(f"entry {entry.id} is {entry.publication}: only published entries are appealed")
    if entry.withdrawn_at is not None:
        raise Conflict(f"entry {entry.id} is withdrawn")
    open_appeal = tx.session.execute(select(Appeal.id).where(
        Appeal.entry_id == entry.id, Appeal.status.in_(OPEN))).scalars().first()
    if open_appeal is not None:
        raise Conflict(f"entry {entry.id} already has an open appeal ({open_appeal})")
    now = utcnow()
    documents = _documents(body.documents)
    appeal = Appeal(id=str(uuid.uuid4()), entry_id=entry.id, organisation_id=entry.organisation_id,
                    status="lodged", reference=body.reference, lodged_on=body.lodged_on, documents=documents,
                    steps=[{"step": "lodged", "date": body.lodged_on.isoformat(), "decision_ref": body.reference,
                            "documents": documents, "changes": None, "recorded_at": now.isoformat(),
                            "recorded_by": principal.client_id}],
                    created_at=now, created_by=principal.client_id, updated_at=now, updated_by=principal.client_id)
    tx.session.add(appeal)
    before, after = entries.revise(tx, principal, entry, "appeal.lodge", fields={
        "appeal_status": "lodged", "appeal_lodged_on": body.lodged_on, "appeal_decided_on": None,
        "appeal_decision_ref": None})
    tx.audit("appeal.lodge", "appeal", appeal.id, {
        "entry_id": entry.id, "lodged_on": body.lodged_on.isoformat(), "reference": body.reference,
        "documents": documents, "entry_version": entry.version, "before": before, "after": after})
    return appeal


def get_appeal(session: Session, principal: Principal, appeal_id: str) -> Appeal:
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"appeal {appeal_id!r} does not exist")
    entries.require_visible(session, principal, appeal.entry_id, f"appeal {appeal_id!r} does not exist")
    return appeal


def list_for_entry(session: Session, principal: Principal, entry_id: str) -> list[Appeal]:
    entries.get_visible(session, principal, entry_id)
    query = select(Appeal).where(Appeal.entry_id == entry_id).order_by(Appeal.created_at, Appeal.id)
    return list(session.execute(query).scalars())


def record_step(tx: Tx, principal: Principal, appeal_id: str, body: AppealStep) -> Appeal:
    appeal = get_appeal(tx.session, principal, appeal_id)
    entry = _own_entry(tx, principal, appeal.entry_id)
    if body.step not in NEXT.get(appeal.status, frozenset()):
        raise Conflict(f"appeal {appeal.id} is {appeal.status}: {body.step.value} cannot follow")
    last = date.fromisoformat(appeal.steps[-1]["date"])
    if body.date < last:
        raise Unprocessable(f"date {body.date} is before the previous step's ({last})",
                            errors=[FieldError(field="body.date", message="before the previous step")])
    if body.step is not Step.overturned and entry.withdrawn_at is not None:
        raise Conflict(f"entry {entry.id} was withdrawn meanwhile")
    fields: dict[str, Any] = {"appeal_status": body.step.value}
    content, changes = None, None
    if body.step in OUTCOMES:
        fields.update(appeal_decided_on=body.date, appeal_decision_ref=body.decision_ref)
    if body.step is Step.overturned and entry.withdrawn_at is None:
        fields.update(withdrawn_at=utcnow(), withdrawal_reason=f"overturned on appeal: decision {body.decision_ref}")
    if body.step is Step.varied:
        content, changes = _varied_content(entry, body)
    before, after = entries.revise(tx, principal, entry, f"appeal.{body.step.value}", content=content,
                                   fields=fields)
    documents = _documents(body.documents)
    now = utcnow()
    appeal.steps = [*appeal.steps, {"step": body.step.value, "date": body.date.isoformat(),
                                    "decision_ref": body.decision_ref, "documents": documents, "changes": changes,
                                    "recorded_at": now.isoformat(), "recorded_by": principal.client_id}]
    appeal.status = body.step.value
    if body.step in OUTCOMES:
        appeal.decided_on, appeal.decision_ref = body.date, body.decision_ref
    appeal.documents = [*appeal.documents, *documents]
    appeal.updated_at, appeal.updated_by = now, principal.client_id
    tx.audit("appeal.step", "appeal", appeal.id, {
        "entry_id": entry.id, "step": body.step.value, "date": body.date.isoformat(),
        "decision_ref": body.decision_ref, "documents": documents, "changes": changes,
        "entry_version": entry.version, "before": before, "after": after})
    return appeal


def _varied_content(entry: Entry, body: AppealStep) -> tuple[dict[str, Any], dict[str, Any]]:
    changes: dict[str, Any] = {}
    if body.starts_on is not None:
        changes["starts_on"] = body.starts_on.isoformat()
    if body.ends_on is not None:
        changes["ends_on"] = body.ends_on.isoformat()
    if body.grounds is not None:
        changes["grounds"] = [ground.value for ground in body.grounds]
    try:
        merged = EntryContent.model_validate({**entries.content_of(entry), **changes})
    except ValidationError as exc:
        raise Unprocessable("; ".join(str(err["msg"]) for err in exc.errors()[:3])) from None
    return entries.normalised_content(merged), changes
