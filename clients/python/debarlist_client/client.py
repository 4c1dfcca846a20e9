"""The synchronous client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

import httpx

from debarlist_client import _ops
from debarlist_client._core import (
    Call,
    RetryPolicy,
    TokenState,
    basic_credentials,
    batches,
    clean_params,
    screen_body,
    subject_dicts,
)
from debarlist_client.errors import TransportError, error_for
from debarlist_client.models import (
    AuditRecord,
    BulkResult,
    Change,
    ChangePage,
    Entry,
    Revision,
    ScreeningReceipt,
    ScreenResponse,
    Subject,
    Token,
    VerifyReport,
)

T = TypeVar("T")


class Client:
    """Debarlist API client (client-credentials).

    Tokens are fetched on first use and renewed ``renew_margin`` seconds before they expire.
    Reads, PATCH with If-Match, bulk upserts and POSTs given an ``idempotency_key`` are retried
    on 429/503 (waiting as Retry-After says) and on connection failures; other writes never are.
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, renew_margin: float = 60.0,
                 transport: httpx.BaseTransport | None = None, http: httpx.Client | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._owns_http = http is None
        self._client_id = client_id
        self._client_secret = client_secret
        self.retry = retry or RetryPolicy()
        self._token = TokenState(margin=renew_margin, clock=clock)
        self._clock = clock
        self._sleep = sleep

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # ------------------------------------------------------------------ plumbing

    def token(self) -> str:
        """A valid access token, fetched or renewed when due."""
        valid = self._token.valid()
        if valid is not None:
            return valid
        requested_at = self._clock()
        # client_secret_basic, what OAuth libraries send by default (the secret never in a body).
        call = Call("POST", "/v1/token", lambda r: Token.model_validate_json(r.content), idempotent=True,
                    headers={"Authorization": basic_credentials(self._client_id, self._client_secret)})
        response = self._send(call, form={"grant_type": "client_credentials"}, auth=False)
        return self._token.store(call.parse(response), requested_at)

    def _send(self, call: Call[Any], *, form: Mapping[str, str] | None = None, auth: bool = True,
              stream: bool = False) -> httpx.Response:
        attempt = 0
        renewed = False
        while True:
            headers = dict(call.headers)
            if auth:
                headers["Authorization"] = f"Bearer {self.token()}"
            request = self._http.build_request(call.method, call.path, params=call.params, json=call.json,
                                               data=form or call.form, headers=headers)
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if not self.retry.should_retry(call, None, attempt):
                    raise TransportError(str(exc)) from exc
                self._sleep(self.retry.delay(None, attempt))
                attempt += 1
                continue
            if response.is_success:
                return response
            if stream:
                response.read()
                response.close()
            if response.status_code == 401 and auth and not renewed:
                # The token may have been revoked or the clocks disagree: one fresh token, once.
                self._token.forget()
                renewed = True
                continue
            if self.retry.should_retry(call, response, attempt):
                self._sleep(self.retry.delay(response, attempt))
                attempt += 1
                continue
            raise error_for(response)

    def _run(self, call: Call[T]) -> T:
        return call.parse(self._send(call))

    def _lines(self, path: str, params: Mapping[str, Any]) -> Iterator[str]:
        call = Call("GET", path, lambda r: r, params=clean_params(params))
        response = self._send(call, stream=True)
        try:
            for line in response.iter_lines():
                if line.strip():
                    yield line
        finally:
            response.close()

    # ------------------------------------------------------------------ entries

    def get_entry(self, entry_id: str) -> Entry:
        return self._run(_ops.get_entry(entry_id))

    def iter_entries(self, *, page_size: int = 100, **filters: Any) -> Iterator[Entry]:
        """Every entry the caller may see, following the pages (filters as in GET /v1/entries)."""
        cursor: str | None = None
        while True:
            page = self._run(_ops.list_entries(filters, cursor, page_size))
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def create_entry(self, body: Mapping[str, Any] | Any, *, idempotency_key: str | None = None) -> Entry:
        return self._run(_ops.create_entry(body, idempotency_key))

    def update_entry(self, entry_id: str, changes: Mapping[str, Any] | Any, *, etag: str) -> Entry:
        return self._run(_ops.update_entry(entry_id, changes, etag))

    def withdraw_entry(self, entry_id: str, reason: str, *, etag: str | None = None,
                       idempotency_key: str | None = None) -> Entry:
        return self._run(_ops.withdraw_entry(entry_id, reason, etag, idempotency_key))

    def bulk_upsert(self, entries: list[Mapping[str, Any]]) -> BulkResult:
        return self._run(_ops.bulk_upsert(list(entries)))

    def entry_revisions(self, entry_id: str) -> list[Revision]:
        return self._run(_ops.entry_revisions(entry_id))

    # ------------------------------------------------------------------ screening

    def screen(self, subjects: Iterable[Subject | Mapping[str, Any]], *, as_of: date | str | None = None,
               threshold: float | None = None, limit: int | None = None, tender_ref: str | None = None,
               include_inactive: bool | None = None, idempotency_key: str | None = None) -> ScreenResponse:
        """Screen up to 1,000 subjects in one call (one receipt)."""
        body = screen_body(subject_dicts(subjects), as_of=as_of, threshold=threshold, limit=limit,
                           tender_ref=tender_ref, include_inactive=include_inactive)
        return self._run(_ops.screen(body, idempotency_key))

    def screen_many(self, subjects: Iterable[Subject | Mapping[str, Any]], *, batch_size: int = 1000,
                    as_of: date | str | None = None, threshold: float | None = None, limit: int | None = None,
                    tender_ref: str | None = None, include_inactive: bool | None = None,
                    idempotency_key: str | None = None) -> list[ScreenResponse]:
        """Screen any number of subjects in batches the server accepts; one receipt per batch.

        With ``idempotency_key``, batch ``n`` is sent with ``{key}-{n}``.
        """
        responses = []
        for number, batch in enumerate(batches(subject_dicts(subjects), batch_size)):
            key = f"{idempotency_key}-{number}" if idempotency_key else None
            body = screen_body(batch, as_of=as_of, threshold=threshold, limit=limit, tender_ref=tender_ref,
                               include_inactive=include_inactive)
            responses.append(self._run(_ops.screen(body, key)))
        return responses

    def get_screening(self, screening_id: str) -> ScreeningReceipt:
        return self._run(_ops.get_screening(screening_id))

    # ------------------------------------------------------------------ audit

    def iter_audit(self, *, page_size: int = 100, **filters: Any) -> Iterator[AuditRecord]:
        """Audit records the caller may read, in seq order (filters as in GET /v1/audit)."""
        cursor: str | None = None
        while True:
            page = self._run(_ops.audit_page(filters, cursor, page_size))
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def export_audit(self, **filters: Any) -> Iterator[AuditRecord]:
        """Stream GET /v1/audit/export (JSON lines) without holding it in memory."""
        for line in self._lines("/v1/audit/export", {**filters, "format": "jsonl"}):
            yield AuditRecord.model_validate_json(line)

    def verify_audit(self, checkpoint: str | None = None) -> VerifyReport:
        return self._run(_ops.verify_audit(checkpoint))

    # ------------------------------------------------------------------ exchange

    def changes(self, since: int = 0, *, limit: int = 100, wait: float = 0) -> ChangePage:
        return self._run(_ops.changes(since, limit, wait))

    def iter_change_pages(self, since: int = 0, *, limit: int = 100, follow: bool = False,
                          wait: float = 20) -> Iterator[ChangePage]:
        """Pages of the change feed from ``since``; store ``page.next_since`` after applying a page.

        Stops once caught up with the head, unless ``follow``: then long-polls for new changes.
        """
        while True:
            page = self.changes(since, limit=limit, wait=wait if follow else 0)
            yield page
            since = page.next_since
            if not follow and since >= page.head:
                return

    def iter_changes(self, since: int = 0, *, limit: int = 100, follow: bool = False,
                     wait: float = 20) -> Iterator[Change]:
        for page in self.iter_change_pages(since, limit=limit, follow=follow, wait=wait):
            yield from page.items

    def export_ftm(self, *, include_withdrawn: bool = False) -> Iterator[dict[str, Any]]:
        """Stream GET /v1/export/ftm: FollowTheMoney entities as dicts."""
        for line in self._lines("/v1/export/ftm", {"include_withdrawn": include_withdrawn}):
            yield json.loads(line)


    # yente's match API (the same screening as screen(), answered as yente answers)

    def yente_match(self, queries: Mapping[str, Mapping[str, Any]], *, dataset: str = "default",
                    **params: Any) -> dict[str, Any]:
        """POST /match/{dataset}: FtM-style queries keyed by the caller; params are yente's
        (limit, threshold, cutoff, algorithm, topics, exclude_entity_ids, changed_since, tender_ref)."""
        return self._run(_ops.yente_match(queries, dataset, params))

    def yente_algorithms(self) -> dict[str, Any]:
        return self._run(_ops.yente_algorithms())

    def yente_catalog(self) -> dict[str, Any]:
        return self._run(_ops.yente_catalog())

    def yente_entity(self, entity_id: str, *, nested: bool = True) -> dict[str, Any]:
        return self._run(_ops.yente_entity(entity_id, nested))

    # the Reconciliation API 0.2

    def reconcile_manifest(self) -> dict[str, Any]:
        return self._run(_ops.reconcile_manifest())

    def reconcile(self, queries: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """POST /reconcile: a batch of 0.2 queries (one screening), candidates per key."""
        return self._run(_ops.reconcile(queries))

    def reconcile_extend(self, ids: list[str], properties: list[str]) -> dict[str, Any]:
        return self._run(_ops.reconcile_extend(list(ids), list(properties)))

    def reconcile_suggest(self, kind: str, prefix: str, *, limit: int = 10) -> dict[str, Any]:
        """kind: entity, type or property."""
        return self._run(_ops.reconcile_suggest(kind, prefix, limit))

    def reconcile_preview(self, entry_id: str) -> str:
        return self._run(_ops.reconcile_preview(entry_id))

    def reconcile_propose_properties(self, type_id: str | None = None) -> dict[str, Any]:
        return self._run(_ops.reconcile_propose_properties(type_id))

    def screen_ocds(self, document: Mapping[str, Any], *, roles: list[str] | None = None, limit: int = 5,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        """POST /v1/screen/ocds: screen an OCDS release or package's tenderers and suppliers (or ``roles``)."""
        return self._run(_ops.screen_ocds(document, roles, limit, idempotency_key))

    # monitoring: watchlist, alerts, decisions

    def watch_supplier(self, supplier: Mapping[str, Any], *,
                             idempotency_key: str | None = None) -> dict[str, Any]:
        """POST /v1/watchlist: watch a supplier (screened at once)."""
        return self._run(_ops.watch_supplier(supplier, idempotency_key))

    def watch_suppliers(self, suppliers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """POST /v1/watchlist/bulk: watch up to 1,000 suppliers."""
        return self._run(_ops.watch_suppliers(list(suppliers)))

    def list_watchlist(self, *, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        """GET /v1/watchlist: one page of watched suppliers."""
        return self._run(_ops.list_watchlist(cursor, limit))

    def get_watched_supplier(self, watch_id: str) -> dict[str, Any]:
        """GET /v1/watchlist/{id}."""
        return self._run(_ops.get_watched_supplier(watch_id))

    def replace_watched_supplier(self, watch_id: str, supplier: Mapping[str, Any]) -> dict[str, Any]:
        """PUT /v1/watchlist/{id}: change it (screened again)."""
        return self._run(_ops.replace_watched_supplier(watch_id, supplier))

    def unwatch_supplier(self, watch_id: str) -> None:
        """DELETE /v1/watchlist/{id}."""
        return self._run(_ops.unwatch_supplier(watch_id))

    def list_alerts(self, *, status: str | None = None, since: str | None = None, cursor: str | None = None,
                    limit: int = 100) -> dict[str, Any]:
        """GET /v1/alerts: one page of alerts (poll with status='new' and since)."""
        return self._run(_ops.list_alerts(status, since, cursor, limit))

    def get_alert(self, alert_id: str) -> dict[str, Any]:
        """GET /v1/alerts/{id}."""
        return self._run(_ops.get_alert(alert_id))

    def acknowledge_alert(self, alert_id: str) -> dict[str, Any]:
        """POST /v1/alerts/{id}/acknowledge."""
        return self._run(_ops.acknowledge_alert(alert_id))

    def decide_alert(self, alert_id: str, decision: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/alerts/{id}/decision: confirmed or false_positive."""
        return self._run(_ops.decide_alert(alert_id, decision))

    def decide_screening_match(self, screening_id: str, decision: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/screenings/{id}/decisions (ref, entry_id, decision, note, action)."""
        return self._run(_ops.decide_screening_match(screening_id, decision))

    def decision_history(self, decision_id: str) -> list[dict[str, Any]]:
        """GET /v1/decisions/{id}/history."""
        return self._run(_ops.decision_history(decision_id))

    def reverse_decision(self, decision_id: str) -> dict[str, Any]:
        """POST /v1/decisions/{id}/reverse."""
        return self._run(_ops.reverse_decision(decision_id))

    # webhooks: endpoints and their delivery log

    def create_webhook(self, endpoint: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/webhooks: register an endpoint (url, event_types); the answer's secret is shown once."""
        return self._run(_ops.create_webhook(endpoint))

    def list_webhooks(self) -> dict[str, Any]:
        """GET /v1/webhooks: the organisation's endpoints."""
        return self._run(_ops.list_webhooks())

    def get_webhook(self, webhook_id: str) -> dict[str, Any]:
        """GET /v1/webhooks/{id}."""
        return self._run(_ops.get_webhook(webhook_id))

    def update_webhook(self, webhook_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH /v1/webhooks/{id}: url, event_types, description, enabled."""
        return self._run(_ops.update_webhook(webhook_id, changes))

    def delete_webhook(self, webhook_id: str) -> None:
        """DELETE /v1/webhooks/{id}."""
        return self._run(_ops.delete_webhook(webhook_id))

    def rotate_webhook_secret(self, webhook_id: str) -> dict[str, Any]:
        """POST /v1/webhooks/{id}/rotate-secret: a new secret (shown once); the old one signs for 24 h."""
        return self._run(_ops.rotate_webhook_secret(webhook_id))

    def list_webhook_deliveries(self, webhook_id: str, *, state: str | None = None, cursor: str | None = None,
                                limit: int = 100) -> dict[str, Any]:
        """GET /v1/webhooks/{id}/deliveries: one page of the delivery log, newest first."""
        return self._run(_ops.list_webhook_deliveries(webhook_id, state, cursor, limit))

    def redeliver_webhook(self, webhook_id: str, delivery_id: str) -> dict[str, Any]:
        """POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver."""
        return self._run(_ops.redeliver_webhook(webhook_id, delivery_id))

    # credentials: secret rotation and API keys (an admin of the client's organisation, or the operator)

    def rotate_client_secret(self, client_id: str, *, overlap_seconds: int | None = None) -> dict[str, Any]:
        """POST /v1/clients/{id}/rotate-secret: the new ``client_secret`` (shown once); the old one
        works until ``previous_secret_valid_until`` (the server's default overlap unless given)."""
        return self._run(_ops.rotate_client_secret(client_id, overlap_seconds))

    def issue_api_key(self, client_id: str, name: str) -> dict[str, Any]:
        """POST /v1/clients/{id}/api-keys: ``api_key`` (shown once), for ``Authorization: ApiKey <key>``."""
        return self._run(_ops.issue_api_key(client_id, name))

    def list_api_keys(self, client_id: str) -> list[dict[str, Any]]:
        """GET /v1/clients/{id}/api-keys: the keys without secrets."""
        return self._run(_ops.list_api_keys(client_id))

    def revoke_api_key(self, client_id: str, key_id: str) -> dict[str, Any]:
        """POST /v1/clients/{id}/api-keys/{key_id}/revoke."""
        return self._run(_ops.revoke_api_key(client_id, key_id))
