"""Reading bidder lists and writing screening reports (``debarlist screen``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.common.spreadsheet import neutralise_row

REPORT_COLUMNS = ("ref", "name", "country", "match_rank", "score", "entry_id", "matched_name", "listing",
                  "grounds", "status", "appeal_status", "organisation", "decision_ref", "starts_on", "ends_on",
                  "screening_id")


class BidderFileError(ValueError):
    pass


def read_bidders(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a CSV with a header: ``name`` required; ``ref``, ``country``, ``aliases``
    (separated by ``;``) and ``identifiers`` (``scheme:value`` separated by ``;``) optional."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = {(name or "").strip().lower() for name in reader.fieldnames or []}
        if "name" not in fields:
            raise BidderFileError(f"{path}: the header must have a 'name' column")
        for line, raw in enumerate(reader, start=2):
            row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
            if not row.get("name"):
                continue
            yield {"ref": row.get("ref") or f"line-{line}", "name": row["name"],
                   "country": row.get("country") or None,
                   "aliases": [a.strip() for a in row.get("aliases", "").split(";") if a.strip()],
                   "identifiers": _identifiers(row.get("identifiers", ""), line)}


def _identifiers(cell: str, line: int) -> list[dict[str, str]]:
    found = []
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            continue
        scheme, sep, value = part.partition(":")
        if not sep or not scheme.strip() or not value.strip():
            raise BidderFileError(f"line {line}: identifiers must look like 'scheme:value;scheme:value'")
        found.append({"scheme": scheme.strip().lower(), "value": value.strip()})
    return found


def report_rows(subjects: list[dict[str, Any]], answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One CSV row per match, and one row with no match for a bidder with none.

    ``subjects`` are the ones this answer screened, in order: results are joined to them by
    position, never by ``ref`` (two bidders with the same ref stay two rows, each with its own
    matches)."""
    for subject, result in zip(subjects, answer["results"], strict=True):
        base = {"ref": result["ref"], "name": subject.get("name"), "country": subject.get("country"),
                "screening_id": answer["screening_id"]}
        if not result["matches"]:
            yield base
        for rank, match in enumerate(result["matches"], start=1):
            entry = match["entry"]
            yield {**base, "match_rank": rank, "score": match["score"], "entry_id": match["entry_id"],
                   "matched_name": match["matched_name"], "listing": entry["listing"],
                   "grounds": ";".join(entry["grounds"]), "status": entry["status"],
                   "appeal_status": entry["appeal_status"], "organisation": entry["organisation"],
                   "decision_ref": entry["decision_ref"], "starts_on": entry["starts_on"],
                   "ends_on": entry["ends_on"]}


def write_report(path: Path, answers: list[dict[str, Any]], subjects: list[dict[str, Any]]) -> None:
    """``answers`` screened ``subjects`` in order, batch after batch."""
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"screenings": answers}, ensure_ascii=False, indent=2))
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        start = 0
        for answer in answers:
            batch = subjects[start:start + len(answer["results"])]
            start += len(batch)
            writer.writerows(neutralise_row(row) for row in report_rows(batch, answer))
