"""The asynchronous client: the same operations as ``Client``, awaitable."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
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


class AsyncClient:
    """Async Debarlist API client; see ``Client`` for the token and retry rules."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, renew_margin: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self._owns_http = http is None
        self._client_id = client_id
        self._client_secret = client_secret
        self.retry = retry or RetryPolicy()
        self._token = TokenState(margin=renew_margin, clock=clock)
        self._clock = clock
        self._sleep = sleep
        # Concurrent calls share one token fetch instead of each asking for a token.
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def token(self) -> str:
        async with self._token_lock:
            valid = self._token.valid()
            if valid is not None:
                return valid
            requested_at = self._clock()
            # client_secret_basic, what OAuth libraries send by default (the secret never in a body).
            call = Call("POST", "/v1/token", lambda r: Token.model_validate_json(r.content), idempotent=True,
                        headers={"Authorization": basic_credentials(self._client_id, self._client_secret)})
            response = await self._send(call, form={"grant_type": "client_credentials"}, auth=False)
            return self._token.store(call.parse(response), requested_at)

    async def _send(self, call: Call[Any], *, form: Mapping[str, str] | None = None, auth: bool = True,
                    stream: bool = False) -> httpx.Response:
        attempt = 0
        renewed = False
        while True:
            headers = dict(call.headers)
            if auth:
                headers["Authorization"] = f"Bearer {await self.token()}"
            request = self._http.build_request(call.method, call.path, params=call.params, json=call.json,
                                               data=form or call.form, headers=headers)
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if not self.retry.should_retry(call, None, attempt):
                    raise TransportError(str(exc)) from exc
                await self._sleep(self.retry.delay(None, attempt))
                attempt += 1
                continue
            if response.is_success:
                return response
            if stream:
                await response.aread()
                await response.aclose()
            if response.status_code == 401 and auth and not renewed:
                self._token.forget()
                renewed = True
                continue
            if self.retry.should_retry(call, response, attempt):
                await self._sleep(self.retry.delay(response, attempt))
                attempt += 1
                continue
            raise error_for(response)

    async def _run(self, call: Call[T]) -> T:
        return call.parse(await self._send(call))

    async def _lines(self, path: str, params: Mapping[str, Any]) -> AsyncIterator[str]:
        call = Call("GET", path, lambda r: r, params=clean_params(params))
        response = await self._send(call, stream=True)
        try:
            async for line in response.aiter_lines():
                if line.strip():
                    yield line
        finally:
            await response.aclose()

    async def get_entry(self, entry_id: str) -> Entry:
        return await self._run(_ops.get_entry(entry_id))

    async def iter_entries(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Entry]:
        cursor: str | None = None
        while True:
            page = await self._run(_ops.list_entries(filters, cursor, page_size))
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def create_entry(self, body: Mapping[str, Any] | Any, *, idempotency_key: str | None = None) -> Entry:
        return await self._run(_ops.create_entry(body, idempotency_key))

    async def update_entry(self, entry_id: str, changes: Mapping[str, Any] | Any, *, etag: str) -> Entry:
        return await self._run(_ops.update_entry(entry_id, changes, etag))

    async def withdraw_entry(self, entry_id: str, reason: str, *, etag: str | None = None,
                             idempotency_key: str | None = None) -> Entry:
        return await self._run(_ops.withdraw_entry(entry_id, reason, etag, idempotency_key))

    async def bulk_upsert(self, entries: list[Mapping[str, Any]]) -> BulkResult:
        return await self._run(_ops.bulk_upsert(list(entries)))

    async def entry_revisions(self, entry_id: str) -> list[Revision]:
        return await self._run(_ops.entry_revisions(entry_id))

    async def screen(self, subjects: Iterable[Subject | Mapping[str, Any]], *, as_of: date | str | None = None,
                     threshold: float | None = None, limit: int | None = None, tender_ref: str | None = None,
                     include_inactive: bool | None = None, idempotency_key: str | None = None) -> ScreenResponse:
        body = screen_body(subject_dicts(subjects), as_of=as_of, threshold=threshold, limit=limit,
                           tender_ref=tender_ref, include_inactive=include_inactive)
        return await self._run(_ops.screen(body, idempotency_key))

    async def screen_many(self, subjects: Iterable[Subject | Mapping[str, Any]], *, batch_size: int = 1000,
                          as_of: date | str | None = None, threshold: float | None = None,
                          limit: int | None = None, tender_ref: str | None = None,
                          include_inactive: bool | None = None,
                          idempotency_key: str | None = None) -> list[ScreenResponse]:
        responses = []
        for number, batch in enumerate(batches(subject_dicts(subjects), batch_size)):
            key = f"{idempotency_key}-{number}" if idempotency_key else None
            body = screen_body(batch, as_of=as_of, threshold=threshold, limit=limit, tender_ref=tender_ref,
                               include_inactive=include_inactive)
            responses.append(await self._run(_ops.screen(body, key)))
        return responses

    async def get_screening(self, screening_id: str) -> ScreeningReceipt:
        return await self._run(_ops.get_screening(screening_id))

    async def iter_audit(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[AuditRecord]:
        cursor: str | None = None
        while True:
            page = await self._run(_ops.audit_page(filters, cursor, page_size))
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def export_audit(self, **filters: Any) -> AsyncIterator[AuditRecord]:
        async for line in self._lines("/v1/audit/export", {**filters, "format": "jsonl"}):
            yield AuditRecord.model_validate_json(line)

    async def verify_audit(self, checkpoint: str | None = None) -> VerifyReport:
        return await self._run(_ops.verify_audit(checkpoint))

    async def changes(self, since: int = 0, *, limit: int = 100, wait: float = 0) -> ChangePage:
        return await self._run(_ops.changes(since, limit, wait))

    async def iter_change_pages(self, since: int = 0, *, limit: int = 100, follow: bool = False,
                                wait: float = 20) -> AsyncIterator[ChangePage]:
        while True:
            page = await self.changes(since, limit=limit, wait=wait if follow else 0)
            yield page
            since = page.next_since
            if not follow and since >= page.head:
                return

    async def iter_changes(self, since: int = 0, *, limit: int = 100, follow: bool = False,
                           wait: float = 20) -> AsyncIterator[Change]:
        async for page in self.iter_change_pages(since, limit=limit, follow=follow, wait=wait):
            for item in page.items:
                yield item

    async def export_ftm(self, *, include_withdrawn: bool = False) -> AsyncIterator[dict[str, Any]]:
        async for line in self._lines("/v1/export/ftm", {"include_withdrawn": include_withdrawn}):
            yield json.loads(line)


    # yente's match API (the same screening as screen(), answered as yente answers)

    async def yente_match(self, queries: Mapping[str, Mapping[str, Any]], *, dataset: str = "default",
                    **params: Any) -> dict[str, Any]:
        """POST /match/{dataset}: FtM-style queries keyed by the caller; params are yente's
        (limit, threshold, cutoff, algorithm, topics, exclude_entity_ids, changed_since, tender_ref)."""
        return await self._run(_ops.yente_match(queries, dataset, params))

    async def yente_algorithms(self) -> dict[str, Any]:
        return await self._run(_ops.yente_algorithms())

    async def yente_catalog(self) -> dict[str, Any]:
        return await self._run(_ops.yente_catalog())

    async def yente_entity(self, entity_id: str, *, nested: bool = True) -> dict[str, Any]:
        return await self._run(_ops.yente_entity(entity_id, nested))

    # the Reconciliation API 0.2

    async def reconcile_manifest(self) -> dict[str, Any]:
        return await self._run(_ops.reconcile_manifest())

    async def reconcile(self, queries: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """POST /reconcile: a batch of 0.2 queries (one screening), candidates per key."""
        return await self._run(_ops.reconcile(queries))

    async def reconcile_extend(self, ids: list[str], properties: list[str]) -> dict[str, Any]:
        return await self._run(_ops.reconcile_extend(list(ids), list(properties)))

    async def reconcile_suggest(self, kind: str, prefix: str, *, limit: int = 10) -> dict[str, Any]:
        """kind: entity, type or property."""
        return await self._run(_ops.reconcile_suggest(kind, prefix, limit))

    async def reconcile_preview(self, entry_id: str) -> str:
        return await self._run(_ops.reconcile_preview(entry_id))

    async def reconcile_propose_properties(self, type_id: str | None = None) -> dict[str, Any]:
        return await self._run(_ops.reconcile_propose_properties(type_id))

    async def screen_ocds(self, document: Mapping[str, Any], *, roles: list[str] | None = None, limit: int = 5,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        """POST /v1/screen/ocds: screen an OCDS release or package's tenderers and suppliers (or ``roles``)."""
        return await self._run(_ops.screen_ocds(document, roles, limit, idempotency_key))

    # monitoring: watchlist, alerts, decisions

    async def watch_supplier(self, supplier: Mapping[str, Any], *,
                             idempotency_key: str | None = None) -> dict[str, Any]:
        """POST /v1/watchlist: watch a supplier (screened at once)."""
        return await self._run(_ops.watch_supplier(supplier, idempotency_key))

    async def watch_suppliers(self, suppliers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """POST /v1/watchlist/bulk: watch up to 1,000 suppliers."""
        return await self._run(_ops.watch_suppliers(list(suppliers)))

    async def list_watchlist(self, *, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
        """GET /v1/watchlist: one page of watched suppliers."""
        return await self._run(_ops.list_watchlist(cursor, limit))

    async def get_watched_supplier(self, watch_id: str) -> dict[str, Any]:
        """GET /v1/watchlist/{id}."""
        return await self._run(_ops.get_watched_supplier(watch_id))

    async def replace_watched_supplier(self, watch_id: str, supplier: Mapping[str, Any]) -> dict[str, Any]:
        """PUT /v1/watchlist/{id}: change it (screened again)."""
        return await self._run(_ops.replace_watched_supplier(watch_id, supplier))

    async def unwatch_supplier(self, watch_id: str) -> None:
        """DELETE /v1/watchlist/{id}."""
        return await self._run(_ops.unwatch_supplier(watch_id))

    async def list_alerts(self, *, status: str | None = None, since: str | None = None, cursor: str | None = None,
                    limit: int = 100) -> dict[str, Any]:
        """GET /v1/alerts: one page of alerts (poll with status='new' and since)."""
        return await self._run(_ops.list_alerts(status, since, cursor, limit))

    async def get_alert(self, alert_id: str) -> dict[str, Any]:
        """GET /v1/alerts/{id}."""
        return await self._run(_ops.get_alert(alert_id))

    async def acknowledge_alert(self, alert_id: str) -> dict[str, Any]:
        """POST /v1/alerts/{id}/acknowledge."""
        return await self._run(_ops.acknowledge_alert(alert_id))

    async def decide_alert(self, alert_id: str, decision: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/alerts/{id}/decision: confirmed or false_positive."""
        return await self._run(_ops.decide_alert(alert_id, decision))

    async def decide_screening_match(self, screening_id: str, decision: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/screenings/{id}/decisions (ref, entry_id, decision, note, action)."""
        return await self._run(_ops.decide_screening_match(screening_id, decision))

    async def decision_history(self, decision_id: str) -> list[dict[str, Any]]:
        """GET /v1/decisions/{id}/history."""
        return await self._run(_ops.decision_history(decision_id))

    async def reverse_decision(self, decision_id: str) -> dict[str, Any]:
        """POST /v1/decisions/{id}/reverse."""
        return await self._run(_ops.reverse_decision(decision_id))

    # webhooks: endpoints and their delivery log

    async def create_webhook(self, endpoint: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v1/webhooks: register an endpoint (url, event_types); the answer's secret is shown once."""
        return await self._run(_ops.create_webhook(endpoint))

    async def list_webhooks(self) -> dict[str, Any]:
        """GET /v1/webhooks: the organisation's endpoints."""
        return await self._run(_ops.list_webhooks())

    async def get_webhook(self, webhook_id: str) -> dict[str, Any]:
        """GET /v1/webhooks/{id}."""
        return await self._run(_ops.get_webhook(webhook_id))

    async def update_webhook(self, webhook_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH /v1/webhooks/{id}: url, event_types, description, enabled."""
        return await self._run(_ops.update_webhook(webhook_id, changes))

    async def delete_webhook(self, webhook_id: str) -> None:
        """DELETE /v1/webhooks/{id}."""
        return await self._run(_ops.delete_webhook(webhook_id))

    async def rotate_webhook_secret(self, webhook_id: str) -> dict[str, Any]:
        """POST /v1/webhooks/{id}/rotate-secret: a new secret (shown once); the old one signs for 24 h."""
        return await self._run(_ops.rotate_webhook_secret(webhook_id))

    async def list_webhook_deliveries(self, webhook_id: str, *, state: str | None = None, cursor: str | None = None,
                                      limit: int = 100) -> dict[str, Any]:
        """GET /v1/webhooks/{id}/deliveries: one page of the delivery log, newest first."""
        return await self._run(_ops.list_webhook_deliveries(webhook_id, state, cursor, limit))

    async def redeliver_webhook(self, webhook_id: str, delivery_id: str) -> dict[str, Any]:
        """POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver."""
        return await self._run(_ops.redeliver_webhook(webhook_id, delivery_id))

    # credentials: secret rotation and API keys (an admin of the client's organisation, or the operator)

    async def rotate_client_secret(self, client_id: str, *, overlap_seconds: int | None = None) -> dict[str, Any]:
        """POST /v1/clients/{id}/rotate-secret: the new ``client_secret`` (shown once)."""
        return await self._run(_ops.rotate_client_secret(client_id, overlap_seconds))

    async def issue_api_key(self, client_id: str, name: str) -> dict[str, Any]:
        """POST /v1/clients/{id}/api-keys: ``api_key`` (shown once)."""
        return await self._run(_ops.issue_api_key(client_id, name))

    async def list_api_keys(self, client_id: str) -> list[dict[str, Any]]:
        """GET /v1/clients/{id}/api-keys: the keys without secrets."""
        return await self._run(_ops.list_api_keys(client_id))

    async def revoke_api_key(self, client_id: str, key_id: str) -> dict[str, Any]:
        """POST /v1/clients/{id}/api-keys/{key_id}/revoke."""
        return await self._run(_ops.revoke_api_key(client_id, key_id))
