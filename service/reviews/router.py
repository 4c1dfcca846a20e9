"""Four-eyes reviews of new entries and of changes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from service.auth.access import Reviewer, ReviewQueueReader, ReviewReader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.reviews import service
from service.reviews.schemas import BatchApproval, BatchResult, Rejection, ReviewOut

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/reviews", tags=["reviews"])



@router.get("", response_model=list[ReviewOut], operation_id="listReviews",
            summary="Reviews of the caller's organisation",
            responses=PROBLEMS)
def list_reviews(tx: TxDep, principal: ReviewQueueReader,
                 status: Literal["pending", "approved", "rejected"] | None = None,
                 batch_ref: Annotated[str | None, Query(max_length=100)] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ReviewOut]:
    return [service.to_out(tx.session, review)
            for review in service.list_reviews(tx.session, principal, status, batch_ref, limit)]


@router.get("/{review_id}", response_model=ReviewOut, operation_id="getReview",
            summary="One review", responses=PROBLEMS)
def get_review(review_id: str, tx: TxDep, principal: ReviewReader) -> ReviewOut:
    return service.to_out(tx.session, service.get_review(tx.session, principal, review_id))


@router.post("/approve-batch", response_model=BatchResult, operation_id="approveReviewBatch",
             summary="Approve many reviews, by ids or by the batch_ref of a bulk request or import; all or "
                     "nothing", responses=PROBLEMS)
def approve_batch(body: BatchApproval, tx: TxDep, principal: Reviewer) -> BatchResult:
    reviews = service.approve_batch(tx, principal, body.ids, body.batch_ref)
    return BatchResult(approved=len(reviews), ids=[review.id for review in reviews])


@router.post("/{review_id}/approve", response_model=ReviewOut, operation_id="approveReview",
             summary="Approve: the entry or change is published (reviewer of the same organisation, not an "
                     "author)", responses=PROBLEMS)
def approve(review_id: str, tx: TxDep, principal: Reviewer) -> ReviewOut:
    review = service.approve(tx, principal, review_id)
    return service.to_out(tx.session, review)


@router.post("/{review_id}/reject", response_model=ReviewOut, operation_id="rejectReview",
             summary="Reject with a reason",
             responses=PROBLEMS)
def reject(review_id: str, body: Rejection, tx: TxDep, principal: Reviewer) -> ReviewOut:
    review = service.reject(tx, principal, review_id, body.reason)
    return service.to_out(tx.session, review)
