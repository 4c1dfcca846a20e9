"""The report of a screened bidder list: every row of the file, in order, with its line, its
screening id (the receipt it points at) and its matches, as CSV, XLSX or JSON.

A CSV or XLSX report has one line per match, and one line for a bidder with none or that was
not screened (with the reason). Every cell is formula-neutralised (``common.spreadsheet``).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from service.bidderlist.errors import BidderListError
from service.bidderlist.run import RunResult
from service.common.spreadsheet import neutralise, neutralise_row
from service.observability.metrics import score_band

FORMATS = ("csv", "xlsx", "json")
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
COLUMNS = ("line", "ref", "name", "country", "screened", "problem", "notes", "duplicate_ref_lines",
           "screening_id", "receipt", "match_rank", "score", "band", "entry_id", "matched_name", "query_name",
           "explanation", "listing", "grounds", "entry_status", "in_force", "appeal_status", "organisation",
           "decision_ref", "legal_basis", "starts_on", "ends_on", "source")
SCREENING_COLUMNS = ("screening_id", "receipt", "screened_at", "as_of", "list_revision", "algorithm",
                     "threshold", "tender_ref")

ReceiptLink = Callable[[str], str]


def choose_format(output: Path, given: str | None) -> str:
    """The report's format: ``--format`` if given, else the output's extension; never CSV
    written under an .xlsx name."""
    by_name = EXTENSIONS.get(output.suffix.lower())
    if given is not None:
        fmt = given.strip().lower()
        if fmt not in FORMATS:
            raise BidderListError(f"unknown --format {given!r}; use one of {', '.join(FORMATS)}")
        if by_name is not None and by_name != fmt:
            raise BidderListError(f"--format {fmt} but the output {output.name} names {by_name}; "
                                  f"change one of them (e.g. -o {output.with_suffix('.' + fmt).name})")
        return fmt
    if by_name is None:
        raise BidderListError(f"cannot tell the report's format from {output.name!r}; end it in .csv, .xlsx or "
                              ".json, or give --format csv|xlsx|json")
    return by_name


def explain(match: dict[str, Any]) -> str:
    """The explanation in one phrase, for a spreadsheet cell (the JSON report keeps it whole)."""
    explanation = match.get("explanation") or {}
    method = explanation.get("method", "name")
    if method == "identifier" or not match.get("query_name"):
        hit = explanation.get("identifier") or {}
        scheme = hit.get("scheme") if isinstance(hit, dict) else None
        return f"identifier{f' ({scheme})' if scheme else ''} matches the listed entry's"
    return f"{match['query_name']!r} met the listed name {match['matched_name']!r} ({method})"


def report_rows(result: RunResult, receipt: ReceiptLink | None = None) -> Iterator[dict[str, Any]]:
    """Flat rows: one per match, one for a bidder with no match or not screened."""
    for position, row in enumerate(result.bidders.rows):
        outcome = result.outcomes.get(position)
        problem = row.problem or (outcome.refused if outcome else None)
        base: dict[str, Any] = {
            "line": row.line, "ref": row.ref, "name": row.name, "country": row.country,
            "screened": "yes" if outcome is not None and outcome.result is not None else "no",
            "problem": problem or "", "notes": "; ".join(row.notes),
            "duplicate_ref_lines": ";".join(map(str, row.duplicate_of))}
        if outcome is None or outcome.result is None or outcome.screening_id is None:
            if row.subject is not None and not problem:
                base["problem"] = "not screened (the run did not reach it)"
            yield base
            continue
        base["screening_id"] = outcome.screening_id
        base["receipt"] = receipt(outcome.screening_id) if receipt else ""
        matches = outcome.result["matches"]
        if not matches:
            yield base
        for rank, match in enumerate(matches, start=1):
            entry = match["entry"]
            yield {**base, "match_rank": rank, "score": match["score"], "band": score_band(match["score"]),
                   "entry_id": match["entry_id"], "matched_name": match["matched_name"],
                   "query_name": match["query_name"], "explanation": explain(match),
                   "listing": entry["listing"], "grounds": ";".join(entry["grounds"]),
                   "entry_status": entry["status"], "in_force": "yes" if entry["in_force"] else "no",
                   "appeal_status": entry["appeal_status"], "organisation": entry["organisation"],
                   "decision_ref": entry.get("decision_ref"), "legal_basis": entry.get("legal_basis"),
                   "starts_on": entry["starts_on"], "ends_on": entry.get("ends_on"),
                   "source": _source(entry.get("source"))}


def _source(source: dict[str, Any] | None) -> str:
    if not source:
        return ""
    return " ".join(str(source[key]) for key in ("publisher", "list", "url") if source.get(key))


def as_document(result: RunResult, receipt: ReceiptLink | None = None) -> dict[str, Any]:
    """The JSON report: the whole answer per row (explanations, provenance), and the receipts."""
    bidders = result.bidders
    rows = []
    for position, row in enumerate(bidders.rows):
        outcome = result.outcomes.get(position)
        screened = outcome is not None and outcome.result is not None
        rows.append({
            "line": row.line, "ref": row.ref, "name": row.name, "country": row.country, "screened": screened,
            "problem": row.problem or (outcome.refused if outcome else None)
                       or (None if screened or row.subject is None else "not screened (the run did not reach it)"),
            "notes": row.notes, "duplicate_ref_lines": row.duplicate_of,
            "screening_id": outcome.screening_id if outcome else None,
            "receipt": receipt(outcome.screening_id) if receipt and outcome and outcome.screening_id else None,
            "matches": [{**match, "band": score_band(match["score"])}
                        for match in (outcome.result["matches"] if outcome and outcome.result else [])]})
    return {"source": bidders.source, "format": bidders.format, "encoding": bidders.encoding,
            "columns": bidders.columns, "ignored_columns": bidders.ignored_columns,
            "summary": summary(result),
            "screenings": [{**s, "receipt": receipt(s["screening_id"]) if receipt else None}
                           for s in result.screenings],
            "rows": rows}


def summary(result: RunResult) -> dict[str, int]:
    rows = result.bidders.rows
    screened = sum(1 for o in result.outcomes.values() if o.result is not None)
    return {"rows": len(rows), "screened": screened, "not_screened": len(rows) - screened,
            "with_matches": result.flagged, "duplicate_refs": sum(1 for row in rows if row.duplicate_of),
            "screenings": len(result.screenings), "resumed_batches": result.resumed_batches}


def write_report(path: Path, fmt: str, result: RunResult, receipt: ReceiptLink | None = None) -> None:
    """Write the report atomically: a reader never sees half a report under the final name."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise BidderListError(f"cannot write in {directory} ({exc.strerror}); give another -o") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(render(fmt, result, receipt))
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise BidderListError(f"cannot write {path} ({exc.strerror}); give another -o") from None


def render(fmt: str, result: RunResult, receipt: ReceiptLink | None = None) -> bytes:
    if fmt == "json":
        return json.dumps(as_document(result, receipt), ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(result, receipt)
    return _csv(result, receipt)


def _csv(result: RunResult, receipt: ReceiptLink | None) -> bytes:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(neutralise_row(row) for row in report_rows(result, receipt))
    # With a BOM, so that a spreadsheet opening the file reads Cyrillic names as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(result: RunResult, receipt: ReceiptLink | None) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.append(list(COLUMNS))
    for row in report_rows(result, receipt):
        sheet.append([_xlsx_cell(row.get(column)) for column in COLUMNS])
    screenings = book.create_sheet("screenings")
    screenings.append(list(SCREENING_COLUMNS))
    for facts in result.screenings:
        facts = {**facts, "receipt": receipt(facts["screening_id"]) if receipt else ""}
        screenings.append([_xlsx_cell(facts.get(column)) for column in SCREENING_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return neutralise(str(value))
