"""Idempotency-Key on POST: a retried write is answered with the first attempt's response.

A POST carrying ``Idempotency-Key`` (every POST but ``/v1/token``) is keyed by the
authenticated client and the key. The key is reserved in its own short transaction before the
request runs; the response (status, headers, body, exactly as sent) is stored before its last
byte leaves, and kept 24 hours. A repeat of the same request (SHA-256 of method, path, query
string and body) is answered from the store with ``Idempotent-Replayed: true`` and runs
nothing; the same key with another request is 422; a repeat while the first still runs is 409
with Retry-After. Answers that say nothing was done and invite a retry (5xx, 401, 429) are not
stored: the reservation is deleted, and a retry runs for real.

Limit: the response is stored in a transaction of its own after the request's commit, so a
crash in between leaves a reservation without a response; it answers 409 until its lease
(10 minutes) runs out, after which a retry runs again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth.apikeys import authenticate as authenticate_api_key
from service.auth.models import ApiClient
from service.auth.tokens import verify_token
from service.idempotency.models import IdempotencyKey
from service.kernel.clock import utcnow
from service.kernel.errors import PROBLEM_BASE, PROBLEM_JSON, is_overload

log = logging.getLogger("debarlist")

HEADER = b"idempotency-key"
# OAuth token requests are never retried blindly, and a token is not a stored answer.
EXEMPT = ("/v1/token",)
REPLAYED = (b"idempotent-replayed", b"true")
MAX_KEY_LENGTH = 200
TTL = timedelta(hours=24)
# A reservation still incomplete after this long belongs to a request that died (a crash, a
# killed worker): a retry may take it over. Longer than any request runs.
LEASE = timedelta(minutes=10)
CLEANUP_BATCH = 100
RESERVE_ATTEMPTS = 3

# Per-response or per-connection headers: never stored, never replayed (X-Request-ID is the
# replaying request's own, added outside this middleware).
_NOT_STORED = frozenset({b"content-length", b"transfer-encoding", b"connection", b"keep-alive", b"date",
                         b"server", b"x-request-id", b"set-cookie", REPLAYED[0]})


def storable(status: int) -> bool:
    """5xx (overload, failure), 401 (not authenticated) and 429 (come back later) say that
    nothing was done and a retry should run for real; everything else is the request's answer."""
    return status < 500 and status not in (401, 429)


def valid_key(value: bytes) -> str | None:
    """1 to 200 printable ASCII characters (space to tilde), or None."""
    if not 1 <= len(value) <= MAX_KEY_LENGTH or any(b < 0x20 or b > 0x7E for b in value):
        return None
    return value.decode("ascii")


def request_hash(method: str, path: str, query: bytes, body: bytes) -> str:
    """SHA-256 of the method, path, query string and body, each length-prefixed so that no
    two different requests share an encoding."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogateescape"), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Stored:
    """A key found in the store: its request hash, and its response once completed."""

    request_hash: str
    completed: bool
    status: int | None
    headers: list[list[str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Reserved:
    id: int


class _Unknown:
    """The token's client is unknown or disabled: the app answers 401 itself."""


UNKNOWN = _Unknown()
Outcome = Stored | Reserved | _Unknown | None  # None: could not reserve (a race lost three times)


