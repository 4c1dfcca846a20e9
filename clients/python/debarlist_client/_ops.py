"""The API's operations as ``Call`` descriptions, shared by the sync and async clients."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from debarlist_client._core import Call, clean_params, idempotency, model
from debarlist_client.models import (
    AuditPage,
    BulkResult,
    ChangePage,
    Entry,
    EntryPage,
    Revision,
    ScreeningReceipt,
    ScreenResponse,
    VerifyReport,
)


def _body(data: Any) -> Any:
    return data.model_dump(mode="json", exclude_unset=True) if hasattr(data, "model_dump") else data


def get_entry(entry_id: str) -> Call[Entry]:
    return Call("GET", f"/v1/entries/{entry_id}", model(Entry))


def list_entries(filters: Mapping[str, Any], cursor: str | None, limit: int) -> Call[EntryPage]:
    return Call("GET", "/v1/entries", model(EntryPage),
                params=clean_params({**filters, "cursor": cursor, "limit": limit}))


def create_entry(body: Any, idempotency_key: str | None) -> Call[Entry]:
    return Call("POST", "/v1/entries", model(Entry), json=_body(body), headers=idempotency(idempotency_key))


def update_entry(entry_id: str, changes: Any, etag: str) -> Call[Entry]:
    return Call("PATCH", f"/v1/entries/{entry_id}", model(Entry), json=_body(changes), headers={"If-Match": etag})


def withdraw_entry(entry_id: str, reason: str, etag: str | None, idempotency_key: str | None) -> Call[Entry]:
    headers = {**idempotency(idempotency_key), **({"If-Match": etag} if etag else {})}
    # With If-Match a repeat is refused (412) rather than applied twice; so is a second withdrawal.
    return Call("POST", f"/v1/entries/{entry_id}/withdraw", model(Entry), json={"reason": reason},
                headers=headers, idempotent=bool(etag or idempotency_key))


def bulk_upsert(entries: list[Any]) -> Call[BulkResult]:
    # Upserts by external_ref: sending the same rows twice leaves the same list.
    return Call("POST", "/v1/entries/bulk", model(BulkResult), json={"entries": [_body(e) for e in entries]},
                idempotent=True)


def entry_revisions(entry_id: str) -> Call[list[Revision]]:
    return Call("GET", f"/v1/entries/{entry_id}/revisions", model(list[Revision]))


def screen(body: dict[str, Any], idempotency_key: str | None) -> Call[ScreenResponse]:
    # Each call stores a receipt: repeated only when the caller gave an Idempotency-Key.
    return Call("POST", "/v1/screen", model(ScreenResponse), json=body, headers=idempotency(idempotency_key))


def get_screening(screening_id: str) -> Call[ScreeningReceipt]:
    return Call("GET", f"/v1/screenings/{screening_id}", model(ScreeningReceipt))


def audit_page(filters: Mapping[str, Any], cursor: str | None, limit: int) -> Call[AuditPage]:
    return Call("GET", "/v1/audit", model(AuditPage), params=clean_params({**filters, "cursor": cursor,
                                                                          "limit": limit}))


def verify_audit(checkpoint: str | None) -> Call[VerifyReport]:
    return Call("GET", "/v1/audit/verify", model(VerifyReport), params=clean_params({"checkpoint": checkpoint}))


def changes(since: int, limit: int, wait: float) -> Call[ChangePage]:
    return Call("GET", "/v1/changes", model(ChangePage),
                params=clean_params({"since": since, "limit": limit, "wait": wait or None}))


# yente's match API and the Reconciliation API 0.2: their own documents, read as dicts.
JSON = model(dict[str, Any])


def yente_match(queries: Mapping[str, Any], dataset: str, params: Mapping[str, Any]) -> Call[dict[str, Any]]:
    # Each call is a screening with a receipt: repeated only on the caller's Idempotency-Key.
    return Call("POST", f"/match/{dataset}", JSON, json={"queries": dict(queries)}, params=clean_params(params))


def yente_algorithms() -> Call[dict[str, Any]]:
    return Call("GET", "/algorithms", JSON)


def yente_catalog() -> Call[dict[str, Any]]:
    return Call("GET", "/catalog", JSON)


def yente_entity(entity_id: str, nested: bool) -> Call[dict[str, Any]]:
    return Call("GET", f"/entities/{entity_id}", JSON, params={"nested": str(nested).lower()})


def reconcile_manifest() -> Call[dict[str, Any]]:
    return Call("GET", "/reconcile", JSON)


def reconcile(queries: Mapping[str, Any]) -> Call[dict[str, Any]]:
    return Call("POST", "/reconcile", JSON, form={"queries": json.dumps(dict(queries))})


def reconcile_extend(ids: list[str], properties: list[str]) -> Call[dict[str, Any]]:
    extend = {"ids": ids, "properties": [{"id": p} for p in properties]}
    return Call("POST", "/reconcile", JSON, form={"extend": json.dumps(extend)}, idempotent=True)  # a read


def reconcile_suggest(kind: str, prefix: str, limit: int) -> Call[dict[str, Any]]:
    params = {"prefix": prefix, **({"limit": limit} if kind == "entity" else {})}
    return Call("GET", f"/reconcile/suggest/{kind}", JSON, params=params)


def reconcile_preview(entry_id: str) -> Call[str]:
    return Call("GET", "/reconcile/preview", lambda response: response.text, params={"id": entry_id})


def reconcile_propose_properties(type_id: str | None) -> Call[dict[str, Any]]:
    return Call("GET", "/reconcile/extend/propose", JSON, params=clean_params({"type": type_id}))


def screen_ocds(document: Mapping[str, Any], roles: list[str] | None, limit: int,
                idempotency_key: str | None) -> Call[dict[str, Any]]:
    # One screening (a receipt) per ocid: repeated only on the caller's Idempotency-Key.
    return Call("POST", "/v1/screen/ocds", JSON, json=dict(document),
                params=clean_params({"roles": roles, "limit": limit}), headers=idempotency(idempotency_key))


# ------------------------------------------------------------------ monitoring (watchlist, alerts, decisions)

def _none(response: Any) -> None:
    return None


def watch_supplier(body: Mapping[str, Any], idempotency_key: str | None) -> Call[dict[str, Any]]:
    # A ref is watched once per organisation: a repeat is refused (409), never applied twice.
    return Call("POST", "/v1/watchlist", JSON, json=dict(body), headers=idempotency(idempotency_key),
                idempotent=True)


def watch_suppliers(suppliers: list[Mapping[str, Any]]) -> Call[dict[str, Any]]:
    return Call("POST", "/v1/watchlist/bulk", JSON, json={"suppliers": [dict(s) for s in suppliers]},
                idempotent=True)


def list_watchlist(cursor: str | None, limit: int) -> Call[dict[str, Any]]:
    return Call("GET", "/v1/watchlist", JSON, params=clean_params({"cursor": cursor, "limit": limit}))


def get_watched_supplier(watch_id: str) -> Call[dict[str, Any]]:
    return Call("GET", f"/v1/watchlist/{watch_id}", JSON)


def replace_watched_supplier(watch_id: str, body: Mapping[str, Any]) -> Call[dict[str, Any]]:
    return Call("PUT", f"/v1/watchlist/{watch_id}", JSON, json=dict(body))


def unwatch_supplier(watch_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/watchlist/{watch_id}", _none)


def list_alerts(status: str | None, since: str | None, cursor: str | None, limit: int) -> Call[dict[str, Any]]:
    return Call("GET", "/v1/alerts", JSON,
                params=clean_params({"status": status, "since": since, "cursor": cursor, "limit": limit}))


def get_alert(alert_id: str) -> Call[dict[str, Any]]:
    return Call("GET", f"/v1/alerts/{alert_id}", JSON)


def acknowledge_alert(alert_id: str) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/alerts/{alert_id}/acknowledge", JSON, idempotent=True)  # acknowledging twice is once


def decide_alert(alert_id: str, body: Mapping[str, Any]) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/alerts/{alert_id}/decision", JSON, json=dict(body))


def decide_screening_match(screening_id: str, body: Mapping[str, Any]) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/screenings/{screening_id}/decisions", JSON, json=dict(body))


def decision_history(decision_id: str) -> Call[list[dict[str, Any]]]:
    return Call("GET", f"/v1/decisions/{decision_id}/history", model(list[dict[str, Any]]))


def reverse_decision(decision_id: str) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/decisions/{decision_id}/reverse", JSON)


# ------------------------------------------------------------------ webhooks (endpoints, delivery log)

def create_webhook(body: Mapping[str, Any]) -> Call[dict[str, Any]]:
    # Never repeated: a second endpoint (and secret) would be registered. The answer holds the
    # signing secret, shown this once.
    return Call("POST", "/v1/webhooks", JSON, json=dict(body), idempotent=False)


def list_webhooks() -> Call[dict[str, Any]]:
    return Call("GET", "/v1/webhooks", JSON)


def get_webhook(webhook_id: str) -> Call[dict[str, Any]]:
    return Call("GET", f"/v1/webhooks/{webhook_id}", JSON)


def update_webhook(webhook_id: str, changes: Mapping[str, Any]) -> Call[dict[str, Any]]:
    # Sets the named fields to the given values: repeating it changes nothing more.
    return Call("PATCH", f"/v1/webhooks/{webhook_id}", JSON, json=dict(changes), idempotent=True)


def delete_webhook(webhook_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/webhooks/{webhook_id}", _none)


def rotate_webhook_secret(webhook_id: str) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/webhooks/{webhook_id}/rotate-secret", JSON, idempotent=False)


def list_webhook_deliveries(webhook_id: str, state: str | None, cursor: str | None,
                            limit: int) -> Call[dict[str, Any]]:
    return Call("GET", f"/v1/webhooks/{webhook_id}/deliveries", JSON,
                params=clean_params({"state": state, "cursor": cursor, "limit": limit}))


def redeliver_webhook(webhook_id: str, delivery_id: str) -> Call[dict[str, Any]]:
    # Requeues the delivery (same webhook-id): a repeat requeues it again, which the receiver
    # recognises by the id.
    return Call("POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", JSON, idempotent=True)


# ------------------------------------------------------------------ credentials (secret rotation, API keys)

def rotate_client_secret(client_id: str, overlap_seconds: int | None) -> Call[dict[str, Any]]:
    # Each call makes a new secret: never repeated (a lost answer would lose the secret).
    body = {"overlap_seconds": overlap_seconds} if overlap_seconds is not None else None
    return Call("POST", f"/v1/clients/{client_id}/rotate-secret", JSON, json=body)


def issue_api_key(client_id: str, name: str) -> Call[dict[str, Any]]:
    # Each call issues another key: never repeated.
    return Call("POST", f"/v1/clients/{client_id}/api-keys", JSON, json={"name": name})


def list_api_keys(client_id: str) -> Call[list[dict[str, Any]]]:
    return Call("GET", f"/v1/clients/{client_id}/api-keys", model(list[dict[str, Any]]))


def revoke_api_key(client_id: str, key_id: str) -> Call[dict[str, Any]]:
    return Call("POST", f"/v1/clients/{client_id}/api-keys/{key_id}/revoke", JSON, idempotent=True)  # twice is once
