"""The in-memory screening index of one app instance, kept in step with the database.

Every entry change takes a list revision (see ``service.common.tx``). The index remembers the
revision it has applied; before each screening it reads the ledger's revision and, when the
database is ahead (a write through this instance, another process or another replica), it
loads just the entries changed since. A screening that starts after a write was acknowledged
therefore sees that write.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from service.audit.models import Ledger
from service.auth.models import Organisation
from service.entries.models import Entry
from service.entries.service import derive_status
from service.matching import Identifier, ListedRecord, MatchIndex
from service.recognitions.models import Recognition


@dataclass(frozen=True, slots=True)
class RecognitionFact:
    """An organisation's recognition of the entry, shown in matches while in force."""

    organisation: str
    decision_ref: str
    legal_basis: str
    starts_on: date
    ends_on: date | None

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


@dataclass(frozen=True, slots=True)
class ListedFacts:
    """What a match shows about its entry, and what decides whether it may match."""

    entry_id: str
    organisation: str
    organisation_id: int
    name: str
    kind: str
    listing: str
    grounds: tuple[str, ...]
    visibility: str
    starts_on: date
    ends_on: date | None
    withdrawn: bool
    appeal_status: str
    legal_basis: str | None
    decision_ref: str | None
    decided_on: date | None
    source: dict[str, Any] | None
    version: int
    # Only "published" entries are screened: pending_review and rejected ones never match.
    publication: str = "published"
    appeal_lodged_on: date | None = None
    appeal_decided_on: date | None = None
    appeal_decision_ref: str | None = None
    recognitions: tuple[RecognitionFact, ...] = ()

    def status_on(self, on: date) -> str:
        return derive_status(withdrawn=self.withdrawn, starts_on=self.starts_on, ends_on=self.ends_on, on=on).value


def record_of(entry: Entry) -> ListedRecord:
    return ListedRecord(
        key=entry.id, kind=entry.kind, name=entry.name, aliases=tuple(entry.aliases), country=entry.country,
        identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"]) for i in entry.identifiers))


def facts_of(entry: Entry, recognitions: tuple[RecognitionFact, ...] = ()) -> ListedFacts:
    return ListedFacts(
        entry_id=entry.id, organisation=entry.organisation.code, organisation_id=entry.organisation_id,
        name=entry.name, kind=entry.kind, listing=entry.listing, grounds=tuple(entry.grounds),
        visibility=entry.visibility, starts_on=entry.starts_on, ends_on=entry.ends_on,
        withdrawn=entry.withdrawn_at is not None, appeal_status=entry.appeal_status,
        legal_basis=entry.legal_basis, decision_ref=entry.decision_ref, decided_on=entry.decided_on,
        source=entry.source, version=entry.version, publication=entry.publication,
        appeal_lodged_on=entry.appeal_lodged_on, appeal_decided_on=entry.appeal_decided_on,
        appeal_decision_ref=entry.appeal_decision_ref, recognitions=recognitions)


def changed_since(since: int) -> ColumnElement[bool]:
    """Entries changed after list revision ``since``: their own versions, or a recognition of them
    made or withdrawn (recognitions take list revisions of their own, not entry versions)."""
    recognised = select(Recognition.entry_id).where(or_(
        Recognition.created_revision > since, Recognition.withdrawn_revision > since))
    return or_(Entry.revision > since, Entry.id.in_(recognised))


def recognition_facts(session: Session, condition: ColumnElement[bool], *,
                      via_entry: bool = False) -> dict[str, list[RecognitionFact]]:
    """Recognitions meeting ``condition``, by entry id, in the order they were made.

    ``via_entry`` joins the recognised entry, for conditions on it (see ``changed_since``)."""
    query = select(Recognition, Organisation.code).join(Organisation, Organisation.id == Recognition.organisation_id)
    if via_entry:
        query = query.join(Entry, Entry.id == Recognition.entry_id)
    query = query.where(condition).order_by(Recognition.created_at, Recognition.id)
    found: dict[str, list[RecognitionFact]] = {}
    for recognition, code in session.execute(query):
        found.setdefault(recognition.entry_id, []).append(RecognitionFact(
            organisation=code, decision_ref=recognition.decision_ref, legal_basis=recognition.legal_basis,
            starts_on=recognition.starts_on, ends_on=recognition.ends_on))
    return found


def recognitions_of_changed(session: Session, since: int) -> dict[str, list[RecognitionFact]]:
    """Recognitions not withdrawn of the entries changed after list revision ``since``."""
    return recognition_facts(session, and_(changed_since(since), Recognition.withdrawn_at.is_(None)),
                             via_entry=True)


class LiveIndex:
    def __init__(self) -> None:
        self.matcher = MatchIndex()
        self.facts: dict[str, ListedFacts] = {}
        self.revision = 0
        self._refresh_lock = threading.Lock()

    def refresh(self, session: Session) -> int:
        """Apply every entry change the database has and the index has not; return the revision."""
        current = session.execute(select(Ledger.list_revision).where(Ledger.id == 1)).scalar_one()
        if current <= self.revision:
            return self.revision
        with self._refresh_lock:
            if current <= self.revision:
                return self.revision
            # Read before the entries: an entry recognised after this read has a revision above
            # ``current`` and is loaded again, with its recognition, by the next refresh.
            recognitions = recognitions_of_changed(session, self.revision)
            query = select(Entry).where(changed_since(self.revision)).order_by(Entry.revision)
            for entry in session.execute(query.execution_options(yield_per=2000)).scalars():
                self._apply(entry, tuple(recognitions.get(entry.id, ())))
            # Entries committed after ``current`` was read may be applied already; they are
            # applied again next time, which is harmless (add replaces by key).
            self.revision = current
        return self.revision

    def _apply(self, entry: Entry, recognitions: tuple[RecognitionFact, ...] = ()) -> None:
        # Withdrawn entries stay in the index: include_inactive screenings still report them.
        self.matcher.add(record_of(entry))
        self.facts[entry.id] = facts_of(entry, recognitions)
