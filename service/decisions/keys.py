"""Which supplier a decision is about, and the decision standing on a match."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.decisions.models import MatchDecision


def subject_key(subject: dict[str, Any]) -> str:
    """The same supplier, however it reaches us (a watch or a screening): name, country, identifiers."""
    ids = sorted((str(i["scheme"]).lower(), str(i["value"]).strip()) for i in subject.get("identifiers") or [])
    key = json.dumps([str(subject["name"]).strip().casefold(), subject.get("country"), ids])
    return hashlib.sha256(key.encode()).hexdigest()


def standing(session: Session, organisation_id: int, key: str, entry_id: str) -> MatchDecision | None:
    return session.scalar(select(MatchDecision).where(
        MatchDecision.organisation_id == organisation_id, MatchDecision.subject_key == key,
        MatchDecision.entry_id == entry_id, MatchDecision.reversed_at.is_(None))
        .order_by(MatchDecision.position.desc()).limit(1))


def standing_many(session: Session, organisation_id: int,
                  pairs: set[tuple[str, str]]) -> dict[tuple[str, str], MatchDecision]:
    """The standing decision on each (subject key, entry id) pair that has one, in one query."""
    if not pairs:
        return {}
    keys, entries = {k for k, _ in pairs}, {e for _, e in pairs}
    rows = session.scalars(select(MatchDecision).where(
        MatchDecision.organisation_id == organisation_id, MatchDecision.subject_key.in_(keys),
        MatchDecision.entry_id.in_(entries), MatchDecision.reversed_at.is_(None))
        .order_by(MatchDecision.position))
    return {(d.subject_key, d.entry_id): d for d in rows if (d.subject_key, d.entry_id) in pairs}
