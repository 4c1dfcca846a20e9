"""Signed checkpoints: "the chain had this head at this seq", as a JWS auditors keep outside.

A checkpoint is only issued after the records since the previous (signature-checked)
checkpoint have been verified, so the service never signs a head it cannot vouch for.
Issuing one is not itself audited: it changes nothing, and a record per checkpoint would move
the head every time and make the periodic issuer never idle.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jose import jws
from jose.exceptions import JOSEError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.audit.models import Checkpoint
from service.audit.verify import Anchor, Report, verify_chain
from service.auth.keys import ALGORITHM, SigningKey
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, Unprocessable
from service.kernel.ledger import Ledger
from service.kernel.periodic import Periodic

log = logging.getLogger("debarlist")


class ChainBroken(Conflict):
    slug, title = "audit-chain-broken", "Audit chain broken"


@dataclass(frozen=True, slots=True)
class CheckpointClaims:
    seq: int
    head_hash: str
    issued_at: str
    iss: str


def sign(key: SigningKey, issuer: str, seq: int, head_hash: str, issued_at: datetime) -> str:
    payload = {"seq": seq, "head_hash": head_hash, "iss": issuer,
               "issued_at": issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    # typ JOSE, not the library default JWT: a checkpoint is a signed statement, not a token.
    return str(jws.sign(payload, key.private_pem, headers={"kid": key.kid, "typ": "JOSE"}, algorithm=ALGORITHM))


def read(token: str, key: SigningKey, issuer: str) -> CheckpointClaims:
    """Check a kept checkpoint's signature against the service's key of its kid; raise Unprocessable if not ours."""
    token = token.strip()
    try:
        header = jws.get_unverified_header(token)
        # Verified with the key its kid names: the signing one, or a retired one still configured.
        public_pem = key.public_pem_for(header.get("kid"))
        if header.get("alg") != ALGORITHM or public_pem is None:
            raise Unprocessable("checkpoint was not signed with a key of this service (current or previous)")
        payload: Any = json.loads(jws.verify(token, public_pem, algorithms=[ALGORITHM]))
    except (JOSEError, ValueError) as exc:
        raise Unprocessable("checkpoint is not a valid JWS signed by this service") from exc
    ok_types = (isinstance(payload, dict) and isinstance(payload.get("seq"), int)
                and isinstance(payload.get("head_hash"), str) and isinstance(payload.get("issued_at"), str))
    if not ok_types or payload.get("iss") != issuer:
        raise Unprocessable("checkpoint payload is not one this service issues")
    return CheckpointClaims(seq=payload["seq"], head_hash=payload["head_hash"],
                            issued_at=payload["issued_at"], iss=payload["iss"])


def latest(session: Session) -> Checkpoint | None:
    return session.execute(select(Checkpoint).order_by(Checkpoint.seq.desc(), Checkpoint.id.desc())
                           .limit(1)).scalar_one_or_none()


def _trusted_start(factory: sessionmaker[Session], key: SigningKey, issuer: str) -> Anchor | None:
    """The newest stored checkpoint whose signature still checks: verification resumes there."""
    with factory() as session:
        checkpoint = latest(session)
    if checkpoint is None:
        return None
    try:
        claims = read(checkpoint.jws, key, issuer)
    except Unprocessable:
        return None  # another key (rotated) or a forged row: walk from genesis instead
    return Anchor(claims.seq, claims.head_hash)


def issue(factory: sessionmaker[Session], key: SigningKey, issuer: str, *,
          only_if_moved: bool = False) -> Checkpoint | None:
    """Verify the chain since the last checkpoint, then sign and store the current head."""
    start = _trusted_start(factory, key, issuer)
    with factory() as session:
        seq, head = session.execute(select(Ledger.audit_seq, Ledger.audit_head).where(Ledger.id == 1)).one()
    if only_if_moved and (seq == 0 or (start is not None and start.seq >= seq)):
        return None
    report: Report = verify_chain(factory, start=start)
    if not report.ok:
        raise ChainBroken(f"audit chain broken at seq {report.first_broken_seq}: {report.reason}; "
                          "no checkpoint issued")
    # The walk may have gone past the head read above (a concurrent write): sign what it verified.
    seq, head = report.head_seq, report.head_hash
    now = utcnow()
    checkpoint = Checkpoint(seq=seq, head_hash=head, issued_at=now, jws=sign(key, issuer, seq, head, now))
    with factory() as session:
        session.add(checkpoint)
        session.commit()
    log.info("audit checkpoint issued at seq %d", seq)
    return checkpoint


def list_checkpoints(session: Session, limit: int) -> list[Checkpoint]:
    return list(session.execute(select(Checkpoint).order_by(Checkpoint.seq.desc(), Checkpoint.id.desc())
                                .limit(limit)).scalars())


class PeriodicCheckpoints(Periodic):
    """A checkpoint every ``interval`` seconds when the head has moved."""

    def __init__(self, factory: sessionmaker[Session], key: SigningKey, issuer: str, interval: float) -> None:
        super().__init__("audit-checkpoints", interval,
                         lambda: issue(factory, key, issuer, only_if_moved=True))
