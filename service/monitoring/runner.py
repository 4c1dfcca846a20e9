"""The monitoring loop: a thread inside the server (and ``debarlist worker``) that re-screens the
watchlists whenever the list revision moves. Each run is its own unit of work, committed with
the alerts it raised and the cursor it moved; any number of instances may run it at once."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel.ledger import list_head
from service.kernel.periodic import Periodic
from service.kernel.uow import Tx
from service.listview import Lists
from service.monitoring.alerts import monitor
from service.monitoring.inverse import watch_index
from service.monitoring.models import MonitoringCursor


def run_once(session_factory: Callable[[], Session], lists: Lists) -> int:
    """One re-screening run; the alerts it raised (0 when nothing changed or another instance runs)."""
    with session_factory() as session:
        tx = Tx(session=session)
        raised = monitor(tx, lists)
        tx.commit()
        return raised


def behind(session: Session) -> bool:
    """Whether the list has moved past the monitoring cursor: read without a lock, so an idle
    loop never takes SQLite's write lock (every app instance ticks every second)."""
    cursor = session.scalar(select(MonitoringCursor.revision).where(MonitoringCursor.id == 1))
    return list_head(session) > (cursor or 0)


class MonitorLoop(Periodic):
    """A monitoring run every ``interval`` seconds, once the screening index is ready and the
    list has moved (checked in a read-only session from ``read_factory``)."""

    def __init__(self, session_factory: Callable[[], Session], lists: Lists, interval: float,
                 read_factory: Callable[[], Session] | None = None) -> None:
        warmed = False

        def tick() -> None:
            nonlocal warmed
            if not lists.ready.is_set():
                return
            if read_factory is not None:
                with read_factory() as session:
                    if not warmed:
                        # Build the watch index once at start, outside a run: building it for
                        # 100,000 watches takes tens of seconds, which would otherwise fall on the
                        # first change's alert. Runs then only reload the watches that changed.
                        watch_index(lists).sync(session)
                        warmed = True
                    if not behind(session):
                        return
            run_once(session_factory, lists)

        super().__init__("monitoring", interval, tick)
