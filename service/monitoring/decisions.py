"""Decisions on matches: confirmed or false positive, from an alert or a screening receipt."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.decisions.keys import standing, subject_key
from service.decisions.models import MatchDecision
from service.entries.models import Entry
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, NotFound
from service.kernel.owned import own_row
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.monitoring import alerts
from service.monitoring.models import WatchedSupplier
from service.monitoring.schemas import DecisionIn, DecisionOut, ScreeningDecisionIn
from service.screening.service import readable_screening
from service.webhooks import outbox


def _record(tx: Tx, principal: Principal, key: str, ref: str, entry_id: str, body: DecisionIn,
            source: str, source_id: str) -> MatchDecision:
    revision = tx.session.scalar(select(Entry.revision).where(Entry.id == entry_id)) or 0
    previous = standing(tx.session, principal.organisation_id, key, entry_id)
    now = utcnow()
    if previous is not None:  # a new decision supersedes the standing one; both stay in the history
        previous.reversed_at, previous.reversed_by = now, principal.client_id
    decision = MatchDecision(
        id=str(uuid.uuid4()), organisation_id=principal.organisation_id, subject_key=key, ref=ref,
        entry_id=entry_id, entry_revision=revision, decision=body.decision, note=body.note, action=body.action,
        source=source, source_id=source_id, decided_by=principal.client_id, decided_at=now)
    tx.session.add(decision)
    tx.audit("match.decide", "match_decision", decision.id, {
        "ref": ref, "entry_id": entry_id, "entry_revision": revision, "decision": body.decision,
        "note": body.note, "action": body.action, "source": source, "source_id": source_id,
        **({"supersedes": previous.id} if previous else {})})
    tx.session.flush()
    outbox.publish(tx.session, principal.organisation_id, "match.decided", [to_out(decision).model_dump(mode="json")])
    return decision


def decide_alert(tx: Tx, principal: Principal, alert_id: str, body: DecisionIn) -> MatchDecision:
    alert = alerts.get(tx.session, principal, alert_id)
    watch = tx.session.scalar(select(WatchedSupplier).where(WatchedSupplier.id == alert.watch_id))
    if watch is None:
        raise Conflict("the supplier is no longer watched; decide on a screening of it instead")
    return _record(tx, principal, subject_key(watch.subject), alert.ref, alert.entry_id, body, "alert", alert.id)


def decide_screening(tx: Tx, principal: Principal, screening_id: str, body: ScreeningDecisionIn) -> MatchDecision:
    screening = readable_screening(tx.session, principal, screening_id)
    if screening.organisation_id != principal.organisation_id:  # auditors read receipts, never decide
        raise NotFound(f"screening {screening_id!r} does not exist")
    subjects = {s["ref"]: s for s in screening.request["subjects"]}
    result = next((r for r in screening.results if r["ref"] == body.ref), None)
    if result is None or body.entry_id not in {m["entry_id"] for m in result["matches"]}:
        raise NotFound(f"the screening has no match of {body.ref!r} with entry {body.entry_id!r}")
    return _record(tx, principal, subject_key(subjects[body.ref]), body.ref, body.entry_id, body, "screening",
                   screening.id)


def get(session: Session, principal: Principal, decision_id: str) -> MatchDecision:
    return own_row(session, MatchDecision, decision_id, principal, "decision")


def reverse(tx: Tx, principal: Principal, decision_id: str) -> MatchDecision:
    decision = get(tx.session, principal, decision_id)
    if decision.reversed_at is not None:
        raise Conflict("the decision is already reversed or superseded")
    decision.reversed_at, decision.reversed_by = utcnow(), principal.client_id
    tx.audit("match.decision_reverse", "match_decision", decision.id,
             {"ref": decision.ref, "entry_id": decision.entry_id})
    outbox.publish(tx.session, principal.organisation_id, "match.decision_reversed",
                   [to_out(decision).model_dump(mode="json")])
    return decision


def history(session: Session, principal: Principal, decision_id: str) -> list[MatchDecision]:
    decision = get(session, principal, decision_id)
    return list(session.scalars(select(MatchDecision).where(
        MatchDecision.organisation_id == decision.organisation_id, MatchDecision.subject_key == decision.subject_key,
        MatchDecision.entry_id == decision.entry_id).order_by(MatchDecision.position)))


def to_out(d: MatchDecision) -> DecisionOut:
    return DecisionOut(id=d.id, ref=d.ref, entry_id=d.entry_id, entry_revision=d.entry_revision,
                       decision=d.decision, note=d.note, action=d.action, source=d.source, source_id=d.source_id,
                       decided_by=d.decided_by, decided_at=d.decided_at, reversed_at=d.reversed_at,
                       reversed_by=d.reversed_by)
