"""The states of an entry, shared by the models, the schemas and every state machine."""

from __future__ import annotations

from enum import StrEnum


# Four-eyes publication (service.reviews): only published entries are the list.
class Publication(StrEnum):
    published = "published"
    pending_review = "pending_review"
    rejected = "rejected"


class Visibility(StrEnum):
    public = "public"
    members = "members"
    restricted = "restricted"


# Derived from the dates and withdrawal on a given day; never stored. (No docstring: it would
# become the schema's description in the OpenAPI document.)
class Status(StrEnum):
    active = "active"
    expired = "expired"
    not_yet_in_force = "not_yet_in_force"
    withdrawn = "withdrawn"
