"""Reconciliation 0.2 over the screening service: a batch of queries is one ``/v1/screen``.

Each query becomes a screening subject through the yente module's reading of FtM-style
properties (property ids are FtM's, as in yente's reconciliation), so a reconciliation is a
receipt and an audit record like any screening; candidates are entries, described by their
listing, and data extension reads entries with the list's visibility rule.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match import DEFAULT_THRESHOLD
from service.common.routing import parse_json
from service.entries.models import Entry
from service.entries.service import EntryFilters, can_see, describe_validation_error, list_entries, to_out
from service.entries.states import Publication
from service.exchange import ftm
from service.kernel.clock import today
from service.kernel.errors import NotFound, ServiceError, Unprocessable
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.protocols.reconcile.schemas import EntityValue, ExtendQuery, QueryBatch, ReconQuery
from service.protocols.yente import service as yente
from service.protocols.yente.schemas import EntityExample
from service.screening import service as screening
from service.screening.schemas import ScreenRequest

MAX_QUERIES = 1000
# Candidates are shown down to this score; `match` (OpenRefine's auto-match) is the engine's own threshold.
CANDIDATE_THRESHOLD = 0.5
TYPES = {"Company": "Company (or other organisation)", "Person": "Person", "LegalEntity": "Company or person"}
QUERY_PROPERTIES = {
    "alias": "Other name", "country": "Country (ISO code)", "registrationNumber": "Registration number",
    "taxNumber": "Tax number", "innCode": "INN", "leiCode": "LEI", "vatCode": "VAT number",
    "dunsCode": "DUNS", "idNumber": "National id", "uscCode": "Unified social credit code",
}
EXTEND_PROPERTIES = {
    "listing": "Listing (debarred or flagged)", "grounds": "Grounds", "starts_on": "In force from",
    "ends_on": "In force until", "status": "Status today", "appeal_status": "Appeal status",
    "organisation": "Listing organisation", "decision_ref": "Decision reference", "legal_basis": "Legal basis",
    "country": "Country",
}


@dataclass(frozen=True)
class Links:
    """Where the service is reached, for the manifest's URLs."""

    base: str


def manifest(links: Links) -> dict[str, Any]:
    root = f"{links.base}/reconcile"
    return {
        "versions": ["0.2"],
        "name": "Debarlist",
        "identifierSpace": f"{links.base}/v1/entries/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{links.base}/docs",
        "view": {"url": f"{links.base}/v1/entries/{{{{id}}}}"},
        "authentication": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "'Bearer <access token>' from POST /v1/token (client credentials) of a client with the "
                           "screener role.",
        },
        "defaultTypes": [{"id": type_id, "name": name} for type_id, name in TYPES.items()],
        "suggest": {kind: {"service_url": root, "service_path": f"/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "preview": {"url": f"{root}/preview?id={{{{id}}}}", "width": 400, "height": 220},
        "extend": {"propose_properties": {"service_url": root, "service_path": "/extend/propose"},
                   "property_settings": []},
    }


def _load(text: str, model: Any, what: str) -> Any:
    try:
        return model.model_validate(parse_json(text.encode()))
    except (ValueError, ValidationError) as exc:
        detail = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ServiceError(f"invalid {what}: {detail}") from exc


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, bool):
            continue
        # A reconciled entity stands for its name; its id is another service's, not ours.
        text = str(item.name or item.id) if isinstance(item, EntityValue) else str(item)
        if text.strip():
            out.append(text.strip())
    return out


def _example(query: ReconQuery) -> EntityExample | None:
    """The query as an FtM example, or None when this list holds nothing of its type."""
    types = [query.type] if isinstance(query.type, str) else (query.type or [])
    known = [t for t in types if t in TYPES]
    if types and not known:
        return None
    properties: dict[str, list[str]] = {}
    if query.query and query.query.strip():
        properties["name"] = [query.query.strip()]
    for constraint in query.properties or []:
        if constraint.pid in QUERY_PROPERTIES:  # other services' properties are not ours: ignored
            properties.setdefault(constraint.pid, []).extend(_strings(constraint.v))
    if "name" not in properties:
        # The engine matches a strong identifier whatever the name; an identifier-only row
        # is screened under its identifier.
        ids = [v for p, vs in properties.items() if p in yente.IDENTIFIER_PROPERTIES for v in vs]
        if not ids:
            return None
        properties["name"] = ids[:1]
    return EntityExample.model_validate({"schema": known[0] if known else "LegalEntity", "properties": properties})


def reconcile(tx: Tx, principal: Principal, lists: Lists, queries_json: str) -> dict[str, Any]:
    """Screen every query that can be matched, in one screening, and answer per query key."""
    batch: QueryBatch = _load(queries_json, QueryBatch, "reconciliation queries")
    if len(batch.root) > MAX_QUERIES:
        raise ServiceError(f"at most {MAX_QUERIES} queries in one batch")
    answer: dict[str, Any] = {key: {"result": []} for key in batch.root}
    subjects, limits = [], {}
    for key, query in batch.root.items():
        example = _example(query)
        subject = yente.subject_of(key, example)[0] if example is not None else None
        if subject is not None:
            subjects.append(subject)
            limits[key] = query.limit
    if not subjects:
        return answer
    try:
        request = ScreenRequest(subjects=subjects, threshold=CANDIDATE_THRESHOLD, limit=max(limits.values()))
    except ValidationError as exc:
        raise Unprocessable(describe_validation_error(exc)) from exc
    screened = screening.screen(tx, principal, lists, request)
    match_at = DEFAULT_THRESHOLD
    for result in screened.results:
        candidates = []
        for m in result.matches[:limits[result.ref]]:
            e = m.entry
            kind = "Person" if (m.explanation.get("kind") or {}).get("listed") == "person" else "Company"
            candidates.append({
                "id": m.entry_id, "name": e.name, "score": round(m.score, 4), "match": m.score >= match_at,
                "description": _description(e.listing, e.organisation, e.grounds, e.starts_on, e.ends_on,
                                            e.appeal_status),
                "type": [{"id": kind, "name": kind}],
                "features": [{"id": name, "value": round(f.score, 4)} for name, f in yente.explanations(m).items()],
            })
        answer[result.ref] = {"result": candidates}
    return answer


