"""The write-ahead log is folded in at start, so the first commit after a bulk load does not pay for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from service.kernel.db import make_engine, settle_write_ahead_log


def test_settle_empties_a_large_write_ahead_log(fresh_db: str) -> None:
    engine = make_engine(fresh_db)
    try:
        if engine.dialect.name != "sqlite":
            settle_write_ahead_log(engine)  # a no-op on PostgreSQL, and it must say nothing
            pytest.skip("SQLite's write-ahead log only")
        wal = Path(engine.url.database or "").with_name(Path(engine.url.database or "").name + "-wal")
        with engine.connect() as connection:
            # Autocheckpoints off for this connection, as after a bulk load that outran them.
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            connection.execute(text("CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, payload TEXT)"))
            connection.execute(text("INSERT INTO bulk_probe (payload) VALUES (:p)"),
                               [{"p": "x" * 200} for _ in range(20_000)])
            connection.commit()
        assert wal.stat().st_size > 1_000_000
        settle_write_ahead_log(engine)
        assert wal.stat().st_size == 0
        with engine.connect() as connection:  # nothing lost
            assert connection.execute(text("SELECT count(*) FROM bulk_probe")).scalar_one() == 20_000
    finally:
        engine.dispose()
