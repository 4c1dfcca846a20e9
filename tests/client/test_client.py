"""debarlist_client against the real app: tokens, pagination, batching, retries, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from debarlist_client import (
    AsyncClient,
    Client,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from tests.client.conftest import FaultInjector, Recorder
from tests.support import Actor, entry_body

ActorFactory = Callable[..., Actor]


def _client(url: str, who: Actor, recorder: Recorder | None = None, **kwargs: Any) -> Client:
    hooks = {"request": [recorder.request]} if recorder else {}
    http = httpx.Client(base_url=url, timeout=30, event_hooks=hooks)
    if recorder:
        kwargs.setdefault("sleep", recorder.sleep)
    return Client(url, who.client_id, who.client_secret, http=http, **kwargs)


def _credentials(who: Actor) -> tuple[str, str]:
    return who.client_id, who.client_secret


def test_screening_in_a_few_lines(base_url: str, actor: ActorFactory) -> None:
    contributor = actor("contributor")
    with Client(base_url, contributor.client_id, contributor.client_secret) as lister:
        listed = lister.create_entry(entry_body(name="Aral Fisheries Cooperative", aliases=[], identifiers=[]))
    screener = actor("screener")
    with Client(base_url, screener.client_id, screener.client_secret) as client:
        result = client.screen([{"ref": "bid-1", "name": "Aral Fisheries Coop"},
                                {"ref": "bid-2", "name": "Zzyzx Unrelated Quarry"}], tender_ref="T-1")
        receipt = client.get_screening(result.screening_id)
    assert [hit.ref for hit in result.hits] == ["bid-1"]
    assert result.results[0].matches[0].entry_id == listed.id
    assert receipt.tender_ref == "T-1" and receipt.client_id == screener.client_id


def test_token_is_fetched_once_and_renewed_before_expiry(base_url: str, actor: ActorFactory) -> None:
    who = actor("screener")
    now = [1000.0]
    recorder = Recorder()
    client = _client(base_url, who, recorder, clock=lambda: now[0], renew_margin=60)
    client.changes(0, limit=1)
    client.changes(0, limit=1)
    assert recorder.count("POST /v1/token") == 1
    now[0] += 900 - 61  # the harness' tokens live 900 s: still outside the renewal margin
    client.changes(0, limit=1)
    assert recorder.count("POST /v1/token") == 1
    now[0] += 2  # inside the margin: renewed before the server would refuse it
    client.changes(0, limit=1)
    assert recorder.count("POST /v1/token") == 2
    # A token the server refuses (revoked, clock skew) is replaced once, transparently.
    client._token.token = "not-a-token"
    client.changes(0, limit=1)
    assert recorder.count("POST /v1/token") == 3


def test_bad_credentials_and_roles_raise_with_problem_details(base_url: str, actor: ActorFactory) -> None:
    who = actor("screener")
    with pytest.raises(Unauthorized) as refused:
        Client(base_url, who.client_id, "wrong-secret").changes()
    assert refused.value.status == 401 and refused.value.problem.title
    owner = Client(base_url, *_credentials(actor("contributor")))
    theirs = owner.create_entry(entry_body())
    with pytest.raises(Forbidden) as forbidden:
        Client(base_url, *_credentials(actor("contributor"))).update_entry(theirs.id, {"name": "X"},
                                                                           etag=theirs.etag)
    assert "own organisation" in (forbidden.value.problem.detail or "")
    assert forbidden.value.request_id


def test_errors_carry_the_problem(base_url: str, actor: ActorFactory) -> None:
    who = actor("contributor")
    client = _client(base_url, who)
    with pytest.raises(NotFound) as missing:
        client.get_entry("no-such-entry")
    assert missing.value.problem.instance == "/v1/entries/no-such-entry"
    with pytest.raises(ValidationFailed) as invalid:
        client.create_entry(entry_body(country="QQ"))
    assert invalid.value.problem.errors and invalid.value.problem.errors[0].field.startswith("body")
    entry = client.create_entry(entry_body())
    updated = client.update_entry(entry.id, {"name": "New Name LLP"}, etag=entry.etag)
    assert (updated.version, updated.name) == (2, "New Name LLP")
    with pytest.raises(PreconditionFailed):
        client.update_entry(entry.id, {"name": "Stale LLP"}, etag=entry.etag)
    withdrawn = client.withdraw_entry(entry.id, "annulled on appeal", etag=updated.etag)
    assert withdrawn.status == "withdrawn"
    assert [r.action for r in client.entry_revisions(entry.id)] == ["entry.create", "entry.update",
                                                                     "entry.withdraw"]


def test_pagination_follows_every_page(base_url: str, actor: ActorFactory) -> None:
    who = actor("contributor")
    recorder = Recorder()
    client = _client(base_url, who, recorder)
    result = client.bulk_upsert([entry_body(external_ref=f"p-{n}", name=f"Paged Firm {n}") for n in range(7)])
    assert result.created == 7
    names = [entry.name for entry in client.iter_entries(organisation=who.organisation, page_size=2)]
    assert names == [f"Paged Firm {n}" for n in range(7)]
    assert recorder.count("GET /v1/entries") == 4


def test_screen_many_splits_into_allowed_batches(base_url: str, actor: ActorFactory) -> None:
    who = actor("screener")
    recorder = Recorder()
    client = _client(base_url, who, recorder)
    subjects = [{"ref": f"s{n}", "name": f"Batch Bidder {n}"} for n in range(5)]
    responses = client.screen_many(subjects, batch_size=2, tender_ref="T-B")
    assert [len(r.results) for r in responses] == [2, 2, 1]
    assert [res.ref for r in responses for res in r.results] == [s["ref"] for s in subjects]
    assert len({r.screening_id for r in responses}) == 3 and recorder.count("POST /v1/screen") == 3
    many = client.screen_many([{"ref": f"m{n}", "name": f"Bidder {n}"} for n in range(1001)])
    assert [len(r.results) for r in many] == [1000, 1]
    with pytest.raises(ValueError):
        client.screen_many(subjects, batch_size=1001)


def test_retries_honour_retry_after_and_back_off(faulty: tuple[str, FaultInjector], actor: ActorFactory) -> None:
    url, faults = faulty
    who = actor("contributor")
    recorder = Recorder()
    client = _client(url, who, recorder, retry=RetryPolicy(max_retries=3, backoff=0.5))
    client.token()
    entry = client.create_entry(entry_body())

    faults.arm(503, 2, retry_after="7", match=lambda m, p: m == "GET" and p.startswith("/v1/entries/"))
    assert client.get_entry(entry.id).id == entry.id
    assert recorder.sleeps == [7, 7] and len(faults.seen) == 3

    recorder.sleeps.clear()
    faults.arm(429, 2, match=lambda m, p: m == "PATCH")  # no Retry-After: exponential backoff
    assert client.update_entry(entry.id, {"name": "Retried LLP"}, etag=entry.etag).version == 2
    assert recorder.sleeps == [0.5, 1.0]

    recorder.sleeps.clear()
    faults.arm(503, 10, retry_after="1", match=lambda m, p: m == "GET")
    with pytest.raises(ServiceUnavailable) as exhausted:
        client.get_entry(entry.id)
    assert len(faults.seen) == 4 and exhausted.value.problem.title == "Injected fault"

    bulk = [entry_body(external_ref="bulk-1")]
    faults.arm(503, 1, retry_after="0", match=lambda m, p: p == "/v1/entries/bulk")
    assert client.bulk_upsert(bulk).created == 1  # idempotent by external_ref: retried
    assert len(faults.seen) == 2


def test_non_idempotent_writes_are_not_retried(faulty: tuple[str, FaultInjector], actor: ActorFactory) -> None:
    url, faults = faulty
    who = actor("screener")
    recorder = Recorder()
    client = _client(url, who, recorder)
    client.token()
    subjects = [{"ref": "r1", "name": "Retry Bidder"}]
    faults.arm(503, 1, retry_after="0", match=lambda m, p: p == "/v1/screen")
    with pytest.raises(ServiceUnavailable):
        client.screen(subjects)
    assert len(faults.seen) == 1 and recorder.sleeps == []
    faults.arm(429, 1, retry_after="0", match=lambda m, p: p == "/v1/screen")
    with pytest.raises(RateLimited):
        client.screen(subjects)
    faults.arm(503, 1, retry_after="0", match=lambda m, p: p == "/v1/screen")
    assert client.screen(subjects, idempotency_key="tender-9-bids").results[0].ref == "r1"
    assert len(faults.seen) == 2


def test_audit_iterators_and_verify(base_url: str, actor: ActorFactory) -> None:
    auditor = actor("auditor")
    client = _client(base_url, auditor)
    contributor = actor("contributor")
    created = Client(base_url, contributor.client_id, contributor.client_secret).create_entry(entry_body())
    paged = list(client.iter_audit(target_id=created.id, page_size=1))
    exported = list(client.export_audit(target_id=created.id))
    assert [r.action for r in paged] == ["entry.create"] and exported == paged
    assert client.verify_audit().ok


def test_change_feed_and_ftm_export(base_url: str, actor: ActorFactory) -> None:
    contributor = actor("contributor")
    client = _client(base_url, contributor)
    entry = client.create_entry(entry_body(visibility="restricted"))
    changes = list(client.iter_changes(0, limit=500))
    assert changes[-1].entry_id == entry.id and changes[-1].entry == client.get_entry(entry.id)
    entities = [e for e in client.export_ftm() if e["id"].startswith(f"debarlist-{entry.id}")]
    assert {e["schema"] for e in entities} == {"Company", "Sanction", "Identification", "Document"}


def test_async_client(base_url: str, actor: ActorFactory) -> None:
    contributor = actor("contributor")
    screener = actor("screener")

    async def scenario() -> None:
        async with AsyncClient(base_url, contributor.client_id, contributor.client_secret) as lister:
            await lister.bulk_upsert([entry_body(external_ref=f"a-{n}", name=f"Async Firm {n}")
                                      for n in range(3)])
            seen = [e.name async for e in lister.iter_entries(organisation=contributor.organisation,
                                                              page_size=2)]
            assert seen == ["Async Firm 0", "Async Firm 1", "Async Firm 2"]
        async with AsyncClient(base_url, screener.client_id, screener.client_secret) as client:
            results = await asyncio.gather(*(client.screen([{"ref": f"x{n}", "name": "Async Firm 1"}])
                                             for n in range(3)))
            assert all(r.results[0].matches for r in results)
            batches = await client.screen_many([{"ref": f"y{n}", "name": "Nobody"} for n in range(3)],
                                               batch_size=2)
            assert len(batches) == 2
            with pytest.raises(NotFound):
                await client.get_screening("missing")
            changes = [c async for c in client.iter_changes(0, limit=1000)]
            assert changes

    asyncio.run(scenario())
