"""An organisation's requirement of the second factor: set when it is registered (the API and
the command line), audited with the registration, and a column that existing rows read as off."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from service.auth.models import Organisation
from service.cli import app as cli
from service.config import get_settings
from service.console.people import create_person
from service.kernel.ledger import AuditRecord
from service.kernel.uow import SYSTEM, Tx
from service.migrate import alembic_dir
from tests.console.conftest import csrf_of
from tests.support import Harness


@pytest.fixture(scope="module")
def ops(db_url: str, key_file: Path) -> Iterator[Harness]:
    """The same database and key, served by an app that allows operator clients."""
    harness = Harness.start(db_url, key_file, allow_operator_clients=True)
    yield harness
    harness.close()


def test_the_operator_registers_an_organisation_that_requires_totp_and_it_takes_effect(ops: Harness) -> None:
    operator = ops.actor("operator")
    code = "TF" + secrets.token_hex(3).upper()
    made = ops.client.post("/v1/organisations", headers=operator.headers, json={
        "code": code, "name": "Ministry of Finance", "kind": "state", "requires_totp": True})
    assert made.status_code == 201, made.text
    assert made.json()["requires_totp"] is True and made.json()["requires_review"] is False
    shown = ops.client.get(f"/v1/organisations/{code}", headers=operator.headers).json()
    assert shown["requires_totp"] is True
    with ops.app.state.session_factory() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.action == "organisation.create", AuditRecord.target_id == code)).one()
    assert record.details["after"]["requires_totp"] is True and record.actor == operator.client_id
    # A person of it who has not enrolled a second factor is sent to enrol it.
    with ops.app.state.session_factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        created = create_person(tx, organisation=code, username="tf" + secrets.token_hex(4), display_name="Officer",
                                roles=["screener"])
        tx.commit()
    form = ops.client.get("/console/sign-in", headers={"Accept": "text/html"})
    signed = ops.client.post("/console/sign-in", headers={"Accept": "text/html"}, follow_redirects=False, data={
        "username": created.username, "password": created.password, "csrf": csrf_of(form.text)})
    assert signed.status_code == 303 and signed.headers["location"] == "/console/account?enrol=required"
    ops.client.cookies.clear()


def test_the_requirement_is_off_unless_asked_and_must_be_a_boolean(ops: Harness) -> None:
    operator = ops.actor("operator")
    code = "TF" + secrets.token_hex(3).upper()
    plain = ops.client.post("/v1/organisations", headers=operator.headers,
                            json={"code": code, "name": "Plain", "kind": "state"})
    assert plain.status_code == 201 and plain.json()["requires_totp"] is False
    wrong = ops.client.post("/v1/organisations", headers=operator.headers, json={
        "code": code + "X", "name": "Wrong", "kind": "state", "requires_totp": "yes"})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    assert any("requires_totp" in error["field"] for error in wrong.json()["errors"])


def test_the_command_line_registers_an_organisation_that_requires_totp(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        code = "TC" + secrets.token_hex(3).upper()
        added = CliRunner().invoke(cli, ["orgs", "add", code, "--name", "Ministry", "--requires-totp"])
        assert added.exit_code == 0, added.output
        plain = CliRunner().invoke(cli, ["orgs", "add", code + "P", "--name", "Ministry"])
        assert plain.exit_code == 0, plain.output
    finally:
        get_settings.cache_clear()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(select(Organisation.code, Organisation.requires_totp)
                                     .where(Organisation.code.in_([code, code + "P"]))).all())
    finally:
        engine.dispose()
    assert rows == {code: True, code + "P": False}


def test_organisations_registered_before_the_migration_do_not_require_it(fresh_db: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.set_main_option("sqlalchemy.url", fresh_db.replace("%", "%%"))
    command.downgrade(config, "0007")
    engine = create_engine(fresh_db)
    insert = text("INSERT INTO organisations (code, name, kind, requires_review, created_at) "
                  "VALUES (:code, :name, 'state', :no, :at)")
    try:
        with engine.begin() as conn:
            conn.execute(insert, {"code": "OLD", "name": "Registered before", "no": False, "at": datetime.now(UTC)})
        command.upgrade(config, "head")
        with engine.begin() as conn:
            # A row written without the column (as older code would) gets the server default too.
            conn.execute(insert, {"code": "NEW", "name": "Written without it", "no": False, "at": datetime.now(UTC)})
            rows = dict(conn.execute(select(Organisation.code, Organisation.requires_totp)).all())
    finally:
        engine.dispose()
    assert rows == {"OLD": False, "NEW": False}
