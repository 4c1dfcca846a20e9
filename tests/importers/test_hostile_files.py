"""`debarlist import` against hostile and broken files (issue 15): bounded, streaming, atomic.

Every file is built here, byte for byte, and imported through the real command line into a fresh
migrated database; what the database holds afterwards is counted with SQL.
"""

from __future__ import annotations

import json
import struct
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from service.cli import app as cli
from service.config import Settings, get_settings
from service.entries.importing import limits_from
from service.importers import Limits
from service.importers.limits import json_depth
from tests.support import command_lines

ORG = "HOSTILE"

# --------------------------------------------------------------------------- building files

_NS = "http://schemas.openxmlformats.org"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{_NS}/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"),
}
WB_HEAD = [["Downloaded on: 07/01/2025 10:00"],
           ["Firm Name", "Additional Firm Info", "Address", "Country", "Ineligibility Period", "", "Grounds"],
           ["", "", "", "", "From Date", "To Date", ""]]


def wb_row(name: str, country: str = "Kazakhstan", start: str = "2024-01-01") -> list[str]:
    return [name, "", "1 Test Street, Almaty", country, start, "2029-12-31", "Fraudulent Practices"]


def xml_row(cells: Iterable[str], number: int | None = None) -> bytes:
    r = f' r="{number}"' if number else ""
    return (f"<row{r}>" + "".join(f'<c t="inlineStr"><is><t>{escape(c)}</t></is></c>' for c in cells)
            + "</row>").encode("utf-8")


