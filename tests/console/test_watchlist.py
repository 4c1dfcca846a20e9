"""Changing and removing watched suppliers in the console, over real HTTP: the watchlist
service's own rules (screened again at once, audited), messages beside the fields, the CSRF
token, and another organisation's watch as absent as one that never existed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx

from tests.console.conftest import Someone, csrf_of, signed_in
from tests.support import entry_body, unique_word


def _watch(harness: Any, screener: Any, **fields: Any) -> dict[str, Any]:
    made = harness.client.post("/v1/watchlist", json=fields, headers=screener.headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_screener_changes_a_watched_supplier_and_it_is_screened_again(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    api = harness.actor("screener", "auditor", org=org)
    listed = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Bridges LLP", aliases=[],
                                                                identifiers=[]),
                                 headers=harness.actor("contributor").headers)
    assert listed.status_code == 201, listed.text
    _, other = unique_word()
    bin_number = f"{secrets.randbelow(10**12):012d}"  # no entry of the shared test list carries it
    watch = _watch(harness, api, ref="sup-9", name=f"{other} Bakery LLP", country="KZ",
                   identifiers=[{"scheme": "bin", "value": bin_number}], contract_ref="C-9")
    assert watch["matches"] == []
    officer = signed_in(console_url, person("screener", org=org))
    page = officer.get("/console/monitoring")
    assert f"/console/monitoring/watch/{watch['id']}/edit" in page.text
    form = officer.get(f"/console/monitoring/watch/{watch['id']}/edit")
    assert form.status_code == 200 and f'value="{other} Bakery LLP"' in form.text and 'value="C-9"' in form.text
    values = {"csrf": csrf_of(form.text), "name": f"{other} Bakery LLP", "aliases": f"{latin} Bridges LLP\nUB",
              "country": "KZ", "contract_ref": "C-9/2", "watch_until": "2029-12-31"}
    # Without the form's token nothing changes.
    assert officer.post(f"/console/monitoring/watch/{watch['id']}/edit",
                        data={**values, "csrf": ""}).status_code == 403
    changed = officer.post(f"/console/monitoring/watch/{watch['id']}/edit", data=values)
    assert changed.status_code == 303, changed.text
    shown = officer.get(changed.headers["location"])
    assert "Watched supplier changed" in shown.text and "C-9/2" in shown.text and "2029-12-31" in shown.text
    # Through the watchlist service: the API reads the change, the new alias matched, the rest kept.
    after = harness.client.get(f"/v1/watchlist/{watch['id']}", headers=api.headers).json()
    assert after["aliases"] == [f"{latin} Bridges LLP", "UB"] and after["contract_ref"] == "C-9/2"
    assert after["watch_until"] == "2029-12-31" and after["ref"] == "sup-9"
    assert after["identifiers"] == [{"scheme": "bin", "value": bin_number}]
    assert [m["entry_id"] for m in after["matches"]] == [listed.json()["id"]]
    audit = harness.client.get("/v1/audit", params={"action": "watchlist.update", "target_id": watch["id"]},
                               headers=api.headers).json()["items"]
    assert len(audit) == 1 and audit[0]["actor"].startswith("person:")
    assert audit[0]["details"]["contract_ref"] == "C-9/2"


def test_wrong_fields_get_their_message_beside_them_and_nothing_changes(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    org = harness.new_org()
    api = harness.actor("screener", org=org)
    watch = _watch(harness, api, ref="sup-1", name="Steady Supplies LLP")
    officer = signed_in(console_url, person("screener", org=org))
    form = officer.get(f"/console/monitoring/watch/{watch['id']}/edit")
    wrong = officer.post(f"/console/monitoring/watch/{watch['id']}/edit", data={
        "csrf": csrf_of(form.text), "name": "Steady Supplies LLP", "country": "Atlantis", "watch_until": "soon"})
    assert wrong.status_code == 422
    assert 'id="country-error"' in wrong.text and 'id="watch_until-error"' in wrong.text
    assert 'value="Atlantis"' in wrong.text  # what was typed is kept
    unnamed = officer.post(f"/console/monitoring/watch/{watch['id']}/edit", data={
        "csrf": csrf_of(form.text), "name": "  "})
    assert unnamed.status_code == 422 and 'id="name-error"' in unnamed.text
    after = harness.client.get(f"/v1/watchlist/{watch['id']}", headers=api.headers).json()
    assert after["name"] == "Steady Supplies LLP" and after["country"] is None and after["watch_until"] is None


def test_a_screener_stops_watching_a_supplier(harness: Any, console_url: str,
                                              person: Callable[..., Someone]) -> None:
    org = harness.new_org()
    api = harness.actor("screener", "auditor", org=org)
    watch = _watch(harness, api, ref="sup-2", name="Passing Supplies LLP")
    officer = signed_in(console_url, person("screener", org=org))
    page = officer.get("/console/monitoring")
    assert officer.post(f"/console/monitoring/watch/{watch['id']}/remove", data={}).status_code == 403
    removed = officer.post(f"/console/monitoring/watch/{watch['id']}/remove", data={"csrf": csrf_of(page.text)})
    assert removed.status_code == 303, removed.text
    shown = officer.get(removed.headers["location"])
    assert "no longer watched" in shown.text and "Passing Supplies LLP" not in shown.text
    assert harness.client.get(f"/v1/watchlist/{watch['id']}", headers=api.headers).status_code == 404
    audit = harness.client.get("/v1/audit", params={"action": "watchlist.remove", "target_id": watch["id"]},
                               headers=api.headers).json()["items"]
    assert len(audit) == 1 and audit[0]["actor"].startswith("person:")
    again = officer.post(f"/console/monitoring/watch/{watch['id']}/remove", data={"csrf": csrf_of(page.text)})
    assert again.status_code == 404


def test_another_organisations_watch_is_not_found_and_other_roles_are_refused(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    org = harness.new_org()
    api = harness.actor("screener", org=org)
    watch = _watch(harness, api, ref="sup-3", name="Private Supplies LLP", contract_ref="C-secret")
    outsider = signed_in(console_url, person("screener"))
    token = csrf_of(outsider.get("/console/monitoring").text)
    form = outsider.get(f"/console/monitoring/watch/{watch['id']}/edit")
    assert form.status_code == 404 and "C-secret" not in form.text
    changed = outsider.post(f"/console/monitoring/watch/{watch['id']}/edit",
                            data={"csrf": token, "name": "Taken Over LLP"})
    assert changed.status_code == 404
    assert outsider.post(f"/console/monitoring/watch/{watch['id']}/remove", data={"csrf": token}).status_code == 404
    contributor = signed_in(console_url, person("contributor", "auditor", org=org))
    assert contributor.get(f"/console/monitoring/watch/{watch['id']}/edit").status_code == 403
    refused = contributor.post(f"/console/monitoring/watch/{watch['id']}/remove",
                               data={"csrf": csrf_of(contributor.get("/console/").text)})
    assert refused.status_code == 403
    kept = harness.client.get(f"/v1/watchlist/{watch['id']}", headers=api.headers).json()
    assert kept["name"] == "Private Supplies LLP"
    # A bearer client of the organisation reaches the same route without a cookie (no CSRF needed).
    bearer = httpx.post(f"{console_url}/console/monitoring/watch/{watch['id']}/remove", headers=api.headers)
    assert bearer.status_code == 303
