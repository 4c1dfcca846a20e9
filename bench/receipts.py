"""How fast screenings' receipts become durable: group commit against one commit per screening.

    .venv/bin/python bench/receipts.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                       [--threads 1,4,16,64] [--seconds 5]

Method: the write a screening makes after matching, alone, in process, as the request's unit of
work makes it: a ``Tx`` over the app's session factories keeps a receipt (a ``Screening`` row
with one subject and three matches, about 3 KB of JSON, the size a single-subject screening
stores) and its ``screening.run`` audit record, then commits. ``--threads`` threads do this back
to back for ``--seconds``, once with a ``GroupCommit`` in the ``Sessions`` (the default) and once
without (one transaction per screening, DEBARLIST_GROUP_COMMIT=false), the two alternating per
thread count on the same scratch database. Printed: receipts/s, transactions/s, p99 of one commit,
and the ratio. Matching and HTTP are left out on purpose: this is the part that queues on the
ledger lock whatever the number of cores. Scratch databases are created and dropped (a temp file
for SQLite; with ``--database-url``, a new database on that server).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.auth.models import Organisation
from service.auth.schemas import OrganisationCreate
from service.auth.service import create_organisation
from service.kernel.clock import utcnow
from service.kernel.db import PoolLimits, make_engine, make_session_factory, read_only
from service.kernel.groupcommit import GroupCommit
from service.kernel.uow import SYSTEM, Actor, Sessions, Tx
from service.migrate import scratch_database
from service.screening.models import Screening

SCREENER = Actor(client_id="dl_bench_screener", organisation="BENCH", roles=("screener",))
MATCH = {"entry_id": "00000000-0000-0000-0000-000000000000", "score": 0.93, "band": "strong",
         "matched_name": "Alatau Stroy LLP", "query_name": "ТОО «Алатау Строй»",
         "explanation": {"name": {"tokens": [["alatau", "alatau", 1.0], ["stroy", "stroy", 1.0]]},
                         "legal_form": "LLP = ТОО", "country": "KZ = KZ", "folds": ["cyrillic"]},
         "entry": {"name": "Alatau Stroy LLP", "listing": "debarred", "grounds": ["fraud", "corruption"],
                   "starts_on": "2026-01-01", "ends_on": None, "status": "active", "in_force": True,
                   "appeal_status": "none", "organisation": "KZ", "legal_basis": "Public Procurement Law art. 12",
                   "decision_ref": "MF-2026/117", "decided_on": "2025-12-20",
                   "source": {"name": "Ministry of Finance", "url": "https://example.gov/list"},
                   "recognised_by": []}}


def receipt(organisation_id: int) -> Screening:
    return Screening(id=str(uuid.uuid4()), organisation_id=organisation_id, client_id=SCREENER.client_id or "",
                     tender_ref="T-2026-001", as_of=date.today(), list_revision=1, algorithm="debarlist-match/1.5",
                     threshold=0.72, subject_count=1, match_count=3,
                     request={"subjects": [{"ref": "bid-1", "name": "Alatau Stroi TOO", "country": "KZ"}]},
                     results=[{"ref": "bid-1", "matches": [MATCH, MATCH, MATCH]}], screened_at=utcnow())


def run(sessions: Sessions, organisation_id: int, threads: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    kept = 0
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def work() -> None:
        nonlocal kept
        mine: list[float] = []
        while time.perf_counter() < until:
            started = time.perf_counter()
            tx = Tx(sessions=sessions, actor=SCREENER, request_id=str(uuid.uuid4()))
            row = receipt(organisation_id)
            tx.keep(row)
            tx.audit("screening.run", "screening", row.id, {"subjects": row.request["subjects"], "matches": 3})
            try:
                tx.commit()
            finally:
                tx.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            kept += len(mine)

    group = sessions.group
    commits_before = group.commits if group else 0
    started = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    commits = (group.commits - commits_before) if group else kept
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 100 else max(latencies)
    return {"rate": kept / elapsed, "commits": commits / elapsed, "p99_ms": 1000 * p99}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server's URL (a scratch database is made on it)")
    parser.add_argument("--threads", default="1,4,16,64")
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    levels = [int(t) for t in args.threads.split(",")]
    with tempfile.TemporaryDirectory() as folder, \
            scratch_database(args.database_url, Path(folder), f"bench_receipts_{uuid.uuid4().hex[:8]}") as url:
        engine = make_engine(url, PoolLimits(size=max(levels) + 2, overflow=10, timeout=60, lock_timeout=60))
        write, read = make_session_factory(engine), make_session_factory(read_only(engine))
        with write() as session:
            tx = Tx(session=session, actor=SYSTEM)
            create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="organisation"))
            tx.commit()
            organisation_id = int(session.execute(select(Organisation.id)).scalar_one())
        grouped = Sessions(write=write, read=read, group=GroupCommit(write))
        alone = Sessions(write=write, read=read)
        print(f"receipts: {url.split(':')[0]}, {args.seconds:.0f} s per run, the two modes alternating")
        rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for threads in levels:
            without = run(alone, organisation_id, threads, args.seconds)
            with_group = run(grouped, organisation_id, threads, args.seconds)
            rows.append((threads, with_group, without))
            print(f"  {threads:>3} threads: group commit {with_group['rate']:7.1f} receipts/s in "
                  f"{with_group['commits']:6.1f} commits/s, p99 {with_group['p99_ms']:6.1f} ms | one commit each "
                  f"{without['rate']:7.1f} receipts/s, p99 {without['p99_ms']:6.1f} ms | "
                  f"{with_group['rate'] / max(without['rate'], 1e-9):.2f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
