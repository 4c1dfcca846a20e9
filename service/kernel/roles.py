"""The roles an API client can hold."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Administers its own organisation's API clients (create, list, disable), nothing else.
    admin = "admin"
    contributor = "contributor"
    screener = "screener"
    auditor = "auditor"
    reviewer = "reviewer"
    # Cross-organisation administration: registers organisations and administers the clients of
    # any organisation. Refused to API clients unless DEBARLIST_ALLOW_OPERATOR_CLIENTS is true;
    # the command line always acts as the system operator.
    operator = "operator"

# The roles of an organisation's own work: every role but the service-wide operator.
ORGANISATION_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.operator)
