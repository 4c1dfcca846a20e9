"""The route class of every API router: request bodies are parsed strictly.

A JSON object that names a key twice is refused (422) instead of letting the last value win
silently: ``{"visibility": "restricted", "visibility": "public"}`` must not store a public
entry because one layer read the first key and another the last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class DuplicateKey(json.JSONDecodeError):
    """Raised while parsing; FastAPI turns a JSONDecodeError into a 422 validation problem."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(f"duplicate key {key!r} in a JSON object", "", 0)
        found[key] = value
    return found


def parse_json(body: bytes) -> Any:
    return json.loads(body, object_pairs_hook=_refuse_duplicates)


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
