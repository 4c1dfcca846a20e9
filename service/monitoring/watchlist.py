"""Watchlist: add, read, change and remove watched suppliers; adding or changing one screens it
at once with the screening service's own matching, so a watch and a screening never disagree."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match import DEFAULT_THRESHOLD, Query
from service.common.cursor import decode_cursor, encode_cursor
from service.kernel.clock import today, utcnow
from service.kernel.errors import Conflict
from service.kernel.owned import own_row
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.monitoring.models import WatchedSupplier
from service.monitoring.schemas import WatchedSupplierIn, WatchedSupplierOut, WatchPage
from service.screening.schemas import ScreenMatch, ScreenRequest, Subject, SubjectIdentifier
from service.screening.service import ListView, match_subjects
from service.screening.service import _query as subject_query

SUBJECT_FIELDS = {"ref", "name", "aliases", "country", "identifiers", "kind"}
MATCH_LIMIT = 5


def _subject(body: WatchedSupplierIn) -> dict[str, Any]:
    return body.model_dump(mode="json", include=SUBJECT_FIELDS - {"ref"})


def to_query(watch: WatchedSupplier) -> Query:
    return subject_query(Subject.model_validate({"ref": watch.ref, **watch.subject}))


def screen_watched(view: ListView, watches: list[WatchedSupplier], organisation_id: int) -> None:
    """Screen ``watches`` against ``view`` as their organisation sees it today; keep the result."""
    if not watches:
        return
    subjects = [Subject.model_validate({"ref": w.ref, **w.subject}) for w in watches]
    # Built without validation: the bulk bound was checked on the way in (WatchBulk).
    request = ScreenRequest.model_construct(subjects=subjects, limit=MATCH_LIMIT, include_inactive=False,
                                            as_of=None, threshold=None, tender_ref=None, known_at=None)
    results = match_subjects(view, request, on=today(), threshold=DEFAULT_THRESHOLD,
                             organisation_id=organisation_id)
    for watch, result in zip(watches, results, strict=True):
        watch.last_matches = [m.model_dump(mode="json") for m in result.matches]
        watch.last_revision = view.revision


def _live(tx: Tx, lists: Lists) -> ListView:
    # Matching only reads: catch the index up in a read-only session, as screening does.
    with tx.read() as session:
        view: ListView = lists.live(session)
    return view


def add(tx: Tx, principal: Principal, lists: Lists, bodies: list[WatchedSupplierIn]) -> list[WatchedSupplier]:
    refs = [b.ref for b in bodies]
    view = _live(tx, lists)
    taken = tx.session.scalars(select(WatchedSupplier.ref).where(
        WatchedSupplier.organisation_id == principal.organisation_id, WatchedSupplier.ref.in_(refs))).all()
    if taken:
        raise Conflict(f"already watched: {', '.join(sorted(taken)[:10])}")
    now = utcnow()
    watches = [WatchedSupplier(id=str(uuid.uuid4()), organisation_id=principal.organisation_id, ref=b.ref,
                               subject=_subject(b), contract_ref=b.contract_ref, watch_until=b.watch_until,
                               last_matches=[], last_revision=0, created_at=now, updated_at=now)
               for b in bodies]
    screen_watched(view, watches, principal.organisation_id)
    tx.session.add_all(watches)
    for w in watches:
        tx.audit("watchlist.add", "watched_supplier", w.id, {
            "ref": w.ref, **w.subject, "contract_ref": w.contract_ref,
            "watch_until": w.watch_until.isoformat() if w.watch_until else None,
            "list_revision": w.last_revision, "entry_ids": [m["entry_id"] for m in w.last_matches]})
    tx.session.flush()
    return watches


def get(session: Session, principal: Principal, watch_id: str) -> WatchedSupplier:
    return own_row(session, WatchedSupplier, watch_id, principal, "watched supplier")


def page(session: Session, principal: Principal, cursor: str | None, limit: int) -> WatchPage:
    after = decode_cursor(cursor, "p")["p"] if cursor else 0
    rows = session.scalars(select(WatchedSupplier).where(
        WatchedSupplier.organisation_id == principal.organisation_id, WatchedSupplier.position > after)
        .order_by(WatchedSupplier.position).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return WatchPage(items=[to_out(w) for w in rows],
                     next_cursor=encode_cursor({"p": rows[-1].position}) if more and rows else None)


def replace(tx: Tx, principal: Principal, lists: Lists, watch_id: str, body: WatchedSupplierIn) -> WatchedSupplier:
    watch = get(tx.session, principal, watch_id)
    if body.ref != watch.ref and tx.session.scalar(select(WatchedSupplier.id).where(
            WatchedSupplier.organisation_id == principal.organisation_id, WatchedSupplier.ref == body.ref)):
        raise Conflict(f"already watched: {body.ref}")
    view = _live(tx, lists)
    watch.ref, watch.subject = body.ref, _subject(body)
    watch.contract_ref, watch.watch_until, watch.updated_at = body.contract_ref, body.watch_until, utcnow()
    screen_watched(view, [watch], principal.organisation_id)
    tx.audit("watchlist.update", "watched_supplier", watch.id, {
        "ref": watch.ref, **watch.subject, "contract_ref": watch.contract_ref,
        "watch_until": watch.watch_until.isoformat() if watch.watch_until else None})
    return watch


def remove(tx: Tx, principal: Principal, watch_id: str) -> None:
    watch = get(tx.session, principal, watch_id)
    tx.session.delete(watch)
    tx.audit("watchlist.remove", "watched_supplier", watch.id, {"ref": watch.ref})


def to_out(watch: WatchedSupplier) -> WatchedSupplierOut:
    s = watch.subject
    return WatchedSupplierOut(
        id=watch.id, ref=watch.ref, name=s["name"], aliases=s.get("aliases", []), country=s.get("country"),
        identifiers=[SubjectIdentifier.model_validate(i) for i in s.get("identifiers", [])], kind=s.get("kind"),
        contract_ref=watch.contract_ref, watch_until=watch.watch_until, list_revision=watch.last_revision,
        matches=[ScreenMatch.model_validate(m) for m in watch.last_matches], created_at=watch.created_at,
        updated_at=watch.updated_at)
