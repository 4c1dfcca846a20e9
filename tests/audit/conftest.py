"""Helpers for the audit tests: scratch databases, direct writes through the real chain writer,
and tampering behind the application's back (with the append-only trigger switched off)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from service.audit.verify import Report, verify_chain
from service.kernel.db import make_engine, make_session_factory
from service.kernel.uow import Actor, Tx

WRITER = Actor(client_id="test-writer", organisation="TST", roles=("contributor",))


@dataclass
class ScratchDb:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def is_pg(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def write(self, count: int, *, action: str = "entry.update", actor: Actor = WRITER) -> None:
        """``count`` records, one transaction each, through the real writer (Tx._seal)."""
        for i in range(count):
            with self.factory() as session:
                tx = Tx(session=session, actor=actor, request_id=f"req-{i}")
                tx.audit(action, "entry", f"e-{i}", {"before": {"name": f"old {i}"}, "after": {"name": f"new {i}"},
                                                      "score": 0.5 + i / 1000})
                tx.commit()

    def verify(self, **kwargs: Any) -> Report:
        return verify_chain(self.factory, chunk=3, **kwargs)  # a tiny chunk crosses chunk boundaries

    @contextmanager
    def superuser(self) -> Iterator[Any]:
        """A connection that bypasses the append-only trigger, as a database superuser could."""
        with self.engine.begin() as conn:
            if self.is_pg:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            yield conn
            if self.is_pg:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


@pytest.fixture
def scratch(fresh_db: str) -> Iterator[ScratchDb]:
    engine = make_engine(fresh_db)
    yield ScratchDb(fresh_db, engine, make_session_factory(engine))
    engine.dispose()