def write_xlsx(path: Path, chunks: Iterable[bytes], *, level: int = 6) -> Path:
    """A one-sheet workbook whose sheetData is ``chunks``, streamed into the zip (no size limit)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, body in _PARTS.items():
            archive.writestr(name, body)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData>'.encode())
            for chunk in chunks:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def worldbank_xlsx(path: Path, rows: Iterable[list[str]]) -> Path:
    return write_xlsx(path, [b"".join(xml_row(r) for r in WB_HEAD), *(xml_row(r) for r in rows)])


EBRD_HEADER = ("Firm Name,Address,Nationality,Ineligible From, Ineligible Until,Notice Effective At EBRD,"
               "Originating Institution,Prohibited Practice\r\n")


def ebrd_line(i: int, name: str | None = None) -> str:
    name = name if name is not None else f"Hostile Test Construction {i:05d} LLP"
    return (f'"{name}","{i} Abay avenue, Almaty",Kazakhstan,2024-01-01,2029-12-31,2024-01-01,EBRD,'
            "Fraudulent Practice\r\n")


def ebrd_csv(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("\ufeff" + EBRD_HEADER + "".join(lines), encoding="utf-8", newline="")
    return path


def jsonl_line(i: int, **extra: Any) -> str:
    return json.dumps({"name": f"Hostile Json Firm {i:04d} LLC", "country": "KZ", "grounds": ["fraud"],
                       "starts_on": "2024-01-01", **extra})


# --------------------------------------------------------------------------- running the command


@pytest.fixture
def db(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", fresh_db)
    get_settings.cache_clear()
    added = CliRunner().invoke(cli, ["orgs", "add", ORG, "--name", "Hostile files", "--kind", "organisation"])
    assert added.exit_code == 0, added.output
    yield fresh_db
    get_settings.cache_clear()


def run_import(path: Path, fmt: str, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["import", str(path), "--format", fmt, "--org", ORG, *extra])


def report_of(result: Result) -> dict[str, Any]:
    return dict(json.loads(result.stdout))


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table: int(conn.execute(text(f"select count(*) from {table}")).scalar_one())
                    for table in ("entries", "entry_revisions", "audit_log")}
    finally:
        engine.dispose()


def assert_refused_in_one_line(result: Result, *needles: str) -> str:
    """Exit 1, no traceback, exactly one line on stderr that contains every needle."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    # besides the line naming the database the command used (service.cli_database)
    lines = [line for line in command_lines(result.stderr) if not line.startswith("database: ")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert lines[0].startswith("error: ") and lines[0].endswith("nothing was imported")
    return lines[0]


# --------------------------------------------------------------------------- size: zip bombs


def test_xlsx_bomb_is_refused_from_the_declared_sizes_before_parsing(db: str, tmp_path: Path) -> None:
    # ~100 MB of one repeated row (over the 64 MiB default) in well under 1 MB on disk.
    row = xml_row(wb_row("ACME BOMB CONSTRUCTION LTD.")) * 10_000
    bomb = write_xlsx(tmp_path / "bomb.xlsx", [b"".join(xml_row(r) for r in WB_HEAD)] + [row] * 110, level=9)
    with zipfile.ZipFile(bomb) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    assert declared > Limits().max_bytes and bomb.stat().st_size < 3_000_000
    started = time.monotonic()
    result = run_import(bomb, "worldbank")
    elapsed = time.monotonic() - started
    line = assert_refused_in_one_line(result, "bomb.xlsx", f"expands to {declared:,} bytes uncompressed",
                                      "DEBARLIST_IMPORT_MAX_BYTES")
    assert "67,108,864" in line
    assert elapsed < 3, elapsed  # the central directory only: nothing was decompressed or parsed
    assert counts(db)["entries"] == 0


def test_the_byte_limit_is_a_setting(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = worldbank_xlsx(tmp_path / "list.xlsx", [wb_row(f"FIRM {i} LTD.") for i in range(3000)])
    with zipfile.ZipFile(path) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    monkeypatch.setenv("DEBARLIST_IMPORT_MAX_BYTES", str(declared - 1))
    get_settings.cache_clear()
    assert_refused_in_one_line(run_import(path, "worldbank"), f"over the limit of {declared - 1:,}")
    monkeypatch.setenv("DEBARLIST_IMPORT_MAX_BYTES", str(declared))
    get_settings.cache_clear()
    assert run_import(path, "worldbank").exit_code == 0


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the central directory so ``member`` claims ``size`` uncompressed bytes (a lying bomb)."""
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + name_len].decode() == member:
            struct.pack_into("<I", data, at + 24, size)
            break
        at += 4
    else:
        raise AssertionError(f"{member} not in {path}")
    path.write_bytes(bytes(data))


def test_a_member_cannot_expand_past_its_declared_size(db: str, tmp_path: Path) -> None:
    """A bomb that lies small in its directory: zipfile stops at the declared size; refused as damaged."""
    path = worldbank_xlsx(tmp_path / "liar.xlsx", [wb_row(f"LIAR FIRM {i} LTD.") for i in range(20_000)])
    _declare_size(path, "xl/worksheets/sheet1.xml", 5_000)
    with zipfile.ZipFile(path) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 10_000
    assert_refused_in_one_line(run_import(path, "worldbank"), "liar.xlsx", "not a readable xlsx workbook",
                               "download or export it again")
    assert counts(db)["entries"] == 0


# --------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("kind", ["truncated", "not-a-zip", "empty", "csv-named-xlsx", "zip-without-workbook",
                                  "broken-sheet-xml", "no-sheet-rows"])
def test_a_broken_xlsx_is_one_line_not_a_traceback(db: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.xlsx"
    good = worldbank_xlsx(tmp_path / "good.xlsx", [wb_row(f"GOOD FIRM {i} LTD.") for i in range(300)])
    if kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "not-a-zip":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40)  # an old .xls header
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "csv-named-xlsx":
        ebrd_csv(path, [ebrd_line(1)])
    elif kind == "zip-without-workbook":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    elif kind == "broken-sheet-xml":
        write_xlsx(path, [b"".join(xml_row(r) for r in WB_HEAD), xml_row(wb_row("A LTD."))[:-9], b"<row><c"])
    else:
        write_xlsx(path, [])
    result = run_import(path, "worldbank")
    line = assert_refused_in_one_line(result, f"{kind}.xlsx")
    json_result = run_import(path, "worldbank", "--json")
    report = report_of(json_result)
    assert json_result.exit_code == 1 and report["status"] == "refused" and report["created"] == 0
    # the command's own line: the shared test app's background loops may log to stderr meanwhile
    assert report["error"] == line.removeprefix("error: ")
    assert counts(db)["entries"] == 0


def test_a_missing_file_or_org_or_format_is_one_line(db: str, tmp_path: Path) -> None:
    assert_refused_in_one_line(run_import(tmp_path / "nowhere.xlsx", "worldbank"), "cannot read the file")
    path = ebrd_csv(tmp_path / "list.csv", [ebrd_line(1)])
    assert_refused_in_one_line(run_import(path, "pdf"), "unknown format 'pdf'")
    result = CliRunner().invoke(cli, ["import", str(path), "--format", "ebrd", "--org", "NOPE"])
    assert_refused_in_one_line(result, "'NOPE' does not exist")


# --------------------------------------------------------------------------- rows: cap and duplicates


def test_duplicate_rows_are_reported_and_listed_once(db: str, tmp_path: Path) -> None:
    same = wb_row("ACME REPEATED CONSTRUCTION LTD.")
    other = wb_row("ACME REPEATED CONSTRUCTION LTD.", start="2025-01-01")  # same firm, another listing
    rows = [same] * 300 + [wb_row("BETA LTD."), same, other, wb_row("BETA LTD.")]
    path = worldbank_xlsx(tmp_path / "dups.xlsx", rows)
    result = run_import(path, "worldbank")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "dups.xlsx: 304 rows, 3 created, 0 updated, 0 unchanged, 0 rejected, 301 duplicates"
    assert lines[1:] == ["  rows 5-303: same as row 4; listed once", "  row 305: same as row 4; listed once",
                         "  row 307: same as row 304; listed once"]
    assert counts(db)["entries"] == 3
    again = report_of(run_import(path, "worldbank", "--json"))
    assert (again["created"], again["updated"], again["unchanged"], again["duplicates"]) == (0, 0, 3, 301)
    assert again["duplicate_rows"][0] == {"row": 5, "same_as": 4}
    assert counts(db)["entries"] == 3


def test_a_jsonl_line_repeated_is_a_duplicate_and_a_reused_ref_is_rejected(db: str, tmp_path: Path) -> None:
    lines = [jsonl_line(1, external_ref="X-1"), jsonl_line(1, external_ref="X-1"),
             jsonl_line(2, external_ref="X-1"), jsonl_line(3)]
    path = tmp_path / "refs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = report_of(run_import(path, "jsonl", "--json"))
    assert (report["created"], report["duplicates"], report["rejected"]) == (2, 1, 1), report
    assert report["duplicate_rows"] == [{"row": 2, "same_as": 1}]
    assert report["rejected_rows"][0]["row"] == 3
    assert "external_ref 'X-1' is already used by line 1" in report["rejected_rows"][0]["error"]
    # Imported again: nothing changes (the later "X-1" line does not overwrite the first).
    again = report_of(run_import(path, "jsonl", "--json"))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_ref_reused_a_batch_later_does_not_make_imports_flip_flop(db: str, tmp_path: Path) -> None:
    """Before: line 1,500 updated line 1's entry, and every later import updated it twice more."""
    path = tmp_path / "far.jsonl"
    path.write_text("".join(jsonl_line(i, **({"external_ref": "X-1"} if i in (1, 1500) else {})) + "\n"
                            for i in range(1, 1502)), encoding="utf-8")
    first = report_of(run_import(path, "jsonl", "--json"))
    assert (first["created"], first["updated"], first["rejected"]) == (1500, 0, 1)
    assert first["rejected_rows"][0]["row"] == 1500
    after_first = counts(db)
    second = report_of(run_import(path, "jsonl", "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 1500)
    assert counts(db) == after_first


def test_200000_rows_are_refused_before_parsing(db: str, tmp_path: Path) -> None:
    """The review's 192 KB workbook: one row 200,000 times, its text in the shared-strings table."""
    path = tmp_path / "200k.xlsx"
    strings = [c for r in [*WB_HEAD, wb_row("ACME LTD.")] for c in r]
    table = list(dict.fromkeys(strings))

    def shared(cells: list[str]) -> bytes:
        return ("<row>" + "".join(f'<c t="s"><v>{table.index(c)}</v></c>' for c in cells) + "</row>").encode()

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        parts = dict(_PARTS)
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>", f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/'
                                'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        for name, body in parts.items():
            archive.writestr(name, body)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_NS}/spreadsheetml/2006/main">'
                         + "".join(f"<si><t>{escape(t)}</t></si>" for t in table) + "</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData>'.encode())
            sheet.write(b"".join(shared(r) for r in WB_HEAD))
            sheet.write(shared(wb_row("ACME LTD.")) * 200_000)
            sheet.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 400_000
    started = time.monotonic()
    assert_refused_in_one_line(run_import(path, "worldbank"), "has 200,003 rows, more than 50,000",
                               "DEBARLIST_IMPORT_MAX_ROWS")
    assert time.monotonic() - started < 5
    assert counts(db)["entries"] == 0


def test_skipped_rows_count_against_the_row_cap(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet that jumps to row 1,000,000 has few <row> elements but a million rows to read."""
    monkeypatch.setenv("DEBARLIST_IMPORT_MAX_ROWS", "1000")
    get_settings.cache_clear()
    path = write_xlsx(tmp_path / "gap.xlsx", [b"".join(xml_row(r) for r in WB_HEAD),
                                              xml_row(wb_row("FIRST LTD.")),
                                              xml_row(wb_row("FAR AWAY LTD."), 1_000_000)])
    assert_refused_in_one_line(run_import(path, "worldbank"), "row 1,001:", "more than 1,000 rows")
    assert counts(db)["entries"] == 0


def test_a_jsonl_over_the_row_cap_is_refused(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBARLIST_IMPORT_MAX_ROWS", "10")
    get_settings.cache_clear()
    path = tmp_path / "many.jsonl"
    path.write_text("".join(jsonl_line(i) + "\n" for i in range(11)), encoding="utf-8")
    assert_refused_in_one_line(run_import(path, "jsonl"), "11 lines, more than 10")
    assert counts(db)["entries"] == 0


# --------------------------------------------------------------------------- cells


def test_an_oversized_csv_cell_rejects_its_row_and_the_rest_imports(db: str, tmp_path: Path) -> None:
    """Python's csv raises at 128 KiB in mid-file; the row is reported, the other 1,199 land."""
    lines = [ebrd_line(i, "X" * 200 * 1024 if i == 1000 else None) for i in range(1, 1201)]
    path = ebrd_csv(tmp_path / "bigcell.csv", lines)
    result = run_import(path, "ebrd")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert result.stdout.splitlines() == [
        "bigcell.csv: 1200 rows, 1199 created, 0 updated, 0 unchanged, 1 rejected, 0 duplicates",
        "  row 1001: cell 'firm name' has 204,800 characters, over the limit of 8,192 "
        "(DEBARLIST_IMPORT_MAX_CELL_CHARS); this row is skipped: fix the cell (an unbalanced quote?) "
        "or raise the limit"]
    assert counts(db)["entries"] == 1199
    assert run_import(path, "ebrd", "--strict").exit_code == 3  # scripts can insist on every row


def test_an_unbalanced_quote_names_the_lines_it_swallowed(db: str, tmp_path: Path) -> None:
    lines = [ebrd_line(i) for i in range(1, 10)]
    lines.append('"Unclosed Firm LLP,10 Abay avenue,Kazakhstan,2024-01-01,2029-12-31,2024-01-01,EBRD,Fraud\r\n')
    lines += [f"Plain Firm {i} {'Y' * 200} LLP,{i} Abay avenue,Kazakhstan,2024-01-01,2029-12-31,2024-01-01,"
              "EBRD,Fraud\r\n" for i in range(11, 61)]  # no quote closes the one on line 11
    path = ebrd_csv(tmp_path / "quote.csv", lines)
    report = report_of(run_import(path, "ebrd", "--json"))
    assert report["created"] == 9 and report["rejected"] == 1, report
    error = report["rejected_rows"][0]["error"]
    assert report["rejected_rows"][0]["row"] == 11 and "(the record runs from line 11 to 61)" in error, error


def test_json_lines_too_deep_or_too_long_or_not_utf8_are_reported_and_the_rest_imports(
        db: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    with open(path, "wb") as handle:
        handle.write((jsonl_line(1) + "\n").encode())
        handle.write(b'{"name": "Deep Firm", "source": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
        handle.write((jsonl_line(3, legal_basis="L" * 10_000) + "\n").encode())
        handle.write(jsonl_line(4).replace("Firm", "F\xffrm").encode("latin-1") + b"\n")
        handle.write(b'{"name": "Deep String", "aliases": ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]}\n')
        handle.write((jsonl_line(6) + "\n").encode())
    result = run_import(path, "jsonl")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "deep.jsonl: 6 rows, 3 created, 0 updated, 0 unchanged, 3 rejected, 0 duplicates"
    assert lines[1].startswith("  line 2: JSON nested 100,001 levels deep, over the limit of 16 "
                               "(DEBARLIST_IMPORT_MAX_DEPTH)")
    assert lines[2].startswith("  line 3: value 'legal_basis' has 10,000 characters, over the limit of 8,192")
    assert lines[3].startswith("  line 4: not UTF-8 text (byte 0xff")
    assert counts(db)["entries"] == 3


def test_a_deep_ftm_line_is_reported_and_the_rest_imports(db: str, tmp_path: Path) -> None:
    entities = [
        {"id": "c1", "schema": "Company", "properties": {"name": ["Hostile FtM Firm"], "country": ["kz"]}},
        {"id": "c1-s", "schema": "Sanction", "properties": {"entity": ["c1"], "startDate": ["2024-01-01"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Hostile FtM Firm"], "country": ["kz"]}},
        {"id": "c2", "schema": "Person", "properties": {"name": ["Ivan Hostile"]}},
    ]
    text_lines = [json.dumps(e) for e in entities]
    text_lines.insert(2, '{"id": "deep", "schema": "Company", "properties": ' + "[" * 50_000 + "]" * 50_000 + "}")
    path = tmp_path / "deep.ftm.json"
    path.write_text("\n".join(text_lines) + "\n", encoding="utf-8")
    report = report_of(run_import(path, "ftm", "--json"))
    assert (report["created"], report["rejected"], report["duplicates"]) == (2, 1, 1), report
    assert report["rejected_rows"][0]["row"] == 3 and "nested 50,001 levels deep" in report["rejected_rows"][0]["error"]
    assert report["duplicate_rows"] == [{"row": 4, "same_as": 1}]


def test_json_depth_is_measured_without_parsing() -> None:
    assert json_depth('{"a": [1, {"b": "[[[[ not brackets ]"}], "c": "\\" [ still a string"}') == 3
    assert json_depth("[" * 5000) == 5000
    assert json_depth('"unterminated [[[') == 0
    assert json_depth("") == 0


# --------------------------------------------------------------------------- atomic and idempotent


def test_a_file_that_fails_half_way_writes_nothing(db: str, tmp_path: Path) -> None:
    """The old import committed every 1,000 rows: a bad byte on line 1,501 left 1,000 entries behind."""
    path = tmp_path / "badbyte.csv"
    body = "".join(ebrd_line(i) for i in range(1, 2001)).encode("utf-8")
    body = body.replace(b"Construction 01500", b"Constr\xfction 01500")
    path.write_bytes(("\ufeff" + EBRD_HEADER).encode("utf-8") + body)
    before = counts(db)
    assert_refused_in_one_line(run_import(path, "ebrd"), "badbyte.csv: row 1,501: not UTF-8 text (byte 0xfc",
                               "save the list as CSV UTF-8")
    assert counts(db) == before  # no entry, no version, no audit record


def test_a_refused_update_leaves_the_previous_import_as_it_was(db: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = ebrd_csv(tmp_path / "v1.csv", [ebrd_line(i) for i in range(1, 1501)])
    assert run_import(first, "ebrd").exit_code == 0
    before = counts(db)
    # The next download changes every row and adds many: the import runs out of time on the way
    # (20,000 rows take well over 1.5 s anywhere; the old code took 23 s for 20,000 rows).
    second = ebrd_csv(tmp_path / "v2.csv", [ebrd_line(i).replace("2029-12-31", "2030-12-31")
                                            for i in range(1, 20_001)])
    monkeypatch.setenv("DEBARLIST_IMPORT_MAX_SECONDS", "1.5")
    get_settings.cache_clear()
    result = run_import(second, "ebrd", "--json")
    assert result.exit_code == 1
    report = report_of(result)
    assert report["status"] == "refused" and "DEBARLIST_IMPORT_MAX_SECONDS" in report["error"]
    assert (report["created"], report["updated"]) == (0, 0)
    assert counts(db) == before
    engine = create_engine(db)
    with engine.connect() as conn:
        ends = set(conn.execute(text("select ends_on from entries")).scalars())
    engine.dispose()
    assert {str(e)[:10] for e in ends} == {"2029-12-31"}


def test_a_file_imported_twice_changes_nothing(db: str, tmp_path: Path) -> None:
    rows = [wb_row(f"TWICE FIRM {i} LTD.") for i in range(50)]
    rows += [wb_row("TWICE FIRM 7 LTD.", country="Georgia")]  # same name: its own ref
    path = worldbank_xlsx(tmp_path / "twice.xlsx", rows)
    first = report_of(run_import(path, "worldbank", "--json"))
    assert (first["created"], first["rejected"], first["duplicates"]) == (51, 0, 0)
    after_first = counts(db)
    second = report_of(run_import(path, "worldbank", "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 51)
    assert counts(db) == after_first  # not even an audit record


# --------------------------------------------------------------------------- settings


def test_limit_settings_and_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits_from(Settings()) == Limits()
    assert Limits() == Limits(max_bytes=64 * 1024 * 1024, max_rows=50_000, max_cell_chars=8_192, max_depth=16,
                              max_seconds=600.0)
    for name, value in (("BYTES", "2048"), ("ROWS", "7"), ("CELL_CHARS", "300"), ("DEPTH", "5"),
                        ("SECONDS", "2.5")):
        monkeypatch.setenv(f"DEBARLIST_IMPORT_MAX_{name}", value)
    assert limits_from(Settings()) == Limits(max_bytes=2048, max_rows=7, max_cell_chars=300, max_depth=5,
                                             max_seconds=2.5)
