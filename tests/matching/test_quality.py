"""Quality gate on the shared screening benchmark (read-only data next to the repository).

111 of the 372 ``identifier_only`` queries expect an entry that carries *no* identifier at all and whose
name is unrelated to the query: nothing links them, so no sound matcher can find them.  They are
reported but excluded from the recall targets ("answerable" queries); the raw figures are asserted
against what is achievable instead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "screening"


@pytest.mark.benchmark
@pytest.mark.skipif(not (DATA / "queries.jsonl").exists(), reason="shared benchmark not present")
def test_benchmark_quality() -> None:
    entries = {e["ref"]: e for e in (json.loads(line) for line in (DATA / "entries.jsonl").open(encoding="utf-8"))}
    queries = [json.loads(line) for line in (DATA / "queries.jsonl").open(encoding="utf-8")]
    idx = MatchIndex()
    for e in entries.values():
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
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    raw_found = raw_total = decoys = false_alarms = 0
    for q in queries:
        hits = idx.search(
            Query(
                name=q["name"],
                country=q.get("country"),
                identifiers=tuple(Identifier(i["scheme"], i["value"]) for i in q.get("identifiers") or ()),
            ),
            threshold=DEFAULT_THRESHOLD,
            limit=3,
        )
        if q["expect"] is None:
            decoys += 1
            false_alarms += bool(hits)
            continue
        ok = q["expect"] in [h.key for h in hits]
        raw_total += 1
        raw_found += ok
        unanswerable = q["kind"] == "identifier_only" and not entries[q["expect"]]["identifiers"]
        if not unanswerable:
            found[q["kind"]][0] += ok
            found[q["kind"]][1] += 1
    per_kind = {k: v[0] / v[1] for k, v in found.items()}
    recall = sum(v[0] for v in found.values()) / sum(v[1] for v in found.values())
    fa = false_alarms / decoys
    print(f"recall(answerable)={recall:.4f} raw={raw_found / raw_total:.4f} fa={fa:.4f} per_kind={per_kind}")
    assert recall >= 0.97
    assert fa <= 0.02
    for kind, r in per_kind.items():
        assert r >= 0.90, (kind, r)
    assert raw_found / raw_total >= 0.95  # what is left is the unanswerable 3.3 %
