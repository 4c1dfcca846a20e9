"""Replay of stored screenings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.auth.access import ReceiptReader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.history import service
from service.history.schemas import ReplayResponse

router = APIRouter(route_class=StrictJSONRoute, tags=["screening"])



@router.post("/v1/screenings/{screening_id}/replay", response_model=ReplayResponse, operation_id="replayScreening",
             summary="Re-run a stored screening against the list as it was then and as it is now, and show what "
                     "changed; no new receipt", responses=PROBLEMS)
def replay(screening_id: str, request: Request, tx: TxDep, principal: ReceiptReader) -> ReplayResponse:
    response = service.replay(tx, principal, request.app.state.lists, screening_id)
    return response
