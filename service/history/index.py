"""A screening index of the list as it was known at a past point of record time.

Every version of every entry is kept in ``entry_revisions`` with the instant it was recorded
and the list revision it took; recognitions keep theirs too. A *cut* is either an instant
(``known_at``: versions recorded at or before it — the record time is taken when the change
is made, a moment before its commit) or a list revision (exact: what a screening that read
that revision could see). The index is built on demand, which is slower than the live one:
it serves investigations and replays, not tender evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.entries.models import EntryRevision
from service.matching import Identifier, ListedRecord, MatchIndex
from service.recognitions.models import Recognition
from service.screening.live_index import ListedFacts, RecognitionFact, recognition_facts


@dataclass(frozen=True, slots=True)
class Cut:
    known_at: datetime | None = None
    revision: int | None = None

    def __post_init__(self) -> None:
        if (self.known_at is None) == (self.revision is None):
            raise ValueError("a cut is either an instant or a list revision")

    def versions(self) -> ColumnElement[bool]:
        if self.known_at is not None:
            return EntryRevision.recorded_at <= self.known_at
        return EntryRevision.list_revision <= self.revision

    def recognitions(self) -> ColumnElement[bool]:
        if self.known_at is not None:
            return and_(Recognition.created_at <= self.known_at,
                        or_(Recognition.withdrawn_at.is_(None), Recognition.withdrawn_at > self.known_at))
        return and_(Recognition.created_revision <= self.revision,
                    or_(Recognition.withdrawn_revision.is_(None), Recognition.withdrawn_revision > self.revision))


@dataclass
class ListView:
    matcher: MatchIndex
    facts: dict[str, ListedFacts]
    revision: int


def build_view(session: Session, cut: Cut) -> ListView:
    orgs = {code: org_id for org_id, code in session.execute(select(Organisation.id, Organisation.code))}
    recognitions = recognition_facts(session, cut.recognitions())
    latest = (select(EntryRevision.entry_id, func.max(EntryRevision.version).label("version"))
              .where(cut.versions()).group_by(EntryRevision.entry_id).subquery())
    query = select(EntryRevision).join(latest, and_(EntryRevision.entry_id == latest.c.entry_id,
                                                    EntryRevision.version == latest.c.version))
    matcher = MatchIndex()
    facts: dict[str, ListedFacts] = {}
    revision = cut.revision or 0
    for version in session.execute(query.execution_options(yield_per=2000)).scalars():
        data = version.data
        matcher.add(_record(data))
        facts[data["id"]] = _facts(data, orgs.get(data["organisation"], -1),
                                   tuple(recognitions.get(data["id"], ())))
        if cut.known_at is not None:
            revision = max(revision, version.list_revision)
    return ListView(matcher=matcher, facts=facts, revision=revision)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _record(data: dict[str, Any]) -> ListedRecord:
    return ListedRecord(
        key=data["id"], kind=data["kind"], name=data["name"], aliases=tuple(data.get("aliases") or ()),
        country=data.get("country"),
        identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"]) for i in data.get("identifiers") or ()))


def _facts(data: dict[str, Any], organisation_id: int, recognitions: tuple[RecognitionFact, ...]) -> ListedFacts:
    # Versions stored before the due-process fields existed lack them: they were published.
    starts_on = _day(data.get("starts_on"))
    assert starts_on is not None
    return ListedFacts(
        entry_id=data["id"], organisation=data["organisation"], organisation_id=organisation_id,
        name=data["name"], kind=data["kind"], listing=data["listing"], grounds=tuple(data.get("grounds") or ()),
        visibility=data["visibility"], starts_on=starts_on, ends_on=_day(data.get("ends_on")),
        withdrawn=data.get("withdrawn_at") is not None, appeal_status=data.get("appeal_status") or "none",
        legal_basis=data.get("legal_basis"), decision_ref=data.get("decision_ref"),
        decided_on=_day(data.get("decided_on")), source=data.get("source"), version=int(data["version"]),
        publication=data.get("publication") or "published", appeal_lodged_on=_day(data.get("appeal_lodged_on")),
        appeal_decided_on=_day(data.get("appeal_decided_on")), appeal_decision_ref=data.get("appeal_decision_ref"),
        recognitions=recognitions)
