"""The console over real HTTP: sign-in, lockout, cookies, CSRF, roles, organisations, pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.console.conftest import Someone, csrf_of, signed_in
from tests.support import entry_body, unique_word


def test_sign_in_sets_a_session_cookie_that_is_httponly_and_samesite(console_url: str,
                                                                       person: Callable[..., Someone]) -> None:
    who = person("screener")
    client = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
    page = client.get("/console/sign-in")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    answer = client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                   "csrf": csrf_of(page.text), "next": "/console/screen"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/screen"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("debarlist_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # development; production sets it (test below)
    assert client.get("/console/screen").status_code == 200


def test_pages_without_a_session_send_people_to_sign_in_and_api_callers_a_401(console_url: str) -> None:
    browser = httpx.get(f"{console_url}/console/entries?q=x", headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["location"] == "/console/sign-in?next=/console/entries%3Fq%3Dx"
    api = httpx.get(f"{console_url}/console/entries")
    assert api.status_code == 401 and api.headers["content-type"] == "application/problem+json"


def test_repeated_failures_lock_the_account(console_url: str, person: Callable[..., Someone]) -> None:
    who = person("screener")
    client = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
    token = csrf_of(client.get("/console/sign-in").text)
    for _ in range(5):
        wrong = client.post("/console/sign-in", data={"username": who.username, "password": "not it",
                                                      "csrf": token})
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
    # Locked: even the right password is refused now, with the same message.
    right = client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                  "csrf": token})
    assert right.status_code == 401


def test_a_form_without_the_csrf_token_is_refused(console_url: str, person: Callable[..., Someone]) -> None:
    client = signed_in(console_url, person("screener"))
    refused = client.post("/console/screen", data={"names": "Acme LLP"})
    assert refused.status_code == 403 and "security token" in refused.text
    wrong = client.post("/console/screen", data={"names": "Acme LLP", "csrf": "forged"})
    assert wrong.status_code == 403
    ok = client.post("/console/screen", data={"names": "Acme LLP", "csrf": csrf_of(client.get("/console/screen").text)})
    assert ok.status_code == 200 and "No match" in ok.text
    # The sign-in form too: without its double-submit token nobody is signed in (login CSRF).
    fresh = httpx.post(f"{console_url}/console/sign-in", data={"username": "x", "password": "y"},
                       headers={"Accept": "text/html"})
    assert fresh.status_code == 422 and "sign-in form has expired" in fresh.text


def test_roles_decide_which_pages_a_person_may_open(console_url: str, person: Callable[..., Someone]) -> None:
    auditor = signed_in(console_url, person("auditor"))
    assert auditor.get("/console/audit").status_code == 200
    assert auditor.get("/console/audit/verify").status_code == 200
    assert auditor.get("/console/screen").status_code == 403
    screener = signed_in(console_url, person("screener"))
    assert screener.get("/console/audit/verify").status_code == 403
    assert screener.get("/console/people").status_code == 403


def test_another_organisations_session_never_reaches_your_data(harness: Any, console_url: str,
                                                               person: Callable[..., Someone]) -> None:
    mine = person("screener", "contributor", "auditor")
    theirs = person("screener", "contributor")
    _, secret_word = unique_word()
    me = signed_in(console_url, mine)
    screened = me.post("/console/screen", data={"names": f"{secret_word} Holding LLP", "tender_ref": "T-mine",
                                                "csrf": csrf_of(me.get("/console/screen").text)})
    receipt = screened.text.split("/console/receipts/")[1].split('"')[0]
    assert me.get(f"/console/receipts/{receipt}").status_code == 200
    other = signed_in(console_url, theirs)
    refused = other.get(f"/console/receipts/{receipt}")
    assert refused.status_code == 404 and secret_word not in refused.text
    assert other.get(f"/console/receipts/{receipt}/pdf").status_code == 404
    # A restricted entry of my organisation is invisible to theirs.
    body = entry_body(name=f"{secret_word} Restricted LLP", visibility="restricted", aliases=[], identifiers=[])
    actor = harness.actor("contributor", org=mine.organisation)
    created = harness.client.post("/v1/entries", json=body, headers=actor.headers)
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]
    assert me.get(f"/console/entries/{entry_id}").status_code == 200
    assert other.get(f"/console/entries/{entry_id}").status_code == 404
    assert f"{secret_word} Restricted" not in other.get(f"/console/entries?q={secret_word}").text
    assert receipt not in other.get("/console/audit?tender_ref=T-mine").text
    assert receipt in me.get("/console/audit?tender_ref=T-mine").text


def test_an_admin_adds_a_person_who_can_then_sign_in(console_url: str, person: Callable[..., Someone]) -> None:
    admin = person("admin")
    client = signed_in(console_url, admin)
    page = client.get("/console/people")
    added = client.post("/console/people", data={"username": f"{admin.username}-x", "display_name": "New Officer",
                                                 "roles": ["screener"], "csrf": csrf_of(page.text)})
    assert added.status_code == 200, added.text
    password = added.text.split('id="new-password">')[1].split("<")[0]
    newcomer = signed_in(console_url, Someone(f"{admin.username}-x", password, admin.organisation, ("screener",)))
    assert newcomer.get("/console/screen").status_code == 200
    # Another organisation is not the admin's to add people to.
    other = client.post("/console/people", data={"username": f"{admin.username}-y", "display_name": "Y",
                                                 "roles": ["screener"], "organisation": "WBG",
                                                 "csrf": csrf_of(page.text)})
    assert other.status_code == 403


def test_every_console_form_refuses_a_request_without_the_csrf_token(harness: Any, console_url: str,
                                                                     person: Callable[..., Someone]) -> None:
    from service.auth.access import api_routes
    from service.kernel.roles import ORGANISATION_ROLES

    client = signed_in(console_url, person(*(role.value for role in ORGANISATION_ROLES)))
    unsafe = sorted((route.path, method) for route in api_routes(harness.app.routes)
                    if route.path.startswith("/console/") for method in route.methods or ()
                    if method in ("POST", "PUT", "PATCH", "DELETE") and route.path != "/console/sign-in")
    assert len(unsafe) >= 5
    for path, method in unsafe:
        concrete = path.replace("{review_id}", "00000000-0000-0000-0000-000000000000")
        refused = client.request(method, concrete, data={"reason": "x", "names": "Acme"})
        assert refused.status_code == 403 and "security token" in refused.text, (method, path)


def test_the_session_cookie_is_secure_in_production(harness: Any, person: Callable[..., Someone]) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app

    who = person("screener")
    app = create_app(harness.settings.model_copy(update={"env": "production", "monitoring_interval_seconds": 0}))
    with TestClient(app, base_url="https://testserver", headers={"Accept": "text/html"}) as client:
        page = client.get("/console/sign-in")
        assert "Secure" in page.headers["set-cookie"]
        answer = client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                       "csrf": csrf_of(page.text)}, follow_redirects=False)
        assert answer.status_code == 303
        cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("debarlist_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    app.state.engine.dispose()


def test_pages_speak_russian_by_the_browsers_language_or_the_switch(console_url: str,
                                                                     person: Callable[..., Someone]) -> None:
    client = signed_in(console_url, person("screener"))
    assert "Screen bidders" in client.get("/console/screen").text
    russian = client.get("/console/screen", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert '<html lang="ru">' in russian.text and "Проверка участников" in russian.text
    assert "Проверка" not in client.get("/console/screen", headers={"Accept-Language": "de, en;q=0.5"}).text
    switched = client.get("/console/language", params={"to": "ru", "next": "/console/screen"})
    assert switched.status_code == 303 and switched.headers["location"] == "/console/screen"
    assert "Проверка участников" in client.get("/console/screen").text  # the cookie, whatever the browser says
    client.get("/console/language", params={"to": "en", "next": "https://evil.example/"})
    assert "Screen bidders" in client.get("/console/screen", headers={"Accept-Language": "ru"}).text
    assert client.get("/console/language", params={"to": "xx"}).status_code == 422
    assert httpx.get(f"{console_url}/console/language", params={"to": "ru", "next": "//evil.example"},
                     follow_redirects=False).headers["location"] == "/console/"


def test_a_screener_decides_a_match_on_the_receipt_and_another_organisation_cannot(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    contributor = harness.actor("contributor")
    entry = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Cement LLP", aliases=[],
                                                               identifiers=[]), headers=contributor.headers)
    assert entry.status_code == 201, entry.text
    officer = signed_in(console_url, person("screener"))
    screened = officer.post("/console/screen", data={"names": f"{latin} Cement LLP",
                                                     "csrf": csrf_of(officer.get("/console/screen").text)})
    receipt = screened.text.split("/console/receipts/")[1].split('"')[0]
    page = officer.get(f"/console/receipts/{receipt}")
    assert 'class="decide"' in page.text
    decision = {"ref": "line-1", "entry_id": entry.json()["id"], "csrf": csrf_of(page.text)}
    unreasoned = officer.post(f"/console/receipts/{receipt}/decisions", data={**decision, "decision": "false_positive"})
    assert unreasoned.status_code == 422 and "needs its reason" in unreasoned.text
    done = officer.post(f"/console/receipts/{receipt}/decisions",
                        data={**decision, "decision": "false_positive", "note": "Other BIN, other city"})
    assert done.status_code == 303
    shown = officer.get(done.headers["location"]).text
    assert "Decision recorded." in shown and "false positive</strong> — Other BIN, other city" in shown
    outsider = signed_in(console_url, person("screener"))
    form = csrf_of(outsider.get("/console/screen").text)
    refused = outsider.post(f"/console/receipts/{receipt}/decisions",
                            data={**decision, "csrf": form, "decision": "confirmed", "note": "mine"})
    assert refused.status_code == 404


def test_an_auditor_issues_and_downloads_a_checkpoint_that_the_api_verifies(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    auditor = signed_in(console_url, person("auditor"))
    page = auditor.get("/console/audit/verify")
    assert page.status_code == 200 and "The chain verifies" in page.text
    issued = auditor.post("/console/audit/checkpoints", data={"csrf": csrf_of(page.text)})
    assert issued.status_code == 200 and issued.headers["content-type"] == "application/jose"
    assert issued.headers["content-disposition"].startswith('attachment; filename="debarlist-checkpoint-')
    api_auditor = harness.actor("auditor")
    verified = httpx.get(f"{console_url}/v1/audit/verify", params={"checkpoint": issued.text.strip()},
                         headers=api_auditor.headers, timeout=60)
    assert verified.status_code == 200 and verified.json()["ok"] is True
    assert verified.json()["checkpoint_seq"] is not None


def test_a_contributor_creates_an_entry_with_messages_beside_the_wrong_fields(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    contributor = signed_in(console_url, person("contributor", org=harness.new_org(requires_review=True)))
    form = contributor.get("/console/entries/new")
    assert form.status_code == 200
    token = csrf_of(form.text)
    wrong = contributor.post("/console/entries/new", data={
        "csrf": token, "name": f"{latin} Build LLP", "country": "XX", "identifiers": "bin", "listing": "debarred"})
    assert wrong.status_code == 422
    assert 'id="identifiers-error"' in wrong.text and "not &#39;scheme:value&#39;" in wrong.text
    assert f'value="{latin} Build LLP"' in wrong.text  # what was typed is kept
    wrong = contributor.post("/console/entries/new", data={"csrf": token, "name": f"{latin} Build LLP",
                                                           "country": "XX", "listing": "debarred"})
    assert 'id="country-error"' in wrong.text and 'id="grounds-error"' in wrong.text
    created = contributor.post("/console/entries/new", data={
        "csrf": token, "name": f"{latin} Build LLP", "country": "KZ", "grounds": ["fraud", "collusion"],
        "listing": "debarred", "legal_basis": "Public Procurement Act, art. 12", "decision_ref": "MF-1",
        "decided_on": "2026-03-02", "starts_on": "2026-03-15", "visibility": "members",
        "identifiers": "bin:123456789012"})
    assert created.status_code == 303, created.text
    page = contributor.get(created.headers["location"])
    assert "awaits review by a second person" in page.text and "pending" in page.text
    # Recorded by the entries service itself: the API shows the same entry, by the person.
    entry_id = created.headers["location"].split("/")[-1].split("?")[0]
    api = harness.actor("auditor")
    shown = httpx.get(f"{console_url}/v1/entries/{entry_id}/revisions", headers=api.headers)
    assert shown.status_code == 200 and shown.json()[0]["recorded_by"].startswith("person:")


def test_a_screener_watches_a_supplier_and_acknowledges_the_alert_a_listing_raises(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    from service.monitoring.runner import run_once

    _, latin = unique_word()
    officer = signed_in(console_url, person("screener"))
    page = officer.get("/console/monitoring")
    added = officer.post("/console/monitoring/watch", data={"csrf": csrf_of(page.text), "ref": "sup-1",
                                                            "name": f"{latin} Roads LLP", "contract_ref": "C-1"})
    assert added.status_code == 303, added.text
    assert f"{latin} Roads LLP" in officer.get("/console/monitoring").text
    contributor = harness.actor("contributor")
    listed = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Roads LLP", aliases=[],
                                                                identifiers=[]), headers=contributor.headers)
    assert listed.status_code == 201, listed.text
    run_once(harness.app.state.session_factory, harness.app.state.lists)  # the monitoring loop's one run
    page = officer.get("/console/monitoring?status=new")
    assert "match appeared" in page.text and "Acknowledge" in page.text
    alert_id = page.text.split("/console/alerts/")[1].split("/")[0]
    done = officer.post(f"/console/alerts/{alert_id}/acknowledge", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    assert alert_id not in officer.get("/console/monitoring?status=new").text
    page = officer.get("/console/monitoring?status=")
    unreasoned = officer.post(f"/console/alerts/{alert_id}/decision",
                              data={"csrf": csrf_of(page.text), "decision": "false_positive"})
    assert unreasoned.status_code == 422 and "needs its reason" in unreasoned.text
    decided = officer.post(f"/console/alerts/{alert_id}/decision",
                           data={"csrf": csrf_of(page.text), "decision": "false_positive", "note": "Other BIN"})
    assert decided.status_code == 303, decided.text
    audit = harness.actor("auditor")
    records = httpx.get(f"{console_url}/v1/audit", params={"action": "match.decide", "order": "desc"},
                        headers=audit.headers).json()["items"]
    assert any("Other BIN" in str(record["details"]) for record in records)  # audited by the service
    assert alert_id not in signed_in(console_url, person("screener")).get("/console/monitoring?status=").text


def test_the_listing_organisation_records_an_appeal_and_its_outcome_on_the_entry(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    api = harness.actor("contributor", org=org)
    entry = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Appeal LLP"), headers=api.headers)
    assert entry.status_code == 201, entry.text
    entry_id = entry.json()["id"]
    contributor = signed_in(console_url, person("contributor", org=org))
    page = contributor.get(f"/console/entries/{entry_id}")
    lodged = contributor.post(f"/console/entries/{entry_id}/appeals",
                              data={"csrf": csrf_of(page.text), "lodged_on": "2026-04-02", "reference": "PAB-1"})
    assert lodged.status_code == 303, lodged.text
    page = contributor.get(f"/console/entries/{entry_id}")
    assert "PAB-1" in page.text and "lodged" in page.text
    appeal_id = page.text.split("/console/appeals/")[1].split("/")[0]
    unreferenced = contributor.post(f"/console/appeals/{appeal_id}/steps", data={
        "csrf": csrf_of(page.text), "entry_id": entry_id, "step": "upheld", "date": "2026-06-15"})
    assert unreferenced.status_code == 422 and "decision_ref" in unreferenced.text
    upheld = contributor.post(f"/console/appeals/{appeal_id}/steps", data={
        "csrf": csrf_of(page.text), "entry_id": entry_id, "step": "upheld", "date": "2026-06-15",
        "decision_ref": "PAB-1-D"})
    assert upheld.status_code == 303, upheld.text
    assert 'class="appeal-status">upheld' in contributor.get(f"/console/entries/{entry_id}").text
    # Another organisation's contributor reads the entry, sees no form, and is refused if it posts.
    outsider = signed_in(console_url, person("contributor"))
    other_page = outsider.get(f"/console/entries/{entry_id}")
    assert "Record the appeal" not in other_page.text
    refused = outsider.post(f"/console/entries/{entry_id}/appeals",
                            data={"csrf": csrf_of(other_page.text), "lodged_on": "2026-04-03"})
    assert refused.status_code in (403, 404)


def test_a_person_turns_on_two_step_sign_in_and_then_needs_a_fresh_code(
        console_url: str, person: Callable[..., Someone]) -> None:
    import time

    import pyotp

    who = person("screener")
    client = signed_in(console_url, who)
    page = client.get("/console/account")
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    wrong = client.post("/console/account/totp", data={"csrf": csrf_of(page.text), "secret": secret, "code": "000000"})
    assert wrong.status_code == 422
    code = pyotp.TOTP(secret).now()
    assert client.post("/console/account/totp", data={"csrf": csrf_of(page.text), "secret": secret,
                                                      "code": code}).status_code == 303
    assert "On: signing in asks" in client.get("/console/account").text

    def attempt(code: str) -> httpx.Response:
        browser = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
        form = browser.get("/console/sign-in")
        return browser.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                      "code": code, "csrf": csrf_of(form.text)})

    assert attempt("").status_code == 401  # the password alone no longer signs in
    # The code used to turn it on was spent: a later step's code is needed. The server takes the
    # next step's code too (clock drift), so the test need not wait up to 30 s for a fresh one.
    assert attempt(code).status_code == 401
    totp = pyotp.TOTP(secret)
    assert attempt(totp.at(time.time() + totp.interval)).status_code == 303


def test_the_listing_organisation_changes_an_entry_and_a_stale_form_is_refused(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    api = harness.actor("contributor", org=org)
    created = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Edit LLP"), headers=api.headers)
    entry_id = created.json()["id"]
    contributor = signed_in(console_url, person("contributor", org=org))
    form = contributor.get(f"/console/entries/{entry_id}/edit")
    assert form.status_code == 200 and f'value="{latin} Edit LLP"' in form.text
    values = {"csrf": csrf_of(form.text), "version_tag": form.text.split('name="version_tag" value="')[1].split('"')[0],
              "kind": "company", "name": f"{latin} Edit LLP", "country": "KZ", "listing": "debarred",
              "grounds": ["forced_labour"], "legal_basis": "Public Procurement Act, art. 12",
              "decision_ref": "MF-2026/117", "decided_on": "2026-03-02", "starts_on": "2026-03-15",
              "visibility": "members", "external_ref": created.json()["external_ref"],
              "aliases": "Alatau Stroy LLP", "identifiers": "bin:123456789012"}
    changed = contributor.post(f"/console/entries/{entry_id}/edit", data={**values, "ends_on": "2029-03-14"})
    assert changed.status_code == 303, changed.text
    page = contributor.get(changed.headers["location"]).text
    assert "Entry changed." in page and "<ins>2029-03-14</ins>" in page  # the history shows the difference
    stale = contributor.post(f"/console/entries/{entry_id}/edit", data={**values, "ends_on": "2030-01-01"})
    assert stale.status_code == 422 and "someone changed this entry" in stale.text
    outsider = signed_in(console_url, person("contributor"))
    assert outsider.get(f"/console/entries/{entry_id}/edit").status_code == 403
    refused = outsider.post(f"/console/entries/{entry_id}/edit", data={**values, "ends_on": "2031-01-01",
                                                                       "csrf": csrf_of(outsider.get("/console/").text)})
    assert refused.status_code in (403, 422)
    assert "2031-01-01" not in contributor.get(f"/console/entries/{entry_id}").text


def test_the_listing_organisation_withdraws_an_entry_with_its_reason(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    api = harness.actor("contributor", org=org)
    entry_id = harness.client.post("/v1/entries", json=entry_body(name=f"{latin} Withdrawn LLP"),
                                   headers=api.headers).json()["id"]
    contributor = signed_in(console_url, person("contributor", org=org))
    page = contributor.get(f"/console/entries/{entry_id}")
    short = contributor.post(f"/console/entries/{entry_id}/withdraw",
                             data={"csrf": csrf_of(page.text), "reason": "x", "version": "1"})
    assert short.status_code == 422
    done = contributor.post(f"/console/entries/{entry_id}/withdraw",
                            data={"csrf": csrf_of(page.text), "reason": "Decision annulled on appeal", "version": "1"})
    assert done.status_code == 303, done.text
    shown = contributor.get(f"/console/entries/{entry_id}").text
    assert "entry.withdraw" in shown and "Withdraw the entry" not in shown
    again = contributor.post(f"/console/entries/{entry_id}/withdraw",
                             data={"csrf": csrf_of(page.text), "reason": "Decision annulled on appeal", "version": "1"})
    assert again.status_code in (409, 412)
