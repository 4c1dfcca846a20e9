"""Which World Bank entry an EBRD or IDB cross-debarment of World Bank origin names, told without our
engine (bench/crosslist.py and bench/calibration.py share it; the test is described in crosslist.py).

``counterparts(entry)`` are the indexes of the World Bank entries that name the firm, empty when it is not
on the file: the World Bank names or aliases equal once legal forms (rigour), case, accents (normality)
and punctuation are gone; else the entries carrying the most of the row's distinctive words, if they carry
more than half of them.  (The World Bank lists some firms twice, once per country or period.)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rigour.names import remove_org_types

from service.importers import parse_file

WB_FILE = "worldbank-ineligible-2025-07-01.xlsx"
CROSS_FILES = (("EBRD", "ebrd-ineligible.csv", "ebrd"), ("IDB", "idb-sanctioned.xlsx", "idb"))
COMMON_SHARE = 0.01  # words of this share of World Bank entries or more say nothing ("China", "Construction")
NEAR_LENGTH = 7  # from this length a word also meets a word one edit from it
_WORD = re.compile(r"[a-z0-9]{4,}")

Entry = dict[str, Any]


def words(names: list[str]) -> set[str]:
    return {w for n in names for w in _WORD.findall((ascii_text(remove_org_types(n)) or "").lower())}


def squeezed(name: str) -> str:
    return "".join(ch for ch in (ascii_text(remove_org_types(name)) or "").lower() if ch.isalnum())


def names_of(entry: Entry) -> list[str]:
    return [entry["name"], *entry["aliases"]]


def load(published: Path) -> tuple[list[Entry], list[tuple[str, Entry]]]:
    """(World Bank entries, [(publisher, row)] of the EBRD and IDB rows of World Bank origin)."""
    wb = [row.entry for row in parse_file(published / WB_FILE, "worldbank") if row.entry]
    rows: list[tuple[str, Entry]] = []
    for label, filename, fmt in CROSS_FILES:
        for row in parse_file(published / filename, fmt):
            if row.entry and (row.entry.get("source") or {}).get("originating_institution") == "WBG":
                rows.append((label, row.entry))
    return wb, rows


class Truth:
    def __init__(self, wb: list[Entry]) -> None:
        self._spelling: dict[str, set[int]] = defaultdict(set)
        self._carriers: dict[str, set[int]] = defaultdict(set)
        for number, entry in enumerate(wb):
            for n in names_of(entry):
                self._spelling[squeezed(n)].add(number)
            for w in words(names_of(entry)):
                self._carriers[w].add(number)
        self._spelling.pop("", None)
        self._common = {w for w, held in self._carriers.items() if len(held) >= COMMON_SHARE * len(wb)}
        self._vocabulary = sorted(self._carriers)

    def _held_by(self, word: str) -> set[int]:
        if len(word) < NEAR_LENGTH:
            return self._carriers.get(word, set())
        near = process.extract(word, self._vocabulary, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
        return set().union(*(self._carriers[w] for w, _, _ in near))

    def counterparts(self, entry: Entry) -> set[int]:
        same = set().union(*(self._spelling.get(squeezed(n), set()) for n in names_of(entry)))
        if same:
            return same
        distinctive = words(names_of(entry)) - self._common
        votes = Counter(n for w in distinctive for n in self._held_by(w))
        top = max(votes.values(), default=0)
        return {n for n, count in votes.items() if count == top} if 2 * top > len(distinctive) else set()
