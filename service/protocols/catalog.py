"""The datasets a caller may name: its whole visible list (``default``) and one per organisation.

Shared by the yente ``/catalog`` and ``/match/{dataset}`` and by reconciliation: a dataset name is
``default`` or an organisation's code in lower case (yente's dataset names are lower case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.entries.models import Entry
from service.entries.policy import visible_clause
from service.kernel.errors import NotFound
from service.kernel.ledger import list_head
from service.kernel.principal import Principal

WHOLE_LIST = "default"
ALSO_WHOLE_LIST = frozenset({WHOLE_LIST, "debarlist", "all"})


def dataset_name(organisation_code: str) -> str:
    return organisation_code.lower()


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    organisation: str | None  # None: the whole visible list
    entity_count: int
    updated_at: datetime | None


def resolve(session: Session, dataset: str) -> str | None:
    """The organisation code a dataset name stands for, None for the whole list."""
    if dataset.lower() in ALSO_WHOLE_LIST:
        return None
    code = session.execute(select(Organisation.code).where(func.lower(Organisation.code) == dataset.lower())
                           ).scalar_one_or_none()
    if code is None:
        raise NotFound("No such dataset.")  # yente's words
    return code


def datasets(session: Session, principal: Principal) -> tuple[int, list[DatasetInfo]]:
    """The list revision and every dataset holding an entry the caller may see (its own
    organisation's always), counting entries not withdrawn."""
    rows = session.execute(
        select(Organisation.code, Organisation.name, func.count(Entry.pk), func.max(Entry.updated_at))
        .join(Entry, Entry.organisation_id == Organisation.id)
        .where(visible_clause(principal), Entry.withdrawn_at.is_(None))
        .group_by(Organisation.code, Organisation.name).order_by(Organisation.code)).all()
    found = {code: DatasetInfo(dataset_name(code), name, code, count, updated) for code, name, count, updated in rows}
    if principal.organisation not in found:
        own = session.execute(select(Organisation.name).where(Organisation.code == principal.organisation)
                              ).scalar_one()
        found[principal.organisation] = DatasetInfo(dataset_name(principal.organisation), own,
                                                    principal.organisation, 0, None)
    parts = sorted(found.values(), key=lambda d: d.name)
    updated = [d.updated_at for d in parts if d.updated_at is not None]
    whole = DatasetInfo(WHOLE_LIST, "Debarlist", None, sum(d.entity_count for d in parts),
                        max(updated) if updated else None)
    return list_head(session), [whole, *parts]
