"""Several workers, and a worker killed mid-delivery: no event delivered twice at once, none
lost, and the repeat after a crash carries the same webhook-id so the receiver can drop it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

from service.webhooks.delivery import DeliveryLoop
from tests.support import Actor, Harness
from tests.webhooks.support import Receiver, create_endpoint, policy, raise_alerts, wait_for, worker

DEBARLIST = Path(sys.executable).with_name("debarlist")


def _log(hooks: Harness, who: Actor, endpoint_id: str, state: str | None = None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"limit": 500, **({"state": state} if state else {})}
    page = hooks.client.get(f"/v1/webhooks/{endpoint_id}/deliveries", headers=who.headers, params=params)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


def test_two_workers_on_one_database_deliver_each_event_once(
        hooks: Harness, harness: Harness, actor: Callable[..., Actor]) -> None:
    screener, contributor = actor("screener"), actor("contributor")
    receiver = Receiver().start()
    endpoint = create_endpoint(hooks.client, screener, receiver.url)
    # Two loops on two engines (two connection pools, as two processes would have), small batches.
    other = DeliveryLoop(harness.app.state.session_factory, policy(batch=3), interval=0.01)
    try:
        raise_alerts(hooks, screener, contributor, 30)
        with worker(hooks, batch=3):
            other.start()
            wait_for(lambda: len(_log(hooks, screener, endpoint["id"], "delivered")) == 30, message="30 delivered")
        counts = Counter(r.webhook_id for r in receiver.bodies())
        assert len(counts) == 30 and set(counts.values()) == {1}
        assert all(d["attempts"] == 1 for d in _log(hooks, screener, endpoint["id"]))
    finally:
        other.stop()
        receiver.stop()


def test_a_worker_killed_mid_delivery_loses_no_event_and_the_repeat_has_the_same_webhook_id(
        hooks: Harness, db_url: str, key_file: Path, tmp_path: Path, actor: Callable[..., Actor]) -> None:
    screener, contributor = actor("screener"), actor("contributor")
    receiver = Receiver(mode="hang").start()  # takes the POST and never answers: the worker waits
    endpoint = create_endpoint(hooks.client, screener, receiver.url)
    env = {**os.environ, "DEBARLIST_DATABASE_URL": db_url, "DEBARLIST_SIGNING_KEY_FILE": str(key_file),
           "DEBARLIST_WEBHOOK_ALLOW_HTTP": "true", "DEBARLIST_WEBHOOK_ALLOW_PRIVATE": "true",
           "DEBARLIST_WEBHOOK_INTERVAL_SECONDS": "0.05", "DEBARLIST_WEBHOOK_TIMEOUT_SECONDS": "2",
           "DEBARLIST_WEBHOOK_LEASE_SECONDS": "3", "DEBARLIST_WEBHOOK_CONCURRENCY": "1",
           "DEBARLIST_MONITORING_INTERVAL_SECONDS": "0", "DEBARLIST_LOG_LEVEL": "WARNING"}
    output = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen([str(DEBARLIST), "worker"], env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        raise_alerts(hooks, screener, contributor, 5)  # while the worker starts
        first = wait_for(receiver.bodies, timeout=30, message="the worker's first POST")[0]
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        output.close()
    receiver.mode = "ok"
    receiver.release()
    try:
        # Nothing is lost: every delivery is still pending, claimed by the dead worker's lease.
        log = _log(hooks, screener, endpoint["id"])
        assert len(log) == 5 and {d["state"] for d in log} == {"pending"}, (tmp_path / "worker.log").read_text()
        with worker(hooks, lease=3.0):
            wait_for(lambda: len(_log(hooks, screener, endpoint["id"], "delivered")) == 5, timeout=30,
                     message="delivery after the lease ran out")
        counts = Counter(r.webhook_id for r in receiver.bodies())
        assert len(counts) == 5 and sum(counts.values()) == 6
        # The one in flight when the worker died came twice, under the same webhook-id.
        assert counts[first.webhook_id] == 2
        for received in receiver.bodies():
            Webhook(endpoint["secret"]).verify(received.body, received.headers)
    finally:
        receiver.stop()
