"""Monitoring after award: the organisation's watchlist of contracted suppliers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from service.auth.access import Screener
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.common.strict import Instant
from service.monitoring import alerts, decisions, watchlist
from service.monitoring.schemas import (
    AlertOut,
    AlertPage,
    DecisionIn,
    DecisionOut,
    ScreeningDecisionIn,
    WatchBulk,
    WatchBulkResult,
    WatchedSupplierIn,
    WatchedSupplierOut,
    WatchPage,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["monitoring"])



@router.post("/v1/watchlist", response_model=WatchedSupplierOut, status_code=status.HTTP_201_CREATED,
             operation_id="watchSupplier", summary="Watch a contracted supplier; it is screened at once",
             responses=PROBLEMS)
def watch(body: WatchedSupplierIn, request: Request, response: Response, tx: TxDep,
          principal: Screener) -> WatchedSupplierOut:
    added = watchlist.add(tx, principal, request.app.state.lists, [body])[0]
    response.headers["Location"] = f"/v1/watchlist/{added.id}"
    return watchlist.to_out(added)


@router.post("/v1/watchlist/bulk", response_model=WatchBulkResult, operation_id="watchSuppliers",
             summary="Watch 1 to 1,000 suppliers at once; each is screened at once", responses=PROBLEMS)
def watch_bulk(body: WatchBulk, request: Request, tx: TxDep, principal: Screener) -> WatchBulkResult:
    added = watchlist.add(tx, principal, request.app.state.lists, body.suppliers)
    return WatchBulkResult(results=[watchlist.to_out(w) for w in added])


@router.get("/v1/watchlist", response_model=WatchPage, operation_id="listWatchlist",
            summary="The organisation's watched suppliers, oldest first", responses=PROBLEMS)
def list_watchlist(tx: TxDep, principal: Screener, cursor: Annotated[str | None, Query(max_length=200)] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> WatchPage:
    return watchlist.page(tx.session, principal, cursor, limit)


@router.get("/v1/watchlist/{watch_id}", response_model=WatchedSupplierOut, operation_id="getWatchedSupplier",
            summary="A watched supplier with its last screening's matches", responses=PROBLEMS)
def get_watched(watch_id: str, tx: TxDep, principal: Screener) -> WatchedSupplierOut:
    return watchlist.to_out(watchlist.get(tx.session, principal, watch_id))


@router.put("/v1/watchlist/{watch_id}", response_model=WatchedSupplierOut, operation_id="replaceWatchedSupplier",
            summary="Change a watched supplier; it is screened again at once", responses=PROBLEMS)
def replace_watched(watch_id: str, body: WatchedSupplierIn, request: Request, tx: TxDep,
                    principal: Screener) -> WatchedSupplierOut:
    return watchlist.to_out(watchlist.replace(tx, principal, request.app.state.lists, watch_id, body))


@router.delete("/v1/watchlist/{watch_id}", status_code=status.HTTP_204_NO_CONTENT,
               operation_id="unwatchSupplier", summary="Stop watching a supplier", responses=PROBLEMS)
def unwatch(watch_id: str, tx: TxDep, principal: Screener) -> Response:
    watchlist.remove(tx, principal, watch_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/alerts", response_model=AlertPage, operation_id="listAlerts",
            summary="The organisation's alerts, oldest first: poll with status=new and since", responses=PROBLEMS)
def list_alerts(tx: TxDep, principal: Screener, status: Literal["new", "acknowledged"] | None = None,
                since: Instant | None = None, cursor: Annotated[str | None, Query(max_length=200)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> AlertPage:
    return alerts.page(tx.session, principal, status, since, cursor, limit)


@router.get("/v1/alerts/{alert_id}", response_model=AlertOut, operation_id="getAlert",
            summary="An alert", responses=PROBLEMS)
def get_alert(alert_id: str, tx: TxDep, principal: Screener) -> AlertOut:
    return alerts.to_out(alerts.get(tx.session, principal, alert_id))


@router.post("/v1/alerts/{alert_id}/acknowledge", response_model=AlertOut, operation_id="acknowledgeAlert",
             summary="Acknowledge an alert", responses=PROBLEMS)
def acknowledge_alert(alert_id: str, tx: TxDep, principal: Screener) -> AlertOut:
    return alerts.to_out(alerts.acknowledge(tx, principal, alert_id))


@router.post("/v1/alerts/{alert_id}/decision", response_model=DecisionOut, status_code=status.HTTP_201_CREATED,
             operation_id="decideAlert", summary="Decide an alert's match: confirmed or false_positive",
             responses=PROBLEMS)
def decide_alert(alert_id: str, body: DecisionIn, tx: TxDep, principal: Screener) -> DecisionOut:
    return decisions.to_out(decisions.decide_alert(tx, principal, alert_id, body))


@router.post("/v1/screenings/{screening_id}/decisions", response_model=DecisionOut,
             status_code=status.HTTP_201_CREATED, operation_id="decideScreeningMatch",
             summary="Decide a match in a stored screening: confirmed or false_positive", responses=PROBLEMS)
def decide_screening(screening_id: str, body: ScreeningDecisionIn, tx: TxDep, principal: Screener) -> DecisionOut:
    return decisions.to_out(decisions.decide_screening(tx, principal, screening_id, body))


@router.get("/v1/decisions/{decision_id}/history", response_model=list[DecisionOut],
            operation_id="getDecisionHistory",
            summary="Every decision on the same supplier and entry, oldest first", responses=PROBLEMS)
def decision_history(decision_id: str, tx: TxDep, principal: Screener) -> list[DecisionOut]:
    return [decisions.to_out(d) for d in decisions.history(tx.session, principal, decision_id)]


@router.post("/v1/decisions/{decision_id}/reverse", response_model=DecisionOut, operation_id="reverseDecision",
             summary="Reverse a decision (it stays in the history)", responses=PROBLEMS)
def reverse_decision(decision_id: str, tx: TxDep, principal: Screener) -> DecisionOut:
    return decisions.to_out(decisions.reverse(tx, principal, decision_id))
