"""Webhook endpoints of an organisation (register, read, change, remove, rotate the secret) and
their delivery log (read, redeliver). Every endpoint belongs to one organisation: another
organisation's caller is told it does not exist."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.common.cursor import decode_cursor, encode_cursor
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, NotFound
from service.kernel.owned import own_row
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from service.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookSecret,
    WebhookUpdate,
)
from service.webhooks.urls import validated

MAX_ENDPOINTS = 50  # per organisation: every event is sent once to each
ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret keeps signing this long after a rotation
RECENT_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    allow_http: bool
    allow_private: bool


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create(tx: Tx, principal: Principal, body: WebhookIn, policy: UrlPolicy) -> WebhookCreated:
    url = validated(body.url, allow_http=policy.allow_http, allow_private=policy.allow_private)
    session = tx.session
    count = session.scalar(select(func.count()).select_from(WebhookEndpoint)
                           .where(WebhookEndpoint.organisation_id == principal.organisation_id)) or 0
    if count >= MAX_ENDPOINTS:
        raise Conflict(f"an organisation may register at most {MAX_ENDPOINTS} webhook endpoints; remove one first")
    now = utcnow()
    endpoint = WebhookEndpoint(id=str(uuid.uuid4()), organisation_id=principal.organisation_id, url=url,
                               description=body.description, event_types=list(body.event_types), enabled=True,
                               secret=new_secret(), created_by=principal.client_id, created_at=now, updated_at=now)
    session.add(endpoint)
    tx.audit("webhook.create", "webhook_endpoint", endpoint.id,
             {"url": url, "event_types": endpoint.event_types})  # never the secret
    session.flush()
    return WebhookCreated(**to_out(endpoint).model_dump(), secret=endpoint.secret)


def listing(session: Session, principal: Principal) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == principal.organisation_id).order_by(WebhookEndpoint.position)))


def get(session: Session, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    return own_row(session, WebhookEndpoint, endpoint_id, principal, "webhook endpoint")


def update(tx: Tx, principal: Principal, endpoint_id: str, body: WebhookUpdate, policy: UrlPolicy) -> WebhookEndpoint:
    endpoint = get(tx.session, principal, endpoint_id)
    changes = body.model_dump(exclude_unset=True)
    if "url" in changes:
        changes["url"] = validated(changes["url"], allow_http=policy.allow_http, allow_private=policy.allow_private)
    for name, value in changes.items():
        setattr(endpoint, name, list(value) if name == "event_types" else value)
    endpoint.updated_at = utcnow()
    tx.audit("webhook.update", "webhook_endpoint", endpoint.id, changes)
    return endpoint


def remove(tx: Tx, principal: Principal, endpoint_id: str) -> None:
    """Remove the endpoint with its deliveries and their log (nothing more is sent to it)."""
    endpoint = get(tx.session, principal, endpoint_id)
    session = tx.session
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    tx.audit("webhook.delete", "webhook_endpoint", endpoint.id, {"url": endpoint.url})


def rotate_secret(tx: Tx, principal: Principal, endpoint_id: str) -> WebhookSecret:
    endpoint = get(tx.session, principal, endpoint_id)
    now = utcnow()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_OVERLAP
    endpoint.secret, endpoint.updated_at = new_secret(), now
    tx.audit("webhook.rotate_secret", "webhook_endpoint", endpoint.id,
             {"previous_valid_until": endpoint.previous_secret_until.isoformat()})
    return WebhookSecret(secret=endpoint.secret, previous_valid_until=endpoint.previous_secret_until)


def deliveries(session: Session, principal: Principal, endpoint_id: str, state: str | None, cursor: str | None,
               limit: int) -> DeliveryPage:
    endpoint = get(session, principal, endpoint_id)
    query = (select(WebhookDelivery, WebhookEvent.type).join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
             .where(WebhookDelivery.endpoint_id == endpoint.id))
    if cursor:
        query = query.where(WebhookDelivery.position < decode_cursor(cursor, "p")["p"])
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    rows = session.execute(query.order_by(WebhookDelivery.position.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(items=[_delivery_out(session, d, t) for d, t in rows],
                        next_cursor=encode_cursor({"p": rows[-1][0].position}) if more and rows else None)


def _delivery(session: Session, principal: Principal, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    endpoint = get(session, principal, endpoint_id)
    delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                            WebhookDelivery.endpoint_id == endpoint.id))
    if delivery is None:
        raise NotFound(f"delivery {delivery_id!r} of webhook endpoint {endpoint_id!r} does not exist")
    return delivery


def redeliver(tx: Tx, principal: Principal, endpoint_id: str, delivery_id: str) -> DeliveryOut:
    """Queue the delivery again, due now, with a fresh retry window; its webhook-id stays, so a
    receiver that had it already can tell. Refused while an attempt is in flight."""
    session = tx.session
    delivery = _delivery(session, principal, endpoint_id, delivery_id)
    now = utcnow()
    if (delivery.state == "pending" and delivery.claim is not None and delivery.next_attempt_at is not None
            and delivery.next_attempt_at > now):
        raise Conflict("an attempt of this delivery is in flight; its outcome is in the log shortly")
    delivery.state, delivery.next_attempt_at, delivery.claim, delivery.queued_at = "pending", now, None, now
    tx.audit("webhook.redeliver", "webhook_delivery", delivery.id, {"endpoint_id": endpoint_id})
    event_type = session.scalar(select(WebhookEvent.type).where(WebhookEvent.id == delivery.event_id)) or ""
    session.flush()
    return _delivery_out(session, delivery, event_type)


def _delivery_out(session: Session, delivery: WebhookDelivery, event_type: str) -> DeliveryOut:
    attempts = session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                               .order_by(WebhookAttempt.position.desc()).limit(RECENT_ATTEMPTS)).all()
    return DeliveryOut(
        id=delivery.id, webhook_id=webhook_id(delivery.id), event_id=delivery.event_id, event_type=event_type,
        state=delivery.state,
        attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at if delivery.state == "pending" else None,
        last_status=delivery.last_status, last_error=delivery.last_error, created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        recent_attempts=[AttemptOut(attempted_at=a.attempted_at, status_code=a.status_code, error=a.error,
                                    duration_ms=a.duration_ms) for a in attempts])


def webhook_id(delivery_id: str) -> str:
    return f"msg_{delivery_id}"


def to_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(id=endpoint.id, url=endpoint.url, event_types=list(endpoint.event_types),
                      description=endpoint.description, enabled=endpoint.enabled, created_at=endpoint.created_at,
                      updated_at=endpoint.updated_at)


def outbox_depth(session: Session) -> dict[str, int]:
    """Deliveries not delivered: pending (queued or retrying) and dead, over every organisation."""
    counts = dict(session.execute(select(WebhookDelivery.state, func.count()).where(
        WebhookDelivery.state.in_(("pending", "dead"))).group_by(WebhookDelivery.state)).all())
    return {state: int(counts.get(state, 0)) for state in ("pending", "dead")}
