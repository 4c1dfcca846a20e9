"""Every error is an RFC 9457 problem document, and no input produces a 500."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor, Harness, entry_body

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    assert body["type"].startswith("https://") and body["title"]
    return body


def test_unknown_path_and_method(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    body = assert_problem(client.get("/v1/nothing-here", headers=who.headers), 404)
    assert body["instance"] == "/v1/nothing-here"
    assert_problem(client.delete("/v1/entries", headers=who.headers), 405)
    assert_problem(client.put("/v1/token"), 405)


@pytest.mark.parametrize("raw", [b"{", b"", b"null", b"[]", b'{"name": }', b"\xff\xfe\x00garbage",
                                 b'{"name": "a", "name": "b"', b"1e999999", b"[" * 5000 + b"]" * 5000,
                                 b'{"grounds": ["fraud"], "name": "x", "starts_on": 1e400}'])
def test_malformed_json_bodies(raw: bytes, client: TestClient, role_actors: dict[str, Actor]) -> None:
    who = role_actors["contributor"]
    response = client.post("/v1/entries", content=raw,
                           headers={**who.headers, "Content-Type": "application/json"})
    assert_problem(response, 400, 422)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded", "", "application/json; charset=latin-9"])
def test_wrong_content_type(content_type: str, client: TestClient, role_actors: dict[str, Actor]) -> None:
    who = role_actors["contributor"]
    response = client.post("/v1/entries", content=json.dumps(entry_body()).encode(),
                           headers={**who.headers, "Content-Type": content_type})
    assert response.status_code != 500, response.text
    if response.status_code >= 400:
        assert_problem(response, 400, 415, 422)


GARBAGE: dict[str, dict[str, Any]] = {
    "nul_in_name": {"name": "Evil\u0000Corp"},
    "nul_in_alias": {"aliases": ["\u0000"]},
    "nul_in_ref": {"external_ref": "ref\u0000x"},
    "lone_surrogate": {"name": "Bad \ud800 Surrogate"},
    "rtl_and_zero_width": {"name": "\u202eevil\u200b\ufeff LLP"},
    "emoji_and_combining": {"name": "Z\u0351\u0352\u0353algo \U0001f4a9 Ltd"},
    "huge_int_in_source": {"source": {"row": 10**40}},
    "huge_negative": {"source": {"row": -(10**40)}},
    "float_for_int": {"source": {"row": 1.5}},
    "huge_year": {"decided_on": "99999-01-01"},
    "year_zero": {"starts_on": "0000-01-01"},
    "max_date": {"starts_on": "9999-12-31"},
    "long_name": {"name": "x" * 100_000},
    "many_aliases": {"aliases": [f"a{i}" for i in range(5000)]},
    "deep_nesting": {"source": {"publisher": {"a": {"b": {"c": [[[[[]]]]]}}}}},
    "number_as_name": {"name": 12345678901234567890123},
    "bool_grounds": {"grounds": [True]},
    "null_everything": {key: None for key in entry_body()},
    "url_garbage": {"evidence": [{"title": "x", "url": "http://" + "\u0430" * 300 + "/\u0000"}]},
    "identifier_unicode_digits": {"identifiers": [{"scheme": "bin", "value": "\u0661" * 12}]},
    "identifier_nul": {"identifiers": [{"scheme": "registration", "value": "\u0000\u0000"}]},
    "vat_garbage": {"identifiers": [{"scheme": "vat", "value": "\U0001f4a9" * 20}]},
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_garbage_entry_is_never_a_500(case: str, client: TestClient, role_actors: dict[str, Actor]) -> None:
    who = role_actors["contributor"]
    headers = {**who.headers, "Content-Type": "application/json"}
    # json.dumps escapes lone surrogates as \ud800, which the server's JSON parser accepts.
    response = client.post("/v1/entries", content=json.dumps(entry_body(**GARBAGE[case])), headers=headers)
    if response.status_code >= 400:
        assert_problem(response, 400, 409, 422)
    else:
        assert response.status_code == 201
        entry_id = response.json()["id"]
        assert client.get(f"/v1/entries/{entry_id}", headers=who.headers).status_code == 200
    # The same row through bulk is an error row or a success, never a 500.
    bulk = client.post("/v1/entries/bulk", content=json.dumps({"entries": [entry_body(**GARBAGE[case])]}),
                       headers=headers)
    assert bulk.status_code in (200, 422), bulk.text[:300]


@pytest.mark.parametrize("value", ["", "x", "x" * 37, "x" * 5000, "%00", "..", "%2e%2e", "\u00e9\u00e9", "' OR 1=1 --",
                                   "%F0%9F%92%A9", "%ff", "a%2Fb"])
def test_odd_path_parameters(value: str, client: TestClient, role_actors: dict[str, Actor]) -> None:
    reader, admin = role_actors["screener"], role_actors["admin"]
    for path, who in ((f"/v1/entries/{value}", reader), (f"/v1/entries/{value}/revisions", reader),
                      (f"/v1/organisations/{value}", admin)):
        response = client.get(path, headers=who.headers)
        assert response.status_code in (200, 404, 405, 422), (path, response.text[:300])
        if response.status_code >= 400:
            assert_problem(response, 404, 405, 422)
    response = client.post(f"/v1/clients/{value}/disable", headers=admin.headers)
    assert_problem(response, 404, 405, 422)


def test_odd_query_values(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    for params in ({"q": "\u0000"}, {"q": "x" * 5000}, {"q": "\ud7ff\ue000"}, {"organisation": "\u0000"},
                   {"country": "\u0000\u0000"}, {"limit": "1e3"}, {"limit": "-1"},
                   {"updated_since": "9999-12-31T23:59:59+14:00"}, {"updated_since": "0001-01-01T00:00:00-12:00"},
                   {"updated_since": "1" * 50}, {"updated_since": "0001-01-01T00:00:00+14:00"},
                   {"updated_since": "9999-12-31T23:59:59-14:00"}):
        response = client.get("/v1/entries", params=params, headers=who.headers)
        assert response.status_code in (200, 400, 422), (params, response.text[:300])
        if response.status_code >= 400:
            assert_problem(response, 400, 422)


def test_if_match_garbage_is_a_problem(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    entry = client.post("/v1/entries", json=entry_body(), headers=who.headers).json()
    for value in ("", ",", "W/", '"' * 300, "*, garbage"):
        response = client.patch(f"/v1/entries/{entry['id']}", json={"name": "New Name LLP"},
                                headers={**who.headers, "If-Match": value})
        assert response.status_code in (200, 412, 428), (value, response.text)


@pytest.fixture(scope="module")
def small(db_url: str, key_file: Path) -> Iterator[Harness]:
    harness = Harness.start(db_url, key_file, max_body_bytes=2048)
    yield harness
    harness.close()


def test_body_size_limit_is_413(small: Harness) -> None:
    who = small.actor("contributor")
    ok = small.client.post("/v1/entries", json=entry_body(), headers=who.headers)
    assert ok.status_code == 201, ok.text
    big = entry_body(legal_basis="x" * 3000)
    body = assert_problem(small.client.post("/v1/entries", json=big, headers=who.headers), 413)
    assert "2048" in body["detail"]
    bulk = {"entries": [entry_body() for _ in range(20)]}
    assert_problem(small.client.post("/v1/entries/bulk", json=bulk, headers=who.headers), 413)
    token = small.client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": who.client_id,
                                                 "client_secret": "s" * 5000})
    assert_problem(token, 413)


def test_body_size_limit_holds_without_content_length(small: Harness) -> None:
    """A chunked body declares no length: the limit is counted as it streams in."""
    who = small.actor("contributor")
    payload = json.dumps(entry_body(legal_basis="x" * 3000)).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 500):
            yield payload[start:start + 500]

    response = small.client.post("/v1/entries", content=chunks(),
                                 headers={**who.headers, "Content-Type": "application/json"})
    assert_problem(response, 413)


def test_lying_content_length_is_refused(small: Harness) -> None:
    who = small.actor("contributor")
    response = small.client.post("/v1/entries", content=b"{}",
                                 headers={**who.headers, "Content-Type": "application/json",
                                          "Content-Length": "abc"})
    assert response.status_code in (400, 413), response.text
