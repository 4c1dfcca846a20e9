"""Load a published list file into one organisation's entries (``debarlist import``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from service.auth.roles import Role
from service.common.system import operator_for
from service.common.tx import Tx
from service.entries.bulk import bulk_upsert
from service.importers import parse_file

BATCH = 1000


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

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "organisation": self.organisation, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": len(self.rejected), "rejected_rows": self.rejected, "review_batch": self.review_batch}


def import_file(factory: sessionmaker[Session], path: Path, fmt: str, org_code: str,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Parse ``path`` and upsert its rows by external_ref, one transaction per batch.

    Each batch commits with its audit records (action ``entry.import``); running the same
    file twice reports every row ``unchanged`` and writes nothing.
    """
    report = ImportReport(file=str(path), format=fmt, organisation=org_code)
    batch_ref = "import-" + str(uuid.uuid4())
    batch: list[tuple[int, dict[str, Any]]] = []
    for parsed in parse_file(path, fmt):
        report.rows += 1
        if parsed.entry is None:
            report.rejected.append({"row": parsed.row_number, "error": parsed.error})
            if progress:
                progress(1)
            continue
        batch.append((parsed.row_number, parsed.entry))
        if len(batch) >= BATCH:
            _flush(factory, org_code, batch, report, progress, batch_ref)
            batch = []
    if batch:
        _flush(factory, org_code, batch, report, progress, batch_ref)
    return report


def _flush(factory: sessionmaker[Session], org_code: str, batch: list[tuple[int, dict[str, Any]]],
           report: ImportReport, progress: Callable[[int], None] | None, batch_ref: str) -> None:
    with factory() as session:
        principal = operator_for(session, org_code, Role.contributor)
        tx = Tx(session=session, actor=principal.actor)
        result = bulk_upsert(tx, principal, [entry for _, entry in batch],
                             create_action="entry.import", update_action="entry.import", batch_ref=batch_ref)
        tx.commit()
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged
    report.review_batch = report.review_batch or result.review_batch
    for row in result.results:
        if row.result == "error":
            report.rejected.append({"row": batch[row.index][0], "error": row.error})
    if progress:
        progress(len(batch))
