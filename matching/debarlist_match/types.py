"""Public value types of the matching engine (frozen, slotted, hashable)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier as supplied; normalisation happens inside the engine."""

    scheme: str
    value: str


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """One listed entry as the index sees it."""

    key: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    # ``None`` is the shared list. A record in a named partition (entries awaiting review,
    # withdrawn, restricted to one organisation...) is retrieved only by searches that name its
    # partition, and never counts in the word frequencies or posting lengths of the shared list:
    # no number of such records can change what a search of the shared list finds or scores.
    partition: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """A screening subject."""

    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One hit; `explanation` is JSON-serialisable."""

    key: str
    score: float
    query_name: str
    matched_name: str
    explanation: dict[str, object] = field(default_factory=dict)
    # "strong", "possible" or "weak": which hits a screener reviews first (index.band; also in explanation).
    band: str = "possible"
