"""A bidder list as numbered rows: every row of the file kept, in order, with its line number.

Columns are found by their header (``SYNONYMS``: "Company name", "Supplier", "Наименование"...).
Each row is checked with the screening service's own ``Subject`` schema, so a row the API would
refuse is reported here, with its line and the reason, and the other rows are screened. Country
names are read as ISO codes where the name is unambiguous ("Kazakhstan" -> KZ, said in the row's
notes); anything else is reported, never guessed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from service.bidderlist.errors import BidderListError
from service.entries.identifiers import Scheme
from service.importers.common import ImportFormatError
from service.importers.countries import country_code
from service.importers.limits import Budget, Limits
from service.importers.xlsx import sheet_rows
from service.screening.schemas import Subject

FIELDS = ("ref", "name", "country", "aliases", "identifiers", "kind")

# Header (folded: lower case, punctuation as spaces) -> field. A header naming an identifier
# scheme ("BIN", "LEI", "INN") is an identifier column of that scheme (SCHEME_COLUMNS).
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("ref", "reference", "id", "bidder id", "bidder ref", "bidder reference", "bid", "bid id",
                     "bid ref", "bid no", "bid number", "no", "number", "номер", "№"), "ref"),
    **dict.fromkeys(("name", "bidder", "bidder name", "company", "company name", "supplier", "supplier name",
                     "firm", "firm name", "legal name", "entity", "entity name", "organisation", "organization",
                     "organisation name", "organization name", "vendor", "vendor name", "tenderer",
                     "tenderer name", "наименование", "название", "участник", "поставщик",
                     "наименование участника", "наименование поставщика"), "name"),
    **dict.fromkeys(("country", "country code", "countrycode", "country iso", "nationality", "jurisdiction",
                     "country of registration", "страна", "страна регистрации"), "country"),
    **dict.fromkeys(("aliases", "alias", "other names", "aka", "also known as", "trading names",
                     "other name", "псевдонимы", "другие наименования"), "aliases"),
    **dict.fromkeys(("identifiers", "identifier", "ids", "идентификаторы"), "identifiers"),
    **dict.fromkeys(("kind", "entity type", "type"), "kind"),
}
SCHEME_COLUMNS: dict[str, str] = {
    **{scheme.value.replace("_", " "): scheme.value for scheme in Scheme},
    "registration number": "registration", "company number": "registration", "tax number": "tax_id",
    "vat number": "vat", "tin": "tax_id", "бин": "bin", "инн": "inn", "едрпоу": "edrpou",
}
# Encodings tried when none is given: UTF-8 (with or without BOM) first, since it almost never
# decodes text written in another encoding; otherwise the two Windows code pages of the region.
AUTO = "auto"
ROW_LIMIT = 1_000_000
ALIAS_SEPARATOR = ";"


@dataclass
class BidderRow:
    """One row of the file: screened when ``subject`` is set, else ``problem`` says why not."""

    line: int
    ref: str
    name: str
    country: str | None
    subject: dict[str, Any] | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    duplicate_of: list[int] = field(default_factory=list)  # other lines with the same ref

    @property
    def screenable(self) -> bool:
        return self.subject is not None


@dataclass
class BidderList:
    source: str
    format: str
    encoding: str | None
    rows: list[BidderRow]
    columns: dict[str, str]  # header as written -> field (or "identifiers:<scheme>")
    ignored_columns: list[str]
    blank_rows: int = 0

    @property
    def screenable(self) -> list[BidderRow]:
        return [row for row in self.rows if row.screenable]

    @property
    def refused(self) -> list[BidderRow]:
        return [row for row in self.rows if not row.screenable]


def fold_header(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.replace("\ufeff", "").casefold()).strip()


def read_path(path: Path, *, encoding: str = AUTO) -> BidderList:
    """Read a bidder list from a file; the kind is judged by its content, not its name."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BidderListError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise BidderListError(f"{path} is a directory; give the bidder list file") from None
    except OSError as exc:
        raise BidderListError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    return read_bytes(data, source=str(path), encoding=encoding)


