"""Appeals against entries."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.appeals import service
from service.appeals.schemas import AppealLodge, AppealOut, AppealStep
from service.auth.access import ListingContributor, Reader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute, tags=["appeals"])



@router.post("/v1/entries/{entry_id}/appeals", response_model=AppealOut, status_code=status.HTTP_201_CREATED,
             operation_id="lodgeAppeal",
             summary="Record that an appeal was lodged against an entry",
             responses=PROBLEMS)
def lodge(entry_id: str, body: AppealLodge, response: Response, tx: TxDep, principal: ListingContributor) -> AppealOut:
    appeal = service.lodge(tx, principal, entry_id, body)
    response.headers["Location"] = f"/v1/appeals/{appeal.id}"
    return service.to_out(tx.session, appeal)


@router.get("/v1/entries/{entry_id}/appeals", response_model=list[AppealOut], operation_id="listEntryAppeals",
            summary="Every appeal against an entry", responses=PROBLEMS)
def list_for_entry(entry_id: str, tx: TxDep, principal: Reader) -> list[AppealOut]:
    return [service.to_out(tx.session, appeal)
            for appeal in service.list_for_entry(tx.session, principal, entry_id)]


@router.get("/v1/appeals/{appeal_id}", response_model=AppealOut, operation_id="getAppeal",
            summary="One appeal with its steps", responses=PROBLEMS)
def get_appeal(appeal_id: str, tx: TxDep, principal: Reader) -> AppealOut:
    return service.to_out(tx.session, service.get_appeal(tx.session, principal, appeal_id))


@router.post("/v1/appeals/{appeal_id}/steps", response_model=AppealOut, operation_id="recordAppealStep",
             summary="Record the next step: under_review, upheld, overturned (withdraws the entry) or varied "
                     "(contributor of the listing organisation)", responses=PROBLEMS)
def record_step(appeal_id: str, body: AppealStep, tx: TxDep, principal: ListingContributor) -> AppealOut:
    appeal = service.record_step(tx, principal, appeal_id, body)
    return service.to_out(tx.session, appeal)
