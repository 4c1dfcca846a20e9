"""What the protocols cost beside /v1/screen on the same subjects (in process, real database).

Loads N synthetic entries (POST /v1/entries/bulk), then, each beside its baseline measured in the
same run on the same subjects:

* ``POST /match/default`` with one query a request (100 requests: p50/p95) against single-subject
  ``POST /v1/screen``, and with 100 queries in one request against 100 subjects in one screening;
* reconciliation of a 1,000-row table (``POST /reconcile``, one batch) against 1,000 subjects;
* an OCDS release package of 10,000 tenderers (``POST /v1/screen/ocds``: schema validation, 10
  screenings) against the same 10,000 subjects in 10 screenings.

    python bench/interop.py [--entries 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _synthetic import generate, perturb
from screening_api import _token

from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.schemas import OrganisationCreate
from service.auth.service import create_organisation
from service.config import Settings
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import upgrade


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _ms(values: list[float]) -> str:
    values = sorted(v * 1000 for v in values)
    return f"p50 {statistics.median(values):.2f} ms, p95 {values[int(len(values) * 0.95)]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    key = workdir / "key.pem"
    key.write_text(generate_pem())
    upgrade(url)
    app = create_app(Settings(database_url=url, signing_key_file=key))
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            tx = Tx(session=session, actor=SYSTEM)
            create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="organisation"))
            tx.commit()
        writer = _token(client, app, [Role.contributor])
        screener = _token(client, app, [Role.screener])
        records = list(generate(args.entries))
        for start in range(0, len(records), 5000):
            rows = [{"kind": r.kind, "name": r.name, "aliases": list(r.aliases), "country": r.country,
                     "grounds": ["fraud"], "external_ref": r.key} for r in records[start:start + 5000]]
            assert client.post("/v1/entries/bulk", json={"entries": rows}, headers=writer).status_code == 200
        print(f"{len(records):,} entries loaded")
        rng = random.Random(5)
        subjects = [{"ref": f"s{i}", "name": perturb(r, rng), "country": r.country}
                    for i, r in enumerate(rng.choices(records, k=10_000))]

        def screen(batch: list[dict[str, Any]]) -> Any:
            response = client.post("/v1/screen", json={"subjects": batch}, headers=screener)
            assert response.status_code == 200, response.text[:300]
            return response.json()

        def example(s: dict[str, Any]) -> dict[str, Any]:
            return {"schema": "Company", "properties": {"name": [s["name"]], "country": [s["country"].lower()]}}

        def match(batch: list[dict[str, Any]]) -> Any:
            response = client.post("/match/default", json={"queries": {s["ref"]: example(s) for s in batch}},
                                   headers=screener)
            assert response.status_code == 200, response.text[:300]
            return response.json()

        screen(subjects[:1])  # index warm
        base = [_timed(lambda s=s: screen([s]))[0] for s in subjects[:100]]
        via = [_timed(lambda s=s: match([s]))[0] for s in subjects[:100]]
        print(f"one subject a request, 100 requests: /v1/screen {_ms(base)}; /match {_ms(via)}; "
              f"overhead x{statistics.median(via) / statistics.median(base):.2f} (p50)")
        t_base, _ = _timed(lambda: screen(subjects[:100]))
        t_via, _ = _timed(lambda: match(subjects[:100]))
        print(f"100 in one request: /v1/screen {t_base * 1000:.0f} ms; /match {t_via * 1000:.0f} ms; "
              f"overhead x{t_via / t_base:.2f}")

        table = {s["ref"]: {"query": s["name"], "type": "Company", "properties": [{"pid": "country",
                                                                                      "v": s["country"]}]}
                 for s in subjects[:1000]}
        t_base, _ = _timed(lambda: screen(subjects[:1000]))
        t_via, answer = _timed(lambda: client.post("/reconcile", data={"queries": json.dumps(table)},
                                                   headers=screener))
        assert answer.status_code == 200
        found = sum(1 for r in answer.json().values() if r["result"])
        print(f"1,000-row table: /v1/screen {t_base:.2f} s; /reconcile {t_via:.2f} s = {1000 / t_via:.0f} rows/s "
              f"({found} rows with candidates); overhead x{t_via / t_base:.2f}")

        package = {"version": "1.1", "uri": "https://example.gov/bench.json", "publishedDate": "2026-05-01T00:00:00Z",
                   "publisher": {"name": "bench"}, "releases": [{
                       "ocid": "ocds-bench-1", "id": "1", "date": "2026-05-01T00:00:00Z", "tag": ["tender"],
                       "initiationType": "tender",
                       "parties": [{"id": s["ref"], "name": s["name"], "roles": ["tenderer"],
                                    "address": {"country": s["country"]}} for s in subjects]}]}
        t_base = sum(_timed(lambda i=i: screen(subjects[i:i + 1000]))[0] for i in range(0, 10_000, 1000))
        t_via, answer = _timed(lambda: client.post("/v1/screen/ocds", json=package, headers=screener))
        assert answer.status_code == 200, answer.text[:300]
        print(f"OCDS package of 10,000 parties: /v1/screen x10 {t_base:.2f} s; /v1/screen/ocds {t_via:.2f} s = "
              f"{10_000 / t_via:.0f} parties/s; overhead x{t_via / t_base:.2f}")


if __name__ == "__main__":
    main()
