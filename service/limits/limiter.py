"""Rate limits with the ``limits`` library: in memory (one process), or in Redis when
``DEBARLIST_REDIS_URL`` is set, so that every replica and worker counts against the same budget.

- **Token attempts** (``POST /v1/token``): per client id and per address, every attempt counts;
  failures count apart, and a client id or an address that fails ``token_failures`` times within
  ``token_failure_window_seconds`` is locked out for ``token_lockout_seconds``, doubled at each
  further lockout within a day (to ``token_lockout_max_seconds``); a success clears the client id's
  failures.
- **Screening subjects** per client per minute (``/v1/screen``, ``/match``, ``/reconcile``, OCDS:
  every one is ``screening.service.screen``), ``screening_subjects_per_minute`` or the client's
  organisation's own figure in ``screening_subjects_per_minute_by_organisation``.

Counters are sliding windows (``limits``' sliding-window counter: two fixed windows weighted, so
no burst of twice the limit at a window's edge). A refusal carries ``Retry-After`` and the
``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` headers (the IETF httpapi
draft's separate-field form; Reset in seconds). When the storage cannot be reached the request is
let through and the failure logged: a Redis outage must not stop screening.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.limits import RateLimitItem
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from service.config import Settings
from service.kernel.errors import ServiceError
from service.kernel.principal import Principal

log = logging.getLogger("debarlist")

T = TypeVar("T")
_DAY = 86_400


class RateLimited(ServiceError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, *, headers: dict[str, str]) -> None:
        super().__init__(detail, headers=headers)


@dataclass(frozen=True, slots=True)
class Budget:
    """Where a counter stands: what the RateLimit headers say."""

    limit: int
    remaining: int
    reset: int  # seconds until the window frees capacity

    def headers(self, *, retry_after: int | None = None) -> dict[str, str]:
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(max(0, self.remaining)),
                   "RateLimit-Reset": str(max(0, self.reset))}
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, retry_after))
        return headers


def _seconds_until(instant: float) -> int:
    return max(1, math.ceil(instant - time.time()))


class RateLimits:
    """The service's counters, on one storage (``memory://`` or the Redis URL)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        storage = storage_from_string(settings.redis_url or "memory://")
        assert isinstance(storage, Storage)  # the synchronous storages: the service is synchronous
        self.storage = storage
        self.windows = SlidingWindowCounterRateLimiter(self.storage)
        self.namespace = settings.rate_limit_namespace
        self.token_per_client = RateLimitItemPerMinute(settings.token_attempts_per_minute_per_client)
        self.token_per_address = RateLimitItemPerMinute(settings.token_attempts_per_minute_per_address)
        window = settings.token_failure_window_seconds
        self.token_failures = {"client": RateLimitItemPerSecond(settings.token_failures, window),
                               "address": RateLimitItemPerSecond(settings.token_failures_per_address, window)}

    # ---------------------------------------------------------------- plumbing

    def _safely(self, what: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except Exception:  # the storage (Redis) is unreachable: let the request through
            log.warning("rate limit storage failed (%s); request let through", what, exc_info=True)
            return fallback

    def _key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    def _budget(self, item: RateLimitItem, key: str) -> Budget:
        stats = self.windows.get_window_stats(item, key)
        return Budget(limit=item.amount, remaining=stats.remaining, reset=_seconds_until(stats.reset_time))

    def _take(self, item: RateLimitItem, key: str, cost: int = 1) -> Budget | None:
        """Spend ``cost`` of the budget; the budget when refused, None when granted."""
        def take() -> Budget | None:
            if self.windows.hit(item, key, cost=cost):
                return None
            return self._budget(item, key)
        return self._safely("hit", take, None)

    # ---------------------------------------------------------------- token attempts

    def token_attempt(self, client_id: str, address: str) -> None:
        """Before a token request is checked: refused while locked out or over the attempt rates."""
        for kind, who in (("client", client_id[:64]), ("address", address)):
            blocked = self._safely("lockout", partial(self._lockout_left, kind, who), 0)
            if blocked:
                raise RateLimited(f"too many failed token requests for this {kind}; retry in {blocked} s",
                                  headers=Budget(self.token_failures[kind].amount, 0, blocked)
                                  .headers(retry_after=blocked))
        for kind, who, item in (("client", client_id[:64], self.token_per_client),
                                ("address", address, self.token_per_address)):
            refused = self._take(item, self._key("token", kind, who))
            if refused is not None:
                raise RateLimited(f"too many token requests for this {kind} (at most {item.amount} a minute); "
                                  f"retry in {refused.reset} s", headers=refused.headers(retry_after=refused.reset))

    def token_failed(self, client_id: str, address: str) -> None:
        """A failed attempt: past the threshold, the client id or address is locked out, longer each time."""
        for kind, who in (("client", client_id[:64]), ("address", address)):
            refused = self._take(self.token_failures[kind], self._key("fail", kind, who))
            spent = refused is not None or self._safely("stats", partial(self._failures_left, kind, who), 1) <= 0
            if spent:  # the N-th failure in the window locks out
                self._safely("lock out", partial(self._lock_out, kind, who), None)

    def token_succeeded(self, client_id: str) -> None:
        self._safely("clear", lambda: self.windows.clear(self.token_failures["client"],
                                                         self._key("fail", "client", client_id[:64])), None)

    def _failures_left(self, kind: str, who: str) -> int:
        return self._budget(self.token_failures[kind], self._key("fail", kind, who)).remaining

    def _lockout_left(self, kind: str, who: str) -> int:
        key = self._key("lockout", kind, who)
        if self.storage.get(key) <= 0:
            return 0
        return _seconds_until(self.storage.get_expiry(key))

    def _lock_out(self, kind: str, who: str) -> None:
        if self._lockout_left(kind, who):
            return
        # The level survives a day of quiet: a guesser that comes back waits twice as long.
        level = self.storage.incr(self._key("lockouts", kind, who), _DAY)
        seconds = min(self.settings.token_lockout_max_seconds,
                      self.settings.token_lockout_seconds * 2 ** min(level - 1, 20))
        self.storage.incr(self._key("lockout", kind, who), seconds)
        self.windows.clear(self.token_failures[kind], self._key("fail", kind, who))
        log.warning("token requests locked out: %s %s for %d s (lockout %d today)", kind, who[:64], seconds, level)

    # ---------------------------------------------------------------- screening subjects

    def subjects_per_minute(self, organisation: str) -> int:
        own = self.settings.screening_subjects_per_minute_by_organisation.get(organisation)
        return own if own is not None else self.settings.screening_subjects_per_minute

    def charge_subjects(self, principal: Principal, subjects: int) -> Budget | None:
        """Spend ``subjects`` of the client's budget this minute (429 when it does not fit)."""
        item = RateLimitItemPerMinute(self.subjects_per_minute(principal.organisation))
        key = self._key("subjects", principal.client_id)
        refused = self._take(item, key, cost=max(1, subjects))
        if refused is not None:
            alone = " (more than the limit on its own: send fewer subjects a request)" if subjects > item.amount else ""
            raise RateLimited(f"{subjects} subjects exceed this client's screening budget of {item.amount} subjects "
                              f"a minute ({refused.remaining} left){alone}; retry in {refused.reset} s",
                              headers=refused.headers(retry_after=refused.reset))
        return self._safely("stats", lambda: self._budget(item, key), None)


@dataclass
class RequestLimits:
    """The limits of the request being served, and the budget it spent (for its headers)."""

    limits: RateLimits
    spent: list[Budget] = field(default_factory=list)


# Set per request by the middleware (service.limits.middleware); None outside requests (the
# command line, the monitoring loop), which are not limited.
current: ContextVar[RequestLimits | None] = ContextVar("debarlist_limits", default=None)


def charge_subjects(principal: Principal, subjects: int) -> None:
    """Charge a screening to the calling client's budget, when serving a request."""
    request = current.get()
    if request is None:
        return
    budget = request.limits.charge_subjects(principal, subjects)
    if budget is not None:
        request.spent.append(budget)