def read_bytes(data: bytes, *, source: str, encoding: str = AUTO) -> BidderList:
    """Read a bidder list from its bytes (an upload): XLSX, JSON lines or CSV."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, source)
    text, used = decode(data, encoding, source)
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _read_jsonl(text, source, used)
    return _read_csv(text, source, used)


def decode(data: bytes, encoding: str, source: str) -> tuple[str, str]:
    """The text and the encoding it was read with (``auto``: UTF-8, else Windows-1251 or -1252)."""
    if encoding != AUTO:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise BidderListError(f"unknown encoding {encoding!r}; use e.g. utf-8, windows-1251, windows-1252 "
                                  "or leave --encoding out to detect it") from None
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise BidderListError(f"{source} is not {encoding} (line {line} has byte 0x{data[exc.start]:02x}); "
                                  "leave --encoding out to detect it, or save the file as UTF-8") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _windows_code_page(data)
    try:
        return data.decode(guess), guess
    except UnicodeDecodeError:
        raise BidderListError(f"{source}: cannot tell its encoding (not UTF-8, Windows-1251 or -1252); "
                              "give it with --encoding, or save the file as UTF-8") from None


def _windows_code_page(data: bytes) -> str:
    """Windows-1251 (Cyrillic) or -1252 (Western): Cyrillic words are runs of bytes >= 0xC0,
    while Western European text has single accented letters between ASCII ones."""
    high = [i for i, byte in enumerate(data) if byte >= 0xC0]
    if not high:
        return "windows-1252"
    in_runs = sum(1 for i in high if (i + 1 < len(data) and data[i + 1] >= 0xC0) or (i and data[i - 1] >= 0xC0))
    return "windows-1251" if in_runs * 2 >= len(high) else "windows-1252"


class _Columns:
    """Which column of the header holds which field."""

    def __init__(self, header: list[str], source: str) -> None:
        self.fields: dict[int, str] = {}
        self.mapped: dict[str, str] = {}
        self.ignored: list[str] = []
        taken: dict[str, str] = {}
        for index, raw in enumerate(header):
            written = (raw or "").strip().replace("\ufeff", "")
            key = fold_header(written)
            target = SYNONYMS.get(key) or (f"identifiers:{SCHEME_COLUMNS[key]}" if key in SCHEME_COLUMNS else None)
            if target is None:
                if written:
                    self.ignored.append(written)
                continue
            if target in taken:
                raise BidderListError(f"{source}: columns {taken[target]!r} and {written!r} both give the "
                                      f"{target.replace(':', ' ')}; rename or remove one of them")
            taken[target] = written
            self.fields[index] = target
            self.mapped[written] = target
        if "name" not in taken:
            seen = ", ".join(repr(h) for h in header if h) or "none"
            raise BidderListError(f"{source}: no column for the bidder's name (headers found: {seen}); "
                                  "name it 'name' (or 'company', 'supplier', 'bidder')")

    def record(self, values: list[Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for index, target in self.fields.items():
            found[target] = values[index] if index < len(values) else None
        return found


def _read_csv(text: str, source: str, encoding: str) -> BidderList:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    # Spreadsheets in much of Europe export with ';' (the decimal comma takes ','), some with tabs.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise BidderListError(f"{source}: line 1 is not CSV ({exc}); save the file as CSV") from None
    if header is None:
        raise BidderListError(f"{source} is empty; give a header line and one bidder a line")
    columns = _Columns(header, source)
    rows: list[BidderRow] = []
    blank = 0
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BidderListError(f"{source}: line {start} is not valid CSV ({exc}); fix that line") from None
        if not any(v.strip() for v in values):
            blank += 1
        else:
            rows.append(make_row(start, columns.record(values)))
        start = reader.line_num + 1
        _check_size(len(rows), source)
    return flag_duplicates(BidderList(source, "csv", encoding, rows, columns.mapped, columns.ignored, blank))


def _read_xlsx(data: bytes, source: str) -> BidderList:
    budget = Budget(Limits(max_rows=ROW_LIMIT, max_bytes=256 * 1024 * 1024, max_seconds=600.0))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()
        try:
            with sheet_rows(handle.name, budget, columns=64) as sheet:
                columns: _Columns | None = None
                rows: list[BidderRow] = []
                blank = 0
                for number, values in sheet:
                    cells = [_cell(value) for value in values]
                    if not any(cells):
                        if columns is not None:
                            blank += 1
                        continue
                    if columns is None:
                        columns = _Columns(cells, source)
                        continue
                    rows.append(make_row(number, columns.record(cells)))
        except ImportFormatError as exc:
            raise BidderListError(f"{source}: {exc}") from None
    if columns is None:
        raise BidderListError(f"{source}: the first sheet is empty; give a header row and one bidder a row")
    return flag_duplicates(BidderList(source, "xlsx", None, rows, columns.mapped, columns.ignored, blank))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a registration number typed into a number cell
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def _read_jsonl(text: str, source: str, encoding: str) -> BidderList:
    rows: list[BidderRow] = []
    mapped: dict[str, str] = {}
    ignored: set[str] = set()
    blank = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            blank += 1
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(BidderRow(number, f"line-{number}", "", None, problem=f"not JSON ({exc.msg})"))
            continue
        if not isinstance(value, dict):
            rows.append(BidderRow(number, f"line-{number}", "", None, problem="not a JSON object"))
            continue
        record: dict[str, Any] = {}
        for key, item in value.items():
            folded = fold_header(str(key))
            target = SYNONYMS.get(folded) or (f"identifiers:{SCHEME_COLUMNS[folded]}"
                                              if folded in SCHEME_COLUMNS else None)
            if target is None:
                ignored.add(str(key))
            else:
                record[target] = item
                mapped[str(key)] = target
        rows.append(make_row(number, record))
        _check_size(len(rows), source)
    return flag_duplicates(BidderList(source, "jsonl", encoding, rows, mapped, sorted(ignored), blank))


def _check_size(count: int, source: str) -> None:
    if count > ROW_LIMIT:
        raise BidderListError(f"{source} has more than {ROW_LIMIT:,} bidders; split it into smaller lists")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else _cell(value)


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in _text(value).split(ALIAS_SEPARATOR) if part.strip()]


def _identifiers(record: dict[str, Any]) -> list[dict[str, str]]:
    """``scheme:value;scheme:value`` (or JSON objects), plus the scheme-named columns."""
    found: list[dict[str, str]] = []
    value = record.get("identifiers")
    if isinstance(value, list):
        for item in value:
            if not (isinstance(item, dict) and isinstance(item.get("scheme"), str)
                    and isinstance(item.get("value"), str | int)):
                raise ValueError("identifiers must be objects like {\"scheme\": \"bin\", \"value\": \"...\"}")
            found.append({"scheme": item["scheme"], "value": str(item["value"])})
    else:
        for part in (p.strip() for p in _text(value).split(";")):
            if not part:
                continue
            scheme, sep, number = part.partition(":")
            if not sep or not scheme.strip() or not number.strip():
                raise ValueError(f"identifier {part[:40]!r} is not 'scheme:value' (e.g. bin:123456789012); "
                                 "separate several with ';'")
            found.append({"scheme": scheme.strip(), "value": number.strip()})
    for target, cell in record.items():
        if target.startswith("identifiers:") and _text(cell):
            found.append({"scheme": target.split(":", 1)[1], "value": _text(cell)})
    return found


def _country(raw: str, notes: list[str]) -> str | None:
    if not raw:
        return None
    if len(raw) == 2 and raw.isalpha():
        return raw.upper()  # the schema says whether it is an ISO code
    code = country_code(raw)
    if code is None:
        raise ValueError(f"country {raw[:60]!r} is not an ISO 3166-1 code nor a country name that can be read "
                         "unambiguously; write its two-letter code (e.g. KZ)")
    notes.append(f"country {raw[:60]!r} read as {code}")
    return code


def make_row(line: int, record: dict[str, Any]) -> BidderRow:
    """A row as the screening service would take it, or the reason it would not."""
    ref = _text(record.get("ref")) or f"line-{line}"
    name = _text(record.get("name"))
    raw_country = _text(record.get("country"))
    row = BidderRow(line=line, ref=ref, name=name, country=raw_country or None)
    if not name:
        row.problem = "no name (the name cell is empty); add the bidder's name"
        return row
    subject: dict[str, Any] = {"ref": ref, "name": name}
    try:
        subject["aliases"] = _names(record.get("aliases"))
        subject["identifiers"] = _identifiers(record)
        subject["country"] = _country(raw_country, row.notes)
        kind = _text(record.get("kind")).lower()
        if kind:
            subject["kind"] = kind
        row.subject = Subject.model_validate(subject).model_dump(mode="json", exclude_defaults=True)
    except ValueError as exc:  # a pydantic ValidationError is a ValueError too
        row.problem = _reason(exc)
    return row


def _reason(exc: ValueError) -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)
    reasons = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        value = error.get("input")
        if error["type"] == "string_too_long" and isinstance(value, str):
            limit = error.get("ctx", {}).get("max_length")
            reasons.append(f"{where} is {len(value):,} characters; at most {limit} are screened")
        elif error["type"] == "too_long":
            limit = error.get("ctx", {}).get("max_length")
            reasons.append(f"{where}: more than {limit} given")
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            reasons.append(f"{where}: {message}")
    return "; ".join(reasons)


def flag_duplicates(bidders: BidderList) -> BidderList:
    """Flag refs given to more than one row; the rows stay apart (results are joined by position)."""
    lines: dict[str, list[int]] = defaultdict(list)
    for row in bidders.rows:
        lines[row.ref].append(row.line)
    for row in bidders.rows:
        same = lines[row.ref]
        if len(same) > 1:
            row.duplicate_of = [line for line in same if line != row.line]
    return bidders
