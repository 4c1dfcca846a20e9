"""Streaming answers validate every parameter before their first byte: instants at the
calendar's ends (which have no UTC form) give a clean answer, on both backends, through a real
server (a stream cut short shows there as an incomplete chunked body)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.support import Actor, Harness, entry_body, live_server

EARLIEST = "0001-01-01T00:00:00+14:00"  # before 0001-01-01T00:00:00Z: no UTC datetime
LATEST = "9999-12-31T23:59:59-14:00"  # after 9999-12-31T23:59:59.999999Z
EXTREMES = (EARLIEST, LATEST, "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def served(harness: Harness) -> Iterator[tuple[str, Actor]]:
    auditor = harness.actor("auditor")
    contributor = harness.actor("contributor")
    assert harness.client.post("/v1/entries", json=entry_body(), headers=contributor.headers).status_code == 201
    with live_server(harness.app) as url:
        yield url, auditor


def _get(url: str, path: str, params: dict[str, str], auditor: Actor) -> httpx.Response:
    # httpx reads the whole body: a stream broken off mid-way raises here (RemoteProtocolError).
    return httpx.get(url + path, params=params, headers=auditor.headers, timeout=60)


@pytest.mark.parametrize("bound", ["since", "until"])
@pytest.mark.parametrize("instant", EXTREMES)
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_audit_export_with_an_extreme_bound_answers_cleanly(served: tuple[str, Actor], bound: str,
                                                            instant: str, fmt: str) -> None:
    url, auditor = served
    response = _get(url, "/v1/audit/export", {bound: instant, "format": fmt}, auditor)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"
        return
    lines = [line for line in response.text.splitlines() if line]
    everything = (bound == "since") == instant.startswith("0001")
    if fmt == "jsonl":
        records = [json.loads(line) for line in lines]
        assert bool(records) == everything, (bound, instant, len(records))
    else:
        assert lines[0].startswith("seq,") and (len(lines) > 1) == everything


@pytest.mark.parametrize("instant", [EARLIEST, LATEST])
def test_audit_pages_and_entry_filters_take_the_extremes_too(served: tuple[str, Actor], harness: Harness,
                                                             instant: str) -> None:
    url, auditor = served
    for bound in ("since", "until"):
        assert _get(url, "/v1/audit", {bound: instant, "limit": "5"}, auditor).status_code == 200
    reader = harness.actor("contributor")
    listed = httpx.get(f"{url}/v1/entries", params={"updated_since": instant}, headers=reader.headers, timeout=60)
    assert listed.status_code == 200, listed.text


def test_an_inverted_window_is_empty_and_bad_parameters_are_refused_before_the_stream(
        served: tuple[str, Actor]) -> None:
    url, auditor = served
    response = _get(url, "/v1/audit/export", {"since": LATEST, "until": EARLIEST}, auditor)
    assert response.status_code == 200 and response.text == ""
    for bad in ({"since": "yesterday"}, {"format": "xml"}, {"action": "DROP TABLE"}, {"since": "2026-13-01"}):
        answer = _get(url, "/v1/audit/export", bad, auditor)
        assert answer.status_code == 422, (bad, answer.text)
