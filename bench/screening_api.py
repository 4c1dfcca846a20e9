"""End-to-end screening cost through the HTTP API (in process, real SQLite or PostgreSQL).

Loads N synthetic entries with POST /v1/entries/bulk, then measures POST /v1/screen for
single subjects (p50/p95) and for batches of 1,000 subjects (subjects/s), and prints the
engine-only time for the same subjects beside it, so the API's own overhead (validation,
receipts, audit record, JSON) is visible.

    python bench/screening_api.py [--entries 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _synthetic import generate, perturb

from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import upgrade


def _token(client: TestClient, app: Any, roles: list[Role]) -> dict[str, str]:
    with app.state.session_factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        made = create_client(tx, ClientCreate(organisation="BENCH", name="bench", roles=roles))
        tx.commit()
    token = client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": made.client_id,
                                           "client_secret": made.client_secret}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
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
        started = time.perf_counter()
        for start in range(0, len(records), 5000):
            rows = [{"kind": r.kind, "name": r.name, "aliases": list(r.aliases), "country": r.country,
                     "grounds": ["fraud"], "external_ref": r.key} for r in records[start:start + 5000]]
            response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=writer)
            assert response.status_code == 200, response.text[:500]
        load = time.perf_counter() - started
        print(f"loaded {len(records)} entries through /v1/entries/bulk in {load:.1f} s "
              f"({len(records) / load:.0f} entries/s)")
        rng = random.Random(3)
        sample = rng.sample(records, 1000)
        subjects = [{"ref": f"s{i}", "name": perturb(r, rng), "country": r.country} for i, r in enumerate(sample)]

        client.post("/v1/screen", json={"subjects": subjects[:1]}, headers=screener)  # index catch-up
        singles = []
        for subject in subjects[:300]:
            started = time.perf_counter()
            response = client.post("/v1/screen", json={"subjects": [subject]}, headers=screener)
            singles.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        singles.sort()
        print(f"single-subject POST /v1/screen: p50 {statistics.median(singles):.2f} ms, "
              f"p95 {singles[int(len(singles) * 0.95)]:.2f} ms")
        started = time.perf_counter()
        response = client.post("/v1/screen", json={"subjects": subjects}, headers=screener)
        batch = time.perf_counter() - started
        found = sum(1 for r in response.json()["results"] if r["matches"])
        print(f"batch of 1,000 through the API: {batch:.2f} s = {1000 / batch:.0f} subjects/s "
              f"({found} subjects with matches)")

        from debarlist_match import DEFAULT_THRESHOLD, Query
        index = app.state.lists.live_index.matcher
        started = time.perf_counter()
        for s in subjects:
            index.search(Query(name=s["name"], country=s["country"]), threshold=DEFAULT_THRESHOLD, limit=5)
        engine = time.perf_counter() - started
        print(f"baseline, engine alone on the same 1,000: {engine:.2f} s = {1000 / engine:.0f} subjects/s; "
              f"API overhead x{batch / engine:.2f}")


if __name__ == "__main__":
    main()
