"""An acknowledged write survives the server being killed (SIGKILL, no shutdown)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import entry_body

DEBARLIST = [sys.executable, "-m", "service.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    # The server's log goes to a file in the test's folder, for diagnosis when it fails.
    with (cwd / "server.log").open("ab") as log:
        process = subprocess.Popen([*DEBARLIST, "serve", "--port", str(port)], env=env, cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # Our own server must be the one answering: a server that exited at once (port taken)
        # is a failure, not an answer from whatever else holds the port.
        assert process.poll() is None, (cwd / "server.log").read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def _wait_until_free(port: int) -> None:
    """After a SIGKILL of the arbiter its workers stop on their own (a graceful stop): a restart,
    like a supervisor's, waits until the port is free."""
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError:
                assert time.monotonic() < deadline, f"port {port} still taken a minute after the kill"
        time.sleep(0.1)


def test_acknowledged_entries_survive_sigkill(fresh_db: str, key_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "DEBARLIST_DATABASE_URL": fresh_db, "DEBARLIST_SIGNING_KEY_FILE": str(key_file)}
    subprocess.run([*DEBARLIST, "orgs", "add", "DUR", "--name", "Durability", "--kind", "state"],
                   env=env, check=True, capture_output=True)
    made = subprocess.run([*DEBARLIST, "clients", "add", "--org", "DUR", "--roles", "contributor", "--json"],
                          env=env, check=True, capture_output=True, text=True)
    credentials = json.loads(made.stdout)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port, tmp_path)
    try:
        token = httpx.post(f"{base}/v1/token", data={"grant_type": "client_credentials", **credentials}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        acknowledged = []
        for number in range(20):
            response = httpx.post(f"{base}/v1/entries", json=entry_body(name=f"Durable Works {number} LLC"),
                                  headers=headers)
            assert response.status_code == 201
            acknowledged.append(response.json()["id"])
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    _wait_until_free(port)
    server = _start(env, port, tmp_path)
    try:
        for entry_id in acknowledged:
            assert httpx.get(f"{base}/v1/entries/{entry_id}", headers=headers).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
