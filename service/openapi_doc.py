"""The OpenAPI document as clients should read it: errors only as problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.errors import PROBLEM_JSON


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
            app.openapi_schema = document
        return app.openapi_schema

    return build
