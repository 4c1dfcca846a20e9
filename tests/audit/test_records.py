"""Every write and every screening leaves exactly one audit record, in the same transaction;
a failed write leaves none; tokens and secrets never reach the log or the application logs."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from service.auth.deps import Principal
from service.auth.models import Organisation
from service.entries.models import Entry
from service.entries.schemas import EntryCreate
from service.entries.service import create_entry
from service.kernel.ledger import AuditRecord, Ledger
from service.kernel.uow import Tx
from tests.support import Actor, Harness, entry_body


def head(app: FastAPI) -> int:
    with app.state.session_factory() as session:
        return int(session.execute(select(Ledger.audit_seq)).scalar_one())


# Work the app does on its own clock, not for the request under test: the monitoring loop of
# the shared test app may record a run between any two requests.
BACKGROUND_ACTIONS = ("monitoring.run",)


def since(app: FastAPI, seq: int) -> list[AuditRecord]:
    """The records written after ``seq`` by requests and calls, in order (background runs left out)."""
    with app.state.session_factory() as session:
        return list(session.execute(select(AuditRecord).where(AuditRecord.seq > seq,
                                                              AuditRecord.action.not_in(BACKGROUND_ACTIONS))
                                    .order_by(AuditRecord.seq)).scalars())


@pytest.fixture
def one_record(app: FastAPI) -> Callable[..., AuditRecord]:
    """``one_record(lambda: client.post(...), "entry.create")``: run it, expect exactly one record."""

    def run(call: Callable[[], httpx.Response], action: str, status: int = 200) -> AuditRecord:
        before = head(app)
        response = call()
        assert response.status_code == status, response.text
        records = since(app, before)
        assert [r.action for r in records] == [action]
        assert records[0].request_id == response.headers["x-request-id"]
        return records[0]

    return run


def test_each_write_and_screening_writes_exactly_one_record(
        client: TestClient, actor: Callable[..., Actor], one_record: Callable[..., AuditRecord],
        db_url: str, key_file: Path) -> None:
    # Registering an organisation is the operator's (an app that allows operator clients).
    ops = Harness.start(db_url, key_file, allow_operator_clients=True)
    try:
        operator = ops.actor("operator")
        code = "A" + secrets.token_hex(3).upper()
        rec = one_record(lambda: ops.client.post("/v1/organisations", headers=operator.headers,
                                                 json={"code": code, "name": "Audit org", "kind": "state"}),
                         "organisation.create", 201)
    finally:
        ops.close()
    assert (rec.actor, rec.organisation, rec.target_id) == (operator.client_id, operator.organisation, code)
    assert rec.role == "operator"
    admin = actor("admin", org=code)

    created: dict[str, Any] = {}

    def make_client() -> httpx.Response:
        response = client.post("/v1/clients", headers=admin.headers,
                               json={"organisation": code, "name": "c", "roles": ["contributor"]})
        created.update(response.json())
        return response

    rec = one_record(make_client, "client.create", 201)
    assert rec.target_id == created["client_id"]
    assert created["client_secret"] not in json.dumps(rec.details)
    rec = one_record(lambda: client.post(f"/v1/clients/{created['client_id']}/disable", headers=admin.headers),
                     "client.disable")
    assert rec.target_id == created["client_id"]

    contributor = actor("contributor")
    entry: dict[str, Any] = {}

    def create() -> httpx.Response:
        response = client.post("/v1/entries", json=entry_body(name="Audit Trail Construction LLP"),
                               headers=contributor.headers)
        entry.update(response.json())
        return response

    rec = one_record(create, "entry.create", 201)
    assert (rec.target_type, rec.target_id, rec.organisation) == ("entry", entry["id"], contributor.organisation)
    assert rec.details["before"] is None and rec.details["after"]["name"] == "Audit Trail Construction LLP"

    etag = f'"{entry["id"]}.v1"'
    rec = one_record(lambda: client.patch(f"/v1/entries/{entry['id']}", json={"name": "Audit Trail Build LLP"},
                                          headers={**contributor.headers, "If-Match": etag}), "entry.update")
    assert rec.details["before"]["name"] == "Audit Trail Construction LLP"
    assert rec.details["after"]["name"] == "Audit Trail Build LLP"
    rec = one_record(lambda: client.post(f"/v1/entries/{entry['id']}/withdraw", json={"reason": "annulled"},
                                         headers=contributor.headers), "entry.withdraw")
    assert rec.details["after"]["withdrawal_reason"] == "annulled"

    screener = actor("screener")
    tender = "T-" + secrets.token_hex(4)
    rec = one_record(lambda: client.post("/v1/screen", headers=screener.headers, json={
        "tender_ref": tender, "subjects": [{"ref": "bid-1", "name": "Bidder Eins GmbH", "country": "DE"}]}),
        "screening.run")
    assert (rec.target_type, rec.tender_ref, rec.actor) == ("screening", tender, screener.client_id)
    assert rec.details["subjects"][0]["name"] == "Bidder Eins GmbH"
    assert rec.details["matches"] == [{"ref": "bid-1", "entry_ids": []}]


def test_bulk_writes_one_record_per_changed_entry(client: TestClient, actor: Callable[..., Actor],
                                                  app: FastAPI) -> None:
    contributor = actor("contributor")
    rows = [entry_body(name=f"Bulk Audit {i} LLP") for i in range(3)]
    before = head(app)
    response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=contributor.headers)
    assert response.status_code == 200, response.text
    assert [r.action for r in since(app, before)] == ["entry.create"] * 3
    before = head(app)  # the same rows again change nothing, and record nothing
    assert client.post("/v1/entries/bulk", json={"entries": rows}, headers=contributor.headers).status_code == 200
    assert since(app, before) == []


def test_failed_writes_leave_no_record(client: TestClient, actor: Callable[..., Actor], app: FastAPI) -> None:
    contributor = actor("contributor")
    body = entry_body()
    created = client.post("/v1/entries", json=body, headers=contributor.headers)
    assert created.status_code == 201
    entry_id = created.json()["id"]
    before = head(app)
    failures = [
        client.post("/v1/entries", json=body, headers=contributor.headers),  # duplicate external_ref
        client.post("/v1/entries", json={**body, "country": "XX"}, headers=contributor.headers),
        client.patch(f"/v1/entries/{entry_id}", json={"name": "Changed"},
                     headers={**contributor.headers, "If-Match": f'"{entry_id}.v9"'}),
    ]
    assert [r.status_code for r in failures] == [409, 422, 412]
    assert since(app, before) == []


def test_a_failing_audit_write_undoes_the_change(app: FastAPI, actor: Callable[..., Actor]) -> None:
    """The record and the change share one transaction: when sealing fails, neither exists."""
    contributor = actor("contributor")
    before = head(app)
    with app.state.session_factory() as session:
        org = session.execute(select(Organisation).where(Organisation.code == contributor.organisation)).scalar_one()
        principal = Principal(contributor.client_id, org.code, org.id, frozenset({"contributor"}))
        tx = Tx(session=session, actor=principal.actor)
        entry = create_entry(tx, principal, EntryCreate.model_validate(entry_body()))
        tx.audit("entry.note", "entry", entry.id, {"unstorable": {1, 2}})  # not JSON: the insert fails
        with pytest.raises((StatementError, TypeError), match="not JSON serializable"):
            tx.commit()
        tx.rollback()
        entry_id = entry.id
    with app.state.session_factory() as session:
        assert session.execute(select(Entry).where(Entry.id == entry_id)).first() is None
    assert since(app, before) == []
    with app.state.session_factory() as session:  # the ledger's counter moved for background runs only
        background = session.execute(select(AuditRecord.seq).where(AuditRecord.seq > before)).scalars().all()
    assert head(app) == before + len(background)


def test_tokens_and_secrets_never_reach_the_log(client: TestClient, actor: Callable[..., Actor], app: FastAPI,
                                                caplog: pytest.LogCaptureFixture) -> None:
    screener = actor("screener")
    before = head(app)
    wrong_secret = "wrong-" + secrets.token_urlsafe(16)
    with caplog.at_level(logging.DEBUG):
        granted = client.post("/v1/token", data={"grant_type": "client_credentials",
                                                 "client_id": screener.client_id,
                                                 "client_secret": screener.client_secret})
        assert granted.status_code == 200
        token = granted.json()["access_token"]
        denied = client.post("/v1/token", data={"grant_type": "client_credentials",
                                                "client_id": screener.client_id, "client_secret": wrong_secret})
        assert denied.status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/v1/organisations", headers=bearer).status_code == 200
        assert client.get("/v1/audit", headers=bearer).status_code == 200
        assert client.get("/v1/audit", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    records = since(app, before)
    assert [r.action for r in records] == ["auth.denied"]
    assert records[0].target_id == screener.client_id
    dumped = json.dumps([{c.name: getattr(r, c.name) for c in AuditRecord.__table__.columns} for r in records],
                        default=str)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (token, screener.client_secret, wrong_secret, screener.token, "not-a-token"):
        assert secret not in dumped
        assert secret not in logged
    assert "Bearer" not in dumped and "Bearer" not in logged


def test_a_refused_request_is_recorded_without_its_token(client: TestClient, actor: Callable[..., Actor],
                                                         app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    screener = actor("screener")
    before = head(app)
    with caplog.at_level(logging.DEBUG):
        refused = client.post("/v1/entries", json=entry_body(), headers=screener.headers)
    assert refused.status_code == 403
    records = since(app, before)
    assert [(r.action, r.actor, r.details.get("path")) for r in records] == [
        ("auth.denied", screener.client_id, "/v1/entries")]
    assert screener.token not in json.dumps(records[0].details) and screener.token not in caplog.text
