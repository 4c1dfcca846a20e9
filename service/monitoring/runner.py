"""The monitoring loop: a thread inside the server (and ``debarlist worker``) that re-screens the
watchlists whenever the list revision moves. Each run is its own unit of work, committed with
the alerts it raised and the cursor it moved; any number of instances may run it at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from service.kernel.uow import Tx
from service.listview import Lists
from service.monitoring.alerts import monitor

log = logging.getLogger("debarlist.monitoring")


def run_once(session_factory: Callable[[], Session], lists: Lists) -> int:
    """One re-screening run; the alerts it raised (0 when nothing changed or another instance runs)."""
    with session_factory() as session:
        tx = Tx(session=session)
        raised = monitor(tx, lists)
        tx.commit()
        return raised


class MonitorLoop:
    def __init__(self, session_factory: Callable[[], Session], lists: Lists, interval: float) -> None:
        self._session_factory, self._lists, self._interval = session_factory, lists, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="monitoring", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if not self._lists.ready.is_set():
                continue
            try:
                run_once(self._session_factory, self._lists)
            except Exception:  # the loop must outlive one failed run (database away): the next retries
                log.exception("monitoring run failed; retrying")
