"""Screening a bidder list in batches, resumable from a state file without screening twice.

The screenable rows are cut into batches the screening service takes (at most 1,000 subjects
and the request's cost bound). Each batch is sent with an idempotency key made of the run's id
and the batch's number, and its answer is appended to the state file (JSON lines, fsynced) as
soon as it arrives. A run started again with the same rows and options reads the state, skips
the batches it holds, and sends the others with the same keys: a batch that was screened but
whose answer was lost is answered again by the service from its first response, with no second
receipt.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from service.bidderlist.errors import BidderListError
from service.bidderlist.reading import BidderList
from service.common.jsonlines import json_line
from service.screening.schemas import MAX_SCREEN_CHARACTERS, MAX_SCREEN_NAMES

MAX_BATCH = 1000
STATE_KIND = "debarlist-bidderlist-state"


class RequestRefused(Exception):
    """The service refused a request's content (422): ``detail`` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BatchScreener(Protocol):
    """Screens one request body (``POST /v1/screen``'s) under an idempotency key; the answer is
    the screening response as JSON. Raises ``RequestRefused`` for content the service refuses and
    ``BidderListError`` when it cannot go on."""

    def __call__(self, body: dict[str, Any], *, key: str) -> dict[str, Any]: ...


@dataclass
class Screened:
    """What a row got: a result in a screening, or the reason the service refused it."""

    screening_id: str | None = None
    result: dict[str, Any] | None = None
    refused: str | None = None


@dataclass
class RunResult:
    bidders: BidderList
    outcomes: dict[int, Screened] = field(default_factory=dict)  # position in bidders.rows -> outcome
    screenings: list[dict[str, Any]] = field(default_factory=list)  # each receipt's facts, in order
    resumed_batches: int = 0
    batches: int = 0

    @property
    def flagged(self) -> int:
        return sum(1 for outcome in self.outcomes.values() if outcome.result and outcome.result["matches"])


def plan_batches(bidders: BidderList, batch_size: int = 500) -> list[list[int]]:
    """Positions of the screenable rows, cut into batches within the service's bounds."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise BidderListError(f"batch size {batch_size} is out of range; give 1 to {MAX_BATCH}")
    batches: list[list[int]] = []
    current: list[int] = []
    names = characters = 0
    for position, row in enumerate(bidders.rows):
        if row.subject is None:
            continue
        subject = row.subject
        its_names = 1 + len(subject.get("aliases", []))
        its_chars = len(subject["name"]) + sum(map(len, subject.get("aliases", [])))
        if current and (len(current) >= batch_size or names + its_names > MAX_SCREEN_NAMES
                        or characters + its_chars > MAX_SCREEN_CHARACTERS):
            batches.append(current)
            current, names, characters = [], 0, 0
        current.append(position)
        names += its_names
        characters += its_chars
    if current:
        batches.append(current)
    return batches


def fingerprint(bidders: BidderList, options: dict[str, Any], batches: list[list[int]]) -> str:
    """What makes two runs the same run: the subjects sent, the options, and the cut into batches."""
    digest = hashlib.sha256()
    digest.update(json.dumps(options, sort_keys=True).encode())
    for batch in batches:
        digest.update(json.dumps([bidders.rows[p].subject for p in batch], sort_keys=True,
                                 ensure_ascii=False).encode())
        digest.update(b"|")
    return digest.hexdigest()


class StateFile:
    """The run's state: a header line, then one line per finished batch (appended, fsynced)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def load(self, fingerprint: str) -> tuple[str, dict[int, list[dict[str, Any]]]]:
        """The run id and the finished batches, or a new run id when there is no state."""
        if self.path is None or not self.path.exists():
            return uuid.uuid4().hex, {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
            header = json.loads(lines[0]) if lines else None
        except (OSError, ValueError, UnicodeDecodeError):
            raise BidderListError(f"state file {self.path} cannot be read; delete it to start over") from None
        if not isinstance(header, dict) or header.get("kind") != STATE_KIND:
            raise BidderListError(f"{self.path} is not a bidder-list state file; give another --state or delete it")
        if header.get("fingerprint") != fingerprint:
            raise BidderListError(f"state file {self.path} belongs to another run (other bidders or options); "
                                  "delete it to start over, or give another --state")
        done: dict[int, list[dict[str, Any]]] = {}
        for line in lines[1:]:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the last line of a run killed while writing it: that batch is asked again
            if isinstance(record, dict) and isinstance(record.get("batch"), int):
                done[record["batch"]] = record["parts"]
        return str(header["run_id"]), done

    def start(self, run_id: str, fingerprint: str) -> None:
        if self.path is None or self.path.exists():
            return
        self._append({"kind": STATE_KIND, "version": 1, "run_id": run_id, "fingerprint": fingerprint}, new=True)

    def record(self, batch: int, parts: list[dict[str, Any]]) -> None:
        if self.path is not None:
            self._append({"batch": batch, "parts": parts})

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _append(self, record: dict[str, Any], *, new: bool = False) -> None:
        assert self.path is not None
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_EXCL if new else 0)
        try:
            fd = os.open(self.path, flags, 0o600)  # it holds bidders' names
        except OSError as exc:
            raise BidderListError(f"cannot write the state file {self.path} ({exc.strerror}); "
                                  "give a writable --state") from None
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json_line(record))
            handle.flush()
            os.fsync(handle.fileno())


