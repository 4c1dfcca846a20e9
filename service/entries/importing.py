"""Load a published list file into one organisation's entries (``debarlist import``).

An import is **atomic per file**: every row is written in one transaction, committed only when
the whole file has been read, so a file is imported entirely or not at all.  A file that cannot be
read to its end (damaged, not the format, over a limit: size, rows, wall time; see
service/importers/limits.py) or a database that refuses the write is *refused*: ``ImportRefused``
carries a report whose ``error`` is one line naming the row/line and what to do, and the database
is as it was.  Atomic rather than resumable because a file is bounded (``import_max_rows``, 50,000
rows by default; the published lists have about 1,300): one transaction holds about 14 KB of memory
a row until it commits (20,000 rows: 410 MB peak, 31 s on SQLite), and after fixing the file or
raising a limit the same command simply runs again.  A list larger than that is split into files.

Rows that cannot be taken (a bad date, a cell over ``import_max_cell_chars``, a JSON line nested
deeper than ``import_max_depth``...) do not refuse the file: they are reported, one line each, and
the other rows are imported.  A row repeating an earlier row of the file exactly (its content apart
from its row number) is reported as a duplicate and listed once; two different rows claiming one
``external_ref`` reject the later one.

Idempotent: entries are matched by ``external_ref`` within the organisation, so importing the same
file again finds every row ``unchanged`` and writes nothing (no entry, version or audit record).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.auth.system import operator_for
from service.config import Settings, get_settings
from service.entries.bulk import bulk_upsert
from service.entries.schemas import BulkResponse
from service.importers import FORMATS, Budget, ImportFormatError, Limits, parse_file
from service.importers.common import one_line
from service.kernel.errors import ServiceError
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx

BATCH = 1000


def limits_from(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.import_max_bytes, max_rows=settings.import_max_rows,
                  max_cell_chars=settings.import_max_cell_chars, max_depth=settings.import_max_depth,
                  max_seconds=settings.import_max_seconds)


@dataclass
class ImportReport:
    file: str
    format: str
    organisation: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # Four-eyes organisations: the batch reference a reviewer approves the whole import by.
    review_batch: str | None = None
    # Rows that repeat an earlier row exactly: {"row": 17, "same_as": 12}; listed once.
    duplicates: list[dict[str, int]] = field(default_factory=list)
    # What became of each written row: {"row": 3, "result": "created", "external_ref": ..., "id": ...}
    # (created, updated or unchanged; a row the bulk service refused is in ``rejected``), in file order.
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    # "imported" (committed), or "refused" (nothing written; ``error`` says why, in one line).
    status: str = "imported"
    error: str | None = None
    error_row: int | None = None
    seconds: float = 0.0
    limits: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """What a row number counts in this format: spreadsheet/CSV rows, or JSON lines."""
        return "line" if self.format in ("jsonl", "ftm") else "row"

    def exit_code(self, *, strict: bool = False) -> int:
        """1 refused (nothing written); 0 imported, or with ``strict`` 3 when some rows were rejected.

        (2 is the command line's own: a usage error.)"""
        if self.status != "imported":
            return 1
        return 3 if strict and self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "organisation": self.organisation,
                "status": self.status, "error": self.error, "error_row": self.error_row, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": len(self.rejected), "rejected_rows": self.rejected,
                "duplicates": len(self.duplicates), "duplicate_rows": self.duplicates,
                "review_batch": self.review_batch, "seconds": round(self.seconds, 3), "limits": self.limits}

    def refuse(self, message: str, row: int | None = None) -> ImportRefused:
        where = f"{self.unit} {row:,}: " if row else ""
        self.status, self.error_row = "refused", row
        self.error = one_line(f"{Path(self.file).name}: {where}{message}; nothing was imported", limit=600)
        self.created = self.updated = self.unchanged = 0  # the transaction was rolled back
        self.review_batch = None
        self.outcomes = []
        return ImportRefused(self)


