"""Monitoring after award (issue 10): re-screening watched suppliers after a bulk list change.

Method: the real app (``create_app``, monitoring loop off) on a scratch SQLite database;
``--watched`` suppliers are inserted raw into the watchlist (their first screening is not what
is measured), ``--changes`` new entries, each matching one watched supplier, are posted in one
bulk, then one monitoring run (``service.monitoring.runner.run_once``) is timed from the bulk's
commit to the commit of its last alert. Baseline, same run: a full re-screen of every watched
supplier with ``match_subjects`` (what re-screening everyone on each change would cost).
Memory: the process's peak RSS. Output: bench/out/monitoring.txt.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from debarlist_match import DEFAULT_THRESHOLD
from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.models import Organisation
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.kernel.clock import today, utcnow
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import scratch_database
from service.monitoring.models import Alert, WatchedSupplier
from service.monitoring.runner import run_once
from service.screening.schemas import ScreenRequest, Subject
from service.screening.service import match_subjects

OUT = Path(__file__).parent / "out"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(7)).capitalize()


def _names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{_word(rng)} {_word(rng)} {rng.choice(['LLP', 'JSC', 'Ltd'])}" for _ in range(n)]


def _entry(name: str, ref: str) -> dict[str, Any]:
    return {"kind": "company", "name": name, "aliases": [], "country": "KZ", "identifiers": [],
            "listing": "debarred", "grounds": ["fraud"], "legal_basis": "Act, art. 12", "decision_ref": ref,
            "decided_on": "2026-03-02", "evidence": [{"title": "Decision", "url": "https://example.gov/d.pdf"}],
            "starts_on": "2026-03-15", "ends_on": None, "visibility": "members", "external_ref": ref}


def _token(client: TestClient, app: Any, roles: list[Role]) -> dict[str, str]:
    with app.state.session_factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        created = create_client(tx, ClientCreate(organisation="BENCH", name="bench", roles=roles))
        tx.commit()
    token = client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": created.client_id,
                                           "client_secret": created.client_secret}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def run(watched: int, change_sizes: list[int], background: int) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as tmp, scratch_database(None, Path(tmp), "bench_mon") as url:
        key = Path(tmp) / "key.pem"
        key.write_text(generate_pem())
        app = create_app(Settings(database_url=url, signing_key_file=key, env="development", log_level="WARNING",
                                  monitoring_interval_seconds=0))
        with TestClient(app) as client:
            with app.state.session_factory() as session:
                tx = Tx(session=session, actor=SYSTEM)
                create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="state"))
                tx.commit()
            lister = _token(client, app, [Role.contributor])
            names = _names(watched + background, seed=11)
            watch_names, background_names = names[:watched], names[watched:]
            for first in range(0, background, 1000):
                rows = [_entry(n, f"bg-{first + i}") for i, n in enumerate(background_names[first:first + 1000])]
                assert client.post("/v1/entries/bulk", json={"entries": rows}, headers=lister).status_code == 200
            with app.state.session_factory() as session:
                org_id = session.scalar(select(Organisation.id).where(Organisation.code == "BENCH"))
                now = utcnow()
                session.execute(insert(WatchedSupplier), [
                    {"id": str(uuid.uuid4()), "organisation_id": org_id, "ref": f"w-{i}",
                     "subject": {"name": n, "aliases": [], "country": "KZ", "identifiers": [], "kind": None},
                     "contract_ref": None, "watch_until": None, "last_matches": [], "last_revision": 0,
                     "created_at": now, "updated_at": now} for i, n in enumerate(watch_names)])
                session.commit()
            run_once(app.state.session_factory, app.state.lists)  # the cursor catches up with the fill
            offset = 0
            for changes in change_sizes:
                rows = [_entry(n, f"ch-{offset + i}") for i, n in enumerate(watch_names[offset:offset + changes])]
                offset += changes
                posted = client.post("/v1/entries/bulk", json={"entries": rows}, headers=lister)
                assert posted.status_code == 200, posted.text[:300]
                start = time.perf_counter()
                raised = run_once(app.state.session_factory, app.state.lists)
                took = time.perf_counter() - start
                lines.append(f"{changes:>6} changes x {watched:,} watched: commit -> last alert {took:8.2f} s, "
                             f"{raised} alerts, {raised / took:8.1f} alerts/s")
            with app.state.session_factory() as session:
                view = app.state.lists.live(session)
                total_alerts = session.query(Alert).count()
            subjects = [Subject(ref=f"w-{i}", name=n, country="KZ") for i, n in enumerate(watch_names)]
            start = time.perf_counter()
            for i in range(0, len(subjects), 1000):
                request = ScreenRequest.model_construct(subjects=subjects[i:i + 1000], limit=5, include_inactive=False)
                match_subjects(view, request, on=today(), threshold=DEFAULT_THRESHOLD, organisation_id=org_id or 0)
            full = time.perf_counter() - start
            lines.append(f"baseline: full re-screen of {watched:,} watched suppliers {full:8.2f} s")
            lines.append(f"alerts written in all: {total_alerts}; list: {background + offset:,} entries; "
                         f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        app.state.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watched", type=int, default=100_000)
    parser.add_argument("--changes", type=int, nargs="+", default=[1000, 10, 1])
    parser.add_argument("--background", type=int, default=5000, help="entries listed before the watches")
    args = parser.parse_args()
    lines = run(args.watched, args.changes, args.background)
    OUT.mkdir(exist_ok=True)
    (OUT / "monitoring.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
