"""Issue 9 bench: the engine before and after, in one run, on the shared benchmark, on a held-out-style set
of name phenomena written for this bench (bench/_phenomena_set.py) and on speed.

The baseline engine is a git revision of ``matching/debarlist_match`` (default: the parent of the first
issue-9 commit), exported to a temporary directory and imported by a child process; the current engine
runs in another child, so both are measured by the same code on the same machine in the same minute.

Figures, per engine:
* shared benchmark (../shared/bench/screening): recall (expected entry in the first 3 at or above the
  default threshold), false alarms (a decoy with any hit), precision, F1, recall per kind;
* phenomena: per kind, recall of the positives and false alarms of the negatives (the look-alike listed
  firm at or above the threshold); the listed set is indexed together with the shared entries, so the
  words weigh what they weigh in a real list;
* speed: mean ms per shared query (limit 3), and a synthetic 20,000-entry list with 2,000 subjects
  (bench/_synthetic.py, as bench/screening.py builds it): build seconds and mean/p95 ms per subject, CPU time
  of the child process; the engines alternate for ``--rounds`` rounds and each keeps its best.

    .venv/bin/python bench/phenomena.py [--baseline-rev REV] [--threshold T] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASELINE = "c4e4b96"  # main before issue 9 (debarlist-match/1.4)


def child(threshold: float | None, mode: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    from _phenomena_set import build as build_set
    from _synthetic import generate, perturb
    from screening_quality import DATA, build, evaluate, load, to_query

    import debarlist_match
    from debarlist_match import DEFAULT_THRESHOLD, ListedRecord, Query

    t = DEFAULT_THRESHOLD if threshold is None else threshold
    out: dict[str, Any] = {"algorithm": debarlist_match.ALGORITHM, "threshold": t}
    entries, queries = load(DATA)
    idx = build(entries)
    # CPU time of this process (the box is shared: wall time would also measure the neighbours).
    started = time.process_time()
    results = [(q, [m.key for m in idx.search(to_query(q), threshold=t, limit=3)]) for q in queries]
    out["shared_ms"] = (time.process_time() - started) / len(queries) * 1000
    if mode == "speed":
        return out | speed(debarlist_match.MatchIndex, generate, perturb, Query)
    out["shared"] = evaluate(results)

    listed, cases = build_set()
    for x in listed:
        idx.add(ListedRecord(key=x.key, kind=x.kind, name=x.name))
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # found, positives, alarms, negatives
    strong: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in cases:
        hits = idx.search(Query(name=c.name, kind=c.qkind), threshold=t, limit=3)
        keys = [h.key for h in hits]
        row = per[c.kind]
        if c.expect is not None:
            row[0] += c.expect in keys
            row[1] += 1
            hit = next((h for h in hits if h.key == c.expect), None)
            # The band, where the engine gives one (1.5); before, a score of 0.9 or more stood for "strong".
            if hit is not None:
                strong[c.kind][0] += getattr(hit, "band", "strong" if hit.score >= 0.9 else "") == "strong"
            strong[c.kind][1] += 1
        else:
            row[2] += c.against in keys
            row[3] += 1
    out["phenomena"] = {k: v for k, v in sorted(per.items())}
    out["strong_share"] = {k: v[0] / v[1] for k, v in sorted(strong.items())}
    tp = sum(v[0] for v in per.values())
    pos = sum(v[1] for v in per.values())
    fa = sum(v[2] for v in per.values())
    neg = sum(v[3] for v in per.values())
    precision = tp / (tp + fa) if tp + fa else 0.0
    recall = tp / pos
    out["phenomena_all"] = {
        "recall": recall, "false_alarm": fa / neg, "precision": precision,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }  # fmt: skip
    return out


def speed(index_class: Any, generate: Any, perturb: Any, query_class: Any) -> dict[str, Any]:
    """Build and search a synthetic 20,000-entry list as bench/screening.py does (CPU time of this process)."""
    Query = query_class
    out: dict[str, Any] = {}
    n = 20_000
    records = list(generate(n))
    t0 = time.process_time()
    syn = index_class()
    for r in records:
        syn.add(r)
    out["synthetic_build_s"] = time.process_time() - t0
    rng = random.Random(11)
    subjects = [Query(name=perturb(records[rng.randrange(n)], rng)) for _ in range(1000)]
    subjects += [Query(name=perturb(records[rng.randrange(n)], rng) + " Novum") for _ in range(500)]
    subjects += [Query(name=f"Company {rng.randrange(10**6)} Unlisted Trading") for _ in range(500)]
    rng.shuffle(subjects)
    for q in subjects[:50]:
        syn.search(q)
    lat = []
    for q in subjects:
        s = time.process_time()
        syn.search(q, limit=5)
        lat.append((time.process_time() - s) * 1000)
    lat.sort()
    out["synthetic_ms_mean"] = statistics.mean(lat)
    out["synthetic_ms_p95"] = lat[int(0.95 * len(lat))]
    return out


def export(rev: str, into: Path) -> Path:
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "matching/debarlist_match"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "matching"


def run_child(pythonpath: Path | None, threshold: float | None, mode: str) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # ahead of the editable install of the working tree's engine
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    w = 12
    head = f"{'':34}{before['algorithm'][-14:]:>{w + 4}}{after['algorithm'][-14:]:>{w + 4}}"
    lines = [head]

    def row(label: str, a: float, b: float, fmt: str = "{:.3f}") -> None:
        lines.append(f"{label:34}{fmt.format(a):>{w + 4}}{fmt.format(b):>{w + 4}}")

    lines.append("-- shared benchmark (all queries)")
    for m in ("recall", "false_alarm", "precision", "f1"):
        row(m, before["shared"][m], after["shared"][m])
    for k in after["shared"]["per_kind"]:
        row(f"  recall {k}", before["shared"]["per_kind"].get(k, 0.0), after["shared"]["per_kind"][k])
    lines.append("-- phenomena set (held-out style, bench/_phenomena_set.py)")
    for k, b in after["phenomena"].items():
        a = before["phenomena"].get(k, [0, 0, 0, 0])
        if b[1]:
            row(f"  {k}: recall (n={b[1]})", a[0] / a[1], b[0] / b[1])
        if b[3]:
            row(f"  {k}: false alarms (n={b[3]})", a[2] / a[3], b[2] / b[3])
    for k, v in after["strong_share"].items():
        if k in ("short_surname_edit", "two_typos"):
            row(f"  {k}: share banded strong", before["strong_share"].get(k, 0.0), v)
    for m in ("recall", "false_alarm", "precision", "f1"):
        row(f"  all phenomena {m}", before["phenomena_all"][m], after["phenomena_all"][m])
    lines.append("-- speed")
    row("shared: ms per query", before["shared_ms"], after["shared_ms"], "{:.2f}")
    row("synthetic 20k: build s", before["synthetic_build_s"], after["synthetic_build_s"], "{:.1f}")
    row("synthetic 20k: ms per subject", before["synthetic_ms_mean"], after["synthetic_ms_mean"], "{:.2f}")
    row("synthetic 20k: p95 ms", before["synthetic_ms_p95"], after["synthetic_ms_p95"], "{:.2f}")
    lines.append(
        f"speed ratio after/before: shared {after['shared_ms'] / before['shared_ms']:.2f}, "
        f"synthetic {after['synthetic_ms_mean'] / before['synthetic_ms_mean']:.2f}"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", choices=("quality", "speed"), help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=3, help="speed rounds, engines alternating (best of each)")
    ap.add_argument("--baseline-rev", default=DEFAULT_BASELINE)
    ap.add_argument("--threshold", type=float, default=None, help="default: each engine's DEFAULT_THRESHOLD")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.threshold, args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        old = export(args.baseline_rev, Path(tmp))
        before = run_child(old, args.threshold, "quality")
        after = run_child(None, args.threshold, "quality")
        # Speed: the engines alternate, one process at a time, and each keeps its best round (the box is
        # shared; the best round is the one least disturbed by the neighbours).
        keys = ("shared_ms", "synthetic_build_s", "synthetic_ms_mean", "synthetic_ms_p95")
        rounds: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            rounds["before"].append(run_child(old, args.threshold, "speed"))
            rounds["after"].append(run_child(None, args.threshold, "speed"))
    for k in keys:
        before[k] = min(r[k] for r in rounds["before"])
        after[k] = min(r[k] for r in rounds["after"])
    print("speed rounds, before/after (shared ms/query, synthetic ms/subject): " + "; ".join(
        f"{b['shared_ms']:.2f}/{a['shared_ms']:.2f}, {b['synthetic_ms_mean']:.2f}/{a['synthetic_ms_mean']:.2f}"
        for b, a in zip(rounds["before"], rounds["after"], strict=True)))
    print(f"baseline: {args.baseline_rev} ({before['algorithm']}), current: {after['algorithm']}; "
          f"threshold {before['threshold']} / {after['threshold']}")
    print(table(before, after))


if __name__ == "__main__":
    main()
