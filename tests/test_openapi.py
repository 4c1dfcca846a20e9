"""The committed OpenAPI document is the app's, and every operation documents itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.exchange.openapi import DOCUMENT, REGENERATE, build, render

ANONYMOUS = {("get", "/healthz"), ("post", "/v1/token"), ("get", "/.well-known/jwks.json")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}]


def test_committed_document_matches_the_app(document: dict[str, Any]) -> None:
    assert DOCUMENT.exists(), f"openapi/openapi.json is missing: run `{REGENERATE}`"
    committed = DOCUMENT.read_text(encoding="utf-8")
    assert committed == render(document), (
        f"openapi/openapi.json differs from the app's document: run `{REGENERATE}` "
        "(or scripts/export-openapi) and commit the result")


def test_every_operation_has_an_id_a_summary_and_problem_errors(document: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in _operations(document)]
    assert all(ids) and len(ids) == len(set(ids)), "operation ids must exist and be unique"
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for method, path, op in _operations(document):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), f"{where} has no summary"
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        if (method, path) not in ANONYMOUS:
            assert {"401", "403"} <= errors.keys(), f"{where} does not document 401/403"
            assert op.get("security") == [{"clientCredentials": []}], f"{where} has no security requirement"
        for code, response in errors.items():
            content = response.get("content", {})
            assert content.get("application/problem+json", {}).get("schema") == problem_ref, (
                f"{where} {code} is not documented as application/problem+json Problem")


def test_security_scheme_and_problem_schema(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["clientCredentials"]
    assert scheme["type"] == "oauth2" and scheme["flows"]["clientCredentials"]["tokenUrl"] == "/v1/token"
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])


def test_exchange_schemas_describe_and_exemplify_every_field(document: dict[str, Any]) -> None:
    for name in ("ChangeItem", "ChangePage"):
        for field, spec in document["components"]["schemas"][name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
            assert spec.get("examples") or field in ("entry", "items"), f"{name}.{field} has no example"


def test_document_is_stable_json(document: dict[str, Any]) -> None:
    assert json.loads(render(document)) == document
    assert render(build()) == render(document)  # no run-dependent content (keys, paths, times)
