"""The list views of one app instance: the live index, and (built on first use) every version."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from service.listview.live import LiveIndex, LiveView
from service.listview.versions import Cut, CutView, VersionIndex


class Lists:
    def __init__(self) -> None:
        self.live_index = LiveIndex()
        self._versions: VersionIndex | None = None
        self._lock = threading.Lock()

    def live(self, session: Session) -> LiveView:
        """The live index, caught up with every change committed before this call."""
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
