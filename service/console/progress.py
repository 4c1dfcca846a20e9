"""Long console work (an import, the audit chain's verification) with a progress indication.

Design: the page is one streamed (chunked) HTML response. The work runs in a thread of its own,
in a unit of work of its own (an import: one transaction, committed once, by the same service
function the command line calls), and reports each chunk it has done (a batch of rows written,
a window of audit records verified); every report becomes one line of the page as it happens
("1,000 of 5,400 lines written"), and when the work has ended the rest of the page follows: the
report, or the message beside the form's field. Why this and not a job table polled by script:
the request that started the work is the one that shows it, so it works with any number of
server worker processes (nothing is shared between them, no worker has to find another's job),
and without JavaScript (browsers render a streamed page as it arrives). The request's own unit
of work writes nothing and still commits once, before the first byte, as every request's does;
the work's transaction is committed before the page says it is done, and a failure rolls it back
(nothing is kept) and says why. Work that ends within ``PREFLIGHT`` seconds is answered as one
ordinary page, with its real status (422 for a refused file). A person who leaves the page
abandons the work at its next chunk (an import is then rolled back: running it again is safe).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

PREFLIGHT = 1.0  # seconds the work may take before the page is streamed instead


class Abandoned(RuntimeError):
    """The page showing the work was closed: the work stops at its next progress report."""


Report = Callable[[int, int | None], None]  # (done, total or None), called from the work's thread


@dataclass
class Job:
    """``work(report)`` running in its own thread; its progress and outcome, read asynchronously."""

    work: Callable[[Report], Any]
    steps: list[tuple[int, int | None]] = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None
    finished: bool = False

    def __post_init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._abandoned = threading.Event()
        threading.Thread(target=self._run, name="console-progress", daemon=True).start()

    def _notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # the event loop has closed (the server is stopping)
            self._loop.call_soon_threadsafe(self._changed.set)

    def _report(self, done: int, total: int | None) -> None:
        if self._abandoned.is_set():
            raise Abandoned("the page showing this work was closed")
        self.steps.append((done, total))  # list.append is atomic; read from the loop's thread
        self._notify()

    def _run(self) -> None:
        try:
            self.result = self.work(self._report)
        except BaseException as exc:  # handed to the page, which says what went wrong
            self.error = exc
        finally:
            self.finished = True
            self._notify()

    def abandon(self) -> None:
        self._abandoned.set()

    async def wait(self, seconds: float) -> None:
        """Until the work has finished, or ``seconds`` have passed."""
        deadline = time.monotonic() + seconds
        while not self.finished:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._changed.clear()
            if self.finished:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                return

    async def stream(self, head: str, line: Callable[[int, int | None], str],
                     tail: Callable[[Job], str]) -> AsyncIterator[bytes]:
        """The page: ``head``, a line for each step as it is done, then ``tail(self)`` once finished."""
        sent = 0
        try:
            yield head.encode()
            while True:
                self._changed.clear()
                steps, finished = list(self.steps), self.finished
                if len(steps) > sent:
                    yield "".join(line(*step) for step in steps[sent:]).encode()
                    sent = len(steps)
                if finished:
                    break
                await self._changed.wait()
            yield tail(self).encode()
        finally:
            if not self.finished:
                self.abandon()


class Throttle:
    """Progress reports at most every ``every`` units (and at the end), so a file of 50,000 rows
    makes about fifty lines, not fifty thousand."""

    def __init__(self, report: Report, every: int, total: int | None = None) -> None:
        self.report, self.every, self.total = report, every, total
        self.done = self.last = 0

    def advance(self, amount: int) -> None:
        self.done += amount
        if self.done - self.last >= self.every or (self.total is not None and self.done >= self.total):
            self.last = self.done
            self.report(self.done, self.total)


MARK = "<!--progress-end-->"  # where the streamed lines go in a page with progress
