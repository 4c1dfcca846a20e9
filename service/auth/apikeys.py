"""API keys: a second credential of an API client, for tools that send ``Authorization: ApiKey
<key>`` (yente's clients do). A key acts as its client: the same roles and organisation; a
disabled client's keys and revoked keys are refused.

A key reads ``dlk_<12 hex>_<43 url-safe characters>``. Its first part (``dlk_<12 hex>``) is the
visible prefix, stored in the clear to find the row and to name the key in lists and the audit
log; the whole key is stored only as an argon2id hash, like a client secret, and shown once.
Since one argon2 verification costs tens of milliseconds of CPU, a process remembers for a few
minutes which presented key (by its SHA-256) matched which stored hash; the row (revoked? its
client disabled?) is still read on every request, so a revocation takes effect at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.auth.models import ApiClient, ApiKey
from service.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from service.auth.secrets import hash_secret, verify_secret
from service.auth.service import ForbiddenHere, OperatorClientRefused, administered_client, not_your_organisation
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, NotFound, Unauthorized
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx

KEY_PATTERN = re.compile(r"^(dlk_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
# Active keys of one client at most: each is a standing credential to keep track of.
MAX_ACTIVE_KEYS = 20
_CACHE_SECONDS = 300.0
_CACHE_SIZE = 10_000


def new_key() -> tuple[str, str]:
    """A new key and its visible prefix."""
    prefix = "dlk_" + secrets.token_hex(6)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


class _Verified:
    """Presented keys (by SHA-256) that matched a stored hash lately, in this process."""

    def __init__(self) -> None:
        self._seen: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def matches(self, digest: bytes, secret_hash: str) -> bool:
        with self._lock:
            found = self._seen.get(digest)
            return found is not None and found[0] == secret_hash and time.monotonic() - found[1] < _CACHE_SECONDS

    def remember(self, digest: bytes, secret_hash: str) -> None:
        with self._lock:
            self._seen[digest] = (secret_hash, time.monotonic())
            self._seen.move_to_end(digest)
            while len(self._seen) > _CACHE_SIZE:
                self._seen.popitem(last=False)


_verified = _Verified()


def authenticate(session: Session, key: str, *, operator_clients: bool) -> ApiClient:
    """The client a key belongs to; 401 for a malformed, unknown or revoked key or a disabled client."""
    match = KEY_PATTERN.match(key)
    row = session.execute(select(ApiKey).where(ApiKey.prefix == match.group(1))).scalar_one_or_none() \
        if match else None
    digest = hashlib.sha256(key.encode()).digest()
    if row is not None and _verified.matches(digest, row.secret_hash):
        ok = True
    else:
        # One argon2 verification whatever was sent, so timing does not tell a known prefix.
        ok = verify_secret(row.secret_hash if row else None, key) and row is not None
        if ok and row is not None:
            _verified.remember(digest, row.secret_hash)
    if row is None or not ok or row.revoked_at is not None or row.client.disabled:
        raise Unauthorized("API key unknown, revoked or of a disabled client")
    if Role.operator.value in row.client.roles and not operator_clients:
        raise OperatorClientRefused()
    return row.client


def key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(key_id=key.id, client_id=key.client_id, name=key.name, prefix=key.prefix,
                     created_at=key.created_at, created_by=key.created_by, revoked_at=key.revoked_at)


def issue(tx: Tx, client_id: str, by: Principal | None, data: ApiKeyCreate) -> ApiKeyCreated:
    """A new key of ``client_id``, shown once (an admin: its own organisation's clients only)."""
    client = administered_client(tx, client_id, by, "client.api_key_issue", "issue API keys of clients")
    if client.disabled:
        raise Conflict(f"client {client.id!r} is disabled; a disabled client gets no API key")
    # Counted under the client's row lock, so concurrent issues cannot pass the bound together.
    tx.session.execute(select(ApiClient.id).where(ApiClient.id == client.id).with_for_update())
    active = tx.session.execute(select(func.count()).select_from(ApiKey).where(
        ApiKey.client_id == client.id, ApiKey.revoked_at.is_(None))).scalar_one()
    if active >= MAX_ACTIVE_KEYS:
        raise Conflict(f"client {client.id!r} has {active} active API keys, the most it may hold; revoke one first")
    key, prefix = new_key()
    row = ApiKey(id=str(uuid.uuid4()), client_id=client.id, prefix=prefix, name=data.name,
                 secret_hash=hash_secret(key), created_at=utcnow(), created_by=tx.actor.client_id)
    tx.session.add(row)
    tx.session.flush()
    tx.audit("client.api_key_issue", "client", client.id,
             {"organisation": client.organisation.code, "key_id": row.id, "prefix": prefix, "name": data.name})
    return ApiKeyCreated(**key_out(row).model_dump(), api_key=key)


def list_keys(tx: Tx, client_id: str, by: Principal | None) -> list[ApiKeyOut]:
    """A client's keys, without secrets: an admin its own organisation's, operator and auditor all."""
    client = tx.session.get(ApiClient, client_id[:64])
    if client is None:
        raise NotFound(f"client {client_id!r} does not exist")
    if by is not None and not by.has(Role.operator, Role.auditor) and by.organisation != client.organisation.code:
        raise ForbiddenHere(not_your_organisation(by, "list the API keys of clients", client.organisation.code),
                            operation="client.api_key_list", target_type="client", target_id=client.id)
    rows = tx.session.execute(select(ApiKey).where(ApiKey.client_id == client.id)
                              .order_by(ApiKey.created_at, ApiKey.id)).scalars()
    return [key_out(row) for row in rows]


def revoke(tx: Tx, client_id: str, key_id: str, by: Principal | None) -> ApiKeyOut:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    client = administered_client(tx, client_id, by, "client.api_key_revoke", "revoke API keys of clients")
    row = tx.session.execute(select(ApiKey).where(ApiKey.id == key_id[:36], ApiKey.client_id == client.id)
                             .with_for_update(of=ApiKey)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"client {client.id!r} has no API key {key_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by = tx.actor.client_id
        tx.audit("client.api_key_revoke", "client", client.id,
                 {"organisation": client.organisation.code, "key_id": row.id, "prefix": row.prefix})
    return key_out(row)
