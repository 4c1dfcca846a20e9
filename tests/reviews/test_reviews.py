"""Four-eyes publication: pending entries and pending changes never match until a reviewer of
the same organisation, other than the author, approves them."""

from __future__ import annotations

from collections.abc import Callable

from tests.kit import Kit, unique_name
from tests.support import Actor, entry_body


def test_new_entry_waits_author_cannot_approve_and_another_reviewer_publishes(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author = actor("contributor", "reviewer", org=org)  # holding both roles is not enough
    reviewer = actor("reviewer", org=org)
    own_screener, other_screener = actor("screener", org=org), actor("screener")
    name = unique_name()
    entry = kit.entry(author, name=name)
    assert entry["publication"] == "pending_review" and entry["review_id"]

    for who in (own_screener, other_screener):
        assert entry["id"] not in kit.matches(who, name)
        assert entry["id"] not in kit.matches(who, name, include_inactive=True)
    # Not yet the list: other organisations do not see it at all.
    assert kit.client.get(f"/v1/entries/{entry['id']}", headers=other_screener.headers).status_code == 404

    own = kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=author.headers)
    assert own.status_code == 403
    assert "author" in own.json()["detail"]
    assert kit.audit("review.approve", entry["review_id"]) == []

    approved = kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == reviewer.client_id
    published = kit.get(other_screener, f"/v1/entries/{entry['id']}")
    assert published["publication"] == "published" and published["version"] == 2
    assert entry["id"] in kit.matches(other_screener, name)
    assert entry["id"] in kit.matches(own_screener, name)

    records = kit.audit("review.approve", entry["review_id"])
    assert len(records) == 1
    assert records[0].actor == reviewer.client_id and records[0].details["entry_id"] == entry["id"]
    assert records[0].details["after"]["publication"] == "published"
    assert len(kit.audit("review.submit", entry["review_id"])) == 1
    again = kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers)
    assert again.status_code == 409
    revisions = kit.client.get(f"/v1/entries/{entry['id']}/revisions", headers=author.headers).json()
    actions = [r["action"] for r in revisions]
    assert actions == ["entry.create", "entry.publish"]


def test_pending_change_leaves_the_published_version_matching_until_approved(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer, screener = actor("contributor", org=org), actor("reviewer", org=org), actor("screener")
    old_name, new_name = unique_name(), unique_name()
    entry = kit.entry(author, name=old_name)
    assert kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers).status_code == 200

    patched = kit.client.patch(f"/v1/entries/{entry['id']}", json={"name": new_name},
                               headers={**author.headers, "If-Match": "*"})
    assert patched.status_code == 202, patched.text
    review_id = patched.json()["review_id"]
    assert patched.headers["location"] == f"/v1/reviews/{review_id}"
    assert patched.json()["name"] == old_name and patched.json()["version"] == 2
    assert entry["id"] in kit.matches(screener, old_name)
    assert entry["id"] not in kit.matches(screener, new_name)
    # One change at a time: a second proposal waits for the first decision.
    second = kit.client.patch(f"/v1/entries/{entry['id']}", json={"aliases": ["Other"]},
                              headers={**author.headers, "If-Match": "*"})
    assert second.status_code == 409

    pending = kit.client.get("/v1/reviews?status=pending", headers=reviewer.headers).json()
    assert [r["id"] for r in pending] == [review_id]
    assert pending[0]["kind"] == "change" and pending[0]["proposed"]["name"] == new_name

    assert kit.client.post(f"/v1/reviews/{review_id}/approve", headers=reviewer.headers).status_code == 200
    assert entry["id"] in kit.matches(screener, new_name)
    assert entry["id"] not in kit.matches(screener, old_name)
    assert kit.get(author, f"/v1/entries/{entry['id']}")["version"] == 3
    assert len(kit.audit("review.approve", review_id)) == 1


