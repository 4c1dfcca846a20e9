"""The in-memory screening index of one app instance, kept in step with the database.

Every entry change takes a list revision (see ``service.kernel.uow``). The index remembers the
revision it has applied; before each screening it reads the ledger's revision and, when the
database is ahead (a write through this instance, another process or another replica), it
loads just the entries changed since. A screening that starts after a write was acknowledged
therefore sees that write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from debarlist_match import Match, MatchIndex, Query
from service.entries.models import Entry
from service.kernel.ledger import list_head
from service.listview.facts import (
    ListedFacts,
    RecognitionFact,
    facts_of,
    recognition_facts,
    record_of,
    snapshot_fields,
)
from service.listview.factstore import FactsStore
from service.recognitions.models import Recognition

Accept = Callable[[ListedFacts], bool]


def _recognised_since(since: int) -> Select[str]:
    """Entries with a recognition made or withdrawn after list revision ``since`` (recognitions
    take list revisions of their own, not entry versions)."""
    return select(Recognition.entry_id).where(or_(
        Recognition.created_revision > since, Recognition.withdrawn_revision > since))


def changed_since(since: int) -> ColumnElement[bool]:
    """Entries changed after list revision ``since``: their own versions, or a recognition of them."""
    return or_(Entry.revision > since, Entry.id.in_(_recognised_since(since)))


def changed_entries(since: int) -> tuple[Select[Entry], Select[Entry]]:
    """The entries ``changed_since(since)`` selects, as two queries that each use an index: new
    versions by a range of ``Entry.revision``, the others by the ids of their recognitions.
    Written as the one condition, both databases scanned every entry (the OR with a subquery
    hides the revision index): 25 to 28 ms at 100,000 entries (bench/catchup.py), paid by the
    first screening after any write, i.e. by every screening while a list is being written to."""
    return (select(Entry).where(Entry.revision > since).order_by(Entry.revision),
            select(Entry).where(Entry.revision <= since, Entry.id.in_(_recognised_since(since))))


class LiveIndex:
    def __init__(self) -> None:
        self.matcher = MatchIndex()
        self.facts = FactsStore()
        self.revision = 0
        self.mapped = False  # read from a snapshot's buffers (restored), not built record by record
        self._refresh_lock = threading.Lock()

    @classmethod
    def restored(cls, matcher: MatchIndex, facts: FactsStore, revision: int) -> LiveIndex:
        """An index as a snapshot stored it (``service.listview.snapshot``), at ``revision``."""
        index = cls()
        index.matcher, index.facts, index.revision = matcher, facts, revision
        index.mapped = True
        return index

    def refresh(self, session: Session) -> int:
        """Apply every entry change the database has and the index has not; return the revision."""
        current = list_head(session)
        if current <= self.revision:
            return self.revision
        with self._refresh_lock:
            if current <= self.revision:
                return self.revision
            # Read before the entries: an entry recognised after this read has a revision above
            # ``current`` and is loaded again, with its recognition, by the next refresh.
            recognitions = recognition_facts(
                session, and_(changed_since(self.revision), Recognition.withdrawn_at.is_(None)), via_entry=True)
            for query in changed_entries(self.revision):
                for entry in session.execute(query.execution_options(yield_per=2000)).scalars():
                    self._apply(entry, tuple(recognitions.get(entry.id, ())))
            # Entries committed after ``current`` was read may be applied already; they are
            # applied again next time, which is harmless (add replaces by key).
            self.revision = current
        return self.revision

    def _apply(self, entry: Entry, recognitions: tuple[RecognitionFact, ...] = ()) -> None:
        # Withdrawn entries stay in the index (in their own partition): include_inactive
        # screenings still report them.
        data = snapshot_fields(entry)
        facts = facts_of(data, entry.organisation_id, recognitions)
        self.matcher.add(record_of(entry.id, data, facts.partition))
        self.facts[entry.id] = facts

    def view(self, session: Session) -> LiveView:
        """The index caught up with every change committed before this call, with the revision it
        reached then: a receipt names what its screening read, not where the index got to since."""
        return LiveView(self, self.refresh(session))

    def search(self, query: Query, *, threshold: float, limit: int, accept: Accept,
               partitions: Iterable[str | None]) -> list[tuple[Match, ListedFacts]]:
        facts = self.facts
        # Each candidate's facts decoded once (factstore.py); every match was a candidate admitted here.
        read: dict[str, ListedFacts] = {}

        def admitted(key: str) -> bool:
            found = facts.get(key)
            if found is None:
                return False
            read[key] = found
            return accept(found)

        return [(match, read[match.key]) for match in
                self.matcher.search(query, threshold=threshold, limit=limit, accept=admitted, partitions=partitions)]


@dataclass(frozen=True, slots=True)
class LiveView:
    """The live index as one screening reads it."""

    index: LiveIndex
    revision: int

    def search(self, query: Query, *, threshold: float, limit: int, accept: Accept,
               partitions: Iterable[str | None]) -> list[tuple[Match, ListedFacts]]:
        return self.index.search(query, threshold=threshold, limit=limit, accept=accept, partitions=partitions)
