"""One writer at a time on an SQLite file, handed over promptly and in turn between processes.

SQLite lets one transaction write at a time and makes the others wait in its busy handler,
which retries by sleeping (1, 2, 5 ... 100 ms). Sixteen threads, or two worker processes,
waiting there lose most of the lock's free time asleep: with two workers the service screened
no faster than with one (each commit is short; the sleeps are not). So writers queue here first:

- the threads of one process in two queues, handed the lock the moment the last holder is done:
  a screening's receipts and audit records (group-committed appends, a millisecond or two under
  the lock) and every other write (an entry, a bulk of thousands). First come, first served in
  each queue; when both have waiters they take turns, so screenings wait for at most the one
  write ahead of them, not for every writer that happened to grab the lock first (a plain lock
  is not fair: one screening beside four busy writers took 93 ms at the median with it, 69 ms
  with these turns), and writers wait for at most one batch of appends;
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
from collections import deque
from pathlib import Path

_FIRST_POLL = 0.00005
_MAX_POLL = 0.0005


class _Turns:
    """The threads of one process: FIFO per kind of writer, alternating when both kinds wait.
    The lock is handed to the next waiter on release (no barging)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._last_appends = False
        self._waiting: dict[bool, deque[threading.Lock]] = {True: deque(), False: deque()}

    def acquire(self, timeout: float, appends: bool) -> bool:
        with self._mutex:
            if not self._held:  # nobody holds it, so nobody waits
                self._held, self._last_appends = True, appends
                return True
            baton = threading.Lock()
            baton.acquire()
            self._waiting[appends].append(baton)
        if baton.acquire(timeout=timeout):
            return True
        with self._mutex:
            try:
                self._waiting[appends].remove(baton)
            except ValueError:  # handed over just as the wait ended: ours
                return True
            return False

    def release(self) -> None:
        with self._mutex:
            for kind in (not self._last_appends, self._last_appends):
                if self._waiting[kind]:
                    self._last_appends = kind
                    self._waiting[kind].popleft().release()
                    return
            self._held = False


class WriterLock:
    def __init__(self, database: Path | None) -> None:
        """``database``: the SQLite file, or None (an in-memory database, one process)."""
        self._thread = _Turns()
        self._paths = None if database is None else (database.with_name(database.name + "-writer-turn"),
                                                     database.with_name(database.name + "-writer"))
        self._files: tuple[int, int] | None = None
        self._pid = 0

    def acquire(self, timeout: float, *, appends: bool = False) -> bool:
        """Take the lock within ``timeout`` seconds; False if it could not be had by then.
        ``appends``: for a group commit of receipts and audit records (see ``_Turns``)."""
        deadline = time.monotonic() + timeout
        if not self._thread.acquire(timeout, appends):
            return False
        if self._paths is None:
            return True
        try:
            turn, write = self._open()
            taken = _take(turn, deadline)
            if taken:
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
            turn, write = (os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600) for path in self._paths)
            self._files, self._pid = (turn, write), os.getpid()
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
