"""/metrics behind several workers: with PROMETHEUS_MULTIPROC_DIR every scrape, whichever worker
answers it, counts the requests of all of them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROUTE = 'debarlist_http_requests_total{method="GET",route="/v1/entries/{entry_id}",status="401"}'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_worker_answers_the_sum_over_workers(fresh_db: str, key_file: Path, tmp_path: Path) -> None:
    prom = tmp_path / "prometheus"
    prom.mkdir()
    port = _free_port()
    env = {**os.environ, "DEBARLIST_DATABASE_URL": fresh_db, "DEBARLIST_SIGNING_KEY_FILE": str(key_file),
           "DEBARLIST_ENV": "development", "DEBARLIST_METRICS_PUBLIC": "true", "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    log = (tmp_path / "server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen([str(Path(sys.executable).with_name("debarlist")), "serve", "--port", str(port),
                               "--workers", "2", "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        for _ in range(20):  # fresh connections: the kernel spreads them over both workers
            assert httpx.get(f"http://127.0.0.1:{port}/v1/entries/any", timeout=5).status_code == 401
        seen = set()
        for _ in range(8):
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            found = re.search(re.escape(ROUTE) + r" (\S+)", text)
            assert found, text[:2000]
            seen.add(float(found.group(1)))
        assert seen == {20.0}
        assert len({p.name.split("_")[-1] for p in prom.glob("counter_*.db")}) >= 2  # more than one process counted
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
