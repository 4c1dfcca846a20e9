"""Re-import of exported entries: one entry object per line, in the importer's own schema.

Only ``name`` is required; ``kind`` defaults to "company" and every other key to its empty value.
Keys outside the schema (an export's "id", "created_at"...) are dropped, so an export can be fed
back as is.  Values are checked, not repaired: a bad country code or date rejects the line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pycountry

from .common import ENTRY_KEYS, GROUNDS, KINDS, ParsedRow, RefMaker, RowError, clean, dedupe, take_row
from .limits import Budget, ImportLimitError

PUBLISHER = "JSONL"
_LIST_KEYS = ("aliases", "addresses", "identifiers", "evidence")
_OPTIONAL_STR = ("legal_basis", "decision_ref")
_DATE_KEYS = ("decided_on", "starts_on", "ends_on")


def parse_jsonl(path: str | Path, budget: Budget | None = None) -> Iterator[ParsedRow]:
    budget = budget or Budget()
    refs = RefMaker(PUBLISHER)
    for number, line in json_lines(path, budget):
        yield take_row(number, _line_entry, line, number, Path(path).name, refs, budget)


def json_lines(path: str | Path, budget: Budget) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """``(line number, text)`` of each non-blank line, every line counted against the budget.

    A line that is not UTF-8 comes as its ``UnicodeDecodeError``, for ``load_line`` to report: one
    bad line does not stop the others.
    """
    budget.check_file_size(os.stat(path).st_size)
    with open(path, "rb") as handle:
        _count_lines(handle, budget)
        for number, raw in enumerate(handle, start=1):
            budget.row(number, "line")
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, exc


def _count_lines(handle: BinaryIO, budget: Budget) -> None:
    """Refuse a file of more than ``max_rows`` lines before parsing any (a count in C)."""
    lines, last = 0, b"\n"
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    lines += last != b"\n"
    handle.seek(0)
    if lines > budget.limits.max_rows:
        raise ImportLimitError(f"the file has {lines:,} lines, more than {budget.limits.max_rows:,} "
                               "(DEBARLIST_IMPORT_MAX_ROWS); split it into smaller files or raise the limit")


def load_line(line: str | UnicodeDecodeError, budget: Budget) -> Any:
    """One JSON line within the limits: UTF-8, nested at most max_depth, no string over max_cell_chars."""
    if isinstance(line, UnicodeDecodeError):
        raise RowError(f"not UTF-8 text (byte 0x{line.object[line.start]:02x} at byte {line.start + 1}); "
                       "save the file as UTF-8")
    budget.check_json(line)  # before parsing: json.loads recurses, and a deep line would end the import
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RowError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    budget.check_strings(data)
    return data


def _line_entry(line: str | UnicodeDecodeError, number: int, filename: str, refs: RefMaker,
                budget: Budget) -> dict[str, Any]:
    return _entry(load_line(line, budget), number, filename, refs)


def _entry(data: Any, number: int, filename: str, refs: RefMaker) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RowError(f"expected a JSON object, found {type(data).__name__}")

    name = data.get("name")
    if not isinstance(name, str) or not clean(name):
        raise RowError("'name' is required and must be a non-empty string")
    name = clean(name)
    kind = data.get("kind") or "company"
    if kind not in KINDS:
        raise RowError(f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")

    out: dict[str, Any] = {"kind": kind, "name": name}
    for key in _LIST_KEYS:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise RowError(f"'{key}' must be a list")
        out[key] = value
    for key in ("aliases", "addresses"):
        if not all(isinstance(v, str) for v in out[key]):
            raise RowError(f"'{key}' must be a list of strings")
    out["aliases"] = dedupe([clean(a) for a in out["aliases"]], exclude=[name])
    out["addresses"] = dedupe([clean(a) for a in out["addresses"]])
    for key, fields in (("identifiers", ("scheme", "value")), ("evidence", ("title", "url"))):
        for item in out[key]:
            if not isinstance(item, dict) or not all(
                isinstance(item.get(f), str) and item[f] for f in fields
            ):
                raise RowError(f"each of '{key}' must be an object with string {' and '.join(fields)}")
        out[key] = [{f: item[f] for f in fields} for item in out[key]]

    country = data.get("country")
    if country is not None:
        if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country):
            raise RowError(f"'country' must be an ISO 3166-1 alpha-2 code, not {country!r}")
        country = country.upper()
        if country != "XK" and pycountry.countries.get(alpha_2=country) is None:
            raise RowError(f"'country' {country!r} is not an ISO 3166-1 alpha-2 code")
    out["country"] = country

    listing = data.get("listing") or "debarred"
    if not isinstance(listing, str):
        raise RowError("'listing' must be a string")
    out["listing"] = listing

    grounds = data.get("grounds") or ["other"]
    if not isinstance(grounds, list) or not all(g in GROUNDS for g in grounds):
        raise RowError(f"'grounds' must be a list drawn from: {', '.join(GROUNDS)}")
    out["grounds"] = [g for g in GROUNDS if g in grounds]

    for key in _OPTIONAL_STR:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise RowError(f"'{key}' must be a string or null")
        out[key] = clean(value) or None if value is not None else None
    for key in _DATE_KEYS:
        out[key] = _iso_date(data.get(key), key)
    if out["starts_on"] and out["ends_on"] and out["ends_on"] < out["starts_on"]:
        raise RowError(f"'ends_on' {out['ends_on']} is before 'starts_on' {out['starts_on']}")

    source = data.get("source")
    if source is not None and not isinstance(source, dict):
        raise RowError("'source' must be an object")
    out["source"] = {
        "publisher": (source or {}).get("publisher") or PUBLISHER,
        "list": (source or {}).get("list") or filename,
        "originating_institution": (source or {}).get("originating_institution"),
        "row": (source or {}).get("row", number),
    }
    visibility = data.get("visibility") or "public"
    if not isinstance(visibility, str):
        raise RowError("'visibility' must be a string")
    out["visibility"] = visibility

    ref = data.get("external_ref")
    if ref is not None and (not isinstance(ref, str) or not ref.strip()):
        raise RowError("'external_ref' must be a non-empty string")
    # An exported entry keeps its ref; a hand-written one gets the same kind of stable ref.
    out["external_ref"] = ref.strip() if ref else refs.make(name, country, out["starts_on"])
    return {key: out[key] for key in ENTRY_KEYS}


def _iso_date(value: Any, key: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RowError(f"'{key}' must be a date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(f"'{key}' {value!r} is not a date YYYY-MM-DD") from None
