"""The SQLite writer lock between processes (service.kernel.writerlock): one holder at a time,
a bounded wait, the turn going to the other process rather than back to the last holder, and
no lock left behind by a process that dies holding it."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from service.kernel.writerlock import WriterLock, _Turns

FORK = multiprocessing.get_context("fork")


def _hold(database: Path, held: Event, release: Event) -> None:
    lock = WriterLock(database)
    assert lock.acquire(timeout=5)
    held.set()
    release.wait(30)
    lock.release()


def _hammer(database: Path, seconds: float, log: Path) -> None:
    """Take the lock again and again, as a busy worker's writers do, noting each turn."""
    lock = WriterLock(database)
    ends = time.monotonic() + seconds
    with log.open("a") as out:
        while time.monotonic() < ends:
            if lock.acquire(timeout=5):
                out.write(f"{os.getpid()}\n")
                out.flush()
                time.sleep(0.002)  # a commit
                lock.release()


def test_a_second_process_waits_its_bound_then_gets_the_lock_once_released(tmp_path: Path) -> None:
    database = tmp_path / "list.db"
    held, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold, args=(database, held, release))
    holder.start()
    try:
        assert held.wait(10)
        lock = WriterLock(database)
        started = time.monotonic()
        assert not lock.acquire(timeout=0.3)
        assert 0.25 <= time.monotonic() - started < 2
        release.set()
        assert lock.acquire(timeout=5)  # handed over, not refused
        lock.release()
    finally:
        release.set()
        holder.join(10)


def test_threads_of_one_process_take_turns_without_the_files(tmp_path: Path) -> None:
    lock = WriterLock(None)  # an in-memory database: one process
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    lock.release()
    assert lock.acquire(timeout=1)
    lock.release()


def test_threads_queue_in_order_and_appends_take_turns_with_other_writes(tmp_path: Path) -> None:
    """A screening's receipts (appends) wait for at most one other write, not for all of them."""
    lock = WriterLock(tmp_path / "list.db")
    assert lock.acquire(timeout=1)  # an entry write holds the lock
    order: list[str] = []

    def wait(name: str, appends: bool) -> None:
        assert lock.acquire(timeout=10, appends=appends)
        order.append(name)
        lock.release()

    threads = []
    for name in ("write-1", "write-2", "appends-1", "write-3", "appends-2"):
        thread = threading.Thread(target=wait, args=(name, name.startswith("appends")))
        queued = sum(len(q) for q in lock._thread._waiting.values())
        thread.start()
        while sum(len(q) for q in lock._thread._waiting.values()) == queued:  # queued before the next one
            time.sleep(0.001)
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == ["appends-1", "write-1", "appends-2", "write-2", "write-3"]


def test_a_wait_that_times_out_leaves_the_queue_working(tmp_path: Path) -> None:
    lock = WriterLock(None)
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05, appends=True)  # gave up: no longer queued
    assert not any(lock._thread._waiting.values())
    lock.release()
    assert lock.acquire(timeout=0.5)  # free again, not handed to the waiter that left
    lock.release()


def test_two_busy_processes_alternate(tmp_path: Path) -> None:
    database, log = tmp_path / "list.db", tmp_path / "turns.log"
    workers = [FORK.Process(target=_hammer, args=(database, 1.5, log)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    turns = log.read_text().split()
    counts = {pid: turns.count(pid) for pid in set(turns)}
    assert len(counts) == 2, counts
    # Neither process keeps the lock to itself: with the turn lock they alternate (a process
    # that just wrote finds the other one next in line).
    assert min(counts.values()) >= 0.4 * max(counts.values()), counts
    # Runs of turns by one process, but the first and last (one of them started or stopped alone).
    runs = [len(list(run)) for _, run in itertools.groupby(turns)][1:-1]
    assert max(runs) <= 12, runs  # without the turn lock: runs of hundreds


def test_a_holder_that_dies_leaves_no_lock(tmp_path: Path) -> None:
    database = tmp_path / "list.db"
    held, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold, args=(database, held, release))
    holder.start()
    assert held.wait(10)
    assert holder.pid is not None
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    lock = WriterLock(database)
    assert lock.acquire(timeout=2)
    lock.release()


def test_a_forked_child_opens_its_own_lock(tmp_path: Path) -> None:
    """flock belongs to an open file: a child using the parent's descriptors would share the
    parent's lock and take it while the parent holds it."""
    database = tmp_path / "list.db"
    lock = WriterLock(database)
    assert lock.acquire(timeout=1)  # the parent opens its files and holds the lock
    result = FORK.Queue()
    child = FORK.Process(target=lambda: result.put(_try_files(lock)))
    try:
        child.start()
        assert result.get(timeout=10) is False
    finally:
        child.join(10)
        lock.release()


def _try_files(lock: WriterLock) -> bool:
    lock._thread = _Turns()  # the child's own thread queue (the parent's lock is held)
    taken = lock.acquire(timeout=0.2)
    if taken:
        lock.release()
    return taken
