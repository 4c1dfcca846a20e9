"""`debarlist serve --workers N`: forked workers behind one port, each current with the ledger."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.listview import snapshot
from tests.support import Harness, entry_body, unique_word


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def test_workers_share_the_port_and_each_sees_every_committed_write(fresh_db: str, key_file: Path,
                                                                    tmp_path: Path) -> None:
    harness = Harness.start(fresh_db, key_file)
    try:
        contributor = harness.actor("contributor")
        screener = harness.actor("screener", org=contributor.organisation)
    finally:
        harness.close()
    port = _free_port()
    snapshot_file = tmp_path / "index.snapshot"
    env = {**os.environ, "DEBARLIST_DATABASE_URL": fresh_db, "DEBARLIST_SIGNING_KEY_FILE": str(key_file),
           "DEBARLIST_INDEX_SNAPSHOT_FILE": str(snapshot_file), "DEBARLIST_ENV": "development"}
    log = (tmp_path / "server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    command = [str(Path(sys.executable).with_name("debarlist")), "serve", "--port", str(port), "--workers", "2",
               "--no-migrate"]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the workers never became ready"
                time.sleep(0.1)
            while len(_children(server.pid)) < 2:
                assert time.monotonic() < deadline, "fewer than two workers"
                time.sleep(0.1)
            assert len(_children(server.pid)) == 2
            name = unique_word()[1] + " Consulting"
            created = client.post("/v1/entries", headers=contributor.headers,
                                  json=entry_body(name=name, aliases=[], identifiers=[]))
            assert created.status_code == 201, created.text
            # Fresh connections, so the kernel spreads them over both workers: every one of them
            # answers with the entry, committed before the write was acknowledged.
            for _ in range(12):
                with httpx.Client(base_url=base, timeout=10) as fresh:
                    found = fresh.post("/v1/screen", headers=screener.headers,
                                       json={"subjects": [{"ref": "s", "name": name}]})
                assert found.status_code == 200, found.text
                assert created.json()["id"] in [m["entry_id"] for m in found.json()["results"][0]["matches"]]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    # The parent wrote the snapshot at exit, past the entry written through a worker.
    assert snapshot.read_header(snapshot_file)["revision"] >= 1


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; it only waits for its new parent to reap it


def test_workers_stop_when_their_arbiter_is_killed(fresh_db: str, key_file: Path, tmp_path: Path) -> None:
    """uvicorn's gunicorn workers never check their parent: after a SIGKILL of the arbiter they
    went on serving the port (and holding connections) for good. Now they stop with it."""
    port = _free_port()
    env = {**os.environ, "DEBARLIST_DATABASE_URL": fresh_db, "DEBARLIST_SIGNING_KEY_FILE": str(key_file),
           "DEBARLIST_ENV": "development"}
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen([str(Path(sys.executable).with_name("debarlist")), "serve", "--port", str(port),
                                   "--workers", "2", "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    try:
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            workers = _children(server.pid)
            if len(workers) == 2:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
            assert time.monotonic() < deadline, "the workers never became ready"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their arbiter"
        time.sleep(0.1)
    with socket.socket() as probe:  # and the port is free again
        probe.bind(("127.0.0.1", port))
