"""Opaque, tamper-checked pagination cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

from service.kernel.errors import ServiceError


class InvalidCursor(ServiceError):
    status, slug, title = 400, "invalid-cursor", "Invalid cursor"


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *keys: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidCursor("cursor is not one this service issued") from exc
    if not isinstance(position, dict) or any(not _is_position(position.get(key)) for key in keys):
        raise InvalidCursor("cursor is not one this service issued")
    return position


def _is_position(value: Any) -> bool:
    # bool is an int to Python, and ints past 64 bits overflow the database driver.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
