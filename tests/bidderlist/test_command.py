"""``debarlist screen``: each defect of issue 11, against the live app over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl
from typer.testing import CliRunner, Result

from service.cli import app as cli
from tests.bidderlist.conftest import Served
from tests.support import command_lines, unique_word


def screen(served: Served, bidders: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["screen", str(bidders), "--url", served.url, "--client-id",
                                      served.screener.client_id, *args],
                                env={"DEBARLIST_CLIENT_SECRET": served.screener.client_secret})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = command_lines(result.stderr.strip())
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_duplicate_refs_keep_their_own_results_and_are_flagged(served: Served, listed: Callable[..., Any],
                                                               tmp_path: Path) -> None:
    _, latin = unique_word()
    _, clean = unique_word()
    entry = listed(f"{latin} Trading LLP")
    bidders = tmp_path / "bidders.csv"
    bidders.write_text(f"ref,name,country\nb2,{clean} Bakery,KZ\nb2,{latin} Trading LLP,KZ\n", encoding="utf-8")
    result = screen(served, bidders, "-o", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    rows = rows_of(tmp_path / "report.csv")
    # Joined by position: the clean bakery has no match, the listed firm its own; both flagged.
    assert [(r["line"], r["name"], r["entry_id"], r["duplicate_ref_lines"]) for r in rows] == [
        ("2", f"{clean} Bakery", "", "3"), ("3", f"{latin} Trading LLP", entry["id"], "2")]
    assert "2 rows share a ref" in result.stderr


def test_a_row_without_a_name_is_reported_with_its_line_not_dropped(served: Served, tmp_path: Path) -> None:
    _, clean = unique_word()
    bidders = tmp_path / "bidders.csv"
    bidders.write_text(f"ref,name\nb1,{clean} Foods\nb2,\nb3,{clean} Dairy\n", encoding="utf-8")
    result = screen(served, bidders, "-o", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    rows = rows_of(tmp_path / "report.csv")
    assert [(r["line"], r["ref"], r["screened"]) for r in rows] == [("2", "b1", "yes"), ("3", "b2", "no"),
                                                                    ("4", "b3", "yes")]
    assert "no name" in rows[1]["problem"] and "line 3: not screened: no name" in result.stderr


def test_bad_rows_are_reported_by_csv_line_and_the_rest_is_screened(served: Served, listed: Callable[..., Any],
                                                                   tmp_path: Path) -> None:
    cyrillic, latin = unique_word()
    entry = listed(f"ТОО «{cyrillic} Бетон»", country="KZ")
    tender = "T-" + latin
    bidders = tmp_path / "bidders.csv"
    # A quoted cell spanning two lines: the line numbers are the file's, not the records'.
    bidders.write_text("ref,name,country,identifiers\n"
                       f'b1,"{latin} Beton\nLLP",Kazakhstan,\n'
                       f"b2,{'x' * 501},KZ,\n"
                       f"b3,{latin} Beton,Atlantis,\n"
                       f"b4,{latin} Beton,KZ,bin\n"
                       f"b5,{latin} Beton,kz,\n", encoding="utf-8")
    result = screen(served, bidders, "-o", str(tmp_path / "report.json"), "--tender-ref", tender)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    by_ref = {row["ref"]: row for row in report["rows"]}
    assert [row["line"] for row in report["rows"]] == [2, 4, 5, 6, 7]
    assert by_ref["b1"]["screened"] and by_ref["b1"]["notes"] == ["country 'Kazakhstan' read as KZ"]
    assert by_ref["b1"]["matches"][0]["entry_id"] == entry["id"]
    assert "501 characters; at most 500" in by_ref["b2"]["problem"]
    assert "'Atlantis' is not an ISO 3166-1 code" in by_ref["b3"]["problem"]
    assert "not 'scheme:value'" in by_ref["b4"]["problem"]
    assert by_ref["b5"]["screened"] and by_ref["b5"]["matches"][0]["band"] in ("high", "medium", "low")
    assert [line for line in command_lines(result.stderr) if "not screened:" in line] == [
        f"  line {n}: not screened: {by_ref[ref]['problem']}" for n, ref in ((4, "b2"), (5, "b3"), (6, "b4"))]
    assert report["summary"]["screened"] == 2 and served.receipts(tender) == 1


def test_windows_code_pages_are_detected_and_an_encoding_can_be_given(served: Served, listed: Callable[..., Any],
                                                                     tmp_path: Path) -> None:
    cyrillic, _ = unique_word()
    entry = listed(f"ТОО «{cyrillic} Строй»")
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes(f"Наименование;Страна\nТОО «{cyrillic} Строй»;KZ\n".encode("windows-1251"))
    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes("Company name,Country\nSociété Générale Désirée Façades,FR\n".encode("windows-1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(f"\ufeffname\nТОО «{cyrillic} Строй»\n".encode())
    for path, expected in ((cp1251, "windows-1251"), (cp1252, "windows-1252"), (bom, "utf-8-sig")):
        result = screen(served, path, "-o", str(tmp_path / f"{path.stem}.json"))
        assert result.exit_code == 0, result.output
        report = json.loads((tmp_path / f"{path.stem}.json").read_text(encoding="utf-8"))
        assert report["encoding"] == expected, path
    assert json.loads((tmp_path / "cp1251.json").read_text())["rows"][0]["matches"][0]["entry_id"] == entry["id"]
    assert json.loads((tmp_path / "cp1252.json").read_text())["rows"][0]["name"] == "Société Générale Désirée Façades"
    given = screen(served, cp1251, "--encoding", "cp1251", "-o", str(tmp_path / "given.json"))
    assert given.exit_code == 0, given.output
    wrong = one_line_error(screen(served, cp1251, "--encoding", "utf-8", "-o", str(tmp_path / "wrong.json")))
    assert "is not utf-8 (line 1" in wrong and "leave --encoding out" in wrong
    assert not (tmp_path / "wrong.json").exists()
    unknown = one_line_error(screen(served, cp1251, "--encoding", "klingon", "-o", str(tmp_path / "x.json")))
    assert "unknown encoding 'klingon'" in unknown


def test_format_errors_are_one_line_and_xlsx_is_never_csv(served: Served, tmp_path: Path) -> None:
    _, clean = unique_word()
    bidders = tmp_path / "bidders.csv"
    bidders.write_text(f"name\n{clean} Foods\n", encoding="utf-8")
    assert "unknown --format 'pdf'" in one_line_error(screen(served, bidders, "--format", "pdf"))
    assert "--format csv but the output report.xlsx names xlsx" in one_line_error(
        screen(served, bidders, "--format", "csv", "-o", str(tmp_path / "report.xlsx")))
    assert "cannot tell the report's format" in one_line_error(screen(served, bidders, "-o", str(tmp_path / "r.txt")))
    result = screen(served, bidders, "-o", str(tmp_path / "report.xlsx"))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    rows = list(book["report"].iter_rows(values_only=True))
    assert rows[0][:5] == ("line", "ref", "name", "country", "screened")
    header = list(rows[0])
    screening_id = rows[1][header.index("screening_id")]
    receipt = rows[1][header.index("receipt")]
    assert receipt == f"{served.url}/v1/screenings/{screening_id}"
    # The id points at a stored receipt that names the bidder.
    stored = httpx.get(receipt, headers=served.screener.headers)
    assert stored.status_code == 200 and stored.json()["request"]["subjects"][0]["name"] == f"{clean} Foods"
    assert list(book["screenings"].iter_rows(values_only=True))[1][0] == screening_id


def test_xlsx_and_json_lines_are_read_with_header_synonyms(served: Served, listed: Callable[..., Any],
                                                           tmp_path: Path) -> None:
    _, latin = unique_word()
    entry = listed(f"{latin} Logistics LLP")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Bid No", "Supplier name", "Country", "BIN", "Remarks"])
    sheet.append([17, f"{latin} Logistics LLP", "KZ", 123456789012, "ok"])
    sheet.append([18, None, "KZ", None, "withdrew"])
    book.save(tmp_path / "bidders.xlsx")
    result = screen(served, tmp_path / "bidders.xlsx", "-o", str(tmp_path / "x.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "x.json").read_text())
    assert report["columns"] == {"Bid No": "ref", "Supplier name": "name", "Country": "country",
                                 "BIN": "identifiers:bin"}
    assert report["ignored_columns"] == ["Remarks"] and "ignored columns: 'Remarks'" in result.stderr
    assert [(r["line"], r["ref"], r["screened"]) for r in report["rows"]] == [(2, "17", True), (3, "18", False)]
    assert report["rows"][0]["matches"][0]["entry_id"] == entry["id"]
    lines = tmp_path / "bidders.jsonl"
    lines.write_text(json.dumps({"reference": "j1", "company": f"{latin} Logistics LLP", "aliases": ["X Y"]})
                     + "\n\n" + "[1, 2]\n", encoding="utf-8")
    result = screen(served, lines, "-o", str(tmp_path / "j.json"))
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "j.json").read_text())["rows"]
    assert [(r["line"], r["screened"], r["problem"]) for r in rows] == [(1, True, None),
                                                                      (3, False, "not a JSON object")]


def test_report_cells_never_start_a_formula(served: Served, listed: Callable[..., Any], tmp_path: Path) -> None:
    _, latin = unique_word()
    _, clean = unique_word()
    listed(f"@{latin} Trading LLP")
    bidders = tmp_path / "bidders.csv"
    bidders.write_text("ref,name\n"
                       f'-b1,"=HYPERLINK(""http://evil.example"",""x"") {clean} Foods"\n'
                       f"b2,{latin} Trading LLP\n", encoding="utf-8")
    result = screen(served, bidders, "-o", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    rows = rows_of(tmp_path / "report.csv")
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", row
    assert rows[0]["ref"] == "'-b1" and rows[1]["matched_name"].startswith("'@")


def test_a_server_that_is_down_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bidders = tmp_path / "bidders.csv"
    bidders.write_text("name\nAcme\n", encoding="utf-8")
    # A real process, so that what a person sees is what is checked: no traceback.
    done = subprocess.run([sys.executable, "-m", "service.cli", "screen", str(bidders), "--url",
                           f"http://127.0.0.1:{port}", "--client-id", "dl_x", "--retries", "1",
                           "-o", str(tmp_path / "report.csv")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DEBARLIST_CLIENT_SECRET": "y"}, cwd=Path(__file__).parents[2])
    assert done.returncode == 1
    errors = [line for line in command_lines(done.stderr) if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"the service at http://127.0.0.1:{port} does not answer" in errors[0]
    assert "start it or check --url" in errors[0]
    assert not (tmp_path / "report.csv").exists()


def test_missing_file_and_missing_name_column_are_one_line(served: Served, tmp_path: Path) -> None:
    assert "no such file" in one_line_error(screen(served, tmp_path / "absent.csv"))
    bidders = tmp_path / "bad.csv"
    bidders.write_text("ref,colour\nb1,red\n")
    assert "no column for the bidder's name" in one_line_error(screen(served, bidders))