class ImportRefused(ValueError):
    """The file was not imported (nothing was written); ``report.error`` is the one-line reason."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.error)
        self.report = report


def import_file(factory: sessionmaker[Session], path: Path, fmt: str, org_code: str,
                progress: Callable[[int], None] | None = None, *, limits: Limits | None = None,
                principal: Principal | None = None, request_id: str | None = None) -> ImportReport:
    """Parse ``path`` and upsert its rows by external_ref in one transaction (see the module doc).

    The entries are ``org_code``'s, written by the operator (``debarlist import --org``), or by
    ``principal`` (a contributor of that organisation, in the console) when one is given; either
    way each entry's ``source`` is the file's own provenance (publisher, list, row) as the parser
    reads it. Returns the report of a committed import; raises ``ImportRefused`` when nothing was
    written.
    """
    limits = limits or limits_from(get_settings())
    budget = Budget(limits)
    report = ImportReport(file=str(path), format=fmt, organisation=org_code, limits=limits.as_dict())
    if fmt not in FORMATS:
        raise report.refuse(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        with factory() as session:
            if principal is None:
                principal = operator_for(session, org_code, Role.contributor)
            elif principal.organisation != org_code or not principal.has(Role.contributor):
                raise report.refuse(f"only a contributor of {org_code} imports its entries")
            tx = Tx(session=session, actor=principal.actor, request_id=request_id)
            acting = principal
            batch_ref = "import-" + str(uuid.uuid4())

            def upsert(rows: list[dict[str, Any]]) -> BulkResponse:
                result = bulk_upsert(tx, acting, rows, create_action="entry.import",
                                     update_action="entry.import", batch_ref=batch_ref)
                session.flush()  # written now (inside the transaction), so the deadline counts it
                return result

            writer = _Writer(upsert, report, progress)
            _read(path, fmt, budget, report, writer, progress)
            writer.flush()
            budget.check_time()
            tx.commit()
        report.rejected.sort(key=lambda item: int(item["row"]))
        report.outcomes.sort(key=lambda item: int(item["row"]))
    except ImportFormatError as exc:
        raise report.refuse(exc.message, exc.row) from None
    except ServiceError as exc:
        raise report.refuse(exc.detail) from None
    except OSError as exc:
        raise report.refuse(f"cannot read the file ({exc.strerror or exc})") from None
    except SQLAlchemyError as exc:
        message = one_line(str(getattr(exc, "orig", None) or exc), limit=200)
        raise report.refuse(f"the database refused the write ({type(exc).__name__}: {message}); "
                            "run the import again") from None
    finally:
        report.seconds = budget.elapsed
    return report


def _read(path: Path, fmt: str, budget: Budget, report: ImportReport, writer: _Writer,
          progress: Callable[[int], None] | None) -> None:
    by_content: dict[bytes, int] = {}
    by_ref: dict[str, int] = {}
    for parsed in parse_file(path, fmt, budget):
        report.rows += 1
        row = parsed.row_number
        first = parsed.duplicate_of
        if first is None and parsed.entry is not None:
            key = _content_key(parsed.entry)
            first = by_content.get(key)
            if first is None:
                by_content[key] = row
        if first is not None:
            report.duplicates.append({"row": row, "same_as": first})
        elif parsed.entry is None:
            report.rejected.append({"row": row, "error": parsed.error})
        else:
            ref = parsed.entry.get("external_ref")
            ref = ref.strip() if isinstance(ref, str) else None
            if ref and ref in by_ref:
                report.rejected.append({"row": row, "error": (
                    f"external_ref {one_line(ref, 80)!r} is already used by {report.unit} {by_ref[ref]:,} with "
                    "different content; give each listing its own external_ref")})
            else:
                if ref:
                    by_ref[ref] = row
                writer.add(row, parsed.entry)
                if writer.full:
                    writer.flush()
                    budget.check_time(row)
                continue
        if progress:
            progress(1)


def _content_key(entry: dict[str, Any]) -> bytes:
    """What makes two rows the same listing: everything but the row number and the generated ref."""
    body = {key: value for key, value in entry.items() if key != "external_ref"}
    source = body.get("source")
    if isinstance(source, dict):
        body["source"] = {key: value for key, value in source.items() if key != "row"}
    text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class _Writer:
    upsert: Callable[[list[dict[str, Any]]], BulkResponse]
    report: ImportReport
    progress: Callable[[int], None] | None
    batch: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return len(self.batch) >= BATCH

    def add(self, row: int, entry: dict[str, Any]) -> None:
        self.batch.append((row, entry))

    def flush(self) -> None:
        """Write the batch into the import's transaction (committed by the caller, once)."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        result = self.upsert([entry for _, entry in batch])
        report = self.report
        report.created += result.created
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.review_batch = report.review_batch or result.review_batch
        for row in result.results:
            if row.result == "error":
                report.rejected.append({"row": batch[row.index][0], "error": one_line(row.error or "rejected")})
            else:
                report.outcomes.append({"row": batch[row.index][0], "result": row.result,
                                        "external_ref": row.external_ref, "id": row.id})
        if self.progress:
            self.progress(len(batch))
