"""One entry snapshot -> what screening, replay, recognitions and monitoring need of it.

A snapshot is the stored form of one version (``entry_revisions.data``); the live index reads
the current row through the same mapping (``snapshot_fields``), so both see one rule with one
set of defaults (versions stored before the due-process fields existed lack them: published,
no appeal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from debarlist_match import Identifier, ListedRecord
from service.auth.models import Organisation
from service.entries import policy
from service.entries.models import Entry
from service.entries.service import derive_status
from service.entries.states import Publication
from service.recognitions.models import Recognition


@dataclass(frozen=True, slots=True)
class RecognitionFact:
    """An organisation's recognition of the entry, shown in matches while in force, with when
    the list learned of it and of its withdrawal (record time and list revision)."""

    organisation: str
    decision_ref: str
    legal_basis: str
    starts_on: date
    ends_on: date | None
    created_at: datetime | None = None
    created_revision: int = 0
    withdrawn_at: datetime | None = None
    withdrawn_revision: int | None = None
    recognition_id: str = ""

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def known_at(self, instant: datetime) -> bool:
        return (self.created_at is not None and self.created_at <= instant
                and (self.withdrawn_at is None or self.withdrawn_at > instant))

    def known_at_revision(self, revision: int) -> bool:
        return self.created_revision <= revision and (
            self.withdrawn_revision is None or self.withdrawn_revision > revision)


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
    publication: str = Publication.published.value
    appeal_lodged_on: date | None = None
    appeal_decided_on: date | None = None
    appeal_decision_ref: str | None = None
    recognitions: tuple[RecognitionFact, ...] = ()

    def status_on(self, on: date) -> str:
        return derive_status(withdrawn=self.withdrawn, starts_on=self.starts_on, ends_on=self.ends_on, on=on).value

    def in_force_on(self, on: date) -> bool:
        return self.status_on(on) == "active"

    def screenable_by(self, organisation_id: int) -> bool:
        return policy.may_screen(organisation_id, owner_id=self.organisation_id, visibility=self.visibility,
                                 publication=self.publication)

    @property
    def partition(self) -> str | None:
        return policy.partition(owner_id=self.organisation_id, visibility=self.visibility,
                                publication=self.publication, withdrawn=self.withdrawn)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) else None


def facts_of(data: dict[str, Any], organisation_id: int,
             recognitions: tuple[RecognitionFact, ...] = ()) -> ListedFacts:
    starts_on = _day(data.get("starts_on"))
    if starts_on is None:
        raise ValueError(f"entry {data.get('id')!r} has no starts_on")
    return ListedFacts(
        entry_id=data["id"], organisation=data["organisation"], organisation_id=organisation_id,
        name=data["name"], kind=data["kind"], listing=data["listing"], grounds=tuple(data.get("grounds") or ()),
        visibility=data["visibility"], starts_on=starts_on, ends_on=_day(data.get("ends_on")),
        withdrawn=data.get("withdrawn_at") is not None, appeal_status=data.get("appeal_status") or "none",
        legal_basis=data.get("legal_basis"), decision_ref=data.get("decision_ref"),
        decided_on=_day(data.get("decided_on")), source=data.get("source"), version=int(data["version"]),
        publication=data.get("publication") or Publication.published.value,
        appeal_lodged_on=_day(data.get("appeal_lodged_on")), appeal_decided_on=_day(data.get("appeal_decided_on")),
        appeal_decision_ref=data.get("appeal_decision_ref"), recognitions=recognitions)


def record_of(key: str, data: dict[str, Any], partition: str | None = None) -> ListedRecord:
    return ListedRecord(
        key=key, kind=data["kind"], name=data["name"], aliases=tuple(data.get("aliases") or ()),
        country=data.get("country"),
        identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"]) for i in data.get("identifiers") or ()),
        partition=partition)


_FIELDS = ("id", "kind", "name", "aliases", "country", "identifiers", "listing", "grounds", "visibility",
           "starts_on", "ends_on", "withdrawn_at", "appeal_status", "legal_basis", "decision_ref", "decided_on",
           "source", "version", "publication", "appeal_lodged_on", "appeal_decided_on", "appeal_decision_ref")


def snapshot_fields(entry: Entry) -> dict[str, Any]:
    """The fields of ``facts_of`` and ``record_of`` read off a current row (dates stay dates),
    without building the whole stored snapshot: the live index maps a million rows this way."""
    data = {name: getattr(entry, name) for name in _FIELDS}
    data["organisation"] = entry.organisation.code
    return data


def recognition_facts(session: Session, condition: ColumnElement[bool] | None = None, *,
                      via_entry: bool = False) -> dict[str, list[RecognitionFact]]:
    """Recognitions meeting ``condition`` (all when None), by entry id, in the order made.

    ``via_entry`` joins the recognised entry, for conditions on it."""
    query = select(Recognition, Organisation.code).join(Organisation, Organisation.id == Recognition.organisation_id)
    if via_entry:
        query = query.join(Entry, Entry.id == Recognition.entry_id)
    if condition is not None:
        query = query.where(condition)
    found: dict[str, list[RecognitionFact]] = {}
    for recognition, code in session.execute(query.order_by(Recognition.created_at, Recognition.id)):
        found.setdefault(recognition.entry_id, []).append(RecognitionFact(
            organisation=code, decision_ref=recognition.decision_ref, legal_basis=recognition.legal_basis,
            starts_on=recognition.starts_on, ends_on=recognition.ends_on, created_at=recognition.created_at,
            created_revision=recognition.created_revision, withdrawn_at=recognition.withdrawn_at,
            withdrawn_revision=recognition.withdrawn_revision, recognition_id=recognition.id))
    return found
