"""Real-list check: index the World Bank list, screen the EBRD rows of World Bank origin.

The banks cross-debar each other's firms, so every EBRD row whose originating institution is
the World Bank names a firm that the World Bank list also names, spelled by another publisher.
Prints how many of them the engine finds at its default threshold, beside a plain rapidfuzz
WRatio scan at its natural threshold (85), in the same run.

    python bench/crosslist.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query
from service.importers import parse_file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    published = args.shared / "data" / "published"
    wb = [row.entry for row in parse_file(published / "worldbank-ineligible-2025-07-01.xlsx", "worldbank") if row.entry]
    ebrd = [row.entry for row in parse_file(published / "ebrd-ineligible.csv", "ebrd") if row.entry]
    of_wb_origin = [e for e in ebrd if (e.get("source") or {}).get("originating_institution") == "WBG"]

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

    started = time.perf_counter()
    found = 0
    misses: list[str] = []
    for entry in of_wb_origin:
        query = Query(name=entry["name"], aliases=tuple(entry["aliases"]), country=entry["country"])
        if index.search(query, threshold=DEFAULT_THRESHOLD, limit=3):
            found += 1
        else:
            misses.append(f"{entry['name']} ({entry['country']})")
    ours = time.perf_counter() - started

    choices = [" / ".join([e["name"], *e["aliases"]]) for e in wb]
    started = time.perf_counter()
    baseline = sum(
        1
        for entry in of_wb_origin
        if process.extractOne(
            entry["name"], choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=85
        )
        is not None
    )
    scan = time.perf_counter() - started

    total = len(of_wb_origin)
    print(f"World Bank entries indexed: {len(wb)} in {build:.2f} s")
    print(f"EBRD rows of World Bank origin: {total}")
    print(
        f"found by debarlist engine @ {DEFAULT_THRESHOLD}: {found}/{total} = {found / total:.3f} "
        f"({ours * 1000 / total:.2f} ms/query)"
    )
    print(
        f"found by WRatio scan @ 85:        {baseline}/{total} = {baseline / total:.3f} "
        f"({scan * 1000 / total:.2f} ms/query)"
    )
    print("misses:")
    for miss in misses:
        print("  ", miss)


if __name__ == "__main__":
    main()
