"""One writer at a time on an SQLite file, handed over promptly and in turn between processes.

SQLite lets one transaction write at a time and makes the others wait in its busy handler,
which retries by sleeping (1, 2, 5 ... 100 ms). Sixteen threads, or two worker processes,
waiting there lose most of the lock's free time asleep: with two workers the service screened
no faster than with one (each commit is short; the sleeps are not). So writers queue here first:

- the threads of one process on a ``threading.Lock``, which wakes the next one the moment the
  last one is done;
- the processes on two ``flock`` locks beside the database: the *turn* lock, held by the one
  process whose writer is next, and the *write* lock, held by the writer. A process waits for
  the turn, then for the write lock, and gives the turn up as soon as it writes, so the other
  process, not its own next writer, is next: two busy workers alternate instead of one of them
  taking the lock again and again while the other sleeps.

``flock`` locks belong to an open file, so each process opens its own (a worker forked from the
server re-opens them), and the kernel releases them when a process dies: a crashed worker
leaves no lock behind. Waits are polls of at most ``_MAX_POLL`` seconds between tries, bounded
by the caller's timeout; SQLite's own busy timeout still applies underneath.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

_FIRST_POLL = 0.00005
_MAX_POLL = 0.0005


class WriterLock:
    def __init__(self, database: Path | None) -> None:
        """``database``: the SQLite file, or None (an in-memory database, one process)."""
        self._thread = threading.Lock()
        self._paths = None if database is None else (database.with_name(database.name + "-writer-turn"),
                                                     database.with_name(database.name + "-writer"))
        self._files: tuple[int, int] | None = None
        self._pid = 0

    def acquire(self, timeout: float) -> bool:
        """Take the lock within ``timeout`` seconds; False if it could not be had by then."""
        deadline = time.monotonic() + timeout
        if not self._thread.acquire(timeout=timeout):
            return False
        if self._paths is None:
            return True
        try:
            turn, write = self._open()
            if not _take(turn, deadline):
                self._thread.release()
                return False
            try:
                taken = _take(write, deadline)
            finally:
                fcntl.flock(turn, fcntl.LOCK_UN)
        except BaseException:
            self._thread.release()
            raise
        if not taken:
            self._thread.release()
        return taken

    def release(self) -> None:
        if self._files is not None and self._pid == os.getpid():
            fcntl.flock(self._files[1], fcntl.LOCK_UN)
        self._thread.release()

    def _open(self) -> tuple[int, int]:
        assert self._paths is not None
        if self._files is None or self._pid != os.getpid():  # new, or inherited across a fork
            self._files = tuple(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)  # type: ignore[assignment]
                                for path in self._paths)
            self._pid = os.getpid()
        assert self._files is not None
        return self._files


def _take(fd: int, deadline: float) -> bool:
    pause = _FIRST_POLL
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, _MAX_POLL)
