"""The state of a ``MatchIndex`` as plain data, to persist it and load it back without rebuilding.

A rebuild prepares every name again (transliteration, legal forms, skeletons): at a million
entries that is most of a minute and a half. The state is the prepared names and the postings,
which load back in a fraction of that. Its shape belongs to this engine version only, so a
snapshot carries ``engine_tag()``: the algorithm name and a digest of the engine's own source,
and a snapshot from any other engine (a new algorithm version, or a changed normaliser that
forgot to bump it) is refused by whoever loads it.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from debarlist_match.index import MatchIndex
from debarlist_match.version import ALGORITHM

_UNSHARED = ("_lock",)  # per-process state, made anew on load


@lru_cache(maxsize=1)
def engine_tag() -> str:
    """``ALGORITHM`` plus a digest of the engine's source files: equal only for the same engine."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return f"{ALGORITHM}+{digest.hexdigest()[:16]}"


def index_state(index: MatchIndex) -> dict[str, Any]:
    """The index's data (under its lock, so no add or remove is half applied in it)."""
    with index._lock:
        return {name: value for name, value in vars(index).items() if name not in _UNSHARED}


def index_from_state(state: dict[str, Any]) -> MatchIndex:
    """A ``MatchIndex`` holding ``state`` (from ``index_state`` of this same engine version)."""
    index = MatchIndex()
    expected = set(vars(index)) - set(_UNSHARED)
    if set(state) != expected:
        raise ValueError("index state does not fit this engine version")
    vars(index).update(state)
    index._lock = threading.RLock()
    return index


__all__ = ["engine_tag", "index_from_state", "index_state"]