def run(bidders: BidderList, screener: BatchScreener, *, options: dict[str, Any], batch_size: int = 500,
        state: Path | None = None, progress: Callable[[int], None] | None = None) -> RunResult:
    """Screen every screenable row; ``progress`` is told how many rows each batch finished."""
    batches = plan_batches(bidders, batch_size)
    mark = fingerprint(bidders, options, batches)
    store = StateFile(state)
    run_id, done = store.load(mark)
    result = RunResult(bidders=bidders, batches=len(batches))
    if batches:
        store.start(run_id, mark)
    for number, positions in enumerate(batches):
        parts = done.get(number)
        if parts is not None:
            result.resumed_batches += 1
        else:
            try:
                parts = _screen_batch(bidders, screener, options, positions, f"{run_id}-{number}")
            except BidderListError as exc:
                saved = f"{number} of {len(batches)} batches are saved in {state}: run the same command " \
                        "again to continue" if state else "nothing was saved (no state file)"
                raise BidderListError(f"{exc}; {saved}") from None
            store.record(number, parts)
        _collect(result, parts)
        if progress is not None:
            progress(len(positions))
    return result


def _screen_batch(bidders: BidderList, screener: BatchScreener, options: dict[str, Any], positions: list[int],
                  key: str) -> list[dict[str, Any]]:
    body = {**options, "subjects": [bidders.rows[p].subject for p in positions]}
    try:
        return [{"positions": positions, "answer": screener(body, key=key)}]
    except RequestRefused as refused:
        if len(positions) == 1:
            return [{"positions": positions, "refused": refused.detail}]
    # The service refused the batch for something the local checks did not see: each row alone,
    # so that only the rows it refuses are reported and the others screened.
    parts: list[dict[str, Any]] = []
    for position in positions:
        parts += _screen_batch(bidders, screener, options, [position], f"{key}-{position}")
    return parts


def _collect(result: RunResult, parts: list[dict[str, Any]]) -> None:
    for part in parts:
        if "refused" in part:
            for position in part["positions"]:
                result.outcomes[position] = Screened(refused=str(part["refused"]))
            continue
        answer = part["answer"]
        result.screenings.append({key: answer.get(key) for key in (
            "screening_id", "screened_at", "as_of", "list_revision", "algorithm", "threshold", "tender_ref")})
        # Joined by position, never by ref: two bidders with one ref keep their own results.
        for position, subject_result in zip(part["positions"], answer["results"], strict=True):
            result.outcomes[position] = Screened(screening_id=answer["screening_id"], result=subject_result)
