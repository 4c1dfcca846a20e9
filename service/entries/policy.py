"""Who may see which entry, and which entries a screening may match: the list's one visibility
rule, for SQL queries, for single rows and stored versions, and for the screening indexes.

An entry awaiting review, or rejected, is not yet the list: only its organisation (and
auditors) read it, and no screening matches it. ``restricted`` entries are shared with their
own organisation only; ``public`` and ``members`` entries with every participant.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from service.entries.models import Entry
from service.entries.states import Publication, Visibility
from service.kernel.principal import Principal
from service.kernel.roles import Role

SHARED_VISIBILITIES = (Visibility.public.value, Visibility.members.value)


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """Auditors read everything; others read published shared entries and their own."""
    if principal.has(Role.auditor):
        return true()
    return or_(and_(Entry.visibility.in_(SHARED_VISIBILITIES), Entry.publication == Publication.published.value),
               Entry.organisation_id == principal.organisation_id)


def may_read(principal: Principal, *, organisation_id: int, visibility: str, publication: str) -> bool:
    """The rule of ``visible_clause`` for one entry or one stored version of it."""
    return (principal.has(Role.auditor) or organisation_id == principal.organisation_id
            or (visibility in SHARED_VISIBILITIES and publication == Publication.published.value))


def may_screen(screening_organisation_id: int, *, owner_id: int, visibility: str, publication: str) -> bool:
    """Whether a screening by ``screening_organisation_id`` may match the entry (in force or not)."""
    return publication == Publication.published.value and (
        visibility in SHARED_VISIBILITIES or owner_id == screening_organisation_id)


# Index partitions (see debarlist_match.ListedRecord.partition). Only the shared list (None)
# weighs words for everyone; entries nobody else may match live apart, so that no number of
# them can push a visible entry out of a shortlist or make its words look common.
UNPUBLISHED = "unpublished"


def partition(*, owner_id: int, visibility: str, publication: str, withdrawn: bool) -> str | None:
    if publication != Publication.published.value:
        return UNPUBLISHED  # never searched
    scope = None if visibility in SHARED_VISIBILITIES else f"org:{owner_id}"
    if withdrawn:
        return f"withdrawn:{scope or 'shared'}"
    return scope


def screened_partitions(screening_organisation_id: int, *, include_inactive: bool) -> tuple[str | None, ...]:
    """The partitions a screening searches: the shared list and the organisation's own
    restricted entries, and their withdrawn entries when inactive ones are asked for."""
    own = f"org:{screening_organisation_id}"
    if include_inactive:
        return None, own, "withdrawn:shared", f"withdrawn:{own}"
    return None, own
