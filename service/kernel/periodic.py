"""A background task that runs every few seconds inside the server or ``debarlist worker``
(audit checkpoints, monitoring runs, webhook delivery): one rule for starting, stopping and
surviving a failed run."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("debarlist")


class Periodic:
    """Calls ``tick`` every ``interval`` seconds on a daemon thread until stopped.

    An interval of 0 or less means off (``start`` does nothing). A tick that raises is logged
    and the next one retries: the loop must outlive a database that went away for a while.
    Starting twice keeps one thread (the app's lifespan may be entered by several test clients).
    """

    def __init__(self, name: str, interval: float, tick: Callable[[], object], *, join_timeout: float = 30) -> None:
        self.name, self.interval, self._tick, self._join_timeout = name, interval, tick, join_timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        if self.interval <= 0 or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._join_timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._tick()
            except Exception:
                log.exception("%s failed; the next run retries", self.name)
