"""What the sync and async clients share: how each operation is called, when to retry, how
long to wait, and when a token is due for renewal. No I/O happens here."""

from __future__ import annotations

import base64
import email.utils
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar
from urllib.parse import quote_plus

import httpx
from pydantic import BaseModel, TypeAdapter

from debarlist_client.models import Subject, Token

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_SUBJECTS_PER_CALL = 1000  # the server's limit for POST /v1/screen


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API operation: the request, whether repeating it is harmless, and how to read the answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    form: Mapping[str, str] | None = None  # a form-encoded body (reconciliation's)
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool | None = None  # None: decided from the method and headers

    @property
    def retry_safe(self) -> bool:
        """Never repeat a write the server could apply twice: POST only with an Idempotency-Key
        (or when the operation is idempotent by nature, like a bulk upsert by external_ref),
        PATCH only with If-Match (a stale ETag is refused, so a repeat cannot apply twice)."""
        if self.idempotent is not None:
            return self.idempotent
        if self.method in IDEMPOTENT_METHODS:
            return True
        names = {name.lower() for name in self.headers}
        if self.method == "PATCH":
            return "if-match" in names
        return "idempotency-key" in names


@dataclass
class RetryPolicy:
    """Retries on 429 and 503 with exponential backoff, honouring Retry-After."""

    max_retries: int = 3
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, response: httpx.Response | None, attempt: int) -> float:
        wanted = retry_after(response) if response is not None else None
        if wanted is None:
            wanted = self.backoff * (2 ** attempt)
        return max(0.0, min(wanted, self.max_delay))

    def should_retry(self, call: Call[Any], response: httpx.Response | None, attempt: int) -> bool:
        """``response`` is None when the service could not be reached at all."""
        if attempt >= self.max_retries or not call.retry_safe:
            return False
        return response is None or response.status_code in RETRY_STATUSES


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds: either delta-seconds or an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class TokenState:
    """The cached access token; renewed ``margin`` seconds before it expires."""

    margin: float
    clock: Callable[[], float]
    token: str | None = None
    expires_at: float = 0.0

    def valid(self) -> str | None:
        if self.token is None or self.clock() >= self.expires_at - self.margin:
            return None
        return self.token

    def store(self, token: Token, requested_at: float) -> str:
        # Counted from when the request left, so a slow answer cannot stretch the lifetime.
        self.token = token.access_token
        self.expires_at = requested_at + token.expires_in
        return self.token

    def forget(self) -> None:
        self.token = None
        self.expires_at = 0.0


def model(kind: type[BaseModel] | Any) -> Callable[[httpx.Response], Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    return lambda response: adapter.validate_json(response.content)


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out


def subject_dicts(subjects: Iterable[Subject | Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [s.model_dump(exclude_none=True) if isinstance(s, Subject) else dict(s) for s in subjects]


def screen_body(subjects: list[dict[str, Any]], *, as_of: date | str | None, threshold: float | None,
                limit: int | None, tender_ref: str | None, include_inactive: bool | None) -> dict[str, Any]:
    body: dict[str, Any] = {"subjects": subjects}
    extra = {"as_of": as_of.isoformat() if isinstance(as_of, date) else as_of, "threshold": threshold,
             "limit": limit, "tender_ref": tender_ref, "include_inactive": include_inactive}
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def batches(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    if not 1 <= size <= MAX_SUBJECTS_PER_CALL:
        raise ValueError(f"batch_size must be between 1 and {MAX_SUBJECTS_PER_CALL}")
    return [items[start:start + size] for start in range(0, len(items), size)]


def basic_credentials(client_id: str, client_secret: str) -> str:
    """client_secret_basic (RFC 6749 2.3.1): id and secret each form-url-encoded, then Basic."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def idempotency(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key else {}
