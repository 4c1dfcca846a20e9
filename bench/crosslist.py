"""Real-list check: index the World Bank list, screen the EBRD and IDB rows of World Bank origin.

The banks cross-debar each other's firms, so every EBRD or IDB row whose originating institution is the
World Bank names a firm that the World Bank list named, spelled by another publisher. Not every such row
can be found on the World Bank file of 2025-07-01, and the bench says which and why, with tests that do
not use our engine: a row is **not on the file** when no World Bank name or alias is the same string once
legal forms, case, accents, spaces and punctuation are gone (T&G Ltd. / T&G LTD.), and no World Bank
entry carries more than half of the row's distinctive words. Distinctive words are the words of 4+
letters left once rigour has removed the legal forms, folded to ASCII (normality), and not among the
words of 1 % or more of the World Bank entries ("China", "Construction", "Engineering" ...); a word of 7+
letters also meets a word one edit from it (Constransimex / Contransimex). A row with no distinctive word
("LLC") is not on the file either. The World Bank has lifted these (China Nuclear Industry's subsidiaries
of 2020, still open-ended at the EBRD) or never published them under this name. The test is cruder than a
matcher, so it also sets aside a few rows that are on the file (a person named with the firm they own);
those rows are printed with what our engine found for them.

The rest are the *answerable* rows: the same firm on both lists. Prints, for ours at the default
threshold and for a plain rapidfuzz WRatio scan at 85 in the same run, how many are found, and every miss
with its best score and the World Bank name that scored it.

    python bench/crosslist.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from normality import ascii_text
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein
from rigour.names import remove_org_types

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query
from service.importers import parse_file

COMMON_SHARE = 0.01
NEAR_LENGTH = 7
_WORD = re.compile(r"[a-z0-9]{4,}")


def words(names: list[str]) -> set[str]:
    return {w for n in names for w in _WORD.findall((ascii_text(remove_org_types(n)) or "").lower())}


def squeezed(name: str) -> str:
    return "".join(ch for ch in (ascii_text(remove_org_types(name)) or "").lower() if ch.isalnum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    published = args.shared / "data" / "published"
    wb = [row.entry for row in parse_file(published / "worldbank-ineligible-2025-07-01.xlsx", "worldbank") if row.entry]
    rows: list[tuple[str, dict[str, Any]]] = []
    for label, name, fmt in (("EBRD", "ebrd-ineligible.csv", "ebrd"), ("IDB", "idb-sanctioned.xlsx", "idb")):
        for row in parse_file(published / name, fmt):
            if row.entry and (row.entry.get("source") or {}).get("originating_institution") == "WBG":
                rows.append((label, row.entry))

    spellings = {squeezed(n) for e in wb for n in [e["name"], *e["aliases"]]} - {""}
    carriers: dict[str, set[int]] = defaultdict(set)
    for number, entry in enumerate(wb):
        for w in words([entry["name"], *entry["aliases"]]):
            carriers[w].add(number)
    common = {w for w, held in carriers.items() if len(held) >= COMMON_SHARE * len(wb)}
    vocabulary = sorted(carriers)

    def held_by(word: str) -> set[int]:
        if len(word) < NEAR_LENGTH:
            return carriers.get(word, set())
        near = process.extract(word, vocabulary, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
        return set().union(*(carriers[w] for w, _, _ in near))

    def on_the_file(entry: dict[str, Any]) -> bool:
        if any(squeezed(n) in spellings for n in [entry["name"], *entry["aliases"]]):
            return True
        distinctive = words([entry["name"], *entry["aliases"]]) - common
        votes = Counter(n for w in distinctive for n in held_by(w))
        return bool(votes) and 2 * max(votes.values()) > len(distinctive)

    index = MatchIndex()
    started = time.perf_counter()
    for number, entry in enumerate(wb):
        index.add(
            ListedRecord(
                key=str(number),
                kind=entry["kind"],
                name=entry["name"],
                aliases=tuple(entry["aliases"]),
                country=entry["country"],
                identifiers=tuple(Identifier(i["scheme"], i["value"]) for i in entry["identifiers"]),
            )
        )
    build = time.perf_counter() - started
    choices = [" / ".join([e["name"], *e["aliases"]]) for e in wb]

    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {"answerable": [], "not on the file": []}
    for label, entry in rows:
        groups["answerable" if on_the_file(entry) else "not on the file"].append((label, entry))

    print(f"World Bank entries indexed: {len(wb)} in {build:.2f} s")
    print(f"rows of World Bank origin: {len(rows)} (EBRD {sum(1 for r in rows if r[0] == 'EBRD')}, "
          f"IDB {sum(1 for r in rows if r[0] == 'IDB')})")
    ours_time = scan_time = 0.0
    total_ours = total_scan = 0
    for group, members in groups.items():
        found = scanned = 0
        misses: list[str] = []
        for label, entry in members:
            query = Query(name=entry["name"], aliases=tuple(entry["aliases"]), country=entry["country"])
            started = time.perf_counter()
            hits = index.search(query, threshold=DEFAULT_THRESHOLD, limit=3)
            ours_time += time.perf_counter() - started
            started = time.perf_counter()
            scan = process.extractOne(
                entry["name"], choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=85
            )
            scan_time += time.perf_counter() - started
            found += bool(hits)
            scanned += scan is not None
            if not hits or group != "answerable":
                best = hits or index.search(query, threshold=0.0, limit=1)
                why = f"{best[0].score:.2f} {wb[int(best[0].key)]['name']!r}" if best else "no candidate"
                row = f"{label} row {entry['source']['row']}: {entry['name']!r} ({entry['country']})"
                misses.append(("found " if hits else "") + f"{row} -> {why}")
        total_ours += found
        total_scan += scanned
        n = len(members) or 1
        print(f"\n{group}: {len(members)} rows")
        print(f"  found by debarlist engine @ {DEFAULT_THRESHOLD}: {found}/{len(members)} = {found / n:.3f}")
        print(f"  found by WRatio scan @ 85:        {scanned}/{len(members)} = {scanned / n:.3f}")
        if misses:
            print("  missed by our engine" + ("" if group == "answerable" else ", and what it found") + ":")
            for miss in misses:
                print("    ", miss)
    n = len(rows)
    print(f"\nall rows: ours {total_ours}/{n} = {total_ours / n:.3f}, WRatio {total_scan}/{n} = {total_scan / n:.3f}")
    print(f"time per row: ours {ours_time * 1000 / n:.2f} ms, WRatio scan {scan_time * 1000 / n:.2f} ms")
    print("(the WRatio scan counts any World Bank name at 85 or more, the right one or not: on the rows that are not"
          " on the file its hits are all wrong ones)")


if __name__ == "__main__":
    main()
