"""Importing a JSON-lines file of entries in the console, over real HTTP: the bulk service of
POST /v1/entries/bulk, a report line by line (created, updated, unchanged, refused and why)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from tests.console.conftest import Someone, csrf_of, report_rows, signed_in
from tests.support import entry_body, unique_word


def _upload(client: httpx.Client, content: bytes, name: str = "entries.jsonl") -> httpx.Response:
    token = csrf_of(client.get("/console/entries/import").text)
    return client.post("/console/entries/import", data={"csrf": token},
                       files={"entries": (name, content, "application/x-ndjson")})


def test_a_contributor_imports_a_file_and_gets_a_report_for_every_line(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    api = harness.actor("contributor", org=org)
    existing = entry_body(name=f"{latin} Existing LLP", external_ref="imp-existing")
    assert harness.client.post("/v1/entries", json=existing, headers=api.headers).status_code == 201
    same = entry_body(name=f"{latin} Same LLP", external_ref="imp-same")
    assert harness.client.post("/v1/entries", json=same, headers=api.headers).status_code == 201
    lines = [
        # A line separator inside a name is part of the JSON string, not the end of the line.
        json.dumps(entry_body(name=f"{latin} New LLP", external_ref="imp-new", legal_basis="Act,\u2028art. 12"),
                   ensure_ascii=False),
        json.dumps({**existing, "ends_on": "2029-03-14"}),
        "",  # blank lines are skipped, and still counted
        json.dumps(same),
        json.dumps(entry_body(name=f"{latin} Bad LLP", external_ref="imp-bad", country="XX")),
        '{"name": "broken',
        '["an", "array"]',
        '{"external_ref": "imp-dup", "external_ref": "imp-dup2", "name": "Twice"}',
        json.dumps({**entry_body(name=f"{latin} No Ref LLP"), "external_ref": None}),
    ]
    contributor = signed_in(console_url, person("contributor", org=org))
    page = contributor.get("/console/entries/import")
    assert page.status_code == 200 and 'type="file"' in page.text
    assert "/console/entries/import" in contributor.get("/console/entries").text
    assert "Импорт записей" in contributor.get("/console/entries/import", headers={"Accept-Language": "ru"}).text
    done = _upload(contributor, ("\n".join(lines) + "\n").encode())
    assert done.status_code == 200, done.text
    assert "9 lines" not in done.text and "8 lines: 1 created, 1 updated, 1 unchanged, 5 refused." in done.text
    rows = report_rows(done.text)
    assert [(line, result) for line, _, result in rows] == [
        ("1", "created"), ("2", "updated"), ("4", "unchanged"), ("5", "refused"), ("6", "refused"),
        ("7", "refused"), ("8", "refused"), ("9", "refused")]
    assert rows[0][1] == "imp-new" and rows[3][1] == "imp-bad"
    report = done.text
    assert "country" in report.split("imp-bad")[1].split("</tr>")[0]  # the reason names the field
    assert "not JSON" in report and "not a JSON object" in report and "duplicate key" in report
    assert "external_ref is required" in report
    # Written by the bulk service: the API reads the new entry and the change, by the person.
    listed = harness.client.get("/v1/entries", params={"organisation": org, "q": latin, "limit": 50},
                                headers=harness.actor("auditor").headers).json()["items"]
    by_ref = {item["external_ref"]: item for item in listed}
    assert set(by_ref) == {"imp-new", "imp-existing", "imp-same"}
    assert by_ref["imp-existing"]["ends_on"] == "2029-03-14" and by_ref["imp-existing"]["version"] == 2
    revisions = harness.client.get(f"/v1/entries/{by_ref['imp-new']['id']}/revisions",
                                   headers=harness.actor("auditor").headers).json()
    assert revisions[0]["recorded_by"].startswith("person:")
    # The same file again changes nothing.
    again = _upload(contributor, ("\n".join(lines[:4]) + "\n").encode())
    assert "3 lines: 0 created, 0 updated, 3 unchanged, 0 refused." in again.text


def test_a_four_eyes_organisations_import_waits_for_review(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    contributor = signed_in(console_url, person("contributor", org=harness.new_org(requires_review=True)))
    done = _upload(contributor, json.dumps(entry_body(name=f"{latin} Pending LLP")).encode())
    assert done.status_code == 200 and "1 lines: 1 created" in done.text
    assert "await review by a second person" in done.text


def test_a_file_that_cannot_be_read_gets_its_message_beside_the_field(
        console_url: str, person: Callable[..., Someone]) -> None:
    contributor = signed_in(console_url, person("contributor"))
    for content, words in ((b"\xff\xfe\x00 not utf-8", "not UTF-8"), (b"\n\n  \n", "no entries")):
        refused = _upload(contributor, content)
        assert refused.status_code == 422 and 'id="entries-error"' in refused.text and words in refused.text
    token = csrf_of(contributor.get("/console/entries/import").text)
    empty = contributor.post("/console/entries/import", data={"csrf": token})
    assert empty.status_code == 422 and 'id="entries-error"' in empty.text
    assert _upload(contributor, b"{}").status_code == 200  # one line, refused with its reason


def test_only_contributors_import_and_the_form_needs_its_token(
        console_url: str, person: Callable[..., Someone]) -> None:
    screener = signed_in(console_url, person("screener", "auditor", "reviewer"))
    assert screener.get("/console/entries/import").status_code == 403
    token = csrf_of(screener.get("/console/entries").text)
    refused = screener.post("/console/entries/import", data={"csrf": token},
                            files={"entries": ("e.jsonl", json.dumps(entry_body()).encode(), "application/json")})
    assert refused.status_code == 403
    contributor = signed_in(console_url, person("contributor"))
    forged = contributor.post("/console/entries/import", files={
        "entries": ("e.jsonl", json.dumps(entry_body()).encode(), "application/json")})
    assert forged.status_code == 403 and "security token" in forged.text
