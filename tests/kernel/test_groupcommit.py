"""Group commit: screenings that wait together are committed in one transaction, each receipt
and audit record durable before its answer; a unit that fails fails alone and entirely."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.audit.verify import verify_chain
from service.auth.models import Organisation
from service.kernel.clock import utcnow
from service.kernel.groupcommit import GroupCommit
from service.kernel.ledger import AuditRecord
from service.kernel.uow import Tx
from service.screening.models import Screening
from tests.kit import unique_name
from tests.support import Actor, live_server


def group_of(app: FastAPI) -> GroupCommit:
    group = app.state.sessions.group
    assert isinstance(group, GroupCommit), "the app commits screenings in groups by default"
    return group


@contextmanager
def held(group: GroupCommit, waiting: int) -> Iterator[None]:
    """Hold the group's commit while ``waiting`` units queue, then let one leader take them all."""
    group._commit_lock.acquire()
    try:
        yield
        deadline = time.monotonic() + 60
        while len(group._queue) < waiting:
            assert time.monotonic() < deadline, f"only {len(group._queue)} of {waiting} units queued"
            time.sleep(0.01)
    finally:
        group._commit_lock.release()


class Threads:
    """Calls running in threads of their own; ``outcomes`` holds each one's result, or the
    exception it raised, once ``join`` returned."""

    def __init__(self, calls: list[Callable[[], Any]]) -> None:
        self.outcomes: list[Any] = [None] * len(calls)
        self._threads = [threading.Thread(target=self._run, args=(i, call)) for i, call in enumerate(calls)]
        for thread in self._threads:
            thread.start()

    def _run(self, i: int, call: Callable[[], Any]) -> None:
        try:
            self.outcomes[i] = call()
        except Exception as exc:  # handed to the test, which asserts on it
            self.outcomes[i] = exc

    def join(self) -> list[Any]:
        for thread in self._threads:
            thread.join(timeout=120)
            assert not thread.is_alive()
        return self.outcomes


def records_of(app: FastAPI, action: str, target_ids: list[str]) -> list[AuditRecord]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action,
                                                              AuditRecord.target_id.in_(target_ids))
                                    .order_by(AuditRecord.seq)))


def test_screenings_waiting_together_commit_once_each_with_its_receipt_and_record(
        app: FastAPI, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    auditor = actor("auditor", org=screener.organisation)
    group = group_of(app)
    names = [unique_name() for _ in range(8)]
    with live_server(app) as base, httpx.Client(base_url=base, headers=screener.headers, timeout=120) as http:
        def screen(name: str) -> Callable[[], httpx.Response]:
            return lambda: http.post("/v1/screen", json={"subjects": [{"ref": "b", "name": name}],
                                                         "tender_ref": "GC-1"})

        commits, units = group.commits, group.units
        with held(group, waiting=len(names)):
            running = Threads([screen(name) for name in names])
        answers = running.join()
        assert [a.status_code for a in answers] == [200] * len(names), answers
        # One leader took the eight that waited: one transaction, eight units.
        assert (group.commits - commits, group.units - units) == (1, len(names))
        ids = [a.json()["screening_id"] for a in answers]
        for screening_id, name in zip(ids, names, strict=True):
            receipt = http.get(f"/v1/screenings/{screening_id}")
            assert receipt.status_code == 200 and receipt.json()["request"]["subjects"][0]["name"] == name
        records = records_of(app, "screening.run", ids)
        assert sorted(r.target_id for r in records) == sorted(ids)
        # Each record is its own request's (actor, request id), consecutive in the chain.
        assert {r.actor for r in records} == {screener.client_id}
        assert len({r.request_id for r in records}) == len(names)
        assert [r.seq for r in records] == list(range(records[0].seq, records[0].seq + len(names)))
        verified = http.get("/v1/audit/verify", headers=auditor.headers)
        assert verified.status_code == 200 and verified.json()["ok"] is True


def _receipt(organisation_id: int, screening_id: str | None = None) -> Screening:
    return Screening(id=screening_id or str(uuid.uuid4()), organisation_id=organisation_id, client_id="gc-test",
                     tender_ref=None, as_of=date.today(), list_revision=0, algorithm="test", threshold=0.72,
                     subject_count=0, match_count=0, request={"subjects": []}, results=[],
                     screened_at=utcnow())


@pytest.fixture
def organisation_id(app: FastAPI, org: str) -> int:
    with app.state.session_factory() as session:
        return int(session.execute(select(Organisation.id).where(Organisation.code == org)).scalar_one())


def _unit(app: FastAPI, *rows: Screening) -> Callable[[], None]:
    def commit() -> None:
        tx = Tx(sessions=app.state.sessions)
        tx.keep(*rows)
        for row in rows:
            tx.audit("screening.run", "screening", row.id, {"test": "group commit"})
        try:
            tx.commit()
        except BaseException:
            tx.rollback()
            raise
        finally:
            tx.close()
    return commit


def test_a_unit_that_fails_fails_alone_and_keeps_nothing(app: FastAPI, organisation_id: int) -> None:
    group = group_of(app)
    taken = str(uuid.uuid4())
    _unit(app, _receipt(organisation_id, taken))()  # an id the failing unit will reuse
    good, clash, after_clash = (_receipt(organisation_id), _receipt(organisation_id),
                                _receipt(organisation_id, taken))
    other = _receipt(organisation_id)
    with held(group, waiting=2):
        running = Threads([_unit(app, good), _unit(app, clash, after_clash)])
    outcomes = running.join()
    assert outcomes[0] is None  # kept
    assert isinstance(outcomes[1], IntegrityError)  # its second receipt reused an id
    ids = [good.id, clash.id]
    with app.state.session_factory() as session:
        kept = set(session.scalars(select(Screening.id).where(Screening.id.in_(ids))))
    assert kept == {good.id}  # the failing unit kept neither of its receipts
    assert [r.target_id for r in records_of(app, "screening.run", ids)] == [good.id]
    _unit(app, other)()  # and the group goes on
    assert [r.target_id for r in records_of(app, "screening.run", [other.id])] == [other.id]
    assert verify_chain(app.state.session_factory).ok

