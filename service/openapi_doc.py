"""The OpenAPI document as clients should read it: errors only as problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.idempotency.middleware import EXEMPT, MAX_KEY_LENGTH
from service.kernel.errors import PROBLEM_JSON

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": (
        "Makes a retry safe: a repeat of this request (same client, key, method, path, query and body) "
        "within 24 hours is answered with the first response, marked `Idempotent-Replayed: true`, and "
        "changes nothing; the same key with another request is 422, and a repeat while the first still "
        "runs is 409 with Retry-After. Answers 5xx, 401 and 429 are not kept: a retry runs again. "
        f"1 to {MAX_KEY_LENGTH} printable ASCII characters (otherwise 400); a UUID is a good key."),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]+$",
               "title": "Idempotency-Key", "examples": ["b6f1c0de-4a3e-4c55-9a51-2f9e0d1c7a42"]},
}
REPLAYED_HEADER = {
    "description": "`true` when the response is the stored answer to an earlier request with the same "
                   "Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def problem_only_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI lists an error model under ``application/json`` as well as the media type we
    declare; the service only ever answers errors as ``application/problem+json``."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes, tags=app.openapi_tags)
            for path_item in document.get("paths", {}).values():
                for operation in path_item.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[:1] in "45" and PROBLEM_JSON in content:
                            content.pop("application/json", None)
            _document_idempotency(document)
            app.openapi_schema = document
        return app.openapi_schema

    return build


def _document_idempotency(document: dict[str, Any]) -> None:
    """Every POST but the exempt ones takes an optional Idempotency-Key (service.idempotency.middleware)."""
    for path, path_item in document.get("paths", {}).items():
        operation = path_item.get("post")
        if operation is None or path in EXEMPT:
            continue
        operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY))
        for status, response in operation.get("responses", {}).items():
            if status[:1] == "2":
                response.setdefault("headers", {})["Idempotent-Replayed"] = dict(REPLAYED_HEADER)
