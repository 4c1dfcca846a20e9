"""What a match shows about each listed entry (``ListedFacts``), by entry id, as the live index holds it.

The facts of a million entries are a million objects (dates, tuples, the provenance dict), which a
snapshot had to unpickle at every start and every forked worker copied as it read them. Here the
facts a snapshot stored stay in its buffer, each entry's pickled on its own and unpickled when a
screening reads it (a few microseconds, for the few dozen candidates of a search); facts changed
since are kept as objects (``debarlist_match.packed.PackedRows``).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator

from debarlist_match.packed import Buffer, PackedRows, offsets_view
from service.listview.facts import ListedFacts


def _decode(raw: memoryview) -> ListedFacts:
    facts = pickle.loads(raw)
    if not isinstance(facts, ListedFacts):
        raise ValueError("index snapshot: a row of facts is not ListedFacts")
    return facts


def _encode(facts: ListedFacts) -> bytes:
    return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)


class FactsStore:
    """``ListedFacts`` by entry id; entries are added or replaced, never removed (a withdrawn entry
    stays listed, in its own partition)."""

    __slots__ = ("_rows", "_slots")

    def __init__(self, slots: dict[str, int] | None = None, rows: PackedRows[ListedFacts] | None = None) -> None:
        self._slots: dict[str, int] = slots if slots is not None else {}
        self._rows: PackedRows[ListedFacts] = rows if rows is not None else PackedRows(_decode)
        if len(self._slots) != len(self._rows):
            raise ValueError("facts: slots and rows differ in number")

    @classmethod
    def from_buffers(cls, slots: dict[str, int], rows: Buffer, offsets: Buffer) -> FactsStore:
        return cls(slots, PackedRows(_decode, rows, offsets_view(offsets)))

    def buffers(self) -> tuple[dict[str, int], bytearray, memoryview]:
        """Slots by entry id, every entry's pickled facts and their offsets, for ``from_buffers``."""
        blob, offsets = self._rows.packed(_encode)
        return dict(self._slots), blob, memoryview(offsets).cast("B")

    def get(self, entry_id: str) -> ListedFacts | None:
        slot = self._slots.get(entry_id)
        return None if slot is None else self._rows[slot]

    def __getitem__(self, entry_id: str) -> ListedFacts:
        return self._rows[self._slots[entry_id]]

    def __setitem__(self, entry_id: str, facts: ListedFacts) -> None:
        slot = self._slots.get(entry_id)
        if slot is None:
            self._slots[entry_id] = len(self._rows)
            self._rows.append(facts)
        else:
            self._rows[slot] = facts

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)
