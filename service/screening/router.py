"""Screening of bidders and the receipts of past screenings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.auth.access import ReceiptReader, Screener
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.observability.metrics import observe_screening
from service.screening import service
from service.screening.schemas import ScreeningReceipt, ScreenRequest, ScreenResponse

router = APIRouter(route_class=StrictJSONRoute, tags=["screening"])



@router.post("/v1/screen", response_model=ScreenResponse, operation_id="screen",
             summary="Screen 1 to 1,000 bidders against the list in force", responses=PROBLEMS)
def screen(body: ScreenRequest, request: Request, tx: TxDep, principal: Screener) -> ScreenResponse:
    response = service.screen(tx, principal, request.app.state.lists, body)
    observe_screening(len(response.results), (m.score for r in response.results for m in r.matches))
    return response


@router.get("/v1/screenings/{screening_id}", response_model=ScreeningReceipt, operation_id="getScreening",
            summary="A stored screening, for the tender file",
            responses=PROBLEMS)
def get_screening(screening_id: str, tx: TxDep, principal: ReceiptReader) -> ScreeningReceipt:
    return service.get_receipt(tx.session, principal, screening_id)
