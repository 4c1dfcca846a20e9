"""PostgreSQL: new rows of one table in a flush get their keys from the column's sequence first, so
a bulk is inserted with plain executemany statements instead of one RETURNING statement per page
(service.kernel.db._draw_keys); the keys stay unique and ascend in the order rows were added. The
list revisions given out under the ledger lock are then written with one UPDATE per table
(service.kernel.db.write_stamps), and each row has its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from service.entries.models import Entry, EntryRevision
from tests.support import Actor, entry_body


@pytest.fixture
def statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = app.state.engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_bulk_inserts_entries_and_versions_without_returning(client: TestClient, app: FastAPI,
                                                              actor: Any, statements: list[str]) -> None:
    contributor: Actor = actor("contributor")
    rows = [entry_body(name=f"Drawn Key Holding {n} LLP", aliases=[], identifiers=[]) for n in range(30)]
    response = client.post("/v1/entries/bulk", headers=contributor.headers, json={"entries": rows})
    assert response.status_code == 200, response.text
    ids = [row["id"] for row in response.json()["results"]]
    assert len(ids) == 30
    tables = ("INSERT INTO ENTRIES ", "INSERT INTO ENTRY_REVISIONS ")
    inserts = [s for s in statements if s.lstrip().upper().startswith(tables)]
    assert inserts, "the bulk inserted entries and their versions"
    returning = [s for s in inserts if "RETURNING" in s.upper()]
    stamping = [s for s in statements
                if s.lstrip().upper().startswith(("UPDATE ENTRIES ", "UPDATE ENTRY_REVISIONS "))]
    if app.state.engine.dialect.name == "postgresql":
        assert returning == []
        assert len(stamping) == 2 and all("unnest" in s for s in stamping), stamping
    else:
        assert returning  # SQLite: keys come back from the insert, as before
    with app.state.sessions.read() as session:
        entries = session.execute(select(Entry.pk, Entry.external_ref).where(Entry.id.in_(ids))).all()
        versions = session.execute(select(EntryRevision.id).where(EntryRevision.entry_id.in_(ids))).scalars().all()
        stamped = session.execute(select(Entry.revision, EntryRevision.list_revision).join(
            EntryRevision, EntryRevision.entry_id == Entry.id).where(Entry.id.in_(ids))).all()
    assert len({pk for pk, _ in entries}) == 30 and len(set(versions)) == 30
    assert all(revision == listed for revision, listed in stamped) and len({r for r, _ in stamped}) == 30
    body = client.get(f"/v1/entries/{ids[0]}", headers=contributor.headers).json()
    assert body["revision"] in {r for r, _ in stamped}
    # Rows were added sorted by external_ref (bulk.py): their keys ascend in that order.
    assert [ref for _, ref in sorted(entries)] == sorted(ref for _, ref in entries)
    # A single write afterwards takes the next key from the same sequence: no collision.
    single = client.post("/v1/entries", headers=contributor.headers,
                         json=entry_body(name="Drawn Key Single LLP", aliases=[], identifiers=[]))
    assert single.status_code == 201, single.text
    with app.state.sessions.read() as session:
        pk = session.execute(select(Entry.pk).where(Entry.id == single.json()["id"])).scalar_one()
    assert pk > max(p for p, _ in entries)
