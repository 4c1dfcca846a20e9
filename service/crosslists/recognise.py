"""Cross-debarments found in the published lists become recognitions.

A development bank's list carries other banks' debarments it enforces (an EBRD row whose
originating institution is "WBG"). When the originating institution is an organisation here
and has an entry for the same firm, the row is that organisation's recognition of the
originator's entry. "The same firm" is decided by the matching engine with a high threshold
and the same country (when both give one), so a recognition is only made where a reviewer
would agree at a glance; the run is idempotent (an organisation recognises an entry once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from debarlist_match import MatchIndex, Query
from service.auth.models import Organisation
from service.auth.system import operator_for
from service.entries.models import Entry
from service.entries.publication import PUBLISHED
from service.kernel.uow import Tx
from service.listview.facts import record_of, snapshot_fields
from service.recognitions.schemas import RecognitionCreate
from service.recognitions.service import active_of, add

THRESHOLD = 0.9
LEGAL_BASIS = "Agreement for Mutual Enforcement of Debarment Decisions (2010); cross-debarment published by {org}"


@dataclass
class CrossReport:
    cross_debarments: int = 0          # rows naming an originating institution that is an organisation here
    matched: int = 0                   # of which the originator has an entry for the same firm
    created: int = 0                   # recognitions made by this run
    already: int = 0                   # recognitions that existed
    by_organisation: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"cross_debarments": self.cross_debarments, "matched": self.matched, "created": self.created,
                "already": self.already, "by_organisation": self.by_organisation}


def _live(session: Session) -> list[Entry]:
    query = select(Entry).where(Entry.publication == PUBLISHED, Entry.withdrawn_at.is_(None))
    return list(session.execute(query).scalars())


def recognise_cross_debarments(factory: sessionmaker[Session], *, threshold: float = THRESHOLD) -> CrossReport:
    report = CrossReport()
    with factory() as session:
        codes = {org.id: org.code for org in session.execute(select(Organisation)).scalars()}
        by_code = {code: org_id for org_id, code in codes.items()}
        entries = _live(session)
        indexes: dict[int, MatchIndex] = defaultdict(MatchIndex)
        by_id: dict[str, Entry] = {}
        for entry in entries:
            indexes[entry.organisation_id].add(record_of(entry.id, snapshot_fields(entry)))
            by_id[entry.id] = entry
        pairs: dict[int, list[tuple[Entry, Entry]]] = defaultdict(list)  # recogniser -> (its row, originator's)
        for row in entries:
            origin = (row.source or {}).get("originating_institution")
            origin_id = by_code.get(origin) if isinstance(origin, str) else None
            if origin_id is None or origin_id == row.organisation_id:
                continue
            report.cross_debarments += 1
            found = _same_firm(indexes[origin_id], by_id, row, threshold)
            if found is not None:
                report.matched += 1
                pairs[row.organisation_id].append((row, found))
        # One transaction per recognising organisation, audited as its operator.
        for org_id, found_pairs in sorted(pairs.items()):
            principal = operator_for(session, codes[org_id])
            tx = Tx(session=session, actor=principal.actor)
            made = 0
            for row, target in found_pairs:
                if active_of(session, target.id, org_id) is not None:
                    report.already += 1
                    continue
                body = RecognitionCreate(
                    decision_ref=row.decision_ref or f"{codes[org_id]} list, {row.external_ref or row.id}",
                    legal_basis=LEGAL_BASIS.format(org=codes[org_id]),
                    starts_on=row.starts_on, ends_on=row.ends_on)
                add(tx, principal, target, body, origin="cross_debarment", origin_entry_id=row.id)
                session.flush()  # the next active_of sees it (one firm listed twice by the recogniser)
                made += 1
            tx.commit()
            report.created += made
            if made:
                report.by_organisation[codes[org_id]] = made
    return report


def _same_firm(index: MatchIndex, by_id: dict[str, Entry], row: Entry, threshold: float) -> Entry | None:
    def same_country(key: str) -> bool:
        other = by_id[key]
        return row.country is None or other.country is None or row.country == other.country

    query = Query(name=row.name, aliases=tuple(row.aliases), country=row.country, kind=row.kind,
                  identifiers=record_of(row.id, snapshot_fields(row)).identifiers)
    found = index.search(query, threshold=threshold, limit=1, accept=same_country)
    return by_id[found[0].key] if found else None
