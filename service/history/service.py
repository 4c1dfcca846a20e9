"""Replaying a stored screening: the same request against the list as it was then and as it is
now, and what changed between the two. Read-only (no new receipt) but audited."""

from __future__ import annotations

from datetime import date, datetime

from debarlist_match import ALGORITHM
from service.history.schemas import ReplayResponse, ReplayRun, ScoreChange, SubjectChanges
from service.kernel.clock import today, utcnow
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.listview.versions import Cut
from service.screening.schemas import ScreenRequest, SubjectResult
from service.screening.service import match_subjects, readable_screening


def replay(tx: Tx, principal: Principal, lists: Lists, screening_id: str) -> ReplayResponse:
    """"Then" reads the list revision the screening read (or the instant it asked for with
    ``known_at``) on its stored ``as_of``; "now" reads the live list on today's date. Both use the
    stored threshold and the screening organisation's visibility, whoever replays it."""
    with tx.read() as session:  # a replay reads; only its audit record is written, at commit
        screening = readable_screening(session, principal, screening_id)
        request = ScreenRequest.model_validate(screening.request, context={"stored": True})
        cut = (Cut(known_at=request.known_at) if request.known_at is not None
               else Cut(revision=screening.list_revision))
        then_view = lists.at(session, cut)
        now_view = lists.live(session)
    then_results = match_subjects(then_view, request, on=screening.as_of, threshold=screening.threshold,
                                  organisation_id=screening.organisation_id)
    revision = now_view.revision
    on = today()
    now_results = match_subjects(now_view, request, on=on, threshold=screening.threshold,
                                 organisation_id=screening.organisation_id)
    changes = [_diff(then, now) for then, now in zip(then_results, now_results, strict=True)]
    response = ReplayResponse(
        screening_id=screening.id, screened_at=screening.screened_at, replayed_at=utcnow(), algorithm=ALGORITHM,
        threshold=screening.threshold,
        then=_run(screening.as_of, request.known_at, then_view.revision, then_results),
        now=_run(on, None, revision, now_results), changes=changes)
    tx.audit("screening.replay", "screening", screening.id, {
        "then": {"as_of": screening.as_of.isoformat(), "list_revision": then_view.revision,
                 "known_at": request.known_at.isoformat() if request.known_at else None},
        "now": {"as_of": on.isoformat(), "list_revision": revision},
        "changes": [change.model_dump() for change in changes if change.added or change.removed or change.changed],
    }, tender_ref=screening.tender_ref)
    return response


def _run(on: date, known_at: datetime | None, revision: int, results: list[SubjectResult]) -> ReplayRun:
    return ReplayRun(as_of=on, known_at=known_at, list_revision=revision, results=results)


def _diff(then: SubjectResult, now: SubjectResult) -> SubjectChanges:
    before = {m.entry_id: m for m in then.matches}
    after = {m.entry_id: m for m in now.matches}
    changed = []
    for entry_id in before.keys() & after.keys():
        old, new = before[entry_id], after[entry_id]
        if (old.score, old.entry.status, old.entry.appeal_status) != (new.score, new.entry.status,
                                                                      new.entry.appeal_status):
            changed.append(ScoreChange(entry_id=entry_id, score_then=old.score, score_now=new.score,
                                       status_then=old.entry.status, status_now=new.entry.status,
                                       appeal_status_then=old.entry.appeal_status,
                                       appeal_status_now=new.entry.appeal_status))
    return SubjectChanges(ref=then.ref, added=[key for key in after if key not in before],
                          removed=[key for key in before if key not in after],
                          changed=sorted(changed, key=lambda change: change.entry_id))
