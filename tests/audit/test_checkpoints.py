"""Signed checkpoints over HTTP: issue, list, verify against a kept one, and the periodic issuer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from jose import jws

from tests.audit.conftest import ScratchDb
from tests.support import Actor, Harness


def test_issue_list_and_verify_against_a_checkpoint(client: TestClient, actor: Callable[..., Actor],
                                                   harness: Harness) -> None:
    auditor = actor("auditor")
    issued = client.post("/v1/audit/checkpoints", headers=auditor.headers)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    # The JWS checks with the published key and says what the response says.
    jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
    assert jws.get_unverified_header(body["jws"]) == {"alg": "RS256", "kid": jwk["kid"], "typ": "JOSE"}
    claims = json.loads(jws.verify(body["jws"], jwk, algorithms=["RS256"]))
    assert (claims["seq"], claims["head_hash"], claims["iss"]) == (body["seq"], body["head_hash"], "debarlist")
    assert set(claims) == {"seq", "head_hash", "issued_at", "iss"}

    listed = client.get("/v1/audit/checkpoints", headers=auditor.headers).json()
    assert listed[0]["jws"] == body["jws"]

    report = client.get("/v1/audit/verify", params={"checkpoint": body["jws"]}, headers=auditor.headers).json()
    assert report["ok"] is True and report["checkpoint_seq"] == body["seq"]
    assert report["head_seq"] >= body["seq"] and report["records"] == report["head_seq"]


def test_a_checkpoint_not_signed_by_the_service_is_refused(client: TestClient, actor: Callable[..., Actor]) -> None:
    from service.auth.keys import generate_pem

    auditor = actor("auditor")
    foreign = jws.sign({"seq": 1, "head_hash": "0" * 64, "issued_at": "x", "iss": "debarlist"}, generate_pem(),
                       algorithm="RS256")
    for token in (foreign, "not.a.jws", client.post("/v1/audit/checkpoints", headers=auditor.headers)
                  .json()["jws"][:-6] + "AAAAAA"):
        response = client.get("/v1/audit/verify", params={"checkpoint": token}, headers=auditor.headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"


def test_verify_over_http_reports_the_broken_record(scratch: ScratchDb, key_file: Path) -> None:
    from sqlalchemy import text

    scratch.write(5)
    with scratch.superuser() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'entry.create' WHERE seq = 3"))
    harness = Harness.start(scratch.url, key_file, checkpoint_interval_seconds=0)
    try:
        auditor = harness.actor("auditor")
        report = harness.client.get("/v1/audit/verify", headers=auditor.headers).json()
        assert (report["ok"], report["first_broken_seq"], report["reason"]) == (False, 3, "hash mismatch")
        refused = harness.client.post("/v1/audit/checkpoints", headers=auditor.headers)
        assert refused.status_code == 409 and "seq 3" in refused.json()["detail"]
    finally:
        harness.close()


def test_periodic_checkpoints_only_when_the_head_moved(scratch: ScratchDb, key_file: Path) -> None:
    harness = Harness.start(scratch.url, key_file, checkpoint_interval_seconds=1)
    try:
        auditor = harness.actor("auditor")  # creating the client moves the head

        def wait_for(count: int) -> list[dict[str, object]]:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                listed = harness.client.get("/v1/audit/checkpoints", headers=auditor.headers).json()
                if len(listed) >= count:
                    return list(listed)
                time.sleep(0.2)
            raise AssertionError(f"fewer than {count} checkpoints after 10 s")

        first = wait_for(1)
        time.sleep(2.5)  # two more ticks with an unmoved head: no new checkpoint
        assert len(harness.client.get("/v1/audit/checkpoints", headers=auditor.headers).json()) == 1
        harness.actor("screener")
        second = wait_for(2)
        assert second[0]["seq"] > first[0]["seq"]
    finally:
        harness.close()
