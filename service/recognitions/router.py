"""Recognitions of entries by other organisations."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.auth.access import OtherContributor, Reader, RecognisingContributor
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.recognitions import service
from service.recognitions.schemas import RecognitionCreate, RecognitionOut, RecognitionWithdrawal

router = APIRouter(route_class=StrictJSONRoute, tags=["recognitions"])



@router.post("/v1/entries/{entry_id}/recognitions", response_model=RecognitionOut,
             status_code=status.HTTP_201_CREATED, operation_id="recogniseEntry",
             summary="Recognise another organisation's entry with the caller's own decision (contributor of an "
                     "organisation other than the listing one)", responses=PROBLEMS)
def create(entry_id: str, body: RecognitionCreate, response: Response, tx: TxDep,
           principal: OtherContributor) -> RecognitionOut:
    recognition = service.create(tx, principal, entry_id, body)
    response.headers["Location"] = f"/v1/entries/{entry_id}/recognitions"
    return service.to_out(tx.session, recognition)


@router.get("/v1/entries/{entry_id}/recognitions", response_model=list[RecognitionOut],
            operation_id="listEntryRecognitions",
            summary="Every recognition of an entry, withdrawn ones included (contributor, screener, auditor, "
                    "reviewer)", responses=PROBLEMS)
def list_for_entry(entry_id: str, tx: TxDep, principal: Reader) -> list[RecognitionOut]:
    return [service.to_out(tx.session, r) for r in service.list_for_entry(tx.session, principal, entry_id)]


@router.post("/v1/recognitions/{recognition_id}/withdraw", response_model=RecognitionOut,
             operation_id="withdrawRecognition",
             summary="Withdraw a recognition", responses=PROBLEMS)
def withdraw(recognition_id: str, body: RecognitionWithdrawal, tx: TxDep,
             principal: RecognisingContributor) -> RecognitionOut:
    recognition = service.withdraw(tx, principal, recognition_id, body.reason)
    return service.to_out(tx.session, recognition)
