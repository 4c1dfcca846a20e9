"""A yente-format data catalog, so that a yente (or compatible) index mirrors Debarlist like any
other dataset: ``index.json`` names the caller's visible list with a version (the list revision),
its ``entities.ftm.json`` (the FtM export) and a ``delta.json`` whose versions point at
``entities.delta.json`` files of ``ADD``/``MOD``/``DEL`` lines, built on the change feed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.common.jsonlines import json_line
from service.entries.models import EntryRevision
from service.entries.states import Status
from service.exchange import ftm
from service.exchange.service import changes
from service.kernel.errors import ServiceError
from service.kernel.ledger import list_head
from service.kernel.principal import Principal
from service.protocols import catalog

DELTA_WINDOW = 1000  # revisions a delta index covers; an older mirror reloads entities.ftm.json


def version(revision: int) -> str:
    """Fixed width, so that yente's string ordering of versions is the revisions' order."""
    return f"{revision:012d}"


def index(session: Session, principal: Principal, base: str) -> dict[str, Any]:
    revision, found = catalog.datasets(session, principal)
    whole = found[0]
    entities_url = f"{base}/catalog/entities.ftm.json"
    return {"datasets": [{
        "name": catalog.WHOLE_LIST, "title": "Debarlist", "version": version(revision),
        "updated_at": whole.updated_at.isoformat() if whole.updated_at else None, "load": True,
        "summary": "Every entry the caller may see, as FollowTheMoney entities with the debarment topic.",
        "entities_url": entities_url, "delta_url": f"{base}/catalog/delta.json",
        "resources": [{"name": "entities.ftm.json", "url": entities_url, "mime_type": "application/json+ftm"}],
        "entity_count": whole.entity_count, "tags": ["list.debarment"],
    }]}


def delta_index(session: Session, principal: Principal, base: str) -> dict[str, Any]:
    """One delta version per list revision, in the last DELTA_WINDOW, that changed what the caller sees."""
    head = list_head(session)
    page = changes(session, principal, max(0, head - DELTA_WINDOW), DELTA_WINDOW)
    revisions = sorted({item.revision for item in page.items})
    return {"versions": {version(r): f"{base}/catalog/entities.delta.json?version={version(r)}" for r in revisions}}


def _entity_ids(session: Session, entry_id: str, entry_version: int) -> set[str]:
    """The FtM entity ids an entry's stored version exported (as ``exchange.ftm.entities`` names them)."""
    row = session.execute(select(EntryRevision.data).where(EntryRevision.entry_id == entry_id,
                                                           EntryRevision.version == entry_version)).scalar()
    if row is None:
        return set()
    sid = ftm.subject_id(entry_id)
    ids = {sid, f"{sid}-{'sanction' if row.get('listing') == 'debarred' else 'risk'}"}
    ids |= {f"{sid}-id-{i}" for i in range(len(row.get("identifiers") or []))}
    ids |= {f"{sid}-evidence-{i}" for i in range(len(row.get("evidence") or []))}
    return ids


def delta_lines(session: Session, principal: Principal, wanted: str) -> Iterator[str]:
    """The ``ADD``/``MOD``/``DEL`` operations of one list revision, one JSON object a line."""
    if not (wanted.isdigit() and len(wanted) <= 12):
        raise ServiceError(f"no delta version {wanted!r}")
    revision = int(wanted)
    page = changes(session, principal, max(0, revision - 1), 1)
    names = {code: name for code, name in session.execute(select(Organisation.code, Organisation.name))}
    lines = []
    for item in page.items:
        if item.revision != revision:
            continue
        before = _entity_ids(session, item.entry_id, item.version - 1)
        if item.entry is None or item.entry.status is Status.withdrawn:
            # A mirror holds what can be screened: a withdrawn or no longer visible entry leaves it.
            lines += [json_line({"op": "DEL", "entity": {"id": eid}}) for eid in sorted(before)]
            continue
        entities = ftm.entities(item.entry, names.get(item.entry.organisation, item.entry.organisation))
        op = "ADD" if item.version == 1 else "MOD"
        lines += [json_line({"op": op, "entity": entity}) for entity in entities]
        # Entities the previous version had and this one has not (a removed identifier, a listing
        # turned from debarred to flagged) are deleted, so the mirror equals the export.
        lines += [json_line({"op": "DEL", "entity": {"id": eid}})
                  for eid in sorted(before - {entity["id"] for entity in entities})]
    return iter(lines)
