"""GET /v1/export/ftm and `debarlist import FILE --format ftm`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.entries.service import CONTENT_FIELDS
from tests.exchange.ftm_check import assert_valid_ftm
from tests.support import Actor, Harness, entry_body


def _cli_reads(url: str, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from service.config import get_settings

    monkeypatch.setenv("DEBARLIST_DATABASE_URL", url)
    monkeypatch.setenv("DEBARLIST_SIGNING_KEY_FILE", str(key_file))
    get_settings.cache_clear()  # the CLI reads the environment set above
    yield
    get_settings.cache_clear()


@pytest.fixture
def cli_env(db_url: str, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`debarlist` commands run on the shared database."""
    yield from _cli_reads(db_url, key_file, monkeypatch)


@pytest.fixture
def own_cli_env(own: Harness, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`debarlist` commands run on the test's own database."""
    yield from _cli_reads(own.settings.database_url, key_file, monkeypatch)


def _export(client: TestClient, who: Actor, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/export/ftm", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def _of(entities: list[dict[str, Any]], organisation: str) -> list[dict[str, Any]]:
    """The entities of one organisation's entries (the export holds every visible entry)."""
    ids = {e["debarlist"]["entry_id"] for e in entities if e.get("debarlist", {}).get("organisation") == organisation}
    return [e for e in entities if any(e["id"].startswith(f"debarlist-{i}") for i in ids)]


def _entries(client: TestClient, who: Actor, organisation: str) -> dict[str, dict[str, Any]]:
    items = client.get("/v1/entries", params={"organisation": organisation, "limit": 500},
                       headers=who.headers).json()["items"]
    return {item["external_ref"]: item for item in items}


def _import(path: Path, org: str) -> dict[str, Any]:
    from service.cli import app as cli

    result = CliRunner().invoke(cli, ["import", str(path), "--format", "ftm", "--org", org, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _bodies() -> list[dict[str, Any]]:
    return [
        entry_body(),
        entry_body(name="Nurlan Abenov", kind="person", aliases=["N. Abenov", "Нурлан Абенов"], country="KZ",
                   identifiers=[{"scheme": "national_id", "value": "KZ-880101"}], listing="flagged",
                   grounds=["trafficking_in_human_beings", "unethical_recruitment"], legal_basis=None,
                   decision_ref="FL-7", decided_on=None, evidence=[{"title": "Inspection note"}],
                   ends_on="2027-01-31", visibility="public"),
        entry_body(name="Dnipro Budmontazh TOV", country="UA", aliases=[],
                   addresses=["12 Naberezhna St, Dnipro", "Kyiv office"],
                   identifiers=[{"scheme": "edrpou", "value": "32855961"},
                                {"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"},
                                {"scheme": "vat", "value": "DE136695976"}],
                   grounds=["fraud", "corruption"], visibility="restricted",
                   source={"publisher": "WBG", "list": "Listing of Ineligible Firms",
                           "originating_institution": "ADB", "url": "https://example.org/wbg/list", "row": 17},
                   evidence=[{"title": "Decision", "url": "https://example.gov/d/117.pdf"},
                             {"title": "Annex", "url": "https://example.gov/"}]),
        entry_body(name="Kosovo Build Sh.p.k.", country="XK", identifiers=[], aliases=[], decided_on=None,
                   grounds=["other"], legal_basis=None, decision_ref=None, evidence=[], visibility="members",
                   starts_on="2030-01-01"),
    ]


def test_export_is_valid_ftm_and_loads_back_unchanged(own: Harness, own_cli_env: None, tmp_path: Path) -> None:
    client, actor = own.client, own.actor
    source = actor("contributor")
    for body in _bodies():
        assert client.post("/v1/entries", json=body, headers=source.headers).status_code == 201
    exported = _of(_export(client, source), source.organisation)
    assert_valid_ftm(exported)
    schemata = sorted(e["schema"] for e in exported)
    assert schemata.count("Sanction") == 3 and schemata.count("Risk") == 1 and schemata.count("Person") == 1
    listing = next(e for e in exported if e["schema"] == "Risk")["properties"]
    assert listing["topics"] == ["debarment"] and listing["reason"] == [
        "Trafficking in human beings", "Unethical recruitment"]
    sanction = next(e for e in exported if e["schema"] == "Sanction"
                    and e["properties"].get("sourceUrl") == ["https://example.org/wbg/list"])["properties"]
    assert sanction["authority"] == [f"Test {source.organisation}"]
    assert sanction["program"] == ["Listing of Ineligible Firms"] and sanction["startDate"] == ["2026-03-15"]
    assert all("debarment" in e["properties"]["topics"] for e in exported if e["schema"] in ("Company", "Person"))

    path = tmp_path / "export.ftm.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in exported), encoding="utf-8")
    target = actor("contributor")
    report = _import(path, target.organisation)
    assert (report["created"], report["rejected"]) == (4, 0), report
    before = _entries(client, source, source.organisation)
    after = _entries(client, target, target.organisation)
    assert before.keys() == after.keys()
    for ref, entry in before.items():
        assert {k: entry[k] for k in CONTENT_FIELDS} == {k: after[ref][k] for k in CONTENT_FIELDS}

    # The re-export says the same about the same entries, and loading it again changes nothing.
    again = _of(_export(client, target), target.organisation)
    assert_valid_ftm(again)
    assert _comparable(again, after) == _comparable(exported, before)
    assert _import(path, target.organisation)["unchanged"] == 4


def _comparable(entities: list[dict[str, Any]], entries: dict[str, dict[str, Any]]) -> list[str]:
    """Entities with the entry ids, organisation and bookkeeping replaced by the external ref."""
    ref_of = {e["id"]: ref for ref, e in entries.items()}
    out = []
    for entity in entities:
        text = json.dumps({k: v for k, v in entity.items() if k != "debarlist"}, sort_keys=True)
        for entry_id, ref in ref_of.items():
            text = text.replace(entry_id, ref)
        out.append(text.replace(json.dumps(next(iter(entries.values()))["organisation"])[1:-1], "ORG"))
    return sorted(out)


def test_export_shows_only_what_the_caller_may_see(own: Harness) -> None:
    client, actor = own.client, own.actor
    owner = actor("contributor")
    hidden = client.post("/v1/entries", json=entry_body(visibility="restricted"), headers=owner.headers).json()
    shown = client.post("/v1/entries", json=entry_body(visibility="members"), headers=owner.headers).json()
    gone = client.post("/v1/entries", json=entry_body(), headers=owner.headers).json()
    assert client.post(f"/v1/entries/{gone['id']}/withdraw", json={"reason": "annulled on appeal"},
                       headers=owner.headers).status_code == 200
    ids = {e["id"] for e in _export(client, actor("screener"))}
    assert f"debarlist-{shown['id']}" in ids
    assert f"debarlist-{hidden['id']}" not in ids and f"debarlist-{gone['id']}" not in ids
    with_withdrawn = _export(client, owner, include_withdrawn="true")
    status = {e["id"]: e["properties"]["status"] for e in with_withdrawn if e["schema"] == "Sanction"}
    assert status[f"debarlist-{gone['id']}-sanction"] == ["withdrawn"]
    assert status[f"debarlist-{hidden['id']}-sanction"] == ["active"]


def test_export_needs_a_reading_role(client: TestClient, actor: Callable[..., Actor]) -> None:
    assert client.get("/v1/export/ftm").status_code == 401
    # The refusal of other roles is covered by the role matrix (tests/auth).
    refused = client.get("/v1/export/ftm", headers={"Authorization": "Bearer nonsense"})
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"


def test_import_of_foreign_ftm(actor: Callable[..., Actor], client: TestClient, cli_env: None,
                               tmp_path: Path) -> None:
    """An FtM file from elsewhere: an Organization with a sanction, a Person without one,
    a dangling sanction, a withdrawn listing and a broken line."""
    lines = [
        {"id": "os-acme", "schema": "Organization",
         "properties": {"name": ["ACME Trading FZE", "Acme Trading"], "country": ["ae"], "leiCode":
                        ["5493001KJTIIGC8Y1R12"], "topics": ["debarment"]}},
        {"id": "os-acme-s", "schema": "Sanction",
         "properties": {"entity": ["os-acme"], "authority": ["Inter-American Development Bank"],
                        "reason": ["Fraud", "bribery"], "startDate": ["2024-07-03"], "endDate": ["2029-07-02"],
                        "sourceUrl": ["https://example.org/idb"], "recordId": ["IDB-2024-17"]}},
        {"id": "os-person", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "nationality": ["ru"]}},
        {"id": "os-dangling", "schema": "Sanction", "properties": {"entity": ["nobody"]}},
        {"id": "os-old", "schema": "Company", "properties": {"name": ["Old Firm"]}},
        {"id": "os-old-s", "schema": "Sanction", "properties": {"entity": ["os-old"], "status": ["withdrawn"]}},
    ]
    path = tmp_path / "foreign.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json\n", encoding="utf-8")
    target = actor("contributor")
    report = _import(path, target.organisation)
    assert (report["created"], report["rejected"]) == (2, 3), report
    assert {row["row"] for row in report["rejected_rows"]} == {4, 5, 7}
    entries = _entries(client, target, target.organisation)
    acme = entries["IDB-2024-17"]
    assert (acme["name"], acme["aliases"], acme["country"]) == ("ACME Trading FZE", ["Acme Trading"], "AE")
    assert acme["grounds"] == ["fraud"] and acme["identifiers"] == [{"scheme": "lei",
                                                                      "value": "5493001KJTIIGC8Y1R12"}]
    assert (acme["starts_on"], acme["ends_on"], acme["source"]["url"]) == ("2024-07-03", "2029-07-02",
                                                                          "https://example.org/idb")
    person = entries["ftm:os-person"]
    assert (person["kind"], person["country"], person["grounds"], person["listing"]) == (
        "person", "RU", ["other"], "debarred")


def test_names_with_line_separators_stay_one_line_each(own: Harness) -> None:
    """U+2028, U+2029 and U+0085 are valid raw in JSON but end a line for str.splitlines and
    many readers: the export writes them escaped, so a listing can never split into two lines."""
    client, actor = own.client, own.actor
    contributor = actor("contributor")
    auditor = actor("auditor", org=contributor.organisation)
    name = "Line\u2028Break\u2029Works\u0085Trading LLP"
    created = client.post("/v1/entries", json=entry_body(name="Separator Works LLP", aliases=[name]),
                          headers=contributor.headers)
    assert created.status_code == 201, created.text
    mine = _of(_export(client, contributor), contributor.organisation)
    assert any(name in e["properties"].get("alias", []) for e in mine), mine
    exported = client.get("/v1/audit/export", params={"organisation": contributor.organisation, "format": "jsonl"},
                          headers=auditor.headers)
    assert exported.status_code == 200, exported.text
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert any(name in json.dumps(r, ensure_ascii=False) for r in records)