def test_rejection_needs_a_reason_and_a_rejected_entry_never_matches(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer, screener = actor("contributor", org=org), actor("reviewer", org=org), actor("screener", org=org)
    name = unique_name()
    entry = kit.entry(author, name=name)
    path = f"/v1/reviews/{entry['review_id']}/reject"
    assert kit.client.post(path, json={}, headers=reviewer.headers).status_code == 422
    rejected = kit.client.post(path, json={"reason": "decision reference not in the register"},
                               headers=reviewer.headers)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["reason"] == "decision reference not in the register"
    assert kit.get(author, f"/v1/entries/{entry['id']}")["publication"] == "rejected"
    assert entry["id"] not in kit.matches(screener, name, include_inactive=True)
    records = kit.audit("review.reject", entry["review_id"])
    assert len(records) == 1 and records[0].details["reason"] == "decision reference not in the register"

    # Corrected, it is submitted again and waits for a new review.
    fixed = kit.client.patch(f"/v1/entries/{entry['id']}", json={"decision_ref": "MF-2026/118"},
                             headers={**author.headers, "If-Match": "*"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["publication"] == "pending_review" and fixed.json()["review_id"] not in (None,
                                                                                                 entry["review_id"])
    assert entry["id"] not in kit.matches(screener, name)


def test_a_rejected_change_leaves_the_entry_as_published(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer, screener = actor("contributor", org=org), actor("reviewer", org=org), actor("screener")
    name = unique_name()
    entry = kit.entry(author, name=name, ends_on="2099-12-31")
    kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers)
    patched = kit.client.patch(f"/v1/entries/{entry['id']}", json={"ends_on": "2026-03-20"},
                               headers={**author.headers, "If-Match": "*"})
    assert patched.status_code == 202
    rejected = kit.client.post(f"/v1/reviews/{patched.json()['review_id']}/reject",
                               json={"reason": "no decision shortens the period"}, headers=reviewer.headers)
    assert rejected.status_code == 200
    assert kit.get(author, f"/v1/entries/{entry['id']}")["ends_on"] == "2099-12-31"
    assert entry["id"] in kit.matches(screener, name, as_of="2027-01-01")


def test_a_change_overtaken_by_another_version_is_not_applied(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer = actor("contributor", org=org), actor("reviewer", org=org)
    entry = kit.entry(author)
    kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=reviewer.headers)
    patched = kit.client.patch(f"/v1/entries/{entry['id']}", json={"aliases": ["Another"]},
                               headers={**author.headers, "If-Match": "*"})
    kit.client.post(f"/v1/entries/{entry['id']}/appeals", json={"lodged_on": "2026-04-01"}, headers=author.headers)
    stale = kit.client.post(f"/v1/reviews/{patched.json()['review_id']}/approve", headers=reviewer.headers)
    assert stale.status_code == 409 and "changed since" in stale.json()["detail"]


def test_an_import_is_approved_as_a_batch_all_or_nothing(
        kit: Kit, actor: Callable[..., Actor], review_org: Callable[[], str]) -> None:
    org = review_org()
    author, reviewer = actor("contributor", org=org), actor("reviewer", org=org)
    screener = actor("screener")
    names = [unique_name() for _ in range(3)]
    bulk = kit.client.post("/v1/entries/bulk", json={"entries": [
        entry_body(name=name, aliases=[], identifiers=[]) for name in names]}, headers=author.headers)
    assert bulk.status_code == 200, bulk.text
    batch = bulk.json()["review_batch"]
    assert batch and all(row["review_id"] for row in bulk.json()["results"])
    assert not any(kit.matches(screener, name) for name in names)

    # A batch holding a review the caller wrote fails whole: nothing is approved.
    self_written = kit.entry(reviewer_and_author := actor("contributor", "reviewer", org=org))
    ids = [row["review_id"] for row in bulk.json()["results"]] + [self_written["review_id"]]
    refused = kit.client.post("/v1/reviews/approve-batch", json={"ids": ids}, headers=reviewer_and_author.headers)
    assert refused.status_code == 403
    assert not any(kit.matches(screener, name) for name in names)

    assert kit.client.post("/v1/reviews/approve-batch", json={}, headers=reviewer.headers).status_code == 422
    approved = kit.client.post("/v1/reviews/approve-batch", json={"batch_ref": batch}, headers=reviewer.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved"] == 3
    for row, name in zip(bulk.json()["results"], names, strict=True):
        assert row["id"] in kit.matches(screener, name)
        assert len(kit.audit("review.approve", row["review_id"])) == 1
    empty = kit.client.post("/v1/reviews/approve-batch", json={"batch_ref": batch}, headers=reviewer.headers)
    assert empty.status_code == 404


def test_organisations_without_review_publish_at_once(kit: Kit, actor: Callable[..., Actor]) -> None:
    contributor, screener = actor("contributor"), actor("screener")
    name = unique_name()
    entry = kit.entry(contributor, name=name)
    assert entry["publication"] == "published" and entry["review_id"] is None
    assert entry["id"] in kit.matches(screener, name)
