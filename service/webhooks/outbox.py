"""The outbox: a domain that changes something an organisation may want pushed to it calls
``publish`` inside its own transaction, so the event exists exactly when the change does. Each
event is fanned out at once into one delivery per endpoint of the organisation that subscribes
to its type (a paused endpoint's deliveries wait until it is enabled again); an organisation
without such an endpoint gets no row at all (an endpoint registered later receives the events
from then on)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel.clock import utcnow
from service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def subscribers(session: Session, organisation_id: int, event_type: str) -> list[str]:
    """The ids of the organisation's endpoints that take ``event_type``, paused ones included."""
    rows = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
        WebhookEndpoint.organisation_id == organisation_id).order_by(WebhookEndpoint.position)).all()
    return [endpoint_id for endpoint_id, types in rows if event_type in types]


def publish(session: Session, organisation_id: int, event_type: str, payloads: Iterable[dict[str, Any]],
            *, endpoints: list[str] | None = None) -> int:
    """Queue one event per payload for the organisation's subscribed endpoints (``endpoints``
    when the caller already looked them up for a batch); the number of events written."""
    targets = subscribers(session, organisation_id, event_type) if endpoints is None else endpoints
    if not targets:
        return 0
    now = utcnow()
    events = [WebhookEvent(id=str(uuid.uuid4()), organisation_id=organisation_id, type=event_type,
                           payload=payload, created_at=now) for payload in payloads]
    session.add_all(events)
    session.flush()  # the events before the deliveries that reference them
    session.add_all([WebhookDelivery(id=str(uuid.uuid4()), organisation_id=organisation_id, endpoint_id=endpoint_id,
                                     event_id=event.id, state="pending", attempts=0, next_attempt_at=now,
                                     queued_at=now, created_at=now)
                     for event in events for endpoint_id in targets])
    return len(events)
