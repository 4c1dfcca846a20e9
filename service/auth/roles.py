"""The roles an API client can hold."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    contributor = "contributor"
    screener = "screener"
    auditor = "auditor"
    reviewer = "reviewer"


ALL_ROLES: tuple[Role, ...] = tuple(Role)
