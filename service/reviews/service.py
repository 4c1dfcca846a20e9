"""Deciding reviews: a reviewer of the entry's organisation, other than its authors, approves
or rejects. An approval applies through the entries service's normal versioning (a new
version, a list revision at commit, so screening indexes of every replica follow)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.entries import service as entries
from service.entries.models import Entry, Review
from service.entries.publication import PENDING, PUBLISHED, REJECTED
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, Forbidden, NotFound
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx
from service.reviews.schemas import ReviewOut


def to_out(session: Session, review: Review) -> ReviewOut:
    org = session.get(Organisation, review.organisation_id)
    assert org is not None
    return ReviewOut(id=review.id, entry_id=review.entry_id, organisation=org.code, kind=review.kind,
                     status=review.status, proposed=review.proposed, base_version=review.base_version,
                     authors=list(review.authors), batch_ref=review.batch_ref, reason=review.reason,
                     created_at=review.created_at, decided_at=review.decided_at, decided_by=review.decided_by)


def _readable(principal: Principal, review: Review) -> bool:
    return principal.has(Role.auditor) or review.organisation_id == principal.organisation_id


def get_review(session: Session, principal: Principal, review_id: str) -> Review:
    review = session.get(Review, review_id)
    if review is None or not _readable(principal, review):
        raise NotFound(f"review {review_id!r} does not exist")
    return review


def list_reviews(session: Session, principal: Principal, status: str | None, batch_ref: str | None,
                 limit: int) -> list[Review]:
    """Reviewers see their organisation's reviews; auditors see every organisation's."""
    query = select(Review)
    if not principal.has(Role.auditor):
        query = query.where(Review.organisation_id == principal.organisation_id)
    if status:
        query = query.where(Review.status == status)
    if batch_ref:
        query = query.where(Review.batch_ref == batch_ref)
    return list(session.execute(query.order_by(Review.created_at, Review.id).limit(limit)).scalars())


def _lock_for_decision(tx: Tx, principal: Principal, review_id: str) -> tuple[Review, Entry]:
    # Row lock (PostgreSQL): two reviewers deciding at once queue, the second sees it decided.
    review = tx.session.execute(select(Review).where(Review.id == review_id).with_for_update()).scalar_one_or_none()
    if review is None:
        raise NotFound(f"review {review_id!r} does not exist")
    if review.organisation_id != principal.organisation_id:
        raise Forbidden("only reviewers of the entry's own organisation decide its reviews")
    if principal.client_id in review.authors:
        raise Forbidden("four-eyes rule: the author of an entry or change cannot approve or reject it; "
                        "another reviewer of the organisation must")
    if review.status != "pending":
        raise Conflict(f"review {review.id} is already {review.status}")
    entry = tx.session.execute(select(Entry).where(Entry.id == review.entry_id)).scalar_one()
    return review, entry


def approve(tx: Tx, principal: Principal, review_id: str) -> Review:
    review, entry = _lock_for_decision(tx, principal, review_id)
    if review.kind == "publish":
        if entry.publication != PENDING:
            raise Conflict(f"entry {entry.id} is {entry.publication}, not awaiting review")
        before, after = entries.revise(tx, principal, entry, "entry.publish", fields={"publication": PUBLISHED})
    else:
        if entry.withdrawn_at is not None:
            raise Conflict(f"entry {entry.id} was withdrawn since the change was proposed; reject it")
        if entry.version != review.base_version:
            raise Conflict(f"entry {entry.id} changed since the change was proposed (version "
                           f"{review.base_version} -> {entry.version}); reject it and propose it again")
        assert review.proposed is not None
        before, after = entries.revise(tx, principal, entry, "entry.update", content=review.proposed)
    _decide(review, principal, "approved", None)
    tx.audit("review.approve", "review", review.id, {
        "entry_id": entry.id, "kind": review.kind, "authors": review.authors, "batch_ref": review.batch_ref,
        "entry_version": entry.version, "before": before, "after": after})
    return review


def reject(tx: Tx, principal: Principal, review_id: str, reason: str) -> Review:
    """A rejected new entry is kept (publication ``rejected``, never screened); a rejected change
    leaves the published entry as it is."""
    review, entry = _lock_for_decision(tx, principal, review_id)
    details: dict[str, object] = {"entry_id": entry.id, "kind": review.kind, "authors": review.authors,
                                  "reason": reason}
    if review.kind == "publish":
        before, after = entries.revise(tx, principal, entry, "entry.reject", fields={"publication": REJECTED})
        details.update(entry_version=entry.version, before=before, after=after)
    _decide(review, principal, "rejected", reason)
    tx.audit("review.reject", "review", review.id, details)
    return review


def approve_batch(tx: Tx, principal: Principal, ids: Sequence[str] | None, batch_ref: str | None) -> list[Review]:
    """All or nothing: one review the caller may not approve fails the whole request."""
    if batch_ref is not None:
        query = select(Review.id).where(Review.batch_ref == batch_ref, Review.status == "pending",
                                        Review.organisation_id == principal.organisation_id)
        ids = list(tx.session.execute(query.order_by(Review.id)).scalars())
        if not ids:
            raise NotFound(f"no pending review of your organisation has batch_ref {batch_ref!r}")
    assert ids is not None
    # Sorted, so two overlapping batches lock their rows in one order.
    return [approve(tx, principal, review_id) for review_id in sorted(dict.fromkeys(ids))]


def _decide(review: Review, principal: Principal, status: str, reason: str | None) -> None:
    review.status = status
    review.reason = reason
    review.decided_at = utcnow()
    review.decided_by = principal.client_id
