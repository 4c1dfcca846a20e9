"""Throughput of ``POST /v1/entries/bulk`` with 10,000 entries, on SQLite and PostgreSQL.

    .venv/bin/python bench/bulk.py [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                   [--count 10000] [--singles 500] [--backends sqlite,postgresql]
                                   [--sizes 0,50000,200000]  (rates as the list grows)

Method: the real app (``create_app``) over its ASGI interface (Starlette's TestClient, so JSON
encoding, validation, auth and the audit chain are all paid; only the TCP socket is not) on a
scratch database created, migrated and dropped by the script. One request of ``--count``
generated entries (names, aliases, an identifier, provenance), then the same body again
(every row ``unchanged``), then every entry renamed (every row ``updated``). Two baselines in
the same run on the same database: ``--singles`` single ``POST /v1/entries`` requests
(entries/s extrapolates linearly to ``--count``), and a raw SQLAlchemy ``executemany``
insert of ``--count`` minimal rows into the ``entries`` table (the database's floor: no
validation, no revisions, no audit records).
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.models import Organisation
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.entries.models import Entry
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import scratch_database

COUNTRIES = ("KZ", "UA", "RS", "GE", "AM", "MN", "DE", "FR", "AT", "PL")


def generate(count: int, prefix: str, rename: bool = False) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        name = f"{prefix} Construction and Trading {i:05d} LLP" + (" (renamed)" if rename else "")
        rows.append({
            "kind": "company", "name": name, "aliases": [f"{prefix} CT {i:05d}", f"{prefix}-CT-{i:05d} Ltd"],
            "country": COUNTRIES[i % len(COUNTRIES)], "addresses": [f"{i} Abay avenue, Almaty"],
            "identifiers": [{"scheme": "bin", "value": f"{i:012d}"}], "listing": "debarred",
            "grounds": ["fraud", "forced_labour"] if i % 2 else ["corruption"],
            "legal_basis": "Public Procurement Act, art. 12", "decision_ref": f"MF-2026/{i}",
            "decided_on": "2026-03-02", "evidence": [{"title": "Decision", "url": f"https://example.gov/d/{i}.pdf"}],
            "starts_on": "2026-03-15", "ends_on": None, "visibility": "members", "external_ref": f"{prefix}-{i:05d}",
        })
    return rows


def timed_bulk(client: TestClient, headers: dict[str, str], rows: list[dict[str, Any]], expect: str) -> float:
    start = time.perf_counter()
    response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body[expect] == len(rows), {k: body[k] for k in ("created", "updated", "unchanged", "errors")}
    return len(rows) / elapsed


def run_backend(backend: str, pg_url: str, count: int, singles: int) -> dict[str, float]:
    scratch_name = "bench_bulk_" + secrets.token_hex(4)
    base_url = pg_url if backend == "postgresql" else None
    with tempfile.TemporaryDirectory() as tmp, scratch_database(base_url, Path(tmp), scratch_name) as url:
        key = Path(tmp) / "key.pem"
        key.write_text(generate_pem())
        settings = Settings(database_url=url, signing_key_file=key, env="development", log_level="WARNING")
        app = create_app(settings)
        with TestClient(app) as client:
            with app.state.session_factory() as session:
                tx = Tx(session=session, actor=SYSTEM)
                create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="state"))
                created = create_client(tx, ClientCreate(organisation="BENCH", name="bench",
                                                         roles=[Role.contributor]))
                tx.commit()
            token = client.post("/v1/token", data={"grant_type": "client_credentials",
                                                   "client_id": created.client_id,
                                                   "client_secret": created.client_secret}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            figures: dict[str, float] = {}
            figures["bulk create"] = timed_bulk(client, headers, generate(count, "B"), "created")
            figures["bulk re-post (unchanged)"] = timed_bulk(client, headers, generate(count, "B"), "unchanged")
            figures["bulk update all"] = timed_bulk(client, headers, generate(count, "B", rename=True), "updated")
            single_rows = generate(singles, "S")
            start = time.perf_counter()
            for row in single_rows:
                response = client.post("/v1/entries", json=row, headers=headers)
                assert response.status_code == 201, response.text[:300]
            figures[f"baseline: single POSTs ({singles}, extrapolated)"] = singles / (time.perf_counter() - start)
            figures["baseline: raw executemany insert"] = raw_insert(app.state.engine, count)
        app.state.engine.dispose()
    return figures


def growth(backend: str, pg_url: str, sizes: list[int], batch: int) -> list[tuple[int, float, float]]:
    """Bulk create and bulk update of ``batch`` entries when the list already holds each of
    ``sizes`` entries (filled by a raw insert between measurements): a flat cost keeps the rate."""
    scratch_name = "bench_bulk_" + secrets.token_hex(4)
    base_url = pg_url if backend == "postgresql" else None
    out = []
    with tempfile.TemporaryDirectory() as tmp, scratch_database(base_url, Path(tmp), scratch_name) as url:
        key = Path(tmp) / "key.pem"
        key.write_text(generate_pem())
        settings = Settings(database_url=url, signing_key_file=key, env="development", log_level="WARNING")
        app = create_app(settings)
        with TestClient(app) as client:
            with app.state.session_factory() as session:
                tx = Tx(session=session, actor=SYSTEM)
                create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="state"))
                created = create_client(tx, ClientCreate(organisation="BENCH", name="bench",
                                                         roles=[Role.contributor]))
                tx.commit()
            token = client.post("/v1/token", data={"grant_type": "client_credentials",
                                                   "client_id": created.client_id,
                                                   "client_secret": created.client_secret}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            filled = 0
            for step, size in enumerate(sizes):
                if size > filled:
                    raw_insert(app.state.engine, size - filled, prefix=f"G{step}-")
                    filled = size
                prefix = f"N{step}"
                create = timed_bulk(client, headers, generate(batch, prefix), "created")
                change = timed_bulk(client, headers, generate(batch, prefix, rename=True), "updated")
                filled += batch
                out.append((size, create, change))
                print(f"  {backend}: list of {size:>9,}: bulk create {create:7,.0f}/s, bulk update {change:7,.0f}/s",
                      flush=True)
        app.state.engine.dispose()
    return out


def raw_insert(engine: Any, count: int, prefix: str = "R-") -> float:
    with engine.connect() as conn:
        org_id = conn.execute(select(Organisation.id).where(Organisation.code == "BENCH")).scalar_one()
    now = datetime.now(UTC)
    rows = [{"id": str(uuid.uuid4()), "organisation_id": org_id, "external_ref": f"{prefix}{i:05d}", "kind": "company",
             "name": f"Raw {i} LLP", "aliases": [], "search_text": f"raw {i} llp", "country": "KZ",
             "addresses": [], "identifiers": [], "listing": "debarred", "grounds": ["fraud"],
             "grounds_key": ",fraud,", "evidence": [], "starts_on": date(2026, 3, 15), "visibility": "members",
             "appeal_status": "none", "version": 1, "revision": 0, "created_at": now, "updated_at": now}
            for i in range(count)]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Entry), rows)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("DEBARLIST_BENCH_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sizes", help="list sizes (comma-separated, e.g. 0,50000,200000): measure bulk "
                                        "create/update of --count entries at each, instead of the default run")
    args = parser.parse_args()
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
        print(f"POST /v1/entries/bulk of {args.count:,} entries as the list grows (baseline: the first size)")
        for backend in args.backends.split(","):
            rows = growth(backend, args.pg_url, sizes, args.count)
            first = rows[0]
            for size, create, change in rows[1:]:
                print(f"  {backend}: at {size:,} vs {first[0]:,}: create {create / first[1]:.2f}x, "
                      f"update {change / first[2]:.2f}x")
        return
    print(f"POST /v1/entries/bulk with {args.count:,} entries (in-process ASGI, real database)\n")
    for backend in args.backends.split(","):
        figures = run_backend(backend, args.pg_url, args.count, args.singles)
        bulk = figures["bulk create"]
        print(f"{backend}")
        for label, rate in figures.items():
            print(f"  {label:<45} {rate:>9,.0f} entries/s   ({args.count / rate:6.2f} s for {args.count:,})")
        singles = next(rate for label, rate in figures.items() if label.startswith("baseline: single"))
        print(f"  bulk create vs single POSTs: {bulk / singles:.1f}x; "
              f"vs raw insert: {bulk / figures['baseline: raw executemany insert']:.2f}x\n")


if __name__ == "__main__":
    main()
