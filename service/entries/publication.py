"""Four-eyes publication, owned by the entries domain: an entry of an organisation that
requires review waits (``pending_review``) and a change to a published one is proposed, each
as a ``Review`` row. ``service.reviews`` decides them through the entries service; nothing here
depends on it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.entries.models import Entry, Review
from service.entries.states import Publication
from service.kernel.errors import Conflict
from service.kernel.uow import Tx

PUBLISHED, PENDING, REJECTED = (Publication.published.value, Publication.pending_review.value,
                                 Publication.rejected.value)


def open_review(session: Session, entry_id: str) -> Review | None:
    query = select(Review).where(Review.entry_id == entry_id, Review.status == "pending")
    return session.execute(query).scalars().first()


def submit_publication(tx: Tx, entry: Entry, author: str, batch_ref: str | None) -> Review:
    """A new (or resubmitted rejected) entry waits: it is stored with publication pending_review."""
    entry.publication = PENDING
    review = Review(id=str(uuid.uuid4()), entry_id=entry.id, organisation_id=entry.organisation_id,
                    kind="publish", status="pending", authors=[author], batch_ref=batch_ref)
    tx.session.add(review)
    tx.audit("review.submit", "review", review.id, {"entry_id": entry.id, "kind": "publish",
                                                     "batch_ref": batch_ref})
    return review


def note_author(session: Session, entry: Entry, author: str) -> Review | None:
    """A pending entry changed again before review: whoever changed it is an author too."""
    review = open_review(session, entry.id)
    if review is not None and author not in review.authors:
        review.authors = [*review.authors, author]
    return review


def propose_change(tx: Tx, entry: Entry, content: dict[str, Any], before: dict[str, Any], author: str,
                   batch_ref: str | None) -> Review:
    """A change to a published entry waits; the published version keeps matching meanwhile."""
    pending = open_review(tx.session, entry.id)
    if pending is not None:
        raise Conflict(f"a change to entry {entry.id} already awaits review ({pending.id}); "
                       "it must be approved or rejected first")
    review = Review(id=str(uuid.uuid4()), entry_id=entry.id, organisation_id=entry.organisation_id,
                    kind="change", status="pending", proposed=content, base_version=entry.version,
                    authors=[author], batch_ref=batch_ref)
    tx.session.add(review)
    tx.audit("review.submit", "review", review.id, {"entry_id": entry.id, "kind": "change",
                                                     "batch_ref": batch_ref, "before": before,
                                                     "proposed": content})
    return review
