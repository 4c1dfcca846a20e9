"""``debarlist screen BIDDERS.csv`` against a live server."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from tests.support import Actor, entry_body, live_server, unique_word


def test_screen_a_bidder_list_to_csv_and_json(harness: Any, client: TestClient, actor: Callable[..., Actor],
                                              tmp_path: Path) -> None:
    contributor = actor("contributor")
    cyrillic, latin = unique_word()
    _, absent = unique_word()
    listed = client.post("/v1/entries", json=entry_body(name=f"ТОО «{cyrillic} Бетон Холдинг»", aliases=[],
                                                        identifiers=[]), headers=contributor.headers).json()
    screener = actor("screener")
    bidders = tmp_path / "bidders.csv"
    bidders.write_text("ref,name,country,aliases,identifiers\n"
                       f"b1,{latin} Beton Holding LLP,KZ,,\n"
                       f"b2,{absent} Fisheries Cooperative,KZ,{absent} Fish;{absent} Balyk,registration:KZ-55 12\n",
                       encoding="utf-8")
    runner = CliRunner()
    with live_server(harness.app) as url:
        env = {"DEBARLIST_CLIENT_SECRET": screener.client_secret}
        as_csv = runner.invoke(cli, ["screen", str(bidders), "--url", url, "--client-id", screener.client_id,
                                     "--output", str(tmp_path / "report.csv"), "--tender-ref", "T-9"], env=env)
        assert as_csv.exit_code == 0, as_csv.output
        as_json = runner.invoke(cli, ["screen", str(bidders), "--url", url, "--client-id", screener.client_id,
                                      "--output", str(tmp_path / "report.json")], env=env)
        assert as_json.exit_code == 0, as_json.output
        refused = runner.invoke(cli, ["screen", str(bidders), "--url", url, "--client-id", screener.client_id],
                                env={"DEBARLIST_CLIENT_SECRET": "wrong"})
        assert refused.exit_code == 1
    rows = list(csv.DictReader((tmp_path / "report.csv").open(encoding="utf-8")))
    assert [r["entry_id"] for r in rows if r["ref"] == "b1"] == [listed["id"]]
    assert [r["entry_id"] for r in rows if r["ref"] == "b2"] == [""]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["screenings"][0]["results"][0]["matches"][0]["entry_id"] == listed["id"]


def test_bidder_file_without_name_column_is_refused(tmp_path: Path) -> None:
    bidders = tmp_path / "bad.csv"
    bidders.write_text("ref,company\nb1,Acme\n")
    result = CliRunner().invoke(cli, ["screen", str(bidders), "--client-id", "x"],
                                env={"DEBARLIST_CLIENT_SECRET": "y"})
    assert result.exit_code == 1
    assert "name" in result.output


def test_report_cells_never_start_a_formula_and_duplicate_refs_stay_apart(
        harness: Any, client: TestClient, actor: Callable[..., Actor], tmp_path: Path) -> None:
    contributor = actor("contributor")
    _, latin = unique_word()
    _, clean = unique_word()
    listed = client.post("/v1/entries", json=entry_body(name=f"@{latin} Trading LLP", aliases=[],
                                                        identifiers=[]), headers=contributor.headers)
    assert listed.status_code == 201, listed.text
    screener = actor("screener")
    bidders = tmp_path / "bidders.csv"
    bidders.write_text("ref,name,country,aliases,identifiers\n"
                       f'-b1,"=HYPERLINK(""http://evil.example"",""x"") {clean} Foods",KZ,,\n'
                       f"b2,{clean} Bakery,KZ,,\n"
                       f"b2,{latin} Trading LLP,KZ,,\n", encoding="utf-8")
    with live_server(harness.app) as url:
        result = CliRunner().invoke(cli, ["screen", str(bidders), "--url", url, "--client-id", screener.client_id,
                                          "--output", str(tmp_path / "report.csv")],
                                    env={"DEBARLIST_CLIENT_SECRET": screener.client_secret})
    assert result.exit_code == 0, result.output
    with (tmp_path / "report.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", row
    assert rows[0]["ref"] == "'-b1" and rows[0]["name"].startswith("'=HYPERLINK")
    # The two b2 bidders keep their own results: the clean bakery has no match, the listed firm one.
    b2 = [row for row in rows if row["ref"] == "b2"]
    assert [(row["name"], bool(row["entry_id"])) for row in b2] == [
        (f"{clean} Bakery", False), (f"{latin} Trading LLP", True)]
    assert b2[1]["matched_name"].startswith("'@")