class KeyStore:
    """The ``idempotency_keys`` table, through the app's session factories. Blocking: called in
    a worker thread."""

    def __init__(self, write: sessionmaker[Session], read: sessionmaker[Session], *, ttl: timedelta = TTL,
                 lease: timedelta = LEASE) -> None:
        self.write = write
        self.read = read
        self.ttl = ttl
        self.lease = lease

    def reserve(self, client_id: str, key: str, digest: str) -> Outcome:
        """The key's live entry, or a new reservation. A live key is looked up first in a
        read-only transaction (no write lock: a repeat is answered at once even while a long
        write holds SQLite's lock); only a key to reserve takes a writing one."""
        with self.read() as session:
            client = session.get(ApiClient, client_id)
            if client is None or client.disabled:
                return UNKNOWN
            found = self._live(session, client_id, key, digest)
            if found is not None:
                return found
        for _ in range(RESERVE_ATTEMPTS):
            with self.write() as session:
                try:
                    found = self._live(session, client_id, key, digest, remove_dead=True)
                    if found is not None:
                        return found
                    self._cleanup(session)
                    row = IdempotencyKey(client_id=client_id, key=key, request_hash=digest, completed=False,
                                         created_at=utcnow())
                    session.add(row)
                    session.commit()
                    return Reserved(row.id)
                except IntegrityError:
                    # Reserved concurrently (PostgreSQL): the next round reads the winner's row.
                    session.rollback()
        return None

    def _live(self, session: Session, client_id: str, key: str, digest: str, *,
              remove_dead: bool = False) -> Stored | None:
        row = session.execute(select(IdempotencyKey).where(IdempotencyKey.client_id == client_id,
                                                           IdempotencyKey.key == key)).scalar_one_or_none()
        if row is None:
            return None
        now = utcnow()
        expired = row.created_at <= now - self.ttl
        abandoned = not row.completed and row.created_at <= now - self.lease and row.request_hash == digest
        if expired or abandoned:
            if remove_dead:
                if abandoned and not expired:
                    log.warning("idempotency key of %s abandoned for %s: taken over", client_id, now - row.created_at)
                session.delete(row)
                session.flush()
            return None
        return Stored(request_hash=row.request_hash, completed=row.completed, status=row.status,
                      headers=list(row.headers or []), body=row.body or b"")

    def _cleanup(self, session: Session) -> None:
        """Delete a bounded batch of expired keys (rows another transaction is deleting are
        skipped on PostgreSQL, so two cleanups never wait on each other)."""
        expired = (select(IdempotencyKey.id).where(IdempotencyKey.created_at <= utcnow() - self.ttl)
                   .order_by(IdempotencyKey.created_at).limit(CLEANUP_BATCH).with_for_update(skip_locked=True))
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired.scalar_subquery())),
                        execution_options={"synchronize_session": False})

    def complete(self, reservation: int, status: int, headers: list[list[str]], body: bytes) -> None:
        with self.write() as session:
            session.execute(update(IdempotencyKey)
                            .where(IdempotencyKey.id == reservation, IdempotencyKey.completed.is_(False))
                            .values(completed=True, status=status, headers=headers, body=body,
                                    completed_at=utcnow()))
            session.commit()

    def release(self, reservation: int) -> None:
        with self.write() as session:
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == reservation,
                                                         IdempotencyKey.completed.is_(False)))
            session.commit()


class Idempotency:
    """ASGI middleware: the exact response bytes of a POST with Idempotency-Key are stored and
    replayed (see the module docstring). Requests without the header pass untouched, as do
    requests whose bearer token does not verify (the app answers 401)."""

    def __init__(self, app: ASGIApp, *, exempt: tuple[str, ...] = EXEMPT, ttl: timedelta = TTL,
                 lease: timedelta = LEASE) -> None:
        self.app = app
        self.exempt = exempt
        self.ttl = ttl
        self.lease = lease
        self._store: KeyStore | None = None

    def store(self, scope: Scope) -> KeyStore:
        if self._store is None:
            sessions = scope["app"].state.sessions
            self._store = KeyStore(sessions.write, sessions.read, ttl=self.ttl, lease=self.lease)
        return self._store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope.get("headers") or [] if name == HEADER]
        if not values:
            await self.app(scope, receive, send)
            return
        key = valid_key(values[0]) if len(values) == 1 else None
        if key is None:
            await _problem(scope, send, 400, "idempotency-key-invalid", "Invalid Idempotency-Key",
                           f"Idempotency-Key must be one header of 1 to {MAX_KEY_LENGTH} printable ASCII characters")
            return
        client_id = _client_id(scope)
        if client_id is None and _api_key(scope) is not None:
            # An API key's client (argon2 and a read: off the event loop).
            client_id = await anyio.to_thread.run_sync(_api_key_client, scope)
        if client_id is None:
            await self.app(scope, receive, send)
            return
        body, receive = await _buffer_body(receive)
        if body is None:  # the client went away while sending
            await self.app(scope, receive, send)
            return
        digest = request_hash(scope["method"], scope["path"], scope.get("query_string", b""), body)
        store = self.store(scope)
        try:
            outcome = await anyio.to_thread.run_sync(store.reserve, client_id, key, digest)
        except Exception as exc:
            if not is_overload(exc):
                raise
            log.warning("overloaded: idempotency key not reserved (%s)", type(exc).__name__)
            await _problem(scope, send, 503, "overloaded", "Service overloaded",
                           "the service is busy (no database lock within its bound); retry after the time in "
                           "Retry-After", headers=[(b"retry-after", b"1")])
            return
        if isinstance(outcome, _Unknown):
            await self.app(scope, receive, send)
        elif isinstance(outcome, Reserved):
            await self._run(scope, receive, send, store, outcome.id)
        elif outcome is None or (outcome.request_hash == digest and not outcome.completed):
            await _problem(scope, send, 409, "idempotency-key-in-use", "Idempotency-Key in use",
                           "a request with this Idempotency-Key is still being processed; retry after the "
                           "time in Retry-After to receive its response", headers=[(b"retry-after", b"1")])
        elif outcome.request_hash != digest:
            await _problem(scope, send, 422, "idempotency-key-reused",
                           "Idempotency-Key reused with a different request",
                           "this Idempotency-Key was used with another method, path, query or body in the last "
                           "24 hours; use a new key for a new request")
        else:
            await _replay(send, outcome)

    async def _run(self, scope: Scope, receive: Receive, send: Send, store: KeyStore, reservation: int) -> None:
        status = 500
        headers: list[list[str]] = []
        chunks: list[bytes] = []
        finished = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, finished
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [[name.decode("latin-1"), value.decode("latin-1")]
                           for name, value in message.get("headers") or [] if name.lower() not in _NOT_STORED]
            elif message["type"] == "http.response.body" and not finished:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Stored before the last byte leaves: a client that has its answer and
                    # repeats the request is always answered from the store.
                    finished = True
                    await _settle(store, reservation, status, headers, b"".join(chunks))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not finished:  # the request raised, or ended without a complete response
                with anyio.CancelScope(shield=True):
                    await _settle(store, reservation, None, [], b"")


