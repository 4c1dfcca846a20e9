"""The delivery worker: claims due deliveries, POSTs them signed per Standard Webhooks, and
records each attempt.

Claiming takes a lease: in one short transaction the due rows are locked (FOR UPDATE SKIP
LOCKED on PostgreSQL, so concurrent workers take disjoint batches; on SQLite the write
transaction is the single writer) and stamped with this batch's claim token and a next attempt
time one lease ahead. The POSTs run outside any transaction; their outcomes are written in one
more, each only where the claim is still this batch's. A worker killed mid-delivery therefore
loses nothing: its deliveries fall due again when the lease runs out, and are sent again under
the same webhook-id, so the receiver recognises a repeat.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from service import __version__
from service.config import Settings
from service.kernel.clock import utcnow
from service.kernel.periodic import Periodic
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from service.webhooks.service import webhook_id
from service.webhooks.urls import RefusedURL, check_url

log = logging.getLogger("debarlist.webhooks")

MAX_ANSWER_BYTES = 64 * 1024  # of a receiver's answer body read (and then dropped)


@dataclass(frozen=True, slots=True)
class Policy:
    timeout: float
    lease: float
    backoff_base: float
    backoff_max: float
    give_up: float
    batch: int
    concurrency: int
    allow_http: bool
    allow_private: bool

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(timeout=settings.webhook_timeout_seconds, lease=settings.webhook_lease_seconds,
                   backoff_base=settings.webhook_backoff_base_seconds,
                   backoff_max=settings.webhook_backoff_max_seconds, give_up=settings.webhook_give_up_seconds,
                   batch=settings.webhook_batch_size, concurrency=settings.webhook_concurrency,
                   allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private)

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: doubling from the base, capped, and jittered
        (50 to 100 %) so that the deliveries of one failed burst do not all return at once."""
        doubled: float = self.backoff_base * 2.0 ** min(attempts - 1, 40)
        return min(self.backoff_max, doubled) * random.uniform(0.5, 1.0)


@dataclass(frozen=True, slots=True)
class Job:
    position: int
    delivery_id: str
    attempts: int
    queued_at: datetime
    url: str
    secrets: tuple[str, ...]
    event_id: str
    event_type: str
    event_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    at: datetime
    status: int | None
    error: str | None
    ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(job: Job) -> str:
    """The request body: the Standard Webhooks envelope (type, timestamp, data)."""
    return json.dumps({"type": job.event_type, "timestamp": job.event_at.isoformat().replace("+00:00", "Z"),
                       "data": job.payload}, separators=(",", ":"), ensure_ascii=False)


def signed_headers(job: Job, body: str, at: datetime) -> dict[str, str]:
    msg_id = webhook_id(job.delivery_id)
    signatures = " ".join(Webhook(secret).sign(msg_id, at, body) for secret in job.secrets)
    return {"content-type": "application/json", "user-agent": f"debarlist-webhooks/{__version__}",
            "webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signatures}


def claim(session_factory: Callable[[], Session], policy: Policy) -> tuple[str, list[Job]]:
    """Lease up to ``policy.batch`` due deliveries of enabled endpoints to a new claim token."""
    token, now = str(uuid.uuid4()), utcnow()
    with session_factory() as session:
        due = session.scalars(
            select(WebhookDelivery.position)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now,
                   WebhookEndpoint.enabled.is_(True))
            .order_by(WebhookDelivery.next_attempt_at).limit(policy.batch)
            .with_for_update(of=WebhookDelivery, skip_locked=True)).all()
        if not due:
            session.rollback()
            return token, []
        session.execute(update(WebhookDelivery).where(WebhookDelivery.position.in_(due))
                        .values(claim=token, next_attempt_at=now + timedelta(seconds=policy.lease)))
        rows = session.execute(
            select(WebhookDelivery.position, WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.queued_at,
                   WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.previous_secret,
                   WebhookEndpoint.previous_secret_until, WebhookEvent.id, WebhookEvent.type,
                   WebhookEvent.created_at, WebhookEvent.payload)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.claim == token).order_by(WebhookDelivery.position)).all()
        session.commit()
    jobs = []
    for (position, delivery_id, attempts, queued_at, url, secret, previous, previous_until, event_id, event_type,
         event_at, payload) in rows:
        keys = (secret, previous) if previous and previous_until and previous_until > now else (secret,)
        jobs.append(Job(position, delivery_id, attempts, queued_at, url, keys, event_id, event_type, event_at,
                        payload))
    return token, jobs


def send(http: httpx.Client, job: Job, policy: Policy) -> Outcome:
    at = utcnow()
    started = time.monotonic()
    try:
        # Checked again at each delivery: the name may resolve to another address than it did
        # at registration.
        check_url(job.url, allow_http=policy.allow_http, allow_private=policy.allow_private)
        body = body_of(job)
        with http.stream("POST", job.url, content=body.encode(), headers=signed_headers(job, body, at)) as answer:
            read = 0
            for chunk in answer.iter_bytes():
                read += len(chunk)
                if read > MAX_ANSWER_BYTES:
                    break
            status: int | None = answer.status_code
        error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
    except RefusedURL as refusal:
        status, error = None, f"refused: {refusal}"
    except httpx.TimeoutException:
        status, error = None, f"timed out after {policy.timeout:g} s"
    except httpx.HTTPError as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"
    return Outcome(job, at, status, error[:500] if error else None, int((time.monotonic() - started) * 1000))


