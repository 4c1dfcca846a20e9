"""Reading the audit log: who may see which records, filters, pages and streamed exports.

Who sees what (roles combine by union):
- auditor: every record;
- contributor, reviewer, admin: the records of their own organisation (the actor's
  organisation), which includes that organisation's screenings;
- screener: the screening records it made itself (a screening holds bidders' names, which
  only auditors and the screening organisation may read).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session, sessionmaker

from service.audit.schemas import AuditRecordOut, Order
from service.common.cursor import decode_cursor, encode_cursor
from service.common.jsonlines import escape_line_breaks
from service.common.spreadsheet import neutralise
from service.common.text import escape_like
from service.kernel.errors import Unprocessable
from service.kernel.ledger import AuditRecord
from service.kernel.principal import Principal
from service.kernel.roles import Role

EXPORT_CHUNK = 1000
CSV_FIELDS = ("seq", "recorded_at", "actor", "organisation", "role", "action", "target_type", "target_id",
              "request_id", "tender_ref", "details", "prev_hash", "hash")


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor: str | None = None
    organisation: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    tender_ref: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # since at or after until is an empty window, answered with no records: the document cannot
    # state the order of two parameters, so it is no validation error either.


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.has(Role.auditor):
        return true()
    parts: list[ColumnElement[bool]] = []
    if principal.has(Role.contributor, Role.reviewer, Role.admin):
        parts.append(AuditRecord.organisation == principal.organisation)
    if principal.has(Role.screener):
        parts.append(and_(AuditRecord.target_type == "screening", AuditRecord.actor == principal.client_id))
    return or_(*parts) if parts else false()


def _filtered(principal: Principal, filters: AuditFilters) -> Select[Any]:
    query = select(AuditRecord).where(visible_clause(principal))
    if filters.actor:
        query = query.where(AuditRecord.actor == filters.actor)
    if filters.organisation:
        query = query.where(AuditRecord.organisation == filters.organisation)
    if filters.action:
        # "entry.*" selects a family of actions; anything else is an exact match.
        if filters.action.endswith(".*"):
            prefix = escape_like(filters.action[:-1])
            query = query.where(AuditRecord.action.like(prefix + "%", escape="\\"))
        else:
            query = query.where(AuditRecord.action == filters.action)
    if filters.target_type:
        query = query.where(AuditRecord.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditRecord.target_id == filters.target_id)
    if filters.tender_ref:
        query = query.where(AuditRecord.tender_ref == filters.tender_ref)
    if filters.since:
        query = query.where(AuditRecord.recorded_at >= filters.since)
    if filters.until:
        query = query.where(AuditRecord.recorded_at < filters.until)
    return query


def list_records(session: Session, principal: Principal, filters: AuditFilters, order: Order,
                 cursor: str | None, limit: int) -> tuple[list[AuditRecord], str | None]:
    """One page in seq order. Seqs are given out under the ledger lock and committed in that
    order, so a record never appears behind a cursor already handed out: pages stay stable."""
    query = _filtered(principal, filters)
    if cursor:
        position = decode_cursor(cursor, "seq")
        if position.get("o") != order.value:
            raise Unprocessable("cursor was issued for the other order")
        after = position["seq"]
        query = query.where(AuditRecord.seq > after if order is Order.asc else AuditRecord.seq < after)
    key = AuditRecord.seq.asc() if order is Order.asc else AuditRecord.seq.desc()
    rows = list(session.execute(query.order_by(key).limit(limit + 1)).scalars())
    next_cursor = encode_cursor({"seq": rows[limit - 1].seq, "o": order.value}) if len(rows) > limit else None
    return rows[:limit], next_cursor


def to_out(record: AuditRecord) -> AuditRecordOut:
    return AuditRecordOut.model_validate(record)


def iter_records(factory: sessionmaker[Session], principal: Principal,
                 filters: AuditFilters) -> Iterator[AuditRecord]:
    """Every matching record in seq order, read in chunks, each in a short session."""
    last = 0
    while True:
        with factory() as session:
            chunk = list(session.execute(
                _filtered(principal, filters).where(AuditRecord.seq > last)
                .order_by(AuditRecord.seq).limit(EXPORT_CHUNK)).scalars())
        yield from chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        last = chunk[-1].seq


def jsonl_lines(records: Iterator[AuditRecord]) -> Iterator[str]:
    for record in records:
        yield escape_line_breaks(to_out(record).model_dump_json()) + "\n"


def csv_lines(records: Iterator[AuditRecord]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for record in records:
        out = to_out(record).model_dump(mode="json")
        out["details"] = json.dumps(out["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow([neutralise(out[name]) for name in CSV_FIELDS])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