async def _settle(store: KeyStore, reservation: int, status: int | None, headers: list[list[str]],
                  body: bytes) -> None:
    try:
        if status is not None and storable(status):
            await anyio.to_thread.run_sync(store.complete, reservation, status, headers, body)
        else:
            await anyio.to_thread.run_sync(store.release, reservation)
    except Exception:
        # The answer still goes out. A reservation left incomplete answers 409 until its lease
        # ends: safer than deleting it, which would let a retry run a second time.
        log.exception("could not store or release idempotency key %s", reservation)


def _api_key(scope: Scope) -> str | None:
    values = [value for name, value in scope.get("headers") or [] if name == b"authorization"]
    if len(values) != 1:
        return None
    scheme, _, key = values[0].decode("latin-1").partition(" ")
    return key.strip() if scheme.lower() == "apikey" and key.strip() else None


def _api_key_client(scope: Scope) -> str | None:
    """The client of a valid API key (``Authorization: ApiKey``), else None."""
    key = _api_key(scope)
    if key is None:
        return None
    try:
        with scope["app"].state.sessions.read() as session:
            return authenticate_api_key(session, key, operator_clients=True).id
    except Exception:  # Unauthorized, or anything a hostile key provokes: the app answers it
        return None


def _client_id(scope: Scope) -> str | None:
    """The client of a verified bearer token, else None."""
    values = [value for name, value in scope.get("headers") or [] if name == b"authorization"]
    if len(values) != 1:
        return None
    scheme, _, token = values[0].decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    state = scope["app"].state
    try:
        return verify_token(token.strip(), state.signing_key, state.settings).client_id
    except Exception:  # Unauthorized, or anything a hostile token provokes: the app answers it
        return None


async def _buffer_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """Read the whole body (RequestContext, outside, bounds its size) and a receive that hands
    it to the app again, then forwards to the server's."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending: list[Message] = [message]
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
            break

    async def replay_receive() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    if pending[0]["type"] != "http.request":
        return None, replay_receive
    return pending[0]["body"], replay_receive


async def _replay(send: Send, stored: Stored) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers += [(b"content-length", str(len(stored.body)).encode()), REPLAYED]
    await send({"type": "http.response.start", "status": stored.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _problem(scope: Scope, send: Send, status: int, slug: str, title: str, detail: str,
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
                            "instance": scope.get("path")}
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})