def record(session_factory: Callable[[], Session], token: str, outcomes: list[Outcome], policy: Policy) -> None:
    """Write the attempts and move each delivery on, where this batch still holds its claim."""
    if not outcomes:
        return
    now = utcnow()
    table = cast(Table, WebhookDelivery.__table__)
    changes = []
    for outcome in outcomes:
        job = outcome.job
        change: dict[str, Any] = {"p": job.position, "last_status": outcome.status, "last_error": outcome.error,
                                  "state": "pending", "next_attempt_at": None, "delivered_at": None}
        if outcome.ok:
            change["state"], change["delivered_at"] = "delivered", now
        else:
            deadline = job.queued_at + timedelta(seconds=policy.give_up)
            if now >= deadline:
                change["state"] = "dead"
            else:  # the last retry falls on the deadline, not past it
                change["next_attempt_at"] = min(now + timedelta(seconds=policy.backoff(job.attempts + 1)), deadline)
        changes.append(change)
    with session_factory() as session:
        # An endpoint removed meanwhile took its deliveries along: its attempts are not logged.
        # The rows still there are locked, so a removal now waits for this record.
        present = set(session.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.id.in_([o.job.delivery_id for o in outcomes])).with_for_update()))
        session.add_all([WebhookAttempt(delivery_id=o.job.delivery_id, attempted_at=o.at, status_code=o.status,
                                        error=o.error, duration_ms=o.ms)
                         for o in outcomes if o.job.delivery_id in present])
        session.flush()
        session.connection().execute(
            table.update().where(table.c.position == bindparam("p"), table.c.claim == token)
            .values(state=bindparam("state"), attempts=table.c.attempts + 1, claim=None,
                    next_attempt_at=bindparam("next_attempt_at"), last_status=bindparam("last_status"),
                    last_error=bindparam("last_error"), delivered_at=bindparam("delivered_at")), changes)
        session.commit()


def run_once(session_factory: Callable[[], Session], policy: Policy, http: httpx.Client,
             pool: ThreadPoolExecutor | None = None) -> int:
    """One batch: claim, send, record. The number of attempts made."""
    token, jobs = claim(session_factory, policy)
    if not jobs:
        return 0
    if pool is None or len(jobs) == 1:
        outcomes = [send(http, job, policy) for job in jobs]
    else:
        outcomes = list(pool.map(lambda job: send(http, job, policy), jobs))
    record(session_factory, token, outcomes, policy)
    failed = sum(1 for o in outcomes if not o.ok)
    if failed:
        log.info("webhooks: %d of %d deliveries failed; retried with backoff", failed, len(outcomes))
    return len(jobs)


def http_client(policy: Policy) -> httpx.Client:
    return httpx.Client(timeout=policy.timeout, follow_redirects=False, trust_env=False,
                        limits=httpx.Limits(max_connections=policy.concurrency * 4,
                                            max_keepalive_connections=policy.concurrency * 2))


def due(session: Session) -> bool:
    """Whether any delivery is due: read without a lock, so an idle loop never takes SQLite's
    write lock (every app instance ticks every second)."""
    return session.scalar(select(WebhookDelivery.position).where(
        WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= utcnow()).limit(1)) is not None


class DeliveryLoop(Periodic):
    """The worker as a thread (inside ``debarlist serve`` and ``debarlist worker``): a batch
    every ``interval`` seconds, and batch after batch while a backlog lasts. With
    ``read_factory``, a tick first looks for due deliveries in a read-only session."""

    def __init__(self, session_factory: Callable[[], Session], policy: Policy, interval: float,
                 read_factory: Callable[[], Session] | None = None) -> None:
        self._session_factory, self._policy, self._read_factory = session_factory, policy, read_factory
        self._http: httpx.Client | None = None
        self._pool: ThreadPoolExecutor | None = None
        super().__init__("webhooks", interval, self._tick, join_timeout=policy.timeout + 30)

    def start(self) -> None:
        if self.interval > 0 and self._http is None:
            self._http = http_client(self._policy)
            self._pool = ThreadPoolExecutor(self._policy.concurrency, thread_name_prefix="webhook-send")
        super().start()

    def stop(self) -> None:
        super().stop()
        if self._http is not None and self._pool is not None:
            self._pool.shutdown()
            self._http.close()
            self._http = self._pool = None

    def _tick(self) -> None:
        assert self._http is not None
        if self._read_factory is not None:
            with self._read_factory() as session:
                if not due(session):
                    return
        while not self.stopping and run_once(self._session_factory, self._policy, self._http,
                                             self._pool) >= self._policy.batch:
            pass
