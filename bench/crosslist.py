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
import sys
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _crosslist_truth import Truth, load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    wb, rows = load(args.shared / "data" / "published")
    truth = Truth(wb)

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
        on_the_file = bool(truth.counterparts(entry))
        groups["answerable" if on_the_file else "not on the file"].append((label, entry))

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
            # On an answerable row only its counterpart counts (among the first 3); on the others any hit
            # is all there is to count.
            want = truth.counterparts(entry)
            hit = bool(hits) if not want else any(int(h.key) in want for h in hits)
            found += hit
            scanned += scan is not None if not want else scan is not None and scan[2] in want
            if not hit or group != "answerable":
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
    print("(answerable rows count when a counterpart is among the first 3 (ours) or is the best at 85 or more"
          " (WRatio); on the rows not on the file any hit counts, and every such hit is a wrong one)")


if __name__ == "__main__":
    main()
