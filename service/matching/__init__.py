"""Debarlist name/identifier matching engine (pure library: no web or database imports)."""

from service.matching.index import MatchIndex, build_index
from service.matching.types import Identifier, ListedRecord, Match, Query
from service.matching.version import ALGORITHM, DEFAULT_THRESHOLD

__all__ = [
    "ALGORITHM",
    "DEFAULT_THRESHOLD",
    "Identifier",
    "ListedRecord",
    "Match",
    "MatchIndex",
    "Query",
    "build_index",
]
