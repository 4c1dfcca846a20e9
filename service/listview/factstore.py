"""What a match shows about each listed entry (``ListedFacts``), by entry id, as the live index holds it.

The facts of a million entries are a million objects (dates, tuples, the provenance dict), which a
snapshot had to unpickle at every start and every forked worker copied as it read them. Here the
facts a snapshot stored stay in its buffer, each entry's encoded on its own and decoded when a
screening reads it (a few microseconds, for the few dozen candidates of a search); facts changed
since are kept as objects (``debarlist_match.packed.PackedRows``).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from debarlist_match.packed import Buffer, PackedRows, offsets_view
from service.listview.facts import ListedFacts, RecognitionFact

# Each entry's facts as a tuple of plain values (dates as day numbers, instants as ISO text) in
# marshal's format: decoded in a few microseconds, where a pickle of the dataclass took four
# times as long (it sets each slot through Python code), and a search reads dozens of them.
_FACTS = tuple(f.name for f in fields(ListedFacts))
_RECOGNITION = tuple(f.name for f in fields(RecognitionFact))
_DAYS = frozenset({"starts_on", "ends_on", "decided_on", "appeal_lodged_on", "appeal_decided_on"})
_INSTANTS = frozenset({"created_at", "withdrawn_at"})
# Written in a snapshot's header and compared at load: facts of another shape are refused, not misread.
LAYOUT = f"marshal {marshal.version}: {','.join(_FACTS)}; {','.join(_RECOGNITION)}"


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DAYS:
        return value.toordinal()
    if name in _INSTANTS:
        return value.isoformat()
    if name == "recognitions":
        return tuple(tuple(_plain(n, getattr(r, n)) for n in _RECOGNITION) for r in value)
    return value


def _typed(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DAYS:
        return date.fromordinal(value)
    if name in _INSTANTS:
        return datetime.fromisoformat(value)
    if name == "recognitions":
        return tuple(RecognitionFact(*(_typed(n, v) for n, v in zip(_RECOGNITION, r, strict=True))) for r in value)
    return value


_CONVERTED = tuple(i for i, name in enumerate(_FACTS) if name in _DAYS or name == "recognitions")


def _encode(facts: ListedFacts) -> bytes:
    return marshal.dumps(tuple(_plain(name, getattr(facts, name)) for name in _FACTS))


def _decode(raw: memoryview) -> ListedFacts:
    values = list(marshal.loads(raw))
    for i in _CONVERTED:
        values[i] = _typed(_FACTS[i], values[i])
    return ListedFacts(*values)


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
        """Slots by entry id, every entry's encoded facts and their offsets, for ``from_buffers``."""
        blob, offsets = self._rows.packed(_encode)
        return dict(self._slots), blob, memoryview(offsets).cast("B")

    def get(self, entry_id: str) -> ListedFacts | None:
        slot = self._slots.get(entry_id)
        return None if slot is None else self._rows[slot]

    def __getitem__(self, entry_id: str) -> ListedFacts:
        facts: ListedFacts = self._rows[self._slots[entry_id]]
        return facts

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
