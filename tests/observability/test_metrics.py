"""/metrics: who may read it, and what it counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor, Harness, unique_word

METRICS_TOKEN = "metrics-" + "s3cr3t-scrape-token"


@pytest.fixture(scope="module")
def scraped(db_url: str, key_file: Path) -> Iterator[Harness]:
    """An app with a metrics token (the shared harness has none), and no monitoring loop: its runs
    catch the index up in the background, which would make the index lag read below a race."""
    h = Harness.start(db_url, key_file, metrics_token=METRICS_TOKEN, monitoring_interval_seconds=0)
    yield h
    h.close()


def _value(text: str, name: str, **labels: str) -> float:
    """The sample ``name{labels...}`` (labels given must match; others are ignored), 0 if absent."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        sample, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', sample))
        if sample.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


def _scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_metrics_need_the_metrics_token_or_the_operator_role(scraped: Harness) -> None:
    client = scraped.client
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    for role in ("screener", "auditor", "admin", "contributor", "reviewer"):
        assert client.get("/metrics", headers=scraped.actor(role).headers).status_code == 403, role
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200


def test_metrics_are_public_only_when_configured(db_url: str, key_file: Path) -> None:
    h = Harness.start(db_url, key_file, metrics_public=True)
    try:
        assert h.client.get("/metrics").status_code == 200
    finally:
        h.close()


def test_requests_are_counted_by_route_template_and_status(scraped: Harness) -> None:
    who = scraped.actor("contributor")
    before = _scrape(scraped.client)
    for _ in range(3):
        assert scraped.client.get("/v1/entries/no-such-entry", headers=who.headers).status_code == 404
    assert scraped.client.get("/no/such/path").status_code == 404
    after = _scrape(scraped.client)
    route = {"method": "GET", "route": "/v1/entries/{entry_id}", "status": "404"}
    assert _value(after, "debarlist_http_requests_total", **route) - _value(
        before, "debarlist_http_requests_total", **route) == 3
    latency = {"method": "GET", "route": "/v1/entries/{entry_id}"}
    assert _value(after, "debarlist_http_request_duration_seconds_count", **latency) - _value(
        before, "debarlist_http_request_duration_seconds_count", **latency) == 3
    assert "no-such-entry" not in after and "/no/such/path" not in after  # raw paths never become labels
    assert _value(after, "debarlist_http_requests_total", route="unmatched", status="404") >= 1


def test_screenings_subjects_and_matches_by_band_are_counted(scraped: Harness,
                                                             actor: Callable[..., Actor]) -> None:
    contributor = scraped.actor("contributor")
    screener = scraped.actor("screener", org=contributor.organisation)
    _, latin = unique_word()
    from tests.support import entry_body

    created = scraped.client.post("/v1/entries", json=entry_body(name=f"{latin} Stroy LLP", aliases=[]),
                                  headers=contributor.headers)
    assert created.status_code == 201, created.text
    before = _scrape(scraped.client)
    screened = scraped.client.post("/v1/screen", headers=screener.headers, json={"subjects": [
        {"ref": "a", "name": f"{latin} Stroy LLP"}, {"ref": "b", "name": "Nobody Whatsoever GmbH"}]})
    assert screened.status_code == 200, screened.text
    after = _scrape(scraped.client)
    assert _value(after, "debarlist_screenings_total") - _value(before, "debarlist_screenings_total") == 1
    assert _value(after, "debarlist_screening_subjects_total") - _value(
        before, "debarlist_screening_subjects_total") == 2
    matches = sum(len(r["matches"]) for r in screened.json()["results"])
    assert matches >= 1
    assert sum(_value(after, "debarlist_screening_matches_total", band=b) - _value(
        before, "debarlist_screening_matches_total", band=b) for b in ("high", "medium", "low")) == matches


def test_index_revision_lag_and_audit_head_follow_the_ledger(scraped: Harness) -> None:
    contributor = scraped.actor("contributor")
    screener = scraped.actor("screener", org=contributor.organisation)
    from tests.support import entry_body

    assert scraped.client.post("/v1/entries", json=entry_body(), headers=contributor.headers).status_code == 201
    text = _scrape(scraped.client)
    assert _value(text, "debarlist_index_lag_revisions") >= 1  # committed, not yet screened against
    head = _value(text, "debarlist_list_revision")
    assert scraped.client.post("/v1/screen", headers=screener.headers,
                               json={"subjects": [{"ref": "a", "name": "Anyone"}]}).status_code == 200
    text = _scrape(scraped.client)
    assert _value(text, "debarlist_index_revision") >= head
    assert _value(text, "debarlist_audit_head_seq") >= 1


def test_other_domains_add_gauges_read_at_scrape_time(scraped: Harness) -> None:
    depth = [7.0]
    scraped.app.state.gauges.add("debarlist_test_outbox_depth", "Test gauge.", lambda: depth[0])
    scraped.app.state.gauges.add("debarlist_test_by_kind", "Test gauge.", lambda: {("a",): 1, ("b",): 2},
                                 labels=("kind",))

    def broken() -> float:
        raise RuntimeError("unavailable")

    scraped.app.state.gauges.add("debarlist_test_broken", "A failing reading is left out.", broken)
    assert _value(_scrape(scraped.client), "debarlist_test_outbox_depth") == 7
    depth[0] = 3
    text = _scrape(scraped.client)
    assert _value(text, "debarlist_test_outbox_depth") == 3
    assert _value(text, "debarlist_test_by_kind", kind="b") == 2
    assert "debarlist_test_broken " not in text
    with pytest.raises(ValueError):
        scraped.app.state.gauges.add("debarlist_test_outbox_depth", "again", lambda: 1)
