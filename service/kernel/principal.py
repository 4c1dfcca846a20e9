"""Who is calling: a pure value the services take, with no web framework behind it."""

from __future__ import annotations

from dataclasses import dataclass

from service.kernel.roles import Role
from service.kernel.uow import Actor


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated API client of an organisation, with the roles it holds."""

    client_id: str
    organisation: str
    organisation_id: int
    roles: frozenset[str]

    def has(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles)

    @property
    def actor(self) -> Actor:
        return Actor(client_id=self.client_id, organisation=self.organisation, roles=tuple(sorted(self.roles)))
