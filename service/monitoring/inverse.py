"""The inverse search: an in-memory index of the watched suppliers, searched with each changed entry.

A monitoring run used to search the list once per watched supplier, which grows with the
watchlist. Here the watched suppliers' names, aliases, identifiers and country live in the
matching engine's own ``MatchIndex`` (so normalisation, transliteration and identifier keys are
exactly the screening's), and each changed entry is searched against them at a lower
``SHORTLIST_THRESHOLD``. The shortlist only says which watches to re-screen; whether an alert is
raised is still decided by re-screening them with ``match_subjects``, as a screening would.

Keeping it current with several app instances on one database: every run, in its own
transaction, reads the narrow ``(id, updated_at, last_revision)`` of every watch and reloads only
the rows whose pair differs from what the index holds (a watch added, changed through the API
or re-screened by any instance), and drops the ids no longer there (removed). Equality, not
order, is compared, so transactions committing out of timestamp order and clocks that differ
between instances cannot hide a change, and no schema change or shared counter row (which every
watch write would have to lock) is needed. The scan costs a few hundred milliseconds at 100,000
watches; the matching work is done only for the rows that changed.

One index record stands for every watch with the same subject (the same supplier watched by
several organisations), so the engine's per-name candidate cut is spent on distinct names.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query
from service.entries.models import Entry
from service.listview import Lists
from service.monitoring.models import WatchedSupplier

# Lower than the screening threshold: the watch side weighs words by how common they are among
# the watched names, not in the list, so a score here can sit below the forward score of the same
# pair. bench/monitoring.py measures the shortlist's recall against the forward re-screen.
SHORTLIST_THRESHOLD = DEFAULT_THRESHOLD - 0.17
SHORTLIST_LIMIT = 1000  # per entry; the engine's own per-name candidate cut binds first
_CHUNK = 900  # ids per IN (...) (SQLite's bound-parameter limit)
# updated_at as the database's text: only compared for equality, and a third faster to read at
# 100,000 rows than through the timezone-aware column type.
_STAMP = cast(WatchedSupplier.updated_at, String)


@dataclass(frozen=True, slots=True)
class _Watch:
    marker: tuple[str, int]  # (updated_at, last_revision): any write changes one of them
    key: str  # the index record (subject) it belongs to
    organisation_id: int
    watch_until: date | None
    matched: frozenset[str]  # entry ids of its last matches


def _subject_key(subject: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(subject, sort_keys=True, default=str).encode()).hexdigest()


def _record(key: str, subject: dict[str, Any]) -> ListedRecord:
    return ListedRecord(
        key=key, kind=subject.get("kind") or "", name=subject["name"], aliases=tuple(subject.get("aliases") or ()),
        country=subject.get("country"),
        identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"]) for i in subject.get("identifiers") or ()))


def entry_query(entry: Entry) -> Query:
    """A changed entry as a search of the watch index: its names, country, identifiers, kind."""
    return Query(name=entry.name, aliases=tuple(entry.aliases or ()), country=entry.country,
                 identifiers=tuple(Identifier(scheme=i["scheme"], value=i["value"]) for i in entry.identifiers or ()),
                 kind=entry.kind)


class WatchIndex:
    def __init__(self) -> None:
        self.matcher = MatchIndex()
        self._watches: dict[str, _Watch] = {}
        self._members: dict[str, set[str]] = {}  # subject key -> watch ids
        self._matched_by: dict[str, set[str]] = {}  # entry id -> watch ids whose last matches hold it
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._watches)

    def sync(self, session: Session) -> int:
        """Bring the index in line with the watchlist as ``session`` reads it; return the rows reloaded."""
        with self._lock:
            return self._sync(session)

    def _sync(self, session: Session) -> int:
        current = {row[0]: (row[1], row[2]) for row in session.execute(
            select(WatchedSupplier.id, _STAMP, WatchedSupplier.last_revision))}
        for watch_id in self._watches.keys() - current.keys():
            self._drop(watch_id)
        stale = [i for i, marker in current.items() if (w := self._watches.get(i)) is None or w.marker != marker]
        columns = select(WatchedSupplier.id, _STAMP, WatchedSupplier.last_revision,
                         WatchedSupplier.organisation_id, WatchedSupplier.watch_until, WatchedSupplier.subject,
                         WatchedSupplier.last_matches)
        # Many stale rows (the first build): one scan; a few: by id.
        batches = ([columns] if len(stale) > 20 * _CHUNK else
                   [columns.where(WatchedSupplier.id.in_(stale[i:i + _CHUNK])) for i in range(0, len(stale), _CHUNK)])
        wanted = set(stale)
        for batch in batches:
            rows = (row for row in session.execute(batch) if row[0] in wanted)
            for watch_id, updated_at, revision, organisation_id, until, subject, last in rows:
                key = _subject_key(subject)
                old = self._watches.get(watch_id)
                # Re-screened, not renamed (the common case after a run): its record stays as it is.
                self._drop(watch_id, keep_record=old is not None and old.key == key)
                members = self._members.get(key)
                if members is None:
                    members = self._members[key] = set()
                    self.matcher.add(_record(key, subject))
                members.add(watch_id)
                matched = frozenset(m["entry_id"] for m in last)
                for entry_id in matched:
                    self._matched_by.setdefault(entry_id, set()).add(watch_id)
                self._watches[watch_id] = _Watch((updated_at, revision), key, organisation_id, until, matched)
        return len(stale)

    def _drop(self, watch_id: str, keep_record: bool = False) -> None:
        old = self._watches.pop(watch_id, None)
        if old is None:
            return
        members = self._members[old.key]
        members.discard(watch_id)
        if keep_record:
            members.add(watch_id)  # taken back at once by the same watch (``_sync``)
        elif not members:
            del self._members[old.key]
            self.matcher.remove(old.key)
        for entry_id in old.matched:
            holders = self._matched_by.get(entry_id)
            if holders is not None:
                holders.discard(watch_id)
                if not holders:
                    del self._matched_by[entry_id]

    def shortlist(self, queries: Iterable[Query], threshold: float = SHORTLIST_THRESHOLD) -> set[str]:
        """Watch ids one of ``queries`` (changed entries) may now match."""
        found: set[str] = set()
        with self._lock:
            for query in queries:
                for match in self.matcher.search(query, threshold=threshold, limit=SHORTLIST_LIMIT):
                    found |= self._members.get(match.key, set())
        return found

    def holding(self, entry_ids: Iterable[str]) -> set[str]:
        """Watch ids whose last matches hold one of ``entry_ids`` (a match that may change or go)."""
        with self._lock:
            return {w for e in entry_ids for w in self._matched_by.get(e, ())}

    def watching(self, watch_ids: Iterable[str], on: date) -> dict[int, list[str]]:
        """``watch_ids`` still watched on ``on``, by organisation."""
        by_org: dict[int, list[str]] = {}
        with self._lock:
            for watch_id in watch_ids:
                w = self._watches.get(watch_id)
                if w is not None and (w.watch_until is None or w.watch_until >= on):
                    by_org.setdefault(w.organisation_id, []).append(watch_id)
        return by_org


# One watch index per app instance, as the live index is one per ``Lists``.
_indexes: weakref.WeakKeyDictionary[Lists, WatchIndex] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def watch_index(lists: Lists) -> WatchIndex:
    with _indexes_lock:
        index = _indexes.get(lists)
        if index is None:
            index = _indexes[lists] = WatchIndex()
        return index