def _description(listing: str, organisation: str, grounds: list[str], starts_on: date, ends_on: date | None,
                 appeal_status: str) -> str:
    period = f"{starts_on.isoformat()} to {ends_on.isoformat() if ends_on else 'open-ended'}"
    return (f"{listing} by {organisation} ({', '.join(ftm.ground_label(g) for g in grounds)}), {period}, "
            f"appeal: {appeal_status}")


def _visible(session: Session, principal: Principal, entry_id: str) -> Entry | None:
    entry = session.execute(select(Entry).where(Entry.id == entry_id)).scalar_one_or_none()
    return entry if entry is not None and can_see(principal, entry) else None


def extend(session: Session, principal: Principal, extend_json: str) -> dict[str, Any]:
    query: ExtendQuery = _load(extend_json, ExtendQuery, "data extension query")
    unknown = [p.id for p in query.properties if p.id not in EXTEND_PROPERTIES]
    if unknown:
        raise ServiceError(f"unknown properties {unknown}; propose_properties lists them")
    on = today()
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entry_id in query.ids:
        entry = _visible(session, principal, entry_id)
        # An entry the caller may not see gets an empty row, exactly like one that does not exist.
        rows[entry_id] = {} if entry is None else _row(entry, on, [p.id for p in query.properties])
    meta = [{"id": p.id, "name": EXTEND_PROPERTIES[p.id]} for p in query.properties]
    return {"meta": meta, "rows": rows}


def _row(entry: Entry, on: date, properties: list[str]) -> dict[str, list[dict[str, Any]]]:
    out = to_out(entry, on)
    values: dict[str, list[dict[str, Any]]] = {
        "listing": [{"str": out.listing.value}], "grounds": [{"str": g.value} for g in out.grounds],
        "starts_on": [{"date": f"{out.starts_on.isoformat()}T00:00:00Z"}],
        "ends_on": [{"date": f"{out.ends_on.isoformat()}T00:00:00Z"}] if out.ends_on else [],
        "status": [{"str": out.status.value}], "appeal_status": [{"str": out.appeal_status}],
        "organisation": [{"str": out.organisation}],
        "decision_ref": [{"str": out.decision_ref}] if out.decision_ref else [],
        "legal_basis": [{"str": out.legal_basis}] if out.legal_basis else [],
        "country": [{"str": out.country}] if out.country else [],
    }
    return {name: values[name] for name in properties}


def propose_properties(type_id: str | None, limit: int) -> dict[str, Any]:
    if type_id is not None and type_id not in TYPES:
        raise NotFound(f"no type {type_id!r}; suggest/type lists them")
    properties = [{"id": pid, "name": name} for pid, name in EXTEND_PROPERTIES.items()][:limit]
    return {"type": type_id or "LegalEntity", "properties": properties, "limit": limit}


def _prefixed(items: dict[str, str], prefix: str) -> list[dict[str, str]]:
    wanted = prefix.strip().lower()
    return [{"id": key, "name": name} for key, name in items.items()
            if not wanted or key.lower().startswith(wanted) or name.lower().startswith(wanted)]


def suggest_types(prefix: str) -> dict[str, Any]:
    return {"result": _prefixed(TYPES, prefix)}


def suggest_properties(prefix: str) -> dict[str, Any]:
    return {"result": _prefixed(QUERY_PROPERTIES, prefix)}


def suggest_entities(session: Session, principal: Principal, prefix: str, limit: int) -> dict[str, Any]:
    """Entries the caller may read whose names contain ``prefix`` (the list's own name search)."""
    if not prefix.strip():
        return {"result": []}
    entries, _ = list_entries(session, principal, EntryFilters(q=prefix.strip()), None, limit)
    on = today()
    result = []
    for entry in entries:
        if entry.publication != Publication.published.value:
            continue  # not yet the list
        out = to_out(entry, on)
        result.append({"id": entry.id, "name": entry.name,
                       "description": _description(out.listing.value, out.organisation, [g.value for g in out.grounds],
                                                   out.starts_on, out.ends_on, out.appeal_status),
                       "notable": [{"id": ftm.SUBJECT_SCHEMATA[entry.kind], "name": ftm.SUBJECT_SCHEMATA[entry.kind]}]})
    return {"result": result}


def preview(session: Session, principal: Principal, entry_id: str) -> str:
    entry = _visible(session, principal, entry_id)
    if entry is None:
        raise NotFound(f"entry {entry_id!r} does not exist")
    out = to_out(entry, today())
    rows = [("Listing", f"{out.listing.value} by {out.organisation}"),
            ("Grounds", ", ".join(ftm.ground_label(g.value) for g in out.grounds)),
            ("Period", f"{out.starts_on} to {out.ends_on or 'open-ended'}"), ("Status", out.status.value),
            ("Appeal", out.appeal_status), ("Decision", out.decision_ref or ""), ("Country", out.country or "")]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(entry.name)}</title></head>"
            f"<body><h3>{html.escape(entry.name)}</h3><table>{cells}</table></body></html>")
