"""The list views of one app instance: the live index, and (built on first use) every version."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from service.kernel.errors import Overloaded
from service.listview.live import LiveIndex, LiveView
from service.listview.versions import Cut, CutView, VersionIndex


class IndexWarmingUp(Overloaded):
    """The live index is still being loaded or built at start: try again shortly."""

    slug, title = "warming-up", "Screening index warming up"


class Lists:
    def __init__(self) -> None:
        self.live_index = LiveIndex()
        self._versions: VersionIndex | None = None
        self._lock = threading.Lock()
        # Set once the live index has been loaded or built and caught up with the ledger
        # (``service.listview.warmup``); until then screening answers 503 with Retry-After.
        self.ready = threading.Event()
        self.source: str | None = None  # where the index came from at start: "snapshot" or "database"
        self.saved_revision: int | None = None  # of the snapshot last read or written
        # Whether this process writes the snapshot (a forked worker leaves it to the parent).
        self.writes_snapshot = True
        self.closed = False  # set at shutdown, after the last snapshot write

    def live(self, session: Session) -> LiveView:
        """The live index, caught up with every change committed before this call."""
        if not self.ready.is_set():
            raise IndexWarmingUp("the screening index is being loaded; retry shortly", retry_after=5)
        return self.live_index.view(session)

    def versions(self, session: Session) -> VersionIndex:
        with self._lock:
            if self._versions is None:
                self._versions = VersionIndex()
        self._versions.refresh(session)
        return self._versions

    def at(self, session: Session, cut: Cut) -> CutView:
        """The list as it stood at ``cut``."""
        return self.versions(session).at(cut)
