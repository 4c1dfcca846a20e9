"""The live index's catch-up reads only what changed, by index, on both databases: the query that
runs before every screening after a write must not scan the whole list (it did, 25 ms at 100,000
entries, while the OR of a revision range and a recognition subquery hid the revision index)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Select, select, text

from service.entries.models import Entry
from service.listview.live import changed_entries, changed_since
from tests.support import Actor, entry_body


def _plan(app: FastAPI, query: Select[Any]) -> str:
    engine = app.state.engine
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "\n".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
        # A test database is small enough for PostgreSQL to prefer a scan in any case: forbid it
        # where it has a choice, and a query that cannot use the index scans anyway.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(str(row[0]) for row in conn.execute(text("EXPLAIN " + sql)))


def _scans_entries(plan: str, dialect: str) -> bool:
    if dialect == "sqlite":
        # "SCAN entries USING INDEX ix_entries_revision" visits every entry in revision order.
        return any(line.startswith("SCAN entries") for line in plan.splitlines())
    # Any access to entries (a Seq Scan, or an Index Scan kept only for the order) with no Index
    # Cond of its own reads every row.
    lines = plan.splitlines()
    for at, line in enumerate(lines):
        if " on entries " in line:
            details = []
            for following in lines[at + 1:]:
                if "->" in following:
                    break
                details.append(following)
            if not any("Index Cond" in detail or "Recheck Cond" in detail for detail in details):
                return True
    return False


def test_the_catch_up_reads_changed_entries_by_index(app: FastAPI) -> None:
    dialect = app.state.engine.dialect.name
    by_revision, by_recognition = changed_entries(41)
    assert not _scans_entries(_plan(app, by_revision), dialect)
    assert not _scans_entries(_plan(app, by_recognition), dialect)
    # The single condition the two queries replace (in the order the catch-up read it) does scan:
    # the check above can fail.
    assert _scans_entries(_plan(app, select(Entry).where(changed_since(41)).order_by(Entry.revision)), dialect)


def test_the_two_queries_find_what_the_one_condition_finds(client: TestClient, app: FastAPI, actor: Any) -> None:
    contributor: Actor = actor("contributor")
    recogniser: Actor = actor("contributor")  # of another organisation
    ids = []
    for n in range(4):
        response = client.post("/v1/entries", headers=contributor.headers,
                               json=entry_body(name=f"Catch Up Trading {n} LLP"))
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    with app.state.sessions.read() as session:
        since = int(session.scalar(select(Entry.revision).where(Entry.id == ids[1])) or 0)
    # An older entry changes by a recognition only (its own revision stays below ``since``).
    response = client.post(f"/v1/entries/{ids[0]}/recognitions", headers=recogniser.headers,
                           json={"decision_ref": "ECD-2026/14", "starts_on": "2026-05-01",
                                 "legal_basis": "Agreement for Mutual Enforcement of Debarment Decisions"})
    assert response.status_code == 201, response.text
    with app.state.sessions.read() as session:
        one = set(session.scalars(select(Entry.id).where(changed_since(since))))
        two = [entry.id for query in changed_entries(since) for entry in session.scalars(query)]
    assert one == {ids[0], ids[2], ids[3]}
    assert sorted(two) == sorted(one) and len(two) == len(one)
