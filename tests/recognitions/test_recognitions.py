"""Cross-recognition: another organisation recognises an entry with its own decision; matches
show every organisation whose recognition is in force, and stop when it is withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.crosslists.recognise import recognise_cross_debarments
from service.recognitions.models import Recognition
from tests.kit import Kit, unique_name
from tests.support import Actor, Harness

BODY = {"decision_ref": "ECD-2026/14", "legal_basis": "Agreement for Mutual Enforcement of Debarment Decisions",
        "starts_on": "2026-05-01", "ends_on": "2027-04-30"}


def _recognise(kit: Kit, who: Actor, entry_id: str, **overrides: Any) -> Any:
    return kit.client.post(f"/v1/entries/{entry_id}/recognitions", json={**BODY, **overrides}, headers=who.headers)


def test_a_recognition_appears_in_matches_while_in_force_and_goes_when_withdrawn(
        kit: Kit, actor: Callable[..., Actor]) -> None:
    lister, recogniser, screener = actor("contributor"), actor("contributor"), actor("screener")
    name = unique_name()
    entry = kit.entry(lister, name=name, starts_on="2026-01-01")
    before = kit.get(lister, f"/v1/entries/{entry['id']}")
    assert kit.matches(screener, name, as_of="2026-06-01")[entry["id"]]["entry"]["recognised_by"] == []

    created = _recognise(kit, recogniser, entry["id"])
    assert created.status_code == 201, created.text
    recognition = created.json()
    assert recognition["organisation"] == recogniser.organisation and recognition["origin"] == "decision"
    shown = kit.matches(screener, name, as_of="2026-06-01")[entry["id"]]["entry"]["recognised_by"]
    assert shown == [{"organisation": recogniser.organisation, "decision_ref": "ECD-2026/14",
                      "legal_basis": BODY["legal_basis"], "starts_on": "2026-05-01", "ends_on": "2027-04-30"}]
    # Outside its own period the entry still matches, without the recognition.
    assert kit.matches(screener, name, as_of="2026-04-30")[entry["id"]]["entry"]["recognised_by"] == []
    # Not the entry's content: the listing organisation's version (and ETag) are unchanged.
    assert kit.get(lister, f"/v1/entries/{entry['id']}")["version"] == before["version"]

    duplicate = _recognise(kit, recogniser, entry["id"])
    assert duplicate.status_code == 409
    withdrawn = kit.client.post(f"/v1/recognitions/{recognition['id']}/withdraw",
                                json={"reason": "revoked by ECD-2026/20"}, headers=recogniser.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn_at"] is not None
    assert kit.matches(screener, name, as_of="2026-06-01")[entry["id"]]["entry"]["recognised_by"] == []
    again = kit.client.post(f"/v1/recognitions/{recognition['id']}/withdraw", json={"reason": "twice"},
                            headers=recogniser.headers)
    assert again.status_code == 409

    listed = kit.client.get(f"/v1/entries/{entry['id']}/recognitions", headers=screener.headers).json()
    assert [(r["id"], r["withdrawal_reason"]) for r in listed] == [(recognition["id"], "revoked by ECD-2026/20")]
    assert len(kit.audit("recognition.create", recognition["id"])) == 1
    assert len(kit.audit("recognition.withdraw", recognition["id"])) == 1
    # Withdrawn, it may be recognised again.
    assert _recognise(kit, recogniser, entry["id"]).status_code == 201


def test_who_may_recognise_and_withdraw(kit: Kit, actor: Callable[..., Actor]) -> None:
    lister, recogniser, third = actor("contributor"), actor("contributor"), actor("contributor")
    entry = kit.entry(lister)
    own = _recognise(kit, lister, entry["id"])
    assert own.status_code == 403 and "own" in own.json()["detail"]
    assert _recognise(kit, recogniser, entry["id"], ends_on="2026-01-01").status_code == 422
    recognition = _recognise(kit, recogniser, entry["id"]).json()
    for who in (lister, third):
        refused = kit.client.post(f"/v1/recognitions/{recognition['id']}/withdraw", json={"reason": "not ours"},
                                  headers=who.headers)
        assert refused.status_code == 403
    assert kit.audit("recognition.withdraw", recognition["id"]) == []
    restricted = kit.entry(lister, visibility="restricted")
    assert _recognise(kit, recogniser, restricted["id"]).status_code == 404
    kit.client.post(f"/v1/entries/{entry['id']}/withdraw", json={"reason": "annulled"}, headers=lister.headers)
    other = actor("contributor")
    assert _recognise(kit, other, entry["id"]).status_code == 409


def test_cross_debarments_in_published_lists_become_recognitions(fresh_db: str, key_file: Path) -> None:
    """An "EBRD" row naming "WBG" as originating institution, and WBG's own row for the firm.

    On a database of its own: the run reads every organisation's entries."""
    harness = Harness.start(fresh_db, key_file)
    try:
        kit = Kit(client=harness.client, harness=harness)
        wbg_code, ebrd_code = harness.new_org(kind="organisation"), harness.new_org(kind="organisation")
        wbg, ebrd = harness.actor("contributor", org=wbg_code), harness.actor("contributor", org=ebrd_code)
        screener = harness.actor("screener")
        name = unique_name()
        original = kit.entry(wbg, name=name, country="UZ", decision_ref="WBG-SD-2026-3")
        cross_row = kit.entry(ebrd, name=name.upper(), country="UZ", decision_ref=None,
                              source={"publisher": "EBRD", "originating_institution": wbg_code})
        kit.entry(ebrd, name=unique_name(), country="UZ",  # the originator has no entry for this firm
                  source={"publisher": "EBRD", "originating_institution": wbg_code})
        kit.entry(ebrd, name=name, country="KZ",  # same name, another country: another firm
                  source={"publisher": "EBRD", "originating_institution": wbg_code})
        kit.entry(ebrd, name=unique_name(), source={"publisher": "EBRD", "originating_institution": "AfDB"})

        report = recognise_cross_debarments(harness.app.state.session_factory)
        assert (report.cross_debarments, report.matched, report.created) == (3, 1, 1)
        with harness.app.state.session_factory() as session:
            made = list(session.execute(select(Recognition)).scalars())
        assert [(r.entry_id, r.origin_entry_id, r.origin) for r in made] == [
            (original["id"], cross_row["id"], "cross_debarment")]
        shown = kit.matches(screener, name, country="UZ")[original["id"]]["entry"]["recognised_by"]
        assert [r["organisation"] for r in shown] == [ebrd_code]
        assert len(kit.audit("recognition.create", made[0].id)) == 1
        again = recognise_cross_debarments(harness.app.state.session_factory)
        assert (again.created, again.already) == (0, 1)  # idempotent
    finally:
        harness.close()


def test_pending_entries_are_not_recognised(kit: Kit, actor: Callable[..., Actor], harness: Harness) -> None:
    org = harness.new_org(requires_review=True)
    lister, auditor_recogniser = actor("contributor", org=org), actor("contributor", "auditor")
    pending = kit.entry(lister)
    # An auditor sees it, but it is not the list yet.
    assert _recognise(kit, auditor_recogniser, pending["id"]).status_code == 409
