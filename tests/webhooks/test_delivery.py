"""Delivery (issue 10): signed events reach a real receiver on loopback, after it was down for
a while; a receiver that always fails ends in the dead letter; the log shows every attempt;
nothing of one organisation reaches another's endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.support import Actor, Harness
from tests.webhooks.support import Receiver, create_endpoint, free_port, raise_alerts, wait_for, worker


def _log(hooks: Harness, who: Actor, endpoint_id: str, **params: Any) -> list[dict[str, Any]]:
    page = hooks.client.get(f"/v1/webhooks/{endpoint_id}/deliveries", headers=who.headers,
                            params={"limit": 500, **params})
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


def _verified(secret: str, received: Any) -> dict[str, Any]:
    return dict(Webhook(secret).verify(received.body, received.headers))


def test_events_reach_a_receiver_that_was_down_for_a_while_signed_and_once_each(
        hooks: Harness, actor: Callable[..., Actor]) -> None:
    client = hooks.client
    screener, contributor = actor("screener"), actor("contributor")
    stranger = actor("screener")
    receiver = Receiver(port=free_port())  # not started: the port refuses connections
    endpoint = create_endpoint(client, screener, receiver.url, ("alert.raised", "match.decided"))
    stranger_receiver = Receiver().start()
    create_endpoint(client, stranger, stranger_receiver.url, ("alert.raised", "match.decided"))
    try:
        with worker(hooks):
            alerts = raise_alerts(hooks, screener, contributor, 3)
            # While the receiver is down, the log shows failed attempts and the next one due.
            failing = wait_for(lambda: [d for d in _log(hooks, screener, endpoint["id"])
                                        if d["attempts"] >= 2] or None, message="retries")
            assert failing[0]["state"] == "pending" and failing[0]["next_attempt_at"]
            assert failing[0]["last_status"] is None and failing[0]["last_error"]
            assert failing[0]["recent_attempts"][0]["error"]

            receiver.start()
            got = wait_for(lambda: len({r.webhook_id for r in receiver.bodies()}) >= 3 and receiver.bodies(),
                           message="3 deliveries")
            log = wait_for(lambda: [d for d in _log(hooks, screener, endpoint["id"]) if d["state"] == "delivered"]
                           if len(_log(hooks, screener, endpoint["id"], state="delivered")) >= 3 else None,
                           message="delivered log")
            assert {d["event_type"] for d in log} == {"alert.raised"} and all(d["attempts"] >= 2 for d in log)
            assert {d["webhook_id"] for d in log} == {r.webhook_id for r in got}

            payloads = [_verified(endpoint["secret"], r) for r in got]
            assert {p["type"] for p in payloads} == {"alert.raised"}
            by_id = {p["data"]["id"]: p["data"] for p in payloads}
            for alert in alerts:  # the payload is the alert as the API returns it
                assert by_id[alert["id"]] == client.get(f"/v1/alerts/{alert['id']}", headers=screener.headers).json()

            # A decision is delivered too; after a rotation it is signed with both secrets.
            rotated = client.post(f"/v1/webhooks/{endpoint['id']}/rotate-secret", headers=screener.headers)
            assert rotated.status_code == 200, rotated.text
            new_secret = rotated.json()["secret"]
            assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
            decided = client.post(f"/v1/alerts/{alerts[0]['id']}/decision", headers=screener.headers,
                                  json={"decision": "confirmed", "note": "same firm"})
            assert decided.status_code == 201, decided.text
            decision = wait_for(lambda: [r for r in receiver.bodies()
                                         if json.loads(r.body)["type"] == "match.decided"], message="decision")[0]
            assert _verified(new_secret, decision)["data"]["id"] == decided.json()["id"]
            assert _verified(endpoint["secret"], decision)["data"]["decision"] == "confirmed"

        # Each event was received under one webhook-id; none reached the other organisation.
        ids = [r.webhook_id for r in receiver.bodies()]
        assert len(set(ids)) == 4
        assert stranger_receiver.bodies() == []
        readings = {tuple(s.labels.values()): s.value for m in hooks.app.state.gauges.collect()
                    if m.name == "debarlist_webhook_outbox_depth" for s in m.samples}
        assert set(readings) == {("pending",), ("dead",)}
    finally:
        receiver.stop()
        stranger_receiver.stop()


def test_a_receiver_that_always_fails_ends_in_the_dead_letter_and_redelivery_sends_it_again(
        hooks: Harness, actor: Callable[..., Actor]) -> None:
    client = hooks.client
    screener, contributor = actor("screener"), actor("contributor")
    receiver = Receiver(mode="fail").start()
    endpoint = create_endpoint(client, screener, receiver.url)
    try:
        with worker(hooks, give_up=1.5, backoff_base=0.1, backoff_max=0.3):
            raise_alerts(hooks, screener, contributor, 1)
            dead = wait_for(lambda: _log(hooks, screener, endpoint["id"], state="dead"), message="dead letter")[0]
            assert dead["attempts"] >= 3 and dead["last_status"] == 500 and dead["next_attempt_at"] is None
            assert [a["status_code"] for a in dead["recent_attempts"]] == [500] * min(dead["attempts"], 20)
            # Every attempt carried the same webhook-id, each one validly signed.
            assert {r.webhook_id for r in receiver.bodies()} == {dead["webhook_id"]}
            assert len(receiver.bodies()) == dead["attempts"]
            for received in receiver.bodies():
                _verified(endpoint["secret"], received)

            receiver.mode = "ok"
            again = client.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{dead['id']}/redeliver",
                                headers=screener.headers)
            assert again.status_code == 200 and again.json()["state"] == "pending", again.text
            delivered = wait_for(lambda: _log(hooks, screener, endpoint["id"], state="delivered"), message="redelivery")
            assert delivered[0]["id"] == dead["id"] and delivered[0]["last_status"] == 204
            assert receiver.bodies()[-1].webhook_id == dead["webhook_id"]
    finally:
        receiver.stop()


def test_a_paused_endpoint_keeps_its_events_until_it_is_enabled(hooks: Harness, actor: Callable[..., Actor]) -> None:
    client = hooks.client
    screener, contributor = actor("screener"), actor("contributor")
    receiver = Receiver().start()
    endpoint = create_endpoint(client, screener, receiver.url)
    try:
        paused = client.patch(f"/v1/webhooks/{endpoint['id']}", headers=screener.headers, json={"enabled": False})
        assert paused.status_code == 200 and paused.json()["enabled"] is False
        with worker(hooks):
            raise_alerts(hooks, screener, contributor, 2)
            assert len(_log(hooks, screener, endpoint["id"], state="pending")) == 2
            assert receiver.bodies() == []
            client.patch(f"/v1/webhooks/{endpoint['id']}", headers=screener.headers, json={"enabled": True})
            wait_for(lambda: len(_log(hooks, screener, endpoint["id"], state="delivered")) == 2, message="delivery")
        assert len(receiver.bodies()) == 2
    finally:
        receiver.stop()


def test_an_endpoint_removed_while_its_delivery_is_in_flight_is_gone_and_the_worker_goes_on(
        hooks: Harness, actor: Callable[..., Actor], caplog: Any) -> None:
    client = hooks.client
    screener, contributor = actor("screener"), actor("contributor")
    hanging, receiver = Receiver(mode="hang").start(), Receiver().start()
    doomed = create_endpoint(client, screener, hanging.url)
    try:
        with worker(hooks, timeout=5.0, lease=6.0):
            raise_alerts(hooks, screener, contributor, 1)
            wait_for(hanging.bodies, message="the POST in flight")
            assert client.delete(f"/v1/webhooks/{doomed['id']}", headers=screener.headers).status_code == 204
            hanging.release()  # the answer comes after the endpoint (and its deliveries) went
            endpoint = create_endpoint(client, screener, receiver.url)
            raise_alerts(hooks, screener, contributor, 1)
            wait_for(lambda: _log(hooks, screener, endpoint["id"], state="delivered"), message="the next delivery")
        assert not [r for r in caplog.records if r.name == "debarlist.webhooks" and r.levelname == "ERROR"]
        assert client.get(f"/v1/webhooks/{doomed['id']}/deliveries", headers=screener.headers).status_code == 404
    finally:
        hanging.release()
        hanging.stop()
        receiver.stop()


@pytest.mark.usefixtures("hooks")  # the shared app's loop paused: this app's own loop is the one tested
def test_the_apps_own_delivery_loop_delivers_without_a_separate_worker(db_url: str, key_file: Any) -> None:
    served = Harness.start(db_url, key_file, webhook_allow_http=True, webhook_allow_private=True,
                           webhook_interval_seconds=0.05)  # as `debarlist serve` runs it, started at startup
    receiver = Receiver().start()
    try:
        screener, contributor = served.actor("screener"), served.actor("contributor")
        endpoint = create_endpoint(served.client, screener, receiver.url)
        raise_alerts(served, screener, contributor, 1)
        got = wait_for(receiver.bodies, message="the app loop's delivery")[0]
        assert _verified(endpoint["secret"], got)["type"] == "alert.raised"
    finally:
        served.close()
        receiver.stop()
