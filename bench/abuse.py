"""Abuse bench (issue 15): the service under hostile contributors and load, beside the version
before the fixes, each run as a real server process on its own fresh database in the same run.

    .venv/bin/python bench/abuse.py [--baseline 1b8ab23] [--backend sqlite|postgresql] [--entries 20000]

Prints, for the baseline and the current code side by side:
- a screening with 10,000 decoys (5,000 awaiting review, 5,000 restricted to another organisation)
  of a listed firm's exact name, after the listed entry was changed: match kept? latency;
- 64 and 256 concurrent clients screening (and some writing): errors, p50/p99 latency;
- screenings while 40 long polls wait on /v1/changes: p50 and worst latency;
- a known_at screening against a live one at the same list size (the ratio should be <= 3);
- token guessing: wrong-secret attempts per second one client gets;
and then runs bench/abuse_files.py (hostile import files: memory and time to refusal).
Each probe has a deadline, so the baseline's hangs are measured, not waited out.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._synthetic import generate  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TARGET = "Kirmizitepe Dorservis LLP"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Deployment:
    """One version of the code (a source folder), serving a fresh database of its own."""

    def __init__(self, label: str, source: Path, backend: str, workdir: Path) -> None:
        self.label, self.source, self.backend = label, source, backend
        self.workdir = workdir / label
        self.workdir.mkdir(parents=True)
        name = f"abuse_{label}_{secrets.token_hex(3)}"
        self.db_name = name
        self.url = (f"sqlite:///{self.workdir / 'db.sqlite'}" if backend == "sqlite" else PG + name)
        self.env = {**os.environ, "PYTHONPATH": str(source), "DEBARLIST_DATABASE_URL": self.url,
                    "DEBARLIST_ENV": "development", "DEBARLIST_SIGNING_KEY_FILE": str(self.workdir / "key.pem"),
                    "DEBARLIST_TOKEN_TTL_SECONDS": "3600", "DEBARLIST_LOG_LEVEL": "WARNING"}
        self.server: subprocess.Popen[bytes] | None = None
        self.base = ""

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "service.cli", *args], env=self.env, cwd=self.workdir,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{self.label}: debarlist {' '.join(args)}: {done.stderr[-500:]}")
        return done.stdout

    def start(self) -> None:
        if self.backend == "postgresql":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                            f'CREATE DATABASE "{self.db_name}"'], check=True)
        self.cli("db", "upgrade")
        port = _free_port()
        log = (self.workdir / "server.log").open("ab")
        self.server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
                                       env=self.env, cwd=self.workdir, stdout=log, stderr=log)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.label}: server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.kill()
            self.server.wait()
        if self.backend == "postgresql":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                            f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'], check=False)

    def org(self, code: str, *, review: bool = False) -> None:
        self.cli("orgs", "add", code, "--name", f"Bench {code}", "--kind", "state",
                 *(["--requires-review"] if review else []))

    def client(self, org: str, roles: str) -> dict[str, str]:
        created = json.loads(self.cli("clients", "add", "--org", org, "--roles", roles, "--json"))
        response = httpx.post(self.base + "/v1/token", data={
            "grant_type": "client_credentials", "client_id": created["client_id"],
            "client_secret": created["client_secret"]}, timeout=30)
        response.raise_for_status()
        return {"client_id": created["client_id"], "client_secret": created["client_secret"],
                "Authorization": f"Bearer {response.json()['access_token']}"}


def _auth(who: dict[str, str]) -> dict[str, str]:
    return {"Authorization": who["Authorization"]}


def _entry(name: str, ref: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "company", "name": name, "aliases": [], "country": "UZ", "listing": "debarred",
            "grounds": ["forced_labour"], "legal_basis": "Act, art. 12", "decision_ref": ref,
            "starts_on": "2026-01-01", "visibility": "members", "external_ref": ref, **extra}


def _bulk(dep: Deployment, who: dict[str, str], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        response = httpx.post(dep.base + "/v1/entries/bulk", json={"entries": rows[start:start + 5000]},
                              headers=_auth(who), timeout=600)
        response.raise_for_status()


def _screen(dep: Deployment, who: dict[str, str], name: str, timeout: float = 30,
            **extra: Any) -> tuple[int, float, Any]:
    started = time.monotonic()
    try:
        response = httpx.post(dep.base + "/v1/screen", headers=_auth(who), timeout=timeout,
                              json={"subjects": [{"ref": "b", "name": name, "country": "UZ"}], **extra})
        took = time.monotonic() - started
        return response.status_code, took, response.json() if response.status_code == 200 else None
    except httpx.HTTPError:
        return 0, time.monotonic() - started, None  # 0: no answer within the client's timeout


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def setup(dep: Deployment, entries: int) -> dict[str, dict[str, str]]:
    dep.org("LISTA")
    dep.org("DECOYR", review=True)
    dep.org("DECOYB")
    dep.org("BUYER")
    who = {"owner": dep.client("LISTA", "contributor"), "pending": dep.client("DECOYR", "contributor"),
           "attacker": dep.client("DECOYB", "contributor"), "screener": dep.client("BUYER", "screener,contributor")}
    rows = [_entry(r.name, f"syn-{i}", aliases=list(r.aliases[:2])) for i, r in enumerate(generate(entries))]
    _bulk(dep, who["owner"], rows)
    return who


def probe_decoys(dep: Deployment, who: dict[str, str]) -> dict[str, Any]:
    target = httpx.post(dep.base + "/v1/entries", json=_entry(TARGET, "target-1"), headers=_auth(who["owner"]),
                        timeout=60).json()
    _bulk(dep, who["pending"], [_entry(TARGET, f"d-p-{i}") for i in range(5000)])
    _bulk(dep, who["attacker"], [_entry(TARGET, f"d-r-{i}", visibility="restricted") for i in range(5000)])
    etag = httpx.get(f"{dep.base}/v1/entries/{target['id']}", headers=_auth(who["owner"]), timeout=60).headers["etag"]
    httpx.patch(f"{dep.base}/v1/entries/{target['id']}", json={"legal_basis": "Act, art. 13"},
                headers={**_auth(who["owner"]), "If-Match": etag}, timeout=60).raise_for_status()
    kept, times = 0, []
    for _ in range(20):
        _, took, body = _screen(dep, who["screener"], TARGET, limit=5)
        times.append(took)
        if body and any(m["entry_id"] == target["id"] for m in body["results"][0]["matches"]):
            kept += 1
    return {"match kept": f"{kept}/20", "p50 ms": round(statistics.median(times) * 1000, 1)}


def probe_concurrency(dep: Deployment, who: dict[str, str], clients: int, per_client: int = 4) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    times: list[float] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        for i in range(per_client):
            if (n + i) % 5 == 0:
                started = time.monotonic()
                try:
                    status = httpx.post(dep.base + "/v1/entries", headers=_auth(who["screener"]), timeout=30,
                                        json=_entry(f"Load Writer {n} {i}", f"w-{clients}-{n}-{i}")).status_code
                except httpx.HTTPError:
                    status = 0
                took = time.monotonic() - started
            else:
                status, took, _ = _screen(dep, who["screener"], "Volga Stroy Trading LLP")
            with lock:
                statuses[status] += 1
                times.append(took)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, range(clients)))
    wall = time.monotonic() - started
    errors = sum(n for status, n in statuses.items() if status not in (200, 201))
    return {"requests": sum(statuses.values()), "errors": errors,
            "statuses": dict(sorted(statuses.items())), "p50 ms": round(_pct(times, 0.5) * 1000),
            "p99 ms": round(_pct(times, 0.99) * 1000), "wall s": round(wall, 1)}


def probe_long_polls(dep: Deployment, who: dict[str, str]) -> dict[str, Any]:
    head = httpx.get(dep.base + "/v1/changes", params={"since": 0, "limit": 1}, headers=_auth(who["screener"]),
                     timeout=30).json()["head"]

    def poll() -> None:
        with suppress(httpx.HTTPError):
            httpx.get(dep.base + "/v1/changes", params={"since": head + 10**6, "wait": 25},
                      headers=_auth(who["screener"]), timeout=40)

    polls = [threading.Thread(target=poll, daemon=True) for _ in range(40)]
    for thread in polls:
        thread.start()
    time.sleep(1.0)
    times, failed = [], 0
    for _ in range(10):
        status, took, _ = _screen(dep, who["screener"], "Volga Stroy Trading LLP", timeout=30)
        times.append(took)
        failed += status != 200
    for thread in polls:
        thread.join(45)
    return {"screenings": len(times), "failed": failed, "p50 ms": round(statistics.median(times) * 1000),
            "worst ms": round(max(times) * 1000)}


def probe_known_at(dep: Deployment, who: dict[str, str]) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    _screen(dep, who["screener"], "Volga Stroy", known_at=now, timeout=120)  # a first one may build an index
    live = [_screen(dep, who["screener"], "Volga Stroy Trading LLP", timeout=120)[1] for _ in range(10)]
    known = [_screen(dep, who["screener"], "Volga Stroy Trading LLP", known_at=now, timeout=120)[1]
             for _ in range(10)]
    ratio = statistics.median(known) / statistics.median(live)
    return {"live p50 ms": round(statistics.median(live) * 1000, 1),
            "known_at p50 ms": round(statistics.median(known) * 1000, 1), "ratio": round(ratio, 1)}


def probe_token_guessing(dep: Deployment, who: dict[str, str], seconds: float = 5.0) -> dict[str, Any]:
    attempts = Counter[int]()
    deadline = time.monotonic() + seconds

    def guess() -> None:
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < deadline:
                response = http.post(dep.base + "/v1/token", data={
                    "grant_type": "client_credentials", "client_id": who["screener"]["client_id"],
                    "client_secret": secrets.token_urlsafe(24)})
                attempts[response.status_code] += 1

    threads = [threading.Thread(target=guess) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"attempts/s": round(sum(attempts.values()) / seconds, 1), "statuses": dict(attempts)}


@contextmanager
def baseline_source(ref: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="debarlist-baseline-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(folder), ref], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], check=False)


def run(dep: Deployment, entries: int, probes: list[tuple[str, Callable[..., dict[str, Any]]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dep.start()
    try:
        who = setup(dep, entries)
        for name, probe in probes:
            started = time.monotonic()
            try:
                out[name] = probe(dep, who)
            except Exception as exc:  # a broken baseline is a result, not a crash of the bench
                out[name] = {"failed": f"{type(exc).__name__}: {str(exc)[:120]}"}
            print(f"  [{dep.label}] {name}: {out[name]} ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        dep.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="1b8ab23", help="git ref of the code before the fixes")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--entries", type=int, default=20_000, help="synthetic entries listed first")
    parser.add_argument("--skip-files", action="store_true", help="do not run bench/abuse_files.py")
    parser.add_argument("--no-baseline", action="store_true", help="measure the current code only")
    parser.add_argument("--probes", default=None, help="probe names to run, separated by '/' (default: all)")
    parser.add_argument("--current", default=None,
                        help="git ref to measure as 'current' (default: the working tree)")
    args = parser.parse_args()
    # Decoys first: the baseline does not recover from the concurrency probes.
    probes: list[tuple[str, Callable[..., dict[str, Any]]]] = [
        ("10,000 decoys", probe_decoys),
        ("known_at vs live", probe_known_at),
        ("long polls", probe_long_polls),
        ("token guessing", probe_token_guessing),
        ("64 clients", lambda d, w: probe_concurrency(d, w, 64)),
        ("256 clients", lambda d, w: probe_concurrency(d, w, 256, per_client=2)),
    ]
    if args.probes:
        wanted = {name.strip() for name in args.probes.split("/")}
        probes = [(name, probe) for name, probe in probes if name in wanted]
    workdir = Path(tempfile.mkdtemp(prefix="debarlist-abuse-"))
    results: dict[str, dict[str, Any]] = {}
    print(f"backend {args.backend}, {args.entries} entries; baseline {args.baseline}", flush=True)
    if args.no_baseline:
        results["baseline"] = {}
    else:
        with baseline_source(args.baseline) as old:
            results["baseline"] = run(Deployment("baseline", old, args.backend, workdir), args.entries, probes)
    if args.current:
        with baseline_source(args.current) as new:
            results["current"] = run(Deployment("current", new, args.backend, workdir), args.entries, probes)
    else:
        results["current"] = run(Deployment("current", ROOT, args.backend, workdir), args.entries, probes)
    print(f"\n{'probe':<18} {'baseline ' + args.baseline:<60} current")
    for name, _ in probes:
        print(f"{name:<18} {json.dumps(results['baseline'].get(name)):<60} {json.dumps(results['current'].get(name))}")
    if not args.skip_files and (ROOT / "bench" / "abuse_files.py").exists():
        print("\nhostile import files (bench/abuse_files.py):", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "abuse_files.py")], check=False)


if __name__ == "__main__":
    main()
