"""Re-screening after list changes, and the alerts it raises.

The cursor row is locked for the run (FOR UPDATE SKIP LOCKED on PostgreSQL: an instance that
finds it locked leaves the work to the one holding it; on SQLite the write transaction already
serialises runs). Only watches whose result could change are re-screened: those whose last
matches include a changed entry, and those a changed entry may now match, found by searching the
watched suppliers with the changed entries (inverse.py), not the list once per watch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.common.cursor import decode_cursor, encode_cursor
from service.decisions.keys import standing, subject_key
from service.entries.models import Entry
from service.kernel.clock import today, utcnow
from service.kernel.owned import own_row
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.monitoring.inverse import entry_query, watch_index
from service.monitoring.models import Alert, MonitoringCursor, WatchedSupplier
from service.monitoring.schemas import AlertOut, AlertPage
from service.monitoring.watchlist import screen_watched
from service.screening.schemas import ScreenMatch
from service.screening.service import ListView
from service.webhooks import outbox

MATERIAL = ("listing", "starts_on", "ends_on", "status", "appeal_status")


def band(score: float) -> str:
    """Coarse score bands: a move within a band is not worth an alert."""
    return "strong" if score >= 0.95 else "high" if score >= 0.9 else "possible"


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changed = [f for f in MATERIAL if old["entry"].get(f) != new["entry"].get(f)]
    if band(old["score"]) != band(new["score"]):
        changed.insert(0, "score_band")
    return changed


def _cursor(session: Session) -> MonitoringCursor | None:
    row = session.scalar(select(MonitoringCursor).where(MonitoringCursor.id == 1)
                         .with_for_update(skip_locked=True))
    if row is None and session.get(MonitoringCursor, 1) is None:
        row = MonitoringCursor(id=1, revision=0)
        session.add(row)
        session.flush()
    return row


def monitor(tx: Tx, lists: Lists) -> int:
    """Re-screen what the list changes since the cursor may affect; return the alerts raised."""
    session = tx.session
    cursor = _cursor(session)
    if cursor is None:
        return 0  # another instance holds the cursor and is doing this work
    view: ListView = lists.live(session)
    if view.revision <= cursor.revision:
        return 0
    # The inverse search (inverse.py): the watches a changed entry may now match, and those whose
    # last matches hold one, found without a search per watched supplier.
    index = watch_index(lists)
    index.sync(session)
    since = (Entry.revision > cursor.revision, Entry.revision <= view.revision)
    if len(index):
        changed_entries = session.scalars(select(Entry).where(*since)).all()
        changed_count = len(changed_entries)
    else:
        # Nobody watches anything: nothing to re-screen, only the changes to count. Loading them (all
        # 100,000 on the first run after a bulk load) held the write lock past every request's wait.
        changed_entries = []
        changed_count = session.scalar(select(func.count()).select_from(Entry).where(*since)) or 0
    changed = {e.id for e in changed_entries}
    on = today()
    raised = 0
    shortlisted = index.shortlist(entry_query(e) for e in changed_entries) | index.holding(changed)
    for organisation_id, ids in sorted(index.watching(shortlisted, on).items()):
        candidates = _watches(session, ids)
        before = {w.id: {m["entry_id"]: m for m in w.last_matches} for w in candidates}
        screen_watched(view, candidates, organisation_id)
        new_alerts = [a for watch in candidates for a in _alert(session, watch, before[watch.id], view.revision)]
        raised += len(new_alerts)
        # In this transaction: the webhook events exist exactly when the alerts do.
        endpoints = outbox.subscribers(session, organisation_id, "alert.raised") if new_alerts else []
        if endpoints:
            outbox.publish(session, organisation_id, "alert.raised",
                           [to_out(a).model_dump(mode="json") for a in new_alerts], endpoints=endpoints)
    cursor.revision = view.revision
    tx.audit("monitoring.run", None, None, {"list_revision": view.revision, "changed_entries": changed_count,
                                             "alerts": raised})
    return raised


def _watches(session: Session, ids: list[str]) -> list[WatchedSupplier]:
    found: list[WatchedSupplier] = []
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        found += session.scalars(select(WatchedSupplier).where(WatchedSupplier.id.in_(ids[start:start + 900])))
    return sorted(found, key=lambda w: w.position)


def _alert(session: Session, watch: WatchedSupplier, old: dict[str, dict[str, Any]],
           revision: int) -> list[Alert]:
    new = {m["entry_id"]: m for m in watch.last_matches}
    now = utcnow()
    raised = []
    changes: list[str]
    for entry_id in sorted(old.keys() | new.keys()):
        if entry_id not in old:
            reason, changes, match = "match_appeared", [], new[entry_id]
        elif entry_id not in new:
            reason, changes, match = "match_disappeared", [], old[entry_id]
        else:
            changes = _changes(old[entry_id], new[entry_id])
            if not changes:
                continue
            reason, match = "match_changed", new[entry_id]
        if reason != "match_disappeared" and _dismissed(session, watch, entry_id):
            continue
        raised.append(Alert(id=str(uuid.uuid4()), organisation_id=watch.organisation_id, watch_id=watch.id,
                            ref=watch.ref, entry_id=entry_id, reason=reason, changes=changes, match=match,
                            list_revision=revision, status="new", created_at=now))
    session.add_all(raised)
    return raised


def _dismissed(session: Session, watch: WatchedSupplier, entry_id: str) -> bool:
    """A false positive decided on this entry revision is not alerted again; a new revision is."""
    decision = standing(session, watch.organisation_id, subject_key(watch.subject), entry_id)
    if decision is None or decision.decision != "false_positive":
        return False
    return decision.entry_revision == session.scalar(select(Entry.revision).where(Entry.id == entry_id))


def page(session: Session, principal: Principal, status: str | None, since: datetime | None,
         cursor: str | None, limit: int) -> AlertPage:
    after = decode_cursor(cursor, "p")["p"] if cursor else 0
    query = select(Alert).where(Alert.organisation_id == principal.organisation_id, Alert.position > after)
    if status is not None:
        query = query.where(Alert.status == status)
    if since is not None:
        query = query.where(Alert.created_at >= since)
    rows = session.scalars(query.order_by(Alert.position).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return AlertPage(items=[to_out(a) for a in rows],
                     next_cursor=encode_cursor({"p": rows[-1].position}) if more and rows else None)


def get(session: Session, principal: Principal, alert_id: str) -> Alert:
    return own_row(session, Alert, alert_id, principal, "alert")


def acknowledge(tx: Tx, principal: Principal, alert_id: str) -> Alert:
    alert = get(tx.session, principal, alert_id)
    if alert.status != "acknowledged":
        alert.status, alert.acknowledged_at, alert.acknowledged_by = "acknowledged", utcnow(), principal.client_id
        tx.audit("alert.acknowledge", "alert", alert.id, {"ref": alert.ref, "entry_id": alert.entry_id})
    return alert


def to_out(alert: Alert) -> AlertOut:
    return AlertOut(id=alert.id, watch_id=alert.watch_id, ref=alert.ref, entry_id=alert.entry_id,
                    reason=alert.reason, changes=alert.changes, match=ScreenMatch.model_validate(alert.match),
                    list_revision=alert.list_revision, status=alert.status, created_at=alert.created_at,
                    acknowledged_at=alert.acknowledged_at)
