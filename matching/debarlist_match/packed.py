"""Rows and postings that a snapshot brings back as a few flat buffers, decoded only when read.

An index loaded from a snapshot used to unpickle every prepared name, identifier and posting list
as Python objects: tens of millions of them at a million entries, most of a start's time, and in a
server that forks workers each object's reference count is written when it is read, so every
worker copied the pages it touched. Here what a snapshot stored stays in its buffers (a memory
mapping of the file, shared by every process that maps it): a row is decoded into fresh objects
when a search reads it, and only what changed since the snapshot lives as objects.

Both containers start empty for an index built record by record, where everything they hold is
"changed since the snapshot", and ``packed()`` writes them back as buffers for the next one.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Buffer = bytes | bytearray | memoryview
_MISSING = object()


def offsets_view(raw: Buffer) -> Sequence[int]:
    """Offsets or ids written by ``packed()`` (native unsigned integers) read in place."""
    view = memoryview(raw)
    return view.cast("B").cast("Q") if view.nbytes else array("Q", [0])


def ids_view(raw: Buffer) -> Sequence[int]:
    view = memoryview(raw)
    return view.cast("B").cast("I") if view.nbytes else array("I")


class PackedRows(Generic[T]):
    """A list of rows: the first ``base`` encoded one after another in one buffer (row ``i`` is
    ``blob[offsets[i]:offsets[i + 1]]``, decoded on every read), rows replaced or appended since
    kept as objects. Negative indices and slices are not supported: the index never uses them."""

    __slots__ = ("_base", "_blob", "_changed", "_decode", "_offsets", "_tail")

    def __init__(self, decode: Callable[[memoryview], T], blob: Buffer = b"",
                 offsets: Sequence[int] | None = None) -> None:
        self._decode = decode
        self._blob = memoryview(blob)
        self._offsets: Sequence[int] = offsets if offsets is not None else array("Q", [0])
        self._base = len(self._offsets) - 1
        if self._base < 0 or self._offsets[self._base] > len(self._blob):
            raise ValueError("packed rows: offsets do not fit the buffer")
        self._changed: dict[int, T] = {}
        self._tail: list[T] = []

    def __len__(self) -> int:
        return self._base + len(self._tail)

    def __getitem__(self, i: int) -> T:
        base = self._base
        if i >= base:
            return self._tail[i - base]
        changed = self._changed.get(i, _MISSING)
        if changed is not _MISSING:
            return changed  # type: ignore[return-value]
        if i < 0:
            raise IndexError(i)
        offsets = self._offsets
        return self._decode(self._blob[offsets[i]:offsets[i + 1]])

    def __setitem__(self, i: int, value: T) -> None:
        if i >= self._base:
            self._tail[i - self._base] = value
        elif i >= 0:
            self._changed[i] = value
        else:
            raise IndexError(i)

    def __iter__(self) -> Iterator[T]:
        return (self[i] for i in range(len(self)))

    def append(self, value: T) -> None:
        self._tail.append(value)

    def packed(self, encode: Callable[[T], bytes]) -> tuple[bytearray, array[int]]:
        """Every row as one buffer and its offsets (rows never changed are copied, not re-encoded)."""
        blob = bytearray()
        offsets = array("Q", [0])
        raw, old, changed = self._blob, self._offsets, self._changed
        for i in range(len(self)):
            if i < self._base and i not in changed:
                blob += raw[old[i]:old[i + 1]]
            else:
                blob += encode(self[i])
            offsets.append(len(blob))
        return blob, offsets


class _Joined:
    """A packed posting list followed by the ids added to it since: sized and iterable, as searches
    need it, without copying either part."""

    __slots__ = ("_added", "_base")

    def __init__(self, base: Sequence[int], added: array[int]) -> None:
        self._base, self._added = base, added

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def __iter__(self) -> Iterator[int]:
        return itertools.chain(self._base, self._added)


class Postings(Generic[K]):
    """Record ids by key. Keys a snapshot stored map to a slot of one id buffer; ids added since
    are kept per key as ``array('I')``. ``discard`` removes only ids added since: a removed record
    left in a packed list is a tombstone, which every search skips (its key is None)."""

    __slots__ = ("_added", "_ids", "_offsets", "_slots")

    def __init__(self, slots: dict[K, int] | None = None, offsets: Sequence[int] | None = None,
                 ids: Sequence[int] | None = None) -> None:
        self._slots: dict[K, int] = slots if slots is not None else {}
        self._offsets: Sequence[int] = offsets if offsets is not None else array("Q", [0])
        self._ids: Sequence[int] = ids if ids is not None else array("I")
        if len(self._offsets) != len(self._slots) + 1 or self._offsets[-1] > len(self._ids):
            raise ValueError("packed postings: offsets do not fit the keys or the ids")
        self._added: dict[K, array[int]] = {}

    def get(self, key: K) -> Sequence[int] | _Joined | None:
        added = self._added.get(key)
        slot = self._slots.get(key)
        if slot is None:
            return added
        base = self._ids[self._offsets[slot]:self._offsets[slot + 1]]
        return base if added is None else _Joined(base, added)

    def add(self, key: K, rid: int) -> None:
        added = self._added.get(key)
        if added is None:
            self._added[key] = array("I", (rid,))
        else:
            added.append(rid)

    def discard(self, key: K, rid: int) -> None:
        added = self._added.get(key)
        if added is not None and rid in added:
            added.remove(rid)
            if not added:
                del self._added[key]

    def __len__(self) -> int:
        return len(self._slots.keys() | self._added.keys())

    def packed(self) -> tuple[dict[K, int], array[int], array[int]]:
        """Slots by key, offsets per slot and all ids, for ``Postings(*packed())``."""
        slots: dict[K, int] = {}
        offsets = array("Q", [0])
        ids = array("I")
        for key in itertools.chain(self._slots, (k for k in self._added if k not in self._slots)):
            slot = self._slots.get(key)
            if slot is not None:
                base = self._ids[self._offsets[slot]:self._offsets[slot + 1]]
                if isinstance(base, memoryview):
                    ids.frombytes(base.cast("B"))
                else:
                    ids.extend(base)
            ids.extend(self._added.get(key, ()))
            slots[key] = len(slots)
            offsets.append(len(ids))
        return slots, offsets, ids


__all__ = ["Buffer", "PackedRows", "Postings", "ids_view", "offsets_view"]
