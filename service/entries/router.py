"""Entries: the listed enterprises and persons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from service.auth.access import Contributor, ListingContributor, Reader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.common.strict import UtcInstant
from service.entries import bulk, service
from service.entries.schemas import (
    BulkRequest,
    BulkResponse,
    EntryCreate,
    EntryOut,
    EntryPage,
    EntryPatch,
    Ground,
    Listing,
    RevisionOut,
    Withdrawal,
)
from service.entries.states import Status
from service.kernel.clock import today

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/entries", tags=["entries"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description="The entry's ETag.")]
# Required: without it the answer is 428 Precondition Required (service.problems), not 422.
RequiredIfMatch = Annotated[str, Header(alias="If-Match", min_length=1, description="The entry's ETag.")]


@router.post("", response_model=EntryOut, status_code=status.HTTP_201_CREATED, operation_id="createEntry",
             summary="List an enterprise or person for the caller's organisation",
             responses=PROBLEMS)
def create_entry(body: EntryCreate, response: Response, tx: TxDep, principal: Contributor) -> EntryOut:
    entry, review = service.create_entry_reviewed(tx, principal, body)
    response.headers["ETag"] = service.etag(entry)
    response.headers["Location"] = f"/v1/entries/{entry.id}"
    return service.to_out(entry, review_id=review.id if review else None)


@router.post("/bulk", response_model=BulkResponse, operation_id="bulkUpsertEntries",
             summary="Create or update up to 10,000 entries by external_ref",
             responses=PROBLEMS)
def bulk_upsert(body: BulkRequest, tx: TxDep, principal: Contributor) -> BulkResponse:
    result = bulk.bulk_upsert(tx, principal, body.entries)
    return result


@router.get("", response_model=EntryPage, operation_id="listEntries",
            summary="List entries the caller may see",
            responses=PROBLEMS)
def list_entries(
    tx: TxDep, principal: Reader,
    organisation: Annotated[str | None, Query(max_length=16, description="Organisation code.")] = None,
    listing: Listing | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    grounds: Ground | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Text in names or aliases.")] = None,
    updated_since: Annotated[UtcInstant | None, Query(description="Changed since this instant (ISO 8601; no offset = "
                                                                   "UTC).")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EntryPage:
    filters = service.EntryFilters(organisation=organisation, listing=listing, status=status_, country=country,
                                   grounds=grounds, q=q, updated_since=updated_since)
    entries, next_cursor = service.list_entries(tx.session, principal, filters, cursor, limit)
    on = today()
    return EntryPage(items=[service.to_out(entry, on) for entry in entries], next_cursor=next_cursor)


@router.get("/{entry_id}", response_model=EntryOut, operation_id="getEntry",
            summary="One entry", responses=PROBLEMS)
def get_entry(entry_id: str, response: Response, tx: TxDep, principal: Reader) -> EntryOut:
    entry = service.get_visible(tx.session, principal, entry_id)
    response.headers["ETag"] = service.etag(entry)
    return service.to_out(entry)


@router.patch("/{entry_id}", response_model=EntryOut, operation_id="updateEntry",
              summary="Change an entry of the caller's organisation; needs If-Match; 202 when the change "
                      "awaits review",
              responses={**PROBLEMS, 202: {"model": EntryOut, "description": (
                  "Four-eyes organisation: the change awaits review (Location: the review); the entry "
                  "answered is unchanged")}})
def update_entry(entry_id: str, body: EntryPatch, response: Response, tx: TxDep, principal: ListingContributor,
                 if_match: RequiredIfMatch) -> EntryOut:
    entry, review = service.update_entry_reviewed(tx, principal, entry_id, body, if_match)
    response.headers["ETag"] = service.etag(entry)
    if review is not None and review.kind == "change":
        # Four-eyes: the change waits for a reviewer; the entry answered is the unchanged one.
        response.status_code = status.HTTP_202_ACCEPTED
        response.headers["Location"] = f"/v1/reviews/{review.id}"
    return service.to_out(entry, review_id=review.id if review else None)


@router.post("/{entry_id}/withdraw", response_model=EntryOut, operation_id="withdrawEntry",
             summary="Withdraw an entry with a reason; entries are never deleted",
             responses=PROBLEMS)
def withdraw_entry(entry_id: str, body: Withdrawal, response: Response, tx: TxDep, principal: ListingContributor,
                   if_match: IfMatch = None) -> EntryOut:
    entry = service.withdraw_entry(tx, principal, entry_id, body.reason, if_match)
    response.headers["ETag"] = service.etag(entry)
    return service.to_out(entry)


@router.get("/{entry_id}/revisions", response_model=list[RevisionOut], operation_id="listEntryRevisions",
            summary="Every version of an entry", responses=PROBLEMS)
def list_revisions(entry_id: str, tx: TxDep, principal: Reader) -> list[RevisionOut]:
    return [RevisionOut(version=rev.version, list_revision=rev.list_revision, action=rev.action,
                        recorded_at=rev.recorded_at, recorded_by=rev.recorded_by, data=rev.data)
            for rev in service.list_revisions(tx.session, principal, entry_id)]
