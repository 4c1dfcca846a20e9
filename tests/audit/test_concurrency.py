"""Concurrent writers from two app instances on one database leave one gap-free, unforked chain."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from service.app import create_app
from service.audit.verify import verify_chain
from service.auth.deps import Principal
from service.auth.models import Organisation
from service.auth.schemas import OrganisationCreate
from service.auth.service import create_organisation
from service.config import Settings
from service.entries.schemas import EntryCreate, EntryPatch
from service.entries.service import create_entry, etag, update_entry
from service.kernel.ledger import GENESIS_HASH, AuditRecord
from service.kernel.uow import SYSTEM, Tx
from tests.support import entry_body

WRITERS = 8
ENTRIES_PER_WRITER = 6  # each created then updated twice: 3 records per entry


def test_eight_writers_on_two_instances_keep_one_chain(fresh_db: str, key_file: Path) -> None:
    apps = [create_app(Settings(database_url=fresh_db, signing_key_file=key_file, checkpoint_interval_seconds=0))
            for _ in range(2)]
    with apps[0].state.session_factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        create_organisation(tx, OrganisationCreate(code="CONC", name="Concurrency", kind="state"))
        tx.commit()
        org_id = session.execute(select(Organisation.id).where(Organisation.code == "CONC")).scalar_one()
    errors: list[BaseException] = []
    written: list[tuple[str, str]] = []  # (action, entry id) of every committed write
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)  # all writers begin together, so their transactions collide

    def writer(n: int) -> None:
        factory = apps[n % 2].state.session_factory
        principal = Principal(f"writer-{n}", "CONC", org_id, frozenset({"contributor"}))
        try:
            start.wait()
            for i in range(ENTRIES_PER_WRITER):
                with factory() as session:
                    tx = Tx(session=session, actor=principal.actor, request_id=f"w{n}-{i}")
                    entry = create_entry(tx, principal, EntryCreate.model_validate(
                        entry_body(name=f"Writer {n} Entry {i} LLP", external_ref=f"w{n}-{i}")))
                    tx.commit()
                    done = [("entry.create", entry.id)]
                for version in (2, 3):
                    with factory() as session:
                        tx = Tx(session=session, actor=principal.actor)
                        current = update_entry(tx, principal, entry.id,
                                               EntryPatch(name=f"Writer {n} Entry {i} v{version}"), "*")
                        tx.commit()
                        assert etag(current) == f'"{entry.id}.v{version}"'
                        done.append(("entry.update", entry.id))
                with lock:
                    written.extend(done)
        except BaseException as exc:  # collected and asserted on below: no deadlock, no lost write
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    try:
        assert errors == []
        assert len(written) == WRITERS * ENTRIES_PER_WRITER * 3
        with apps[1].state.session_factory() as session:
            records = list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())
        entry_records = [(r.action, r.target_id) for r in records if r.target_type == "entry"]
        assert Counter(entry_records) == Counter(written)  # every write has exactly its one record
        assert [r.seq for r in records] == list(range(1, len(records) + 1))  # no gaps
        heads = [GENESIS_HASH] + [r.hash for r in records[:-1]]
        assert [r.prev_hash for r in records] == heads  # no forks: each links to its predecessor
        report = verify_chain(apps[0].state.session_factory)
        assert report.ok and report.records == len(records)
    finally:
        for app in apps:
            app.state.engine.dispose()
