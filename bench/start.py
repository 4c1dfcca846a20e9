"""Start to ready with N entries: the index built from the database against loaded from its snapshot.

    .venv/bin/python bench/start.py [--entries 300000] [--database-url URL] [--workers 1]

Method: a scratch database (SQLite in bench/out/, or ``--database-url``, empty) gets ``--entries``
synthetic entries (bench/load.py's raw insert). ``debarlist serve`` is started three times, each
timed from the process start to the first ``/readyz`` 200: with no snapshot file (the baseline:
the index built from the database, then the snapshot written), with that snapshot, and with the
snapshot after 1,000 more entries were written with no server running (so the start also catches
up from the ledger). The snapshot's size and the server's resident memory at ready are printed
(with ``--workers 1`` the server is that one process).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load import OUT, memory_mb, populate, start_server

from service.auth.keys import generate_pem


def _write_more(base: str, credentials: dict[str, str], count: int) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        token = client.post("/v1/token", data={"grant_type": "client_credentials",
                                               "client_id": credentials["writer_id"],
                                               "client_secret": credentials["writer_secret"]}).json()["access_token"]
        rows = [{"kind": "company", "name": f"Latecomer {i} Holding LLP", "country": "KZ", "grounds": ["fraud"],
                 "starts_on": "2026-01-01", "external_ref": f"late-{i}"} for i in range(count)]
        response = client.post("/v1/entries/bulk", json={"entries": rows},
                               headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = OUT / f"start-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    key = workdir / "key.pem"
    key.write_text(generate_pem())
    _, credentials = populate(url, args.entries)
    snapshot_file = workdir / "index.snapshot"
    env = {**os.environ, "DEBARLIST_DATABASE_URL": url, "DEBARLIST_SIGNING_KEY_FILE": str(key),
           "DEBARLIST_ENV": "development", "DEBARLIST_INDEX_SNAPSHOT_FILE": str(snapshot_file),
           "DEBARLIST_LOG_LEVEL": "WARNING"}
    print(f"start to ready: {args.entries:,} entries, {args.workers} worker(s), database {url.split(':')[0]}, "
          f"load average {os.getloadavg()[0]:.2f}")
    timings: dict[str, float] = {}
    for run in ("built from the database (baseline)", "loaded from the snapshot",
                "snapshot + 1,000 entries caught up"):
        server = start_server(env, args.workers, workdir / f"server-{len(timings)}.log", timeout=3600)
        source = httpx.get(server.base + "/readyz", timeout=300).json()["source"]
        timings[run] = server.ready_seconds
        rss, _ = memory_mb(server.process.pid)
        print(f"  {run:<38} {server.ready_seconds:7.1f} s  (index from the {source}; RSS {rss:,.0f} MB at ready)",
              flush=True)
        if len(timings) == 2:
            _write_more(server.base, credentials, 1000)
        stopped = time.perf_counter()
        server.stop()
        if len(timings) == 1:
            size = snapshot_file.stat().st_size / 1e6
            print(f"  (stop: {time.perf_counter() - stopped:.1f} s; snapshot {size:.0f} MB)")
    baseline = timings["built from the database (baseline)"]
    fast = timings["loaded from the snapshot"]
    print(f"  snapshot start is {baseline / fast:.1f}x faster than the rebuild in the same run")


if __name__ == "__main__":
    main()
