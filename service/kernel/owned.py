"""A row that belongs to one organisation (a watched supplier, an alert, a decision, a webhook
endpoint), read for a caller of that organisation."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel.errors import NotFound
from service.kernel.principal import Principal


class _OrganisationRow(Protocol):
    @property
    def organisation_id(self) -> int: ...


Row = TypeVar("Row", bound=_OrganisationRow)


def own_row(session: Session, model: type[Row], row_id: str, principal: Principal, noun: str) -> Row:
    """The caller's organisation's row ``row_id``. Another organisation's row is as absent as one
    that never existed (404, not 403), so that an id tells nothing about other organisations."""
    row = session.scalar(select(model).filter_by(id=row_id))
    if row is None or row.organisation_id != principal.organisation_id:
        raise NotFound(f"{noun} {row_id!r} does not exist")
    return row
