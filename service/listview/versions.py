"""Every version of every entry in one index, searched as the list stood at a past cut.

A *cut* is a list revision (exact: what a screening that read that revision could see) or an
instant of record time (``known_at``: versions recorded at or before it). The index is built
once, on the first such search, and then follows the ledger like the live index, so a
``known_at`` screening or a replay costs about what a live screening does instead of a rebuild
of the list per request.

A version is a candidate at a cut when it was the entry's latest version then. Words are
weighed as they were weighed at the cut: each word keeps the list revisions at which the
number of shared-list entries using it changed, so the frequencies at any revision are a
bisection away (a ``known_at`` cut weighs words at the last revision recorded by then).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from debarlist_match import Match, MatchIndex, Query
from service.auth.models import Organisation
from service.entries.models import EntryRevision
from service.kernel.ledger import list_head
from service.listview.facts import ListedFacts, RecognitionFact, facts_of, recognition_facts, record_of
from service.listview.live import Accept
from service.recognitions.models import Recognition


@dataclass(frozen=True)
class Cut:
    known_at: datetime | None = None
    revision: int | None = None

    def __post_init__(self) -> None:
        if (self.known_at is None) == (self.revision is None):
            raise ValueError("a cut is either an instant or a list revision")


@dataclass(frozen=True, slots=True)
class _Version:
    key: str
    list_revision: int
    recorded_at: datetime
    facts: ListedFacts
    words: frozenset[str]  # its shared-list words (empty outside the shared list)
    position: int  # in its entry's history


class _Counts:
    """A count that changes at increasing list revisions; read at any revision by bisection."""

    __slots__ = ("revisions", "totals")

    def __init__(self) -> None:
        self.revisions: list[int] = []
        self.totals: list[int] = []

    def add(self, revision: int, delta: int) -> None:
        last = self.totals[-1] if self.totals else 0
        if self.revisions and self.revisions[-1] == revision:
            self.totals[-1] = last + delta
        else:
            self.revisions.append(revision)
            self.totals.append(last + delta)

    def at(self, revision: int) -> int:
        i = bisect.bisect_right(self.revisions, revision)
        return self.totals[i - 1] if i else 0


class _FrequenciesAt(Mapping[str, int]):
    def __init__(self, words: dict[str, _Counts], revision: int) -> None:
        self._words = words
        self._revision = revision

    def __getitem__(self, word: str) -> int:
        counts = self._words.get(word)
        if counts is None:
            raise KeyError(word)
        return counts.at(self._revision)

    def get(self, word: str, default: int | None = 0) -> int:  # type: ignore[override]
        counts = self._words.get(word)
        return counts.at(self._revision) if counts is not None else (default or 0)

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


class VersionIndex:
    def __init__(self) -> None:
        self.matcher = MatchIndex()
        self.revision = 0
        self._by_key: dict[str, _Version] = {}
        self._versions: dict[str, list[_Version]] = {}  # entry id -> its versions, in order
        self._words: dict[str, _Counts] = {}
        self._population = _Counts()
        # Record time -> the highest list revision recorded by then (for a known_at cut).
        self._recorded: list[datetime] = []
        self._highest: list[int] = []
        self._recognitions: dict[str, dict[str, RecognitionFact]] = {}
        self._orgs: dict[str, int] = {}
        self._lock = threading.Lock()

    def refresh(self, session: Session) -> int:
        current = list_head(session)
        if current <= self.revision:
            return self.revision
        with self._lock:
            if current <= self.revision:
                return self.revision
            self._orgs = {code: org_id for org_id, code in session.execute(select(Organisation.id, Organisation.code))}
            since = self.revision
            changed = or_(Recognition.created_revision > since, Recognition.withdrawn_revision > since)
            for entry_id, facts in recognition_facts(session, changed).items():
                kept = self._recognitions.setdefault(entry_id, {})
                for fact in facts:
                    kept[fact.recognition_id] = fact
            query = (select(EntryRevision)
                     .where(EntryRevision.list_revision > since, EntryRevision.list_revision <= current)
                     .order_by(EntryRevision.list_revision, EntryRevision.id))
            for row in session.execute(query.execution_options(yield_per=2000)).scalars():
                self._apply(row)
            self.revision = current
        return self.revision

    def _apply(self, row: EntryRevision) -> None:
        data = row.data
        facts = facts_of(data, self._orgs.get(data["organisation"], -1))
        key = f"{row.entry_id}#{row.version}"
        partition = facts.partition
        self.matcher.add(record_of(key, data, partition))
        words = frozenset(self.matcher.words_of(key)) if partition is None else frozenset()
        history = self._versions.setdefault(row.entry_id, [])
        version = _Version(key=key, list_revision=row.list_revision, recorded_at=row.recorded_at, facts=facts,
                           words=words, position=len(history))
        previous = history[-1] if history else None
        history.append(version)
        self._by_key[key] = version
        before = previous.words if previous is not None else frozenset()
        for word in before - words:
            self._words[word].add(row.list_revision, -1)
        for word in words - before:
            self._words.setdefault(word, _Counts()).add(row.list_revision, 1)
        was_shared = previous is not None and previous.facts.partition is None
        if was_shared != (partition is None):
            self._population.add(row.list_revision, 1 if partition is None else -1)
        i = bisect.bisect_right(self._recorded, row.recorded_at)
        self._recorded.insert(i, row.recorded_at)
        self._highest.insert(i, row.list_revision)
        for j in range(max(i, 1), len(self._highest)):  # keep the running maximum (rarely more than one step)
            if self._highest[j] >= self._highest[j - 1]:
                break
            self._highest[j] = self._highest[j - 1]

    def at(self, cut: Cut) -> CutView:
        return CutView(self, cut)

    def revision_at(self, cut: Cut) -> int:
        if cut.revision is not None:
            return min(cut.revision, self.revision)
        assert cut.known_at is not None
        i = bisect.bisect_right(self._recorded, cut.known_at)
        return self._highest[i - 1] if i else 0

    def current_at(self, version: _Version, cut: Cut) -> bool:
        """Whether ``version`` was its entry's latest version at ``cut``."""
        history = self._versions[version.facts.entry_id]
        nxt = history[version.position + 1] if version.position + 1 < len(history) else None
        if cut.revision is not None:
            return version.list_revision <= cut.revision and (nxt is None or nxt.list_revision > cut.revision)
        assert cut.known_at is not None
        return version.recorded_at <= cut.known_at and (nxt is None or nxt.recorded_at > cut.known_at)

    def recognitions_at(self, entry_id: str, cut: Cut) -> tuple[RecognitionFact, ...]:
        kept = self._recognitions.get(entry_id, {}).values()
        if cut.revision is not None:
            revision = cut.revision
            return tuple(r for r in kept if r.known_at_revision(revision))
        assert cut.known_at is not None
        instant = cut.known_at
        return tuple(r for r in kept if r.known_at(instant))


class CutView:
    """The list as it stood at one cut, searched like the live index."""

    def __init__(self, index: VersionIndex, cut: Cut) -> None:
        self._index = index
        self._cut = cut
        self.revision = index.revision_at(cut)

    def search(self, query: Query, *, threshold: float, limit: int, accept: Accept,
               partitions: Iterable[str | None]) -> list[tuple[Match, ListedFacts]]:
        index, cut = self._index, self._cut

        def admitted(key: str) -> bool:
            version = index._by_key.get(key)
            return version is not None and index.current_at(version, cut) and accept(version.facts)

        frequencies = (_FrequenciesAt(index._words, self.revision), index._population.at(self.revision))
        found = index.matcher.search(query, threshold=threshold, limit=limit, accept=admitted,
                                     partitions=partitions, frequencies=frequencies)
        out = []
        for match in found:
            facts = index._by_key[match.key].facts
            facts = replace(facts, recognitions=index.recognitions_at(facts.entry_id, cut))
            out.append((replace(match, key=facts.entry_id), facts))
        return out
