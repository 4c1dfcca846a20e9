"""Screening quality on the shared benchmark: our engine vs a plain rapidfuzz WRatio scan.

Prints per-kind recall, overall recall, false-alarm rate, precision and F1 at the default threshold
for the dev split, the held-out split and everything.  Split: entries with an even numeric ref (and
decoys with an even qid) are "dev" (used for tuning), odd ones are "held-out".

    .venv/bin/python bench/screening_quality.py [--data DIR] [--threshold T]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "screening"


def load(data: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    entries = [json.loads(line) for line in (data / "entries.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (data / "queries.jsonl").open(encoding="utf-8")]
    return entries, queries


def split_of(q: dict[str, Any]) -> str:
    ref = q["expect"] if q["expect"] is not None else q["qid"]
    return "dev" if int("".join(c for c in ref if c.isdigit())) % 2 == 0 else "held-out"


def build(entries: list[dict[str, Any]]) -> MatchIndex:
    idx = MatchIndex()
    for e in entries:
        idx.add(
            ListedRecord(
                key=e["ref"],
                kind=e.get("kind") or "company",
                name=e["name"],
                aliases=tuple(e.get("aliases") or ()),
                country=e.get("country"),
                identifiers=tuple(Identifier(i["scheme"], i["value"]) for i in e.get("identifiers") or ()),
            )
        )
    return idx


def to_query(q: dict[str, Any]) -> Query:
    return Query(
        name=q["name"],
        country=q.get("country"),
        identifiers=tuple(Identifier(i["scheme"], i["value"]) for i in q.get("identifiers") or ()),
    )


def evaluate(results: list[tuple[dict[str, Any], list[str]]]) -> dict[str, Any]:
    """results: (query, keys at/above threshold best first). Returns metrics."""
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    decoys = fa = 0
    tp = fp = 0
    for q, keys in results:
        if q["expect"] is None:
            decoys += 1
            if keys:
                fa += 1
                fp += 1
            continue
        found = q["expect"] in keys[:3]
        per_kind[q["kind"]][0] += int(found)
        per_kind[q["kind"]][1] += 1
        if found:
            tp += 1
        elif keys:
            fp += 1
    positives = sum(v[1] for v in per_kind.values())
    recall = tp / positives if positives else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "per_kind": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
        "recall": recall,
        "false_alarm": fa / decoys if decoys else 0.0,
        "precision": precision,
        "f1": f1,
    }


def run_engine(
    idx: MatchIndex, queries: list[dict[str, Any]], threshold: float
) -> list[tuple[dict[str, Any], list[str]]]:
    return [(q, [m.key for m in idx.search(to_query(q), threshold=threshold, limit=3)]) for q in queries]


def run_baseline(entries: list[dict[str, Any]], queries: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Per query: best WRatio score per entry (only scores >= 50 kept), computed once for all thresholds."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.utils import default_process

    choices: list[str] = []
    owner: list[str] = []
    for e in entries:
        for n in (e["name"], *(e.get("aliases") or ())):
            choices.append(default_process(n))
            owner.append(e["ref"])
    rows: list[dict[str, float]] = []
    for q in queries:
        best: dict[str, float] = {}
        hits = process.extract(
            default_process(q["name"]),
            choices,
            scorer=fuzz.WRatio,
            processor=None,
            limit=None,
            score_cutoff=50,
        )
        for _, score, ci in hits:
            if score > best.get(owner[ci], -1.0):
                best[owner[ci]] = float(score)
        rows.append(best)
    return rows


def baseline_results(
    rows: list[dict[str, float]], queries: list[dict[str, Any]], threshold: float
) -> list[tuple[dict[str, Any], list[str]]]:
    out = []
    for best, q in zip(rows, queries, strict=True):
        keys = sorted((k for k, s in best.items() if s >= threshold), key=lambda k: -best[k])[:3]
        out.append((q, keys))
    return out


def fmt_table(columns: dict[str, dict[str, Any]]) -> str:
    names = list(columns)
    kinds = sorted({k for c in columns.values() for k in c["per_kind"]})
    width = max(16, *(len(n) + 2 for n in names))
    lines = ["metric".ljust(18) + "".join(n.rjust(width) for n in names)]
    for k in kinds:
        lines.append(
            ("recall " + k).ljust(18) + "".join(f"{columns[n]['per_kind'].get(k, 0):.3f}".rjust(width) for n in names)
        )
    for m in ("recall", "false_alarm", "precision", "f1"):
        lines.append(m.ljust(18) + "".join(f"{columns[n][m]:.3f}".rjust(width) for n in names))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    entries, queries = load(args.data)
    t0 = time.perf_counter()
    idx = build(entries)
    t1 = time.perf_counter()
    ours = run_engine(idx, queries, args.threshold)
    t2 = time.perf_counter()
    print(f"engine: build {t1 - t0:.2f}s, {len(queries)} queries in {t2 - t1:.2f}s, threshold {args.threshold}")
    splits = {"dev": [], "held-out": [], "all": []}  # type: dict[str, list[int]]
    for i, q in enumerate(queries):
        splits[split_of(q)].append(i)
        splits["all"].append(i)
    cols: dict[str, dict[str, Any]] = {}
    if not args.no_baseline:
        rows = run_baseline(entries, queries)
        t3 = time.perf_counter()
        print(f"baseline: WRatio scan of {len(queries)} queries in {t3 - t2:.2f}s")
        # Best baseline threshold: sweep on the dev split (max F1 subject to nothing), report on all splits.
        dev = [queries[i] for i in splits["dev"]]
        dev_rows = [rows[i] for i in splits["dev"]]
        best_t, best_f1 = 85.0, -1.0
        for t in range(60, 101, 1):
            m = evaluate(baseline_results(dev_rows, dev, float(t)))
            if m["f1"] > best_f1:
                best_t, best_f1 = float(t), m["f1"]
        print(f"baseline best threshold on dev (max F1): {best_t}")
    for split, ids in splits.items():
        sub = [queries[i] for i in ids]
        cols[f"ours/{split}"] = evaluate([ours[i] for i in ids])
        if not args.no_baseline:
            sub_rows = [rows[i] for i in ids]
            cols[f"WR85/{split}"] = evaluate(baseline_results(sub_rows, sub, 85.0))
            cols[f"WR{best_t:.0f}/{split}"] = evaluate(baseline_results(sub_rows, sub, best_t))
    for split in splits:
        print(f"\n== {split} ==")
        print(fmt_table({k: v for k, v in cols.items() if k.endswith("/" + split)}))


if __name__ == "__main__":
    main()
