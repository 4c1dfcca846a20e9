"""Acting from the operator's command line rather than through the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.kernel.errors import NotFound
from service.kernel.principal import Principal
from service.kernel.roles import Role


def operator_for(session: Session, org_code: str, *roles: Role) -> Principal:
    """A principal for the operator acting on behalf of ``org_code`` (audited as ``cli``)."""
    org = session.execute(select(Organisation).where(Organisation.code == org_code)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"organisation {org_code!r} does not exist; add it with `debarlist orgs add`")
    return Principal(client_id="cli", organisation=org.code, organisation_id=org.id,
                     roles=frozenset(role.value for role in roles))
