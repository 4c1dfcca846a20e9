"""Screening batches over HTTP (``debarlist screen``): token renewal and safe retries.

The token is renewed before it expires (a fifth of its lifetime, at most 30 s, before) and once
more on a 401, so a list that takes longer than a token's lifetime goes through. Every
``POST /v1/screen`` carries an ``Idempotency-Key``, so a retry after a lost answer, a 5xx, a 429
or a dropped connection is answered from the first response and stores no second receipt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from service.bidderlist.errors import BidderListError
from service.bidderlist.run import RequestRefused

RETRIED_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


class HttpScreener:
    """A ``BatchScreener`` calling ``POST /v1/screen`` of the service at ``base_url``."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, *, retries: int = 5,
                 timeout: float = 120.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._client_id = client_id
        self._client_secret = client_secret
        self._retries = retries
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._renew_at = 0.0
        self._last_error = ""
        # What happened, for the summary line and the tests.
        self.tokens_issued = 0
        self.unauthorized = 0
        self.retried = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpScreener:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def receipt(self, screening_id: str) -> str:
        return f"{self.base_url}/v1/screenings/{screening_id}"

    def __call__(self, body: dict[str, Any], *, key: str) -> dict[str, Any]:
        renewed = False
        attempt = 0
        while True:
            headers = {"Authorization": f"Bearer {self.token()}", "Idempotency-Key": key}
            response = self._send("POST", "/v1/screen", json=body, headers=headers)
            if response is None or response.status_code in RETRIED_STATUSES:
                attempt += 1
                if attempt > self._retries:
                    raise BidderListError(self._gave_up(response))
                self.retried += 1
                self._sleep(_wait(response, attempt))
                continue
            if response.status_code == 401 and not renewed:
                # Expired or revoked early (a clock apart from the server's): one new token.
                self.unauthorized += 1
                self._token, renewed = None, True
                continue
            if response.status_code == 200:
                answer: dict[str, Any] = response.json()
                return answer
            if response.status_code == 422:
                raise RequestRefused(_detail(response))
            if response.status_code == 403:
                raise BidderListError(f"client {self._client_id} may not screen ({_detail(response)}); ask your "
                                      "organisation's admin for a client with the screener role")
            raise BidderListError(f"screening refused ({response.status_code}): {_detail(response)}")

    def token(self) -> str:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        attempt = 0
        while True:
            response = self._send("POST", "/v1/token", data={
                "grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret})
            if response is not None and response.status_code == 200:
                break
            if response is not None and response.status_code not in RETRIED_STATUSES:
                raise BidderListError(f"the service refused a token ({response.status_code}: {_detail(response)}); "
                                      "check --client-id and DEBARLIST_CLIENT_SECRET")
            attempt += 1
            if attempt > self._retries:
                raise BidderListError(self._gave_up(response))
            self.retried += 1
            self._sleep(_wait(response, attempt))
        issued = response.json()
        lifetime = float(issued.get("expires_in") or 60)
        self._token = str(issued["access_token"])
        self._renew_at = self._clock() + lifetime - min(30.0, lifetime / 5)
        self.tokens_issued += 1
        return self._token

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """The answer, or None when the request did not get one (refused, reset, timed out)."""
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            self._last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return None

    def _gave_up(self, response: httpx.Response | None) -> str:
        tries = f"after {self._retries + 1} attempt{'s' if self._retries else ''}"
        if response is None:
            return (f"the service at {self.base_url} does not answer ({self._last_error}) {tries}; start it or "
                    "check --url")
        return (f"the service at {self.base_url} answered {response.status_code} ({_detail(response)}) {tries}; "
                "try again later")


def _wait(response: httpx.Response | None, attempt: int) -> float:
    """Retry-After when the service gives one (capped), else exponential backoff from 0.5 s."""
    if response is not None:
        try:
            return min(30.0, max(0.0, float(response.headers.get("Retry-After", ""))))
        except ValueError:
            pass
    return float(min(30.0, 0.5 * 2 ** (attempt - 1)))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("error_description") or body.get("title") or body.get("error")
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            detail = f"{detail}: {errors[0]}"
        return str(detail)[:300]
    return str(body)[:200]
