"""Bulk upsert by external_ref: each row is validated and written on its own terms."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.entries.models import Entry, Review
from service.entries.publication import submit_publication
from service.entries.schemas import BulkResponse, BulkRowResult, EntryContent
from service.entries.service import (
    apply_content,
    content_of,
    describe_validation_error,
    new_entry,
    normalised_content,
    organisation_of,
    record_version,
    write_change,
)
from service.kernel.errors import Conflict
from service.kernel.principal import Principal
from service.kernel.uow import Tx


def bulk_upsert(tx: Tx, principal: Principal, rows: list[dict[str, Any]], *,
                create_action: str = "entry.create", update_action: str = "entry.update",
                batch_ref: str | None = None, progress: Callable[[int], None] | None = None) -> BulkResponse:
    """Create or update by ``external_ref``; a bad row is reported and the rest still land.

    In a four-eyes organisation new rows and changes wait for review under one batch reference
    (``batch_ref``, or a new one), which a reviewer approves in one call. ``progress`` is told how
    many rows have been handled, as the writing goes (a console page shows it)."""
    org = organisation_of(tx.session, principal)
    if org.requires_review and batch_ref is None:
        batch_ref = "bulk-" + str(uuid.uuid4())
    results: list[BulkRowResult] = []
    valid: dict[str, tuple[int, EntryContent]] = {}
    for index, raw in enumerate(rows):
        ref = raw.get("external_ref") if isinstance(raw, dict) else None
        ref_text = ref.strip() if isinstance(ref, str) else None
        try:
            data = EntryContent.model_validate(raw)
        except ValidationError as exc:
            results.append(BulkRowResult(index=index, external_ref=ref_text, result="error",
                                         error=describe_validation_error(exc)))
            continue
        if data.external_ref is None:
            results.append(BulkRowResult(index=index, external_ref=None, result="error",
                                         error="external_ref is required in bulk requests"))
        elif data.external_ref in valid:
            results.append(BulkRowResult(index=index, external_ref=data.external_ref, result="error",
                                         error=f"external_ref repeats row {valid[data.external_ref][0]}"))
        else:
            valid[data.external_ref] = (index, data)
    existing = _existing_by_ref(tx.session, org.id, list(valid))
    refused_before_writing = len(results)
    # Sorted by reference, so concurrent bulk writers lock shared rows in one order.
    for position, ref in enumerate(sorted(valid)):
        if progress is not None:
            progress(refused_before_writing + position)
        index, data = valid[ref]
        content = normalised_content(data)
        entry = existing.get(ref)
        review: Review | None = None
        if entry is None:
            entry = new_entry(tx, principal, org)
            apply_content(entry, content)
            tx.session.add(entry)
            if org.requires_review:
                review = submit_publication(tx, entry, principal.client_id, batch_ref)
            record_version(tx, entry, create_action, None)
            outcome = "created"
        elif entry.withdrawn_at is not None:
            results.append(BulkRowResult(index=index, external_ref=ref, result="error", id=entry.id,
                                         error="entry is withdrawn and cannot be changed"))
            continue
        elif content_of(entry) == content:
            outcome = "unchanged"
        else:
            try:
                review = write_change(tx, principal, org, entry, content, update_action, batch_ref)
            except Conflict as exc:
                results.append(BulkRowResult(index=index, external_ref=ref, result="error", id=entry.id,
                                             error=exc.detail))
                continue
            outcome = "updated"
        results.append(BulkRowResult(index=index, external_ref=ref, result=outcome, id=entry.id,
                                     review_id=review.id if review else None))
    if progress is not None:
        progress(len(rows))
    results.sort(key=lambda row: row.index)
    counts = {name: sum(1 for row in results if row.result == name)
              for name in ("created", "updated", "unchanged", "error")}
    reviewed = any(row.review_id for row in results)
    return BulkResponse(created=counts["created"], updated=counts["updated"], unchanged=counts["unchanged"],
                        errors=counts["error"], results=results, review_batch=batch_ref if reviewed else None)


def _existing_by_ref(session: Session, org_id: int, refs: list[str]) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        query = select(Entry).where(Entry.organisation_id == org_id, Entry.external_ref.in_(chunk))
        for entry in session.execute(query).scalars():
            assert entry.external_ref is not None
            found[entry.external_ref] = entry
    return found

