"""Group commit: the units of work that only append rows (a screening's receipt and its audit
record) are committed many to one transaction, each still durable before its answer.

Every writing transaction locks the ledger row last and pays its own commit, so appends queue
one at a time whatever the number of threads or workers. Here a unit of work hands its rows and
audit events over and waits; whoever finds no commit running becomes the leader, takes
everything that queued meanwhile (up to ``max_batch`` units), locks the ledger once, chains each
unit's records in order and commits once; the others wake with their outcome. A commit that
fails on a unit's rows is retried one unit at a time, so one bad row fails only its unit (a
lock wait or a lost connection fails the batch at once). No thread of its own: nothing to
start, stop or carry across a fork.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.kernel.clock import utcnow
from service.kernel.db import APPENDS
from service.kernel.errors import is_overload
from service.kernel.ledger import Ledger, lock_ledger

Chain = Callable[[Session, Ledger, datetime], None]


@dataclass(eq=False, slots=True)
class Appends:
    """One unit of work's share of a group: new rows, and a callable that chains its audit
    records onto the locked ledger (``Tx`` gives its own, with its actor and request id)."""

    rows: list[Any]
    chain: Chain
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    def __init__(self, write: sessionmaker[Session], *, max_batch: int = 200) -> None:
        self._write = write
        self._max_batch = max_batch
        self._queue: deque[Appends] = deque()
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self.commits = 0  # transactions committed (a bench compares it with the units kept)
        self.units = 0

    def commit(self, appends: Appends) -> None:
        """Keep ``appends`` durably, with whatever else is waiting; raise its commit's error."""
        with self._queue_lock:
            self._queue.append(appends)
        while not appends.done.is_set():
            with self._commit_lock:
                if appends.done.is_set():
                    break  # a leader took it with its batch
                with self._queue_lock:
                    batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
                if batch:  # never empty while ours waits, as it is queued until a leader takes it
                    self._commit_batch(batch)
        if appends.error is not None:
            raise appends.error

    def _commit_batch(self, batch: list[Appends]) -> None:
        try:
            self._commit_all(batch)
        except Exception as exc:
            if len(batch) > 1 and not _not_the_data(exc):
                for one in batch:  # find the unit whose rows failed: the others are kept on their own
                    self._commit_batch([one])
                return
            # The database's trouble (a lock wait past its bound, a lost connection) is every
            # unit's: retried one by one, each would only wait that long again.
            _fail(batch, exc)
            return
        except BaseException as exc:  # an interrupt: no unit may wait for a leader that is gone
            _fail(batch, exc)
            raise
        for one in batch:
            one.done.set()

    def _commit_all(self, batch: list[Appends]) -> None:
        with self._write() as session:
            session.connection(execution_options={APPENDS: True})  # its own turn at SQLite's writer lock
            for one in batch:
                session.add_all(one.rows)
            # The rows first, so their locks are taken before the ledger's (as Tx does).
            session.flush()
            ledger = lock_ledger(session)
            now = utcnow()
            for one in batch:
                one.chain(session, ledger, now)
            session.flush()
            session.commit()
        self.commits += 1
        self.units += len(batch)


def _not_the_data(exc: BaseException) -> bool:
    return is_overload(exc) or isinstance(exc, OperationalError | InterfaceError)


def _fail(batch: list[Appends], exc: BaseException) -> None:
    for one in batch:
        one.error = exc
        one.done.set()
