"""Webhook delivery rate (issue 10): signed events from the outbox to a local receiver.

Method: a scratch database (SQLite; ``--database-url`` for PostgreSQL) migrated with Alembic;
one organisation with ``--endpoints`` endpoints pointing at a receiver on loopback (Python's
ThreadingHTTPServer, HTTP/1.1 keep-alive, answering 204 and counting webhook-ids). ``--events``
events are written through the outbox (``service.webhooks.outbox.publish``) in one transaction;
from its commit, the delivery worker (``service.webhooks.delivery.run_once``: claim a batch
under a lease, POST signed with the configured concurrency, record the attempts) runs until
every delivery is recorded delivered. Baseline, same run, same receiver and concurrency: the
same signed bodies POSTed with httpx directly (no outbox, no claim, no log). Each is run
``--repeat`` times; the best is printed. Output also in bench/out/webhooks.txt.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from service.auth.schemas import OrganisationCreate
from service.auth.service import create_organisation
from service.kernel.clock import utcnow
from service.kernel.db import make_engine, make_session_factory
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.migrate import scratch_database, upgrade
from service.webhooks import outbox, service
from service.webhooks.delivery import Job, Policy, body_of, http_client, run_once, signed_headers
from service.webhooks.models import WebhookDelivery
from service.webhooks.schemas import WebhookIn

OUT = Path(__file__).parent / "out"


class Receiver:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.requests = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # the http.server protocol names it
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    receiver.requests += 1
                    receiver.ids.add(self.headers["webhook-id"])
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.ids, self.requests = set(), 0


def _payload(i: int) -> dict[str, Any]:
    # About the size of an alert.raised payload (an alert with its match, entry and explanation).
    return {"id": f"alert-{i}", "ref": f"sup-{i}", "reason": "match_appeared", "changes": [],
            "match": {"entry_id": f"entry-{i}", "score": 0.97, "explanation": ["name: exact"] * 4,
                      "entry": {"name": f"Supplier {i} LLP", "country": "KZ", "listing": "debarred",
                                "grounds": ["forced_labour"], "status": "published", "appeal_status": "none",
                                "provenance": {"organisation": "BENCH", "decision_ref": f"D-{i}"}}},
            "list_revision": i, "status": "new"}


def run(url: str, events: int, endpoints: int, policy: Policy, repeat: int) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    receiver = Receiver()
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        org = create_organisation(tx, OrganisationCreate(code="BENCHWH", name="Bench", kind="state",  # type: ignore[arg-type]
                                                         requires_review=False))
        tx.commit()
        org_id = org.id
    principal = Principal(client_id="bench", organisation="BENCHWH", organisation_id=org_id,
                          roles=frozenset({Role.admin}))
    url_policy = service.UrlPolicy(allow_http=True, allow_private=True)
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        for _ in range(endpoints):
            service.create(tx, principal, WebhookIn(url=receiver.url, event_types=["alert.raised"]), url_policy)
        tx.commit()
    total = events * endpoints
    lines = [f"webhook delivery: {events:,} events x {endpoints} endpoint(s) = {total:,} deliveries, "
             f"{engine.dialect.name}, batch {policy.batch}, concurrency {policy.concurrency}, best of {repeat}"]
    outbox_best = baseline_best = write_best = 0.0
    with http_client(policy) as http, ThreadPoolExecutor(policy.concurrency) as pool:
        for _ in range(repeat):
            receiver.reset()
            started = time.perf_counter()
            with factory() as session:
                outbox.publish(session, org_id, "alert.raised", [_payload(i) for i in range(events)])
                session.commit()
            committed = time.perf_counter()
            while run_once(factory, policy, http, pool):
                pass
            done = time.perf_counter()
            with factory() as session:
                pending = session.scalar(select(func.count()).select_from(WebhookDelivery)
                                         .where(WebhookDelivery.state != "delivered")) or 0
            assert pending == 0 and len(receiver.ids) >= total, (pending, len(receiver.ids))
            write_best = max(write_best, events / (committed - started))
            outbox_best = max(outbox_best, total / (done - committed))

            # Baseline: the same signed requests, POSTed straight, nothing written.
            jobs = [Job(0, f"baseline-{i}", 0, utcnow(), receiver.url, ("whsec_" + "A" * 43 + "=",),
                        f"e{i}", "alert.raised", utcnow(), _payload(i)) for i in range(total)]
            receiver.reset()

            def post(job: Job) -> int:
                body = body_of(job)
                headers = signed_headers(job, body, utcnow())
                return http.post(job.url, content=body.encode(), headers=headers).status_code

            started = time.perf_counter()
            statuses = list(pool.map(post, jobs))
            elapsed = time.perf_counter() - started
            assert statuses == [204] * total
            baseline_best = max(baseline_best, total / elapsed)
    receiver.server.shutdown()
    engine.dispose()
    lines += [f"  outbox write (publish + commit):          {write_best:8,.0f} events/s",
              f"  outbox -> worker -> receiver (delivered): {outbox_best:8,.0f} webhooks/s   (target >= 200)",
              f"  baseline, raw signed httpx POSTs:         {baseline_best:8,.0f} webhooks/s",
              f"  the worker delivers at {outbox_best / baseline_best:.0%} of the raw POST rate "
              "(the rest: claiming under a lease and recording each attempt)"]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--endpoints", type=int, default=1)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database to use (its tables are "
                        "created; use a scratch database); default: a scratch SQLite file")
    args = parser.parse_args()
    policy = Policy(timeout=10, lease=60, backoff_base=1, backoff_max=60, give_up=3600, batch=args.batch,
                    concurrency=args.concurrency, allow_http=True, allow_private=True)
    if args.database_url:
        lines = run(args.database_url, args.events, args.endpoints, policy, args.repeat)
    else:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(None, Path(tmp), "bench_wh") as url:
            lines = run(url, args.events, args.endpoints, policy, args.repeat)
    print("\n".join(lines))
    OUT.mkdir(exist_ok=True)
    (OUT / "webhooks.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
