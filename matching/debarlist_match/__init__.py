"""Debarlist name/identifier matching engine (pure library: no web or database imports)."""

from debarlist_match.index import MatchIndex, build_index, warm_up
from debarlist_match.types import Identifier, ListedRecord, Match, Query
from debarlist_match.version import ALGORITHM, DEFAULT_THRESHOLD

# Algorithms by name and version, as yente registers its own: a receipt names the algorithm it
# was screened with, and a caller may ask for one by that name.
ALGORITHMS: dict[str, type[MatchIndex]] = {ALGORITHM: MatchIndex}


def get_algorithm(name: str) -> type[MatchIndex]:
    """The index class of algorithm ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise KeyError(f"unknown algorithm {name!r}; known: {', '.join(sorted(ALGORITHMS))}") from None


__all__ = [
    "ALGORITHM",
    "ALGORITHMS",
    "DEFAULT_THRESHOLD",
    "Identifier",
    "ListedRecord",
    "Match",
    "MatchIndex",
    "Query",
    "build_index",
    "get_algorithm",
    "warm_up",
]
