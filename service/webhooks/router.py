"""Webhook endpoints of the caller's organisation and their delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, status

from service.auth.deps import Principal, TxDep, require
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.kernel.roles import Role
from service.webhooks import service
from service.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryState,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookSecret,
    WebhookUpdate,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["webhooks"])

Owner = Annotated[Principal, Depends(require(Role.admin, Role.screener, who="admin or screener of its organisation"))]


def _policy(request: Request) -> service.UrlPolicy:
    settings = request.app.state.settings
    return service.UrlPolicy(allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private)


@router.post("/v1/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED,
             operation_id="createWebhook",
             summary="Register a webhook endpoint; its signing secret is in this answer only", responses=PROBLEMS)
def create_webhook(body: WebhookIn, request: Request, response: Response, tx: TxDep,
                   principal: Owner) -> WebhookCreated:
    created = service.create(tx, principal, body, _policy(request))
    response.headers["Location"] = f"/v1/webhooks/{created.id}"
    return created


@router.get("/v1/webhooks", response_model=WebhookList, operation_id="listWebhooks",
            summary="The organisation's webhook endpoints", responses=PROBLEMS)
def list_webhooks(tx: TxDep, principal: Owner) -> WebhookList:
    return WebhookList(items=[service.to_out(e) for e in service.listing(tx.session, principal)])


@router.get("/v1/webhooks/{webhook_id}", response_model=WebhookOut, operation_id="getWebhook",
            summary="A webhook endpoint (never its secret)", responses=PROBLEMS)
def get_webhook(webhook_id: str, tx: TxDep, principal: Owner) -> WebhookOut:
    return service.to_out(service.get(tx.session, principal, webhook_id))


@router.patch("/v1/webhooks/{webhook_id}", response_model=WebhookOut, operation_id="updateWebhook",
              summary="Change a webhook endpoint's URL, event types, description, or pause it", responses=PROBLEMS)
def update_webhook(webhook_id: str, body: WebhookUpdate, request: Request, tx: TxDep,
                   principal: Owner) -> WebhookOut:
    return service.to_out(service.update(tx, principal, webhook_id, body, _policy(request)))


@router.delete("/v1/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteWebhook",
               summary="Remove a webhook endpoint and its delivery log", responses=PROBLEMS)
def delete_webhook(webhook_id: str, tx: TxDep, principal: Owner) -> Response:
    service.remove(tx, principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/v1/webhooks/{webhook_id}/rotate-secret", response_model=WebhookSecret,
             operation_id="rotateWebhookSecret",
             summary="Issue a new signing secret (shown once); the old one also signs for 24 hours",
             responses=PROBLEMS)
def rotate_webhook_secret(webhook_id: str, tx: TxDep, principal: Owner) -> WebhookSecret:
    return service.rotate_secret(tx, principal, webhook_id)


@router.get("/v1/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage, operation_id="listWebhookDeliveries",
            summary="The endpoint's delivery log, newest first: attempts, status codes, next attempt, state",
            responses=PROBLEMS)
def list_deliveries(webhook_id: str, tx: TxDep, principal: Owner, state: DeliveryState | None = None,
                    cursor: Annotated[str | None, Query(max_length=200)] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveryPage:
    return service.deliveries(tx.session, principal, webhook_id, state, cursor, limit)


@router.post("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             operation_id="redeliverWebhook",
             summary="Send a delivery again (same webhook-id), due now with a fresh retry window", responses=PROBLEMS)
def redeliver(webhook_id: str, delivery_id: str, tx: TxDep, principal: Owner) -> DeliveryOut:
    return service.redeliver(tx, principal, webhook_id, delivery_id)


def install(app: FastAPI) -> None:
    """The routes, and the outbox's depth as gauges (pending deliveries, dead letters)."""
    app.include_router(router)
    sessions = app.state.sessions

    def depth() -> dict[tuple[str, ...], float]:
        with sessions.read() as session:
            return {(state,): float(count) for state, count in service.outbox_depth(session).items()}

    app.state.gauges.add("debarlist_webhook_outbox_depth",
                         "Webhook deliveries not delivered, by state: pending (queued or retrying), dead "
                         "(given up; redeliver on request).", depth, labels=("state",))
