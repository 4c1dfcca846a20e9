"""History and replay: screening at a past record time (known_at), and a stored screening
re-run against the list as it was then and as it is now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from service.screening.models import Screening
from tests.kit import Kit, unique_name
from tests.support import Actor


def _screenings(kit: Kit) -> int:
    with kit.harness.app.state.session_factory() as session:
        return int(session.execute(select(func.count()).select_from(Screening)).scalar_one())


def test_replay_after_overturn_shows_the_original_match_and_todays_absence(
        kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, recogniser = actor("contributor"), actor("contributor")
    screener = actor("screener")
    name = unique_name()
    entry = kit.entry(contributor, name=name, starts_on="2026-01-01")
    recognition = kit.client.post(f"/v1/entries/{entry['id']}/recognitions", headers=recogniser.headers, json={
        "decision_ref": "R-1", "legal_basis": "Mutual enforcement", "starts_on": "2026-01-01"}).json()
    screening = kit.screen(screener, name, tender_ref="T-REPLAY")
    assert entry["id"] in [m["entry_id"] for m in screening["results"][0]["matches"]]

    appeal = kit.client.post(f"/v1/entries/{entry['id']}/appeals", json={"lodged_on": "2026-02-01"},
                             headers=contributor.headers).json()
    overturned = kit.client.post(f"/v1/appeals/{appeal['id']}/steps", headers=contributor.headers, json={
        "step": "overturned", "date": "2026-03-01", "decision_ref": "PAB-2026/50-D"})
    assert overturned.status_code == 200
    kit.client.post(f"/v1/recognitions/{recognition['id']}/withdraw", json={"reason": "entry overturned"},
                    headers=recogniser.headers)
    receipts = _screenings(kit)

    replayed = kit.client.post(f"/v1/screenings/{screening['screening_id']}/replay", headers=screener.headers)
    assert replayed.status_code == 200, replayed.text
    body = replayed.json()
    then = {m["entry_id"]: m for m in body["then"]["results"][0]["matches"]}
    assert entry["id"] in then
    assert then[entry["id"]]["entry"]["appeal_status"] == "none"
    assert [r["organisation"] for r in then[entry["id"]]["entry"]["recognised_by"]] == [recogniser.organisation]
    assert body["then"]["list_revision"] == screening["list_revision"]
    assert body["then"]["as_of"] == screening["as_of"]
    assert entry["id"] not in [m["entry_id"] for m in body["now"]["results"][0]["matches"]]
    assert body["changes"] == [{"ref": "bid", "added": [], "removed": [entry["id"]], "changed": []}]

    assert _screenings(kit) == receipts  # read-only: no new receipt
    records = kit.audit("screening.replay", screening["screening_id"])
    assert len(records) == 1 and records[0].tender_ref == "T-REPLAY"
    assert records[0].details["changes"][0]["removed"] == [entry["id"]]


def test_known_at_reads_the_list_as_it_was_known(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    old_name, new_name = unique_name(), unique_name()
    before_listing = datetime.now(UTC) - timedelta(seconds=1)
    entry = kit.entry(contributor, name=old_name)
    known = datetime.now(UTC)
    patched = kit.client.patch(f"/v1/entries/{entry['id']}", json={"name": new_name},
                               headers={**contributor.headers, "If-Match": "*"})
    assert patched.status_code == 200

    assert entry["id"] in kit.matches(screener, new_name)
    assert entry["id"] not in kit.matches(screener, old_name)
    then = kit.screen(screener, old_name, known_at=known.isoformat())
    assert entry["id"] in [m["entry_id"] for m in then["results"][0]["matches"]]
    assert then["known_at"] is not None
    assert entry["id"] not in kit.matches(screener, new_name, known_at=known.isoformat())
    assert entry["id"] not in kit.matches(screener, old_name, known_at=before_listing.isoformat())
    # The receipt keeps the record time asked, and replays against it.
    receipt = kit.get(screener, f"/v1/screenings/{then['screening_id']}")
    assert receipt["known_at"] is not None
    replayed = kit.client.post(f"/v1/screenings/{then['screening_id']}/replay", headers=screener.headers).json()
    assert replayed["changes"][0]["removed"] == [entry["id"]]


def test_pending_versions_never_match_in_the_past_either(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer, screener = actor("contributor", org=org), actor("reviewer", org=org), actor("screener")
    name = unique_name()
    entry = kit.entry(author, name=name)
    while_pending = datetime.now(UTC)
    kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers)
    assert entry["id"] not in kit.matches(screener, name, known_at=while_pending.isoformat())
    assert entry["id"] in kit.matches(screener, name, known_at=datetime.now(UTC).isoformat())


def test_expiry_is_derived_from_the_dates(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    name = unique_name()
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    entry = kit.entry(contributor, name=name, starts_on="2020-01-01", ends_on=yesterday.isoformat())
    assert entry["id"] in kit.matches(screener, name, as_of=yesterday.isoformat())
    assert entry["id"] not in kit.matches(screener, name)
    assert kit.get(screener, f"/v1/entries/{entry['id']}")["status"] == "expired"


def test_replay_is_for_the_screening_organisation_and_auditors(kit: Kit, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    screening = kit.screen(screener, unique_name())
    path = f"/v1/screenings/{screening['screening_id']}/replay"
    assert kit.client.post(path, headers=actor("screener").headers).status_code == 404
    assert kit.client.post(path, headers=actor("contributor", org=screener.organisation).headers).status_code == 403
    assert kit.client.post(path, headers=actor("auditor").headers).status_code == 200
    assert kit.client.post(path).status_code == 401
