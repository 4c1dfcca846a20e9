"""Screening: match subjects against the list in force, and keep a receipt of every run."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match import ALGORITHM, DEFAULT_THRESHOLD, Identifier, Match, Query
from service.auth.models import Organisation
from service.decisions.keys import standing_many, subject_key
from service.decisions.schemas import StandingDecision
from service.entries.models import Entry
from service.entries.policy import screened_partitions
from service.kernel.clock import today, utcnow
from service.kernel.errors import NotFound
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx
from service.limits.limiter import charge_subjects
from service.listview import Lists
from service.listview.facts import ListedFacts
from service.listview.versions import Cut
from service.screening.models import Screening
from service.screening.schemas import (
    MatchedEntry,
    Recogniser,
    ScreeningReceipt,
    ScreenMatch,
    ScreenRequest,
    ScreenResponse,
    Subject,
    SubjectResult,
)


def _query(subject: Subject) -> Query:
    return Query(name=subject.name, aliases=tuple(subject.aliases), country=subject.country,
                 identifiers=tuple(Identifier(scheme=i.scheme, value=i.value) for i in subject.identifiers),
                 kind=subject.kind)


def _matched_entry(facts: ListedFacts, on: date) -> MatchedEntry:
    status = facts.status_on(on)
    return MatchedEntry(
        name=facts.name, listing=facts.listing, grounds=list(facts.grounds), starts_on=facts.starts_on,
        ends_on=facts.ends_on, status=status, in_force=status == "active", appeal_status=facts.appeal_status,
        organisation=facts.organisation, legal_basis=facts.legal_basis, decision_ref=facts.decision_ref,
        decided_on=facts.decided_on, source=facts.source, appeal_lodged_on=facts.appeal_lodged_on,
        appeal_decided_on=facts.appeal_decided_on, appeal_decision_ref=facts.appeal_decision_ref,
        recognised_by=[Recogniser(organisation=r.organisation, decision_ref=r.decision_ref,
                                  legal_basis=r.legal_basis, starts_on=r.starts_on, ends_on=r.ends_on)
                       for r in facts.recognitions if r.in_force(on)])


class ListView(Protocol):
    @property
    def revision(self) -> int:
        """The list revision the view reads."""
        ...

    def search(self, query: Query, *, threshold: float, limit: int, accept: Callable[[ListedFacts], bool],
               partitions: Iterable[str | None]) -> list[tuple[Match, ListedFacts]]: ...


def match_subjects(view: ListView, request: ScreenRequest, *, on: date, threshold: float,
                   organisation_id: int) -> list[SubjectResult]:
    """Match every subject, as the screening organisation may see the list on ``on``.

    Entries awaiting review or rejected (four-eyes publication) never match, not even with
    include_inactive: they are not part of the list yet. Expiry is derived from the dates, so
    an entry stops matching the day after its ``ends_on`` with no job to run. Entries in force
    are searched first and on their own, so that no number of inactive look-alikes can push
    one out; with include_inactive the inactive ones are merged in after them at equal score.
    """

    def in_force(facts: ListedFacts) -> bool:
        return facts.screenable_by(organisation_id) and facts.in_force_on(on)

    def inactive(facts: ListedFacts) -> bool:
        return facts.screenable_by(organisation_id) and not facts.in_force_on(on)

    active_parts = screened_partitions(organisation_id, include_inactive=False)
    all_parts = screened_partitions(organisation_id, include_inactive=True)
    results = []
    for subject in request.subjects:
        query = _query(subject)
        found = view.search(query, threshold=threshold, limit=request.limit, accept=in_force,
                            partitions=active_parts)
        if request.include_inactive:
            found += view.search(query, threshold=threshold, limit=request.limit, accept=inactive,
                                 partitions=all_parts)
            found = sorted(found, key=lambda pair: -pair[0].score)[:request.limit]  # stable: in force first
        results.append(SubjectResult(ref=subject.ref, matches=[
            ScreenMatch(entry_id=m.key, score=m.score, matched_name=m.matched_name, query_name=m.query_name,
                        explanation=m.explanation, entry=_matched_entry(facts, on))
            for m, facts in found]))
    return results


def screen(tx: Tx, principal: Principal, lists: Lists, request: ScreenRequest) -> ScreenResponse:
    # Every screening (/v1/screen, /match, /reconcile, OCDS) passes here: the client's subjects
    # per minute are counted before any work (429 over its budget; service.limits).
    charge_subjects(principal, len(request.subjects))
    on = request.as_of or today()
    threshold = DEFAULT_THRESHOLD if request.threshold is None else request.threshold
    # Matching only reads: the index catches up, and the standing decisions are read, in one
    # read-only session (held while the engine matches: on SQLite a reader holds no lock a writer
    # waits for, on PostgreSQL a read-only transaction blocks no one); the write lock (on SQLite)
    # is taken only to keep the receipt.
    with tx.read() as session:
        view: ListView = (lists.at(session, Cut(known_at=request.known_at)) if request.known_at is not None
                          else lists.live(session))
        results = match_subjects(view, request, on=on, threshold=threshold,
                                 organisation_id=principal.organisation_id)
        show_decisions(session, principal.organisation_id, request.model_dump(mode="json")["subjects"], results)
    response = ScreenResponse(screening_id=str(uuid.uuid4()), screened_at=utcnow(), as_of=on,
                              list_revision=view.revision, algorithm=ALGORITHM, threshold=threshold,
                              tender_ref=request.tender_ref, known_at=request.known_at, results=results)
    _keep_receipt(tx, principal, request, response)
    return response


def show_decisions(session: Session, organisation_id: int, subjects: list[dict[str, Any]],
                   results: list[SubjectResult]) -> None:
    """Put the organisation's standing decision beside each match it covers (same supplier, same
    entry), marking whether the entry changed since it was decided."""
    keys = [subject_key(subject) for subject in subjects]
    pairs = {(key, match.entry_id) for key, result in zip(keys, results, strict=True) for match in result.matches}
    found = standing_many(session, organisation_id, pairs)
    revisions: dict[str, int] = {}
    if found:
        rows = session.execute(select(Entry.id, Entry.revision).where(Entry.id.in_({e for _, e in found})))
        revisions = {entry_id: revision for entry_id, revision in rows}
    for key, result in zip(keys, results, strict=True):
        for match in result.matches:
            decision = found.get((key, match.entry_id))
            match.decision = None if decision is None else StandingDecision(
                id=decision.id, decision=decision.decision,
                note=decision.note, action=decision.action, decided_by=decision.decided_by,
                decided_at=decision.decided_at, entry_revision=decision.entry_revision,
                current=revisions.get(match.entry_id) == decision.entry_revision)


def _keep_receipt(tx: Tx, principal: Principal, request: ScreenRequest, response: ScreenResponse) -> None:
    results = [result.model_dump(mode="json") for result in response.results]
    # Appended only: committed with other screenings' receipts when nothing else was written.
    tx.keep(Screening(
        id=response.screening_id, organisation_id=principal.organisation_id, client_id=principal.client_id,
        tender_ref=request.tender_ref, as_of=response.as_of, list_revision=response.list_revision,
        algorithm=response.algorithm, threshold=response.threshold, subject_count=len(request.subjects),
        match_count=sum(len(r.matches) for r in response.results), request=request.model_dump(mode="json"),
        results=results, screened_at=response.screened_at))
    # The audit record names the subjects and the matched entries, not the explanations:
    # the receipt holds the full answer.
    tx.audit("screening.run", "screening", response.screening_id, {
        "as_of": response.as_of.isoformat(), "list_revision": response.list_revision,
        **({"known_at": request.known_at.isoformat()} if request.known_at else {}),
        "algorithm": response.algorithm, "threshold": response.threshold,
        "subjects": [{"ref": s.ref, "name": s.name, "country": s.country,
                      "identifiers": [i.model_dump() for i in s.identifiers]} for s in request.subjects],
        "matches": [{"ref": r.ref, "entry_ids": [m.entry_id for m in r.matches]} for r in response.results],
    }, tender_ref=request.tender_ref)


def readable_screening(session: Session, principal: Principal, screening_id: str) -> Screening:
    screening = session.get(Screening, screening_id)
    # Receipts hold bidders' names: only the screening organisation and auditors read them.
    if screening is None or not (principal.has(Role.auditor)
                                 or screening.organisation_id == principal.organisation_id):
        raise NotFound(f"screening {screening_id!r} does not exist")
    return screening


def get_receipt(session: Session, principal: Principal, screening_id: str) -> ScreeningReceipt:
    screening = readable_screening(session, principal, screening_id)
    org = session.get(Organisation, screening.organisation_id)
    assert org is not None
    results = [SubjectResult.model_validate(r) for r in screening.results]
    # Decisions taken since the screening ran are shown too: the receipt is the tender file's record.
    show_decisions(session, screening.organisation_id, screening.request["subjects"], results)
    return ScreeningReceipt(
        screening_id=screening.id, screened_at=screening.screened_at, as_of=screening.as_of,
        list_revision=screening.list_revision, algorithm=screening.algorithm, threshold=screening.threshold,
        tender_ref=screening.tender_ref, results=results,
        organisation=org.code, client_id=screening.client_id, request=screening.request,
        known_at=screening.request.get("known_at"))
