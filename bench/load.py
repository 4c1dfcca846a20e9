"""Concurrent screening against a live server on loopback: one worker (the baseline) and several.

    .venv/bin/python bench/load.py [--entries 100000] [--workers 2] [--seconds 10]
                                   [--clients 1,4,16,64] [--writers 4] [--database-url URL]
                                   [--without-group-commit]

Method: a scratch database (SQLite file in bench/out/, or ``--database-url``: PostgreSQL, whose
tables must be empty) gets ``--entries`` synthetic entries (bench/_synthetic.py names, aliases
and countries) by a raw insert with one list revision each (the server builds its index from
them exactly as from API writes). ``debarlist serve`` is started as a subprocess, first with one
worker (uvicorn, the baseline), then with ``--workers`` (gunicorn, forked after the index is
loaded from the snapshot the first server wrote). Against each: for every client count, that many
connections each send single-subject ``POST /v1/screen`` requests back to back for ``--seconds``
(perturbed names of listed entries, so most requests match); then the same with ``--writers``
more connections creating entries (``POST /v1/entries``) all the while. Printed: screenings/s,
p50/p95/p99 latency, errors (anything but 200/201), writes/s; start to ready of both servers;
memory of each process (RSS, and USS: the pages it does not share, i.e. what one more worker
costs). The load generator runs on the same 2 cores (asyncio + httpx, one process): its CPU
is printed too, since it competes with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _synthetic import generate, perturb
from sqlalchemy import create_engine, insert, text, update

from debarlist_match import ListedRecord
from service.auth.keys import generate_pem
from service.auth.models import Organisation
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.entries.models import Entry
from service.kernel.db import make_session_factory
from service.kernel.ledger import Ledger
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import upgrade

OUT = Path(__file__).resolve().parent / "out"
DEBARLIST = str(Path(sys.executable).with_name("debarlist"))


# ----------------------------------------------------------------------------- the database
def populate(url: str, count: int) -> tuple[list[ListedRecord], dict[str, str]]:
    """``count`` entries (one list revision each) and two clients; returns the records and
    the credentials (client ids and secrets) of a screener and a contributor."""
    upgrade(url)
    engine = create_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="organisation"))
        screener = create_client(tx, ClientCreate(organisation="BENCH", name="screener", roles=[Role.screener]))
        writer = create_client(tx, ClientCreate(organisation="BENCH", name="writer", roles=[Role.contributor]))
        tx.commit()
        org_id = session.query(Organisation.id).filter(Organisation.code == "BENCH").scalar()
    records = list(generate(count))
    now = datetime.now(UTC)
    started = time.perf_counter()
    with engine.begin() as conn:
        for start in range(0, count, 10_000):
            conn.execute(insert(Entry), [
                {"id": str(uuid.uuid4()), "organisation_id": org_id, "external_ref": r.key, "kind": r.kind,
                 "name": r.name, "aliases": list(r.aliases), "search_text": r.name.lower(), "country": r.country,
                 "addresses": [], "identifiers": [{"scheme": i.scheme, "value": i.value} for i in r.identifiers],
                 "listing": "debarred", "grounds": ["fraud"], "grounds_key": ",fraud,", "evidence": [],
                 "starts_on": date(2026, 1, 1), "visibility": "members", "appeal_status": "none", "version": 1,
                 "revision": start + i + 1, "created_at": now, "updated_at": now}
                for i, r in enumerate(records[start:start + 10_000])])
        conn.execute(update(Ledger).where(Ledger.id == 1).values(list_revision=count))
    if engine.dialect.name == "postgresql":
        # The statistics autovacuum would gather after such a load: the planner must know the
        # table is not empty (with none it scans instead of using an index, in both versions).
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"{count:,} entries inserted in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    return records, {"screener_id": screener.client_id, "screener_secret": screener.client_secret,
                     "writer_id": writer.client_id, "writer_secret": writer.client_secret}


# ----------------------------------------------------------------------------- the server
@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    ready_seconds: float
    log: Any

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        finally:
            self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], workers: int, log_path: Path, timeout: float = 900) -> Server:
    port = _free_port()
    log = log_path.open("wb")
    started = time.perf_counter()
    process = subprocess.Popen([DEBARLIST, "serve", "--port", str(port), "--workers", str(workers), "--no-migrate"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=5) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: see {log_path}")
            try:
                if client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError("server not ready in time")
            time.sleep(0.05)
    return Server(process, base, time.perf_counter() - started, log)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, USS) in MB: USS is what the process does not share with any other."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return fields["Rss"] / 1024, (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024


# ----------------------------------------------------------------------------- the load
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    writes: int = 0
    write_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


async def _token(client: httpx.AsyncClient, client_id: str, secret: str) -> dict[str, str]:
    response = await client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                    "client_secret": secret})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _screener(base: str, headers: dict[str, str], subjects: list[dict[str, Any]], until: float,
                    tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
        while time.perf_counter() < until:
            subject = rng.choice(subjects)
            started = time.perf_counter()
            try:
                response = await client.post("/v1/screen", json={"subjects": [subject]})
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            if status == 200:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors += 1
                tally.statuses[status] = tally.statuses.get(status, 0) + 1


async def _writer(base: str, headers: dict[str, str], until: float, tally: Tally, seed: int) -> None:
    n = 0
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
        while time.perf_counter() < until:
            n += 1
            body = {"kind": "company", "name": f"Loadwriter {seed} Number {n} Trading LLP", "country": "KZ",
                    "grounds": ["fraud"], "starts_on": "2026-01-01", "external_ref": f"w{seed}-{n}-{uuid.uuid4()}"}
            try:
                status = (await client.post("/v1/entries", json=body)).status_code
            except httpx.HTTPError:
                status = 0
            if status == 201:
                tally.writes += 1
            else:
                tally.write_errors += 1
                tally.statuses[status] = tally.statuses.get(status, 0) + 1


async def run_level(base: str, credentials: dict[str, str], subjects: list[dict[str, Any]], clients: int,
                    writers: int, seconds: float) -> tuple[Tally, float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as auth:
        screen_headers = await _token(auth, credentials["screener_id"], credentials["screener_secret"])
        write_headers = await _token(auth, credentials["writer_id"], credentials["writer_secret"])
    tally = Tally()
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    tasks = [_screener(base, screen_headers, subjects, until, tally, i) for i in range(clients)]
    tasks += [_writer(base, write_headers, until, tally, 1000 + i) for i in range(writers)]
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def measure(server: Server, credentials: dict[str, str], subjects: list[dict[str, Any]], levels: list[int],
            writers: int, seconds: float) -> list[dict[str, Any]]:
    rows = []
    for with_writers in (0, writers):
        for clients in levels:
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            tally, elapsed = asyncio.run(run_level(server.base, credentials, subjects, clients, with_writers,
                                                   seconds))
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
            row = {"clients": clients, "writers": with_writers, "rate": len(tally.latencies) / elapsed,
                   "p50": _pct(tally.latencies, 0.50), "p95": _pct(tally.latencies, 0.95),
                   "p99": _pct(tally.latencies, 0.99), "errors": tally.errors + tally.write_errors,
                   "writes": tally.writes / elapsed, "statuses": tally.statuses, "load_cpu": cpu / elapsed}
            rows.append(row)
            print(f"    {clients:>3} clients {with_writers} writers: {row['rate']:7.1f} screenings/s  "
                  f"p50 {row['p50']:6.1f}  p95 {row['p95']:6.1f}  p99 {row['p99']:6.1f} ms  "
                  f"errors {row['errors']}{' ' + str(tally.statuses) if tally.statuses else ''}  "
                  f"writes/s {row['writes']:5.1f}  load-generator CPU {row['load_cpu']:.2f} core", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="1,4,16,64")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--database-url", help="an empty, migrated or new database (default: SQLite in bench/out)")
    parser.add_argument("--without-group-commit", action="store_true",
                        help="also run the workers with DEBARLIST_GROUP_COMMIT=false (one commit per screening), "
                             "the baseline of the group commit")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    workdir = OUT / f"load-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    key = workdir / "key.pem"
    key.write_text(generate_pem())
    records, credentials = populate(url, args.entries)
    rng = random.Random(3)
    subjects = [{"ref": f"s{i}", "name": perturb(r, rng), "country": r.country}
                for i, r in enumerate(rng.sample(records, min(2000, len(records))))]
    env = {**os.environ, "DEBARLIST_DATABASE_URL": url, "DEBARLIST_SIGNING_KEY_FILE": str(key),
           "DEBARLIST_ENV": "development", "DEBARLIST_INDEX_SNAPSHOT_FILE": str(workdir / "index.snapshot"),
           "DEBARLIST_LOG_LEVEL": "WARNING"}
    print(f"load: {args.entries:,} entries, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          f"at start, {args.seconds:.0f} s per level, database {url.split(':')[0]}")
    results: dict[str, list[dict[str, Any]]] = {}
    memory: dict[str, list[tuple[float, float]]] = {}
    idle: dict[str, list[tuple[float, float]]] = {}
    ready: dict[str, float] = {}
    single, many, ungrouped = "1 worker", f"{args.workers} workers", f"{args.workers} workers, no group commit"
    configs = {single: (1, {}), many: (args.workers, {})}
    if args.without_group_commit:
        configs[ungrouped] = (args.workers, {"DEBARLIST_GROUP_COMMIT": "false"})
    for label, (workers, extra_env) in configs.items():
        server = start_server({**env, **extra_env}, workers, workdir / f"server-{len(ready)}.log")
        ready[label] = server.ready_seconds
        source = httpx.get(server.base + "/readyz", timeout=300).json()["source"]
        print(f"  {label}: ready in {server.ready_seconds:.1f} s (index from the {source})")
        try:
            # The server and its workers (a snapshot writer forked at ready may be among them then).
            idle[label] = [memory_mb(pid) for pid in [server.process.pid, *_children(server.process.pid)]]
            results[label] = measure(server, credentials, subjects, levels, args.writers, args.seconds)
            memory[label] = [memory_mb(pid) for pid in [server.process.pid, *_children(server.process.pid)]]
        finally:
            server.stop()
        for when, figures in (("at ready", idle[label]), ("after the load", memory[label])):
            print(f"    memory {when} (RSS / USS MB): " + ", ".join(f"{r:.0f}/{u:.0f}" for r, u in figures))
    comparisons = [(many, single)] + ([(many, ungrouped)] if args.without_group_commit else [])
    for label, baseline in comparisons:
        print(f"\nsummary: {label} (baseline: {baseline}, same run)")
        for base_row, row in zip(results[baseline], results[label], strict=True):
            print(f"  {row['clients']:>3} clients {row['writers']} writers: {row['rate']:7.1f} vs "
                  f"{base_row['rate']:7.1f} screenings/s ({row['rate'] / max(base_row['rate'], 1e-9):.2f}x); "
                  f"p99 {row['p99']:6.1f} vs {base_row['p99']:6.1f} ms; errors {row['errors']} vs {base_row['errors']}")
    single_rss = memory[single][0][0]
    workers = memory[many][1:]
    if workers:
        # What one more worker costs is its USS (the pages no other process shares); against the
        # one-process server of the same run, and against the first worker's RSS (a one-worker
        # server that, like it, read its index from the snapshot).
        extra = statistics.mean(u for _, u in workers[1:]) if len(workers) > 1 else workers[0][1]
        first_rss = workers[0][0]
        print(f"  memory: per extra worker (USS) {extra:.0f} MB = {100 * extra / single_rss:.0f} % of the single "
              f"process's RSS ({single_rss:.0f} MB, index built) and {100 * extra / first_rss:.0f} % of the first "
              f"worker's RSS ({first_rss:.0f} MB); arbiter {memory[many][0][0]:.0f} MB RSS")
    print(f"  start to ready: {ready[single]:.1f} s (index built from the database) vs {ready[many]:.1f} s "
          f"({args.workers} workers, index from the snapshot)")


if __name__ == "__main__":
    main()
