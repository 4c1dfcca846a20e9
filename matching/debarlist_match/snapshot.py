"""The state of a ``MatchIndex`` as plain data, to persist it and load it back without rebuilding.

A rebuild prepares every name again (transliteration, legal forms, skeletons): at a million
entries that is most of a minute and a half. The state is the prepared names and the postings,
in two parts: small plain data (keys, kinds, countries, frequencies, the slot of each posting
key), and flat buffers (every record's names and identifiers, encoded one after another, and
every posting list's ids) which the loaded index reads in place (packed.py): a caller that maps
the file gives them as memory views of the mapping, and nothing in them becomes an object until
a search reads it. Its shape belongs to this engine version only, so a snapshot carries
``engine_tag()``: the algorithm name, a digest of the engine's own source and the layout of the
buffers (byte order, marshal version), and a snapshot from any other engine (a new algorithm
version, or a changed normaliser that forgot to bump it) is refused by whoever loads it.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import threading
from array import array
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from debarlist_match.index import MatchIndex, decode_idents, decode_names, encode_idents, encode_names
from debarlist_match.packed import Buffer, PackedRows, Postings, ids_view, offsets_view
from debarlist_match.version import ALGORITHM

_UNSHARED = ("_lock",)  # per-process state, made anew on load
_PACKED = ("_names", "_idents", "_postings", "_id_postings")  # as buffers


@lru_cache(maxsize=1)
def engine_tag() -> str:
    """``ALGORITHM``, a digest of the engine's source files and the buffers' layout: equal only for
    the same engine on the same kind of machine."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    layout = f"{sys.implementation.cache_tag} {sys.byteorder} marshal {marshal.version} I{array('I').itemsize}"
    digest.update(layout.encode())
    return f"{ALGORITHM}+{digest.hexdigest()[:16]}"


def index_state(index: MatchIndex) -> tuple[dict[str, Any], dict[str, Buffer]]:
    """The index's plain data and its buffers by name (taken under its lock, so no add or remove is
    half applied in them)."""
    with index._lock:
        state = {name: value for name, value in vars(index).items() if name not in _UNSHARED + _PACKED}
        buffers: dict[str, Buffer] = {}
        for name, (blob, offsets) in (("names", index._names.packed(encode_names)),
                                      ("idents", index._idents.packed(encode_idents))):
            buffers[f"{name}.rows"], buffers[f"{name}.offsets"] = blob, memoryview(offsets).cast("B")
        for name in ("_postings", "_id_postings"):
            partitions: list[tuple[str | None, dict[str, int]]] = []
            for number, (partition, postings) in enumerate(getattr(index, name).items()):
                slots, offsets, ids = postings.packed()
                partitions.append((partition, slots))
                buffers[f"{name}.{number}.offsets"] = memoryview(offsets).cast("B")
                buffers[f"{name}.{number}.ids"] = memoryview(ids).cast("B")
            state[name] = partitions
        return state, buffers


def index_from_state(state: dict[str, Any], buffers: Mapping[str, Buffer]) -> MatchIndex:
    """A ``MatchIndex`` holding ``state`` and reading ``buffers`` in place (both from ``index_state``
    of this same engine version); ``ValueError`` when they do not fit together."""
    index = MatchIndex()
    expected = set(vars(index)) - set(_UNSHARED)
    if set(state) != expected - {"_names", "_idents"}:
        raise ValueError("index state does not fit this engine version")
    try:
        names = PackedRows(decode_names, buffers["names.rows"], offsets_view(buffers["names.offsets"]))
        idents = PackedRows(decode_idents, buffers["idents.rows"], offsets_view(buffers["idents.offsets"]))
        postings = {name: {partition: Postings(slots, offsets_view(buffers[f"{name}.{number}.offsets"]),
                                               ids_view(buffers[f"{name}.{number}.ids"]))
                           for number, (partition, slots) in enumerate(state[name])}
                    for name in ("_postings", "_id_postings")}
    except KeyError as missing:
        raise ValueError(f"index state lacks buffer {missing}") from None
    if not len(names) == len(idents) == len(state["_keys"]):
        raise ValueError("index state: rows and keys differ in number")
    vars(index).update(state)
    index._names, index._idents = names, idents
    index._postings, index._id_postings = postings["_postings"], postings["_id_postings"]
    index._lock = threading.RLock()
    return index


__all__ = ["engine_tag", "index_from_state", "index_state"]
