"""The request's unit of work: one session, one commit, its audit records sealed inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from service.kernel.chain import chain_hash
from service.kernel.clock import utcnow
from service.kernel.db import Stamp, write_stamps
from service.kernel.groupcommit import Appends, GroupCommit
from service.kernel.ledger import AuditRecord, Ledger, lock_ledger


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: an API client of an organisation, or the operator's command line."""

    client_id: str | None
    organisation: str | None
    roles: tuple[str, ...]


SYSTEM = Actor(client_id=None, organisation=None, roles=("system",))


@dataclass(slots=True)
class AuditEvent:
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    tender_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Sessions:
    """The ways into the database: writing transactions, read-only ones that take no write lock
    (see ``service.db.read_only``), and the group commit of units of work that only append."""

    write: sessionmaker[Session]
    read: sessionmaker[Session]
    group: GroupCommit | None = None


class ReadOnlyViolation(RuntimeError):
    """A read-only unit of work tried to write: a programming error, caught by the tests."""


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyViolation("this unit of work is read-only (a GET, or a read phase): nothing may be written")


class Tx:
    """The unit of work: opened per request (or command), committed once on success, rolled back
    on failure, its audit records sealed inside the same transaction.

    Sessions are opened lazily, so a request holds a database connection only while it uses
    one: ``read()`` lends a short read-only session (the principal lookup, a screening's index
    refresh), and ``session`` is the request's own, writing unless the unit of work is
    read-only. ``release()`` ends an open read transaction before a long wait.
    """

    def __init__(self, session: Session | None = None, actor: Actor = SYSTEM, request_id: str | None = None,
                 *, sessions: Sessions | None = None, writing: bool = True) -> None:
        if session is None and sessions is None:
            raise ValueError("a unit of work needs a session or session factories")
        self._session = session
        self._sessions = sessions
        self.writing = writing or session is not None
        self.actor = actor
        self.request_id = request_id
        self._events: list[AuditEvent] = []
        self._on_seal: list[Callable[[Ledger], None]] = []
        self._stamps: list[Stamp] = []
        self._kept: list[Any] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self._sessions is not None
            if self.writing:
                self._session = self._sessions.write()
            else:
                self._session = self._sessions.read()
                orm_event.listen(self._session, "before_flush", _refuse_writes)
        return self._session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session for a read that must not hold the write lock. Inside a read-only
        unit of work, or once the request's own session is open, that session is lent."""
        if self._session is not None or self._sessions is None or not self.writing:
            yield self.session
            return
        with self._sessions.read() as session:
            orm_event.listen(session, "before_flush", _refuse_writes)
            yield session

    def release(self) -> None:
        """End a read-only transaction and give its connection back (before a long wait)."""
        if self._session is not None and not self.writing:
            self._session.close()
            self._session = None

    def audit(self, action: str, target_type: str | None, target_id: str | None,
              details: dict[str, Any], *, tender_ref: str | None = None) -> None:
        self._events.append(AuditEvent(action, target_type, target_id, details, tender_ref))

    def keep(self, *rows: Any) -> None:
        """New rows that this unit of work only appends (nothing reads them back before the
        commit): a receipt. When the unit of work wrote nothing else, they and its audit records
        go through the group commit, many units to a transaction; otherwise into its own commit.
        Either way they are durable when ``commit`` returns, and kept exactly when it succeeds."""
        self._kept.extend(rows)

    def on_seal(self, hook: Callable[[Ledger], None]) -> None:
        """Run ``hook`` with the locked ledger row just before commit (to take list revisions)."""
        self._on_seal.append(hook)

    def stamp(self, row: object, attribute: str, number: int) -> None:
        """From an ``on_seal`` hook: set ``row.attribute`` to a number the ledger gave out. The
        stamps of one seal are written together (``kernel.db.write_stamps``), not row by row."""
        self._stamps.append(Stamp(row, attribute, number))

    def seal(self) -> None:
        """Take the change's place in the ledger now: list revisions and audit sequence numbers
        are assigned and flushed under the ledger lock. A service whose answer shows them (an
        entry's revision) seals before building it; the commit still happens once, at the end."""
        if self._events or self._on_seal:
            self._seal()
        self._events.clear()
        self._on_seal.clear()

    def commit(self) -> None:
        group = self._sessions.group if self._sessions is not None else None
        if group is not None and self._kept and self._session is None and not self._on_seal:
            rows, events = self._kept, self._events
            self._kept, self._events = [], []
            group.commit(Appends(rows, lambda session, ledger, now: self._chain(session, ledger, events, now)))
            return
        if self._kept:
            self.session.add_all(self._kept)
            self._kept = []
        self.seal()
        if self._session is not None:
            self._session.commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        self._events.clear()
        self._on_seal.clear()
        self._stamps.clear()
        self._kept.clear()

    def close(self) -> None:
        if self._session is not None and self._sessions is not None:
            self._session.close()
            self._session = None

    def _seal(self) -> None:
        # Flush the domain rows first so their row locks are taken before the ledger lock:
        # the ledger is always the last lock a transaction takes, so writers queue on it and
        # never deadlock against each other on it.
        self.session.flush()
        ledger = lock_ledger(self.session)
        for hook in self._on_seal:
            hook(ledger)
        write_stamps(self.session, self._stamps)
        self._stamps.clear()
        self._chain(self.session, ledger, self._events, utcnow())
        self.session.flush()

    def _chain(self, session: Session, ledger: Ledger, events: list[AuditEvent], now: datetime) -> None:
        """Chain ``events`` as this unit of work's audit records onto the locked ledger.

        The records are inserted by one executemany statement, not as ORM objects: nothing reads
        them back in this transaction, and the unit of work's bookkeeping for a bulk's 5,000
        records cost more than their insert."""
        rows = []
        for event in events:
            ledger.audit_seq += 1
            row = {"seq": ledger.audit_seq, "recorded_at": now, "actor": self.actor.client_id,
                   "organisation": self.actor.organisation, "role": ",".join(self.actor.roles),
                   "action": event.action, "target_type": event.target_type, "target_id": event.target_id,
                   "request_id": self.request_id, "tender_ref": event.tender_ref, "details": event.details,
                   "prev_hash": ledger.audit_head}
            row["hash"] = ledger.audit_head = chain_hash(ledger.audit_head, SimpleNamespace(**row))
            rows.append(row)
        if rows:
            session.execute(insert(AuditRecord), rows)
