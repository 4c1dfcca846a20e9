"""Error responses documented on every operation."""

from __future__ import annotations

from typing import Any

from service.kernel.errors import PROBLEM_JSON, Problem

_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text, "content": _CONTENT}
    for code, text in {
        400: "Malformed request", 401: "Missing or invalid token", 403: "Role not allowed",
        404: "Not found", 409: "Conflict", 412: "Stale If-Match",
        413: "Body larger than DEBARLIST_MAX_BODY_BYTES (32 MiB by default): refused unread",
        422: "Validation failed (a request over a stated cost bound too)", 428: "If-Match required",
    }.items()
}
