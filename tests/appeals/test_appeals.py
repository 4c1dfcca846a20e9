"""Appeals: lodged, under review, then upheld, overturned or varied; each outcome changes what
screening returns, and every step shows on the entry and in matches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.kit import Kit, unique_name
from tests.support import Actor


def _lodge(kit: Kit, who: Actor, entry_id: str, **body: Any) -> dict[str, Any]:
    body.setdefault("lodged_on", "2026-04-01")
    response = kit.client.post(f"/v1/entries/{entry_id}/appeals", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _step(kit: Kit, who: Actor, appeal_id: str, **body: Any) -> Any:
    return kit.client.post(f"/v1/appeals/{appeal_id}/steps", json=body, headers=who.headers)


def test_lodged_under_review_upheld_shows_in_every_match(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    name = unique_name()
    entry = kit.entry(contributor, name=name)
    appeal = _lodge(kit, contributor, entry["id"], reference="PAB-2026/33",
                    documents=[{"title": "Notice of appeal", "url": "https://example.gov/pab/33.pdf"}])
    assert appeal["status"] == "lodged" and appeal["reference"] == "PAB-2026/33"
    match = kit.matches(screener, name)[entry["id"]]["entry"]
    assert (match["appeal_status"], match["appeal_lodged_on"], match["appeal_decided_on"]) == (
        "lodged", "2026-04-01", None)
    shown = kit.get(screener, f"/v1/entries/{entry['id']}")
    assert shown["appeal_status"] == "lodged" and shown["appeal_lodged_on"] == "2026-04-01"

    assert _step(kit, contributor, appeal["id"], step="under_review", date="2026-04-10").status_code == 200
    assert kit.matches(screener, name)[entry["id"]]["entry"]["appeal_status"] == "under_review"

    upheld = _step(kit, contributor, appeal["id"], step="upheld", date="2026-06-15", decision_ref="PAB-2026/33-D",
                   documents=[{"title": "Decision"}])
    assert upheld.status_code == 200, upheld.text
    assert [s["step"] for s in upheld.json()["steps"]] == ["lodged", "under_review", "upheld"]
    assert upheld.json()["decided_on"] == "2026-06-15"
    match = kit.matches(screener, name)[entry["id"]]["entry"]
    assert (match["appeal_status"], match["appeal_lodged_on"], match["appeal_decided_on"],
            match["appeal_decision_ref"], match["status"]) == (
        "upheld", "2026-04-01", "2026-06-15", "PAB-2026/33-D", "active")

    assert len(kit.audit("appeal.lodge", appeal["id"])) == 1
    steps = kit.audit("appeal.step", appeal["id"])
    assert [r.details["step"] for r in sorted(steps, key=lambda r: r.seq)] == ["under_review", "upheld"]
    listed = kit.client.get(f"/v1/entries/{entry['id']}/appeals", headers=screener.headers).json()
    assert [a["id"] for a in listed] == [appeal["id"]]
    assert kit.get(screener, f"/v1/appeals/{appeal['id']}")["status"] == "upheld"
    # Decided: closed to further steps.
    assert _step(kit, contributor, appeal["id"], step="under_review", date="2026-07-01").status_code == 409


def test_overturned_withdraws_the_entry_with_the_decision_reference(
        kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    name = unique_name()
    entry = kit.entry(contributor, name=name)
    appeal = _lodge(kit, contributor, entry["id"])
    assert entry["id"] in kit.matches(screener, name)
    overturned = _step(kit, contributor, appeal["id"], step="overturned", date="2026-05-02",
                       decision_ref="PAB-2026/40-D")
    assert overturned.status_code == 200, overturned.text
    assert entry["id"] not in kit.matches(screener, name)
    reported = kit.matches(screener, name, include_inactive=True)[entry["id"]]["entry"]
    assert (reported["status"], reported["appeal_status"], reported["appeal_decision_ref"]) == (
        "withdrawn", "overturned", "PAB-2026/40-D")
    shown = kit.get(contributor, f"/v1/entries/{entry['id']}")
    assert shown["status"] == "withdrawn" and "PAB-2026/40-D" in shown["withdrawal_reason"]
    record = kit.audit("appeal.step", appeal["id"])
    assert len(record) == 1 and record[0].details["after"]["withdrawn_at"] is not None


def test_varied_changes_the_period_and_grounds_screening_reads(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    name = unique_name()
    entry = kit.entry(contributor, name=name, starts_on="2026-03-15", ends_on=None, grounds=["forced_labour"])
    appeal = _lodge(kit, contributor, entry["id"])
    assert entry["id"] in kit.matches(screener, name, as_of="2027-06-01")
    bad = _step(kit, contributor, appeal["id"], step="varied", date="2026-05-01", decision_ref="D-1",
                ends_on="2026-01-01")
    assert bad.status_code == 422  # would end before it starts
    varied = _step(kit, contributor, appeal["id"], step="varied", date="2026-05-01", decision_ref="PAB-2026/41-D",
                   ends_on="2026-12-31", grounds=["fraud"])
    assert varied.status_code == 200, varied.text
    assert varied.json()["steps"][-1]["changes"] == {"ends_on": "2026-12-31", "grounds": ["fraud"]}
    on_last_day = kit.matches(screener, name, as_of="2026-12-31")[entry["id"]]["entry"]
    assert on_last_day["grounds"] == ["fraud"] and on_last_day["appeal_status"] == "varied"
    assert entry["id"] not in kit.matches(screener, name, as_of="2027-01-01")
    assert kit.get(contributor, f"/v1/entries/{entry['id']}")["ends_on"] == "2026-12-31"


def test_step_rules(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    entry = kit.entry(contributor)
    appeal = _lodge(kit, contributor, entry["id"], lodged_on="2026-04-01")
    again = kit.client.post(f"/v1/entries/{entry['id']}/appeals", json={"lodged_on": "2026-04-02"},
                            headers=contributor.headers)
    assert again.status_code == 409  # one open appeal at a time
    for body in ({"step": "upheld", "date": "2026-05-01"},                          # no decision_ref
                 {"step": "varied", "date": "2026-05-01", "decision_ref": "D"},     # nothing varied
                 {"step": "under_review", "date": "2026-05-01", "ends_on": "2027-01-01"},
                 {"step": "under_review", "date": "2026-03-01"},                    # before lodging
                 {"step": "dismissed", "date": "2026-05-01"}):
        response = _step(kit, contributor, appeal["id"], **body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert kit.audit("appeal.step", appeal["id"]) == []
    assert kit.get(contributor, f"/v1/entries/{entry['id']}")["appeal_status"] == "lodged"
