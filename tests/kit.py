"""Helpers for tests that walk an entry through its life (reviews, appeals, recognitions,
history): entries, screenings and audit records through the real app, and names no other test uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from service.kernel.ledger import AuditRecord
from tests.support import Actor, Harness, entry_body

# The roles of an organisation (the cross-organisation operator is not one of them).
ROLES = ("admin", "contributor", "screener", "auditor", "reviewer")


@dataclass
class Kit:
    client: TestClient
    harness: Harness

    def entry(self, who: Actor, **overrides: Any) -> dict[str, Any]:
        """A new entry with a name unique to the test, so screenings find only it."""
        overrides.setdefault("name", unique_name())
        overrides.setdefault("aliases", [])
        overrides.setdefault("identifiers", [])
        response = self.client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def screen(self, who: Actor, name: str, *, country: str | None = None, **body: Any) -> dict[str, Any]:
        subject = {"ref": "bid", "name": name, **({"country": country} if country else {})}
        response = self.client.post("/v1/screen", json={"subjects": [subject], **body}, headers=who.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def matches(self, who: Actor, name: str, *, country: str | None = None,
                **body: Any) -> dict[str, dict[str, Any]]:
        """entry_id -> match, for the one subject."""
        result = self.screen(who, name, country=country, **body)
        return {m["entry_id"]: m for m in result["results"][0]["matches"]}

    def audit(self, action: str, target_id: str) -> list[AuditRecord]:
        with self.harness.app.state.session_factory() as session:
            query = select(AuditRecord).where(AuditRecord.action == action, AuditRecord.target_id == target_id)
            return list(session.execute(query).scalars())

    def get(self, who: Actor, path: str) -> dict[str, Any]:
        response = self.client.get(path, headers=who.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


WORDS = ("Amber", "Birch", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Indigo", "Juniper",
         "Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Tundra")


def unique_name() -> str:
    """A company name no other test uses: random distinctive words, so fuzzy matching cannot
    confuse two tests' entries."""
    picks = [secrets.choice(WORDS) + secrets.token_hex(2).upper() for _ in range(2)]
    return " ".join(picks) + " Trading LLP"
