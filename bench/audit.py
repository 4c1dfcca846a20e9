"""The cost of the audit log: entry-write throughput with and without it, and verification speed.

    .venv/bin/python bench/audit.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                    [--writes 1000] [--records 1000000] [--threads 8]

Method (honest about what is compared):
- Writes: the real service path, ``entries.service.create_entry`` in one ``Tx`` and one commit
  per entry, exactly as ``POST /v1/entries`` runs it minus HTTP. "Without the log" is the same
  code with a ``Tx`` subclass whose ``audit()`` queues nothing, so the transaction still takes
  the ledger lock and a list revision (the entry's own bookkeeping) but builds, hashes and
  inserts no audit record. The two modes alternate in rounds on the same database so that
  cache warm-up and table growth hit both alike. Single writer, and ``--threads`` writers.
- Verification: ``--records`` records with a valid chain (entry.update-like details, about
  400 bytes of JSON) are bulk-inserted into a scratch database, then ``verify_chain`` walks them
  as ``GET /v1/audit/verify`` does (keyset chunks of 5,000, every hash recomputed).
Scratch databases are created and dropped by the script (a temp file for SQLite).
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from service.audit.verify import verify_chain
from service.auth.deps import Principal
from service.auth.models import Organisation
from service.auth.schemas import OrganisationCreate
from service.auth.service import create_organisation
from service.entries.schemas import EntryCreate
from service.entries.service import create_entry
from service.kernel.chain import chain_hash
from service.kernel.db import make_engine, make_session_factory
from service.kernel.ledger import GENESIS_HASH, AuditRecord, Ledger
from service.kernel.uow import SYSTEM, Tx
from service.migrate import scratch_database, upgrade


class NoAuditTx(Tx):
    """The same unit of work with the audit record left out (the "without" side)."""

    def audit(self, *args: Any, **kwargs: Any) -> None:
        return None


def entry(n: int, tag: str) -> EntryCreate:
    return EntryCreate.model_validate(
        {
            "kind": "company",
            "name": f"Bench Construction {tag} {n} LLP",
            "aliases": [f"Bench Build {n}"],
            "country": "KZ",
            "identifiers": [],
            "listing": "debarred",
            "grounds": ["fraud"],
            "legal_basis": "Public Procurement Act, art. 12",
            "decision_ref": f"B-{n}",
            "decided_on": "2026-01-02",
            "evidence": [],
            "starts_on": "2026-01-15",
            "ends_on": None,
            "visibility": "members",
            "external_ref": f"{tag}-{n}",
        }
    )


def write_rate(engine: Engine, principal: Principal, tx_class: type[Tx], count: int, threads: int, tag: str) -> float:
    factory = make_session_factory(engine)
    per_thread = count // threads
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        barrier.wait()
        try:
            for i in range(per_thread):
                with factory() as session:
                    tx = tx_class(session=session, actor=principal.actor)
                    create_entry(tx, principal, entry(i, f"{tag}-t{t}"))
                    tx.commit()
        except BaseException as exc:  # a failed writer must fail the run, not inflate the rate
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} writer(s) failed") from errors[0]
    return per_thread * threads / (time.perf_counter() - began)


def bench_writes(engine: Engine, label: str, writes: int, threads: int) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        code = "B" + secrets.token_hex(3).upper()
        create_organisation(tx, OrganisationCreate(code=code, name="Bench", kind="state"))
        tx.commit()
        org_id = session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()
    principal = Principal("bench", code, org_id, frozenset({"contributor"}))
    rounds = 4
    for n_threads in sorted({1, threads}):
        totals: dict[str, list[float]] = {"with log": [], "without log": []}
        for r in range(rounds):
            for name, cls in (("with log", Tx), ("without log", NoAuditTx)):
                tag = f"{cls.__name__}-{n_threads}-{r}"
                totals[name].append(write_rate(engine, principal, cls, writes // rounds, n_threads, tag))
        with_log = sum(totals["with log"]) / rounds
        without = sum(totals["without log"]) / rounds
        print(
            f"{label:10} writers={n_threads}: with log {with_log:7.0f} entries/s, without {without:7.0f} "
            f"entries/s, cost {100 * (1 - with_log / without):5.1f}%"
        )


@dataclass
class Fake:
    seq: int
    recorded_at: datetime
    actor: str | None
    organisation: str | None
    role: str | None
    action: str
    target_type: str | None
    target_id: str | None
    request_id: str | None
    tender_ref: str | None
    details: dict[str, Any]


def fill_chain(engine: Engine, count: int) -> float:
    began = time.perf_counter()
    head = GENESIS_HASH
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[dict[str, Any]] = []
    table = AuditRecord.__table__
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            record = Fake(
                seq,
                start + timedelta(milliseconds=seq),
                f"client-{seq % 97}",
                "KZ",
                "contributor",
                "entry.update",
                "entry",
                f"{seq:036d}",
                f"req-{seq}",
                None,
                {
                    "organisation": "KZ",
                    "external_ref": f"ref-{seq}",
                    "before": {
                        "name": f"Alatau Stroy {seq} LLP",
                        "country": "KZ",
                        "listing": "debarred",
                        "grounds": ["forced_labour"],
                        "decision_ref": "MF-2026/117",
                    },
                    "after": {
                        "name": f"Alatau Stroy {seq} LLP",
                        "country": "KZ",
                        "listing": "debarred",
                        "grounds": ["forced_labour", "fraud"],
                        "decision_ref": "MF-2026/118",
                    },
                },
            )
            digest = chain_hash(head, record)
            batch.append({**record.__dict__, "prev_hash": head, "hash": digest})
            head = digest
            if len(batch) == 10_000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
        conn.execute(update(Ledger).where(Ledger.id == 1).values(audit_seq=count, audit_head=head))
    return time.perf_counter() - began


def bench_verify(engine: Engine, label: str, records: int) -> None:
    filled = fill_chain(engine, records)
    began = time.perf_counter()
    report = verify_chain(make_session_factory(engine))
    took = time.perf_counter() - began
    assert report.ok and report.records == records, report
    print(
        f"{label:10} verify {records:,} records: {took:6.1f} s ({records / took:,.0f} records/s); "
        f"bulk fill took {filled:.0f} s"
    )


def run(url: str, label: str, args: argparse.Namespace) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        if args.writes:
            bench_writes(engine, label, args.writes, args.threads)
    finally:
        engine.dispose()
    if args.records:
        # A second scratch database: the chain must start at genesis.
        run_verify(url, label, args)


def run_verify(url: str, label: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, \
            scratch_database(url, Path(tmp), "bench_audit_verify_" + secrets.token_hex(3)) as scratch:
        engine = make_engine(scratch)
        bench_verify(engine, label, args.records)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="A PostgreSQL URL whose server gets scratch databases.")
    parser.add_argument("--writes", type=int, default=1000, help="Entries written per mode and writer count.")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--records", type=int, default=1_000_000, help="Records to verify (0: skip).")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", args)
    if args.pg:
        with tempfile.TemporaryDirectory() as tmp, \
                scratch_database(args.pg, Path(tmp), "bench_audit_" + secrets.token_hex(3)) as url:
            run(url, "PostgreSQL", args)

if __name__ == "__main__":
    main()
