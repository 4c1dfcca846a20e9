"""Given-name variants of persons: William/Bill, Robert/Bob, Edward/Ted, Edward/Edwin.

The table is the `nicknames` package (Carlton Northern and Nick Crews, Apache-2.0, hand-curated, about
1,100 English given names with their diminutives, from genealogy sources).  What it gets wrong for us:
it is English only (no Vladimir/Volodya, no José/Pepe), and a few rows are loose (Bill is also listed
as a nickname of Fred and Robert), so a variant is a *possible* match, never an exact one:

* one is a listed diminutive of the other (William/Bill, Edward/Ted): ``DIMINUTIVE_SIM``;
* two formal names that share a diminutive and their first two letters (Edward/Edwin/Edmund, all "Ed"):
  ``VARIANT_SIM``, at the edge of what the alignment keeps.  Without the shared beginning the shared
  diminutives are too loose (Roxanne and Antoinette share "Ann").

Only asked for person names (scoring.compare_names ``given_names``); a firm called "Victor Stroy" is not
"Vic Stroy".
"""

from __future__ import annotations

from functools import lru_cache

DIMINUTIVE_SIM = 0.85
VARIANT_SIM = 0.75


@lru_cache(maxsize=1)
def _diminutives() -> dict[str, frozenset[str]]:
    """Formal name -> its diminutives, loaded on first use (the package parses its CSV on import)."""
    from nicknames import NickNamer

    return {k: frozenset(v) for k, v in NickNamer().nickname_lookup.items()}


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Every name the table knows, formal or diminutive: a set test before the pair lookup, which is asked
    for every leftover word pair of two persons' names."""
    table = _diminutives()
    return frozenset(table).union(*table.values())


@lru_cache(maxsize=50_000)
def given_name_similarity(a: str, b: str) -> float:
    """Similarity of two folded given names as variants of one another (0 when the table knows no link)."""
    if a == b or len(a) < 2 or len(b) < 2:
        return 0.0
    nick = _diminutives()
    a_nicks = nick.get(a, frozenset())
    b_nicks = nick.get(b, frozenset())
    if b in a_nicks or a in b_nicks:
        return DIMINUTIVE_SIM
    if a[:2] == b[:2] and a_nicks & b_nicks:
        return VARIANT_SIM
    return 0.0
