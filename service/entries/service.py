"""Business rules for entries: who may write what, versions, revisions and status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.common.cursor import decode_cursor, encode_cursor
from service.common.text import escape_like, fold
from service.entries.models import Entry, EntryRevision, Review
from service.entries.publication import PUBLISHED, REJECTED, note_author, propose_change, submit_publication
from service.entries.schemas import EntryContent, EntryOut, EntryPatch
from service.entries.states import Status
from service.kernel.clock import today, utcnow
from service.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from service.kernel.ledger import Ledger
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx

CONTENT_FIELDS = tuple(EntryContent.model_fields)


def derive_status(*, withdrawn: bool, starts_on: date, ends_on: date | None, on: date) -> Status:
    """Status on day ``on``, from the dates alone: nothing has to run for an entry to expire."""
    if withdrawn:
        return Status.withdrawn
    if starts_on > on:
        return Status.not_yet_in_force
    if ends_on is not None and ends_on < on:
        return Status.expired
    return Status.active


def status_of(entry: Entry, on: date) -> Status:
    return derive_status(withdrawn=entry.withdrawn_at is not None, starts_on=entry.starts_on,
                         ends_on=entry.ends_on, on=on)


def status_clause(status: Status, on: date) -> ColumnElement[bool]:
    not_withdrawn = Entry.withdrawn_at.is_(None)
    if status is Status.withdrawn:
        return Entry.withdrawn_at.is_not(None)
    if status is Status.not_yet_in_force:
        return and_(not_withdrawn, Entry.starts_on > on)
    if status is Status.expired:
        return and_(not_withdrawn, Entry.starts_on <= on, Entry.ends_on.is_not(None), Entry.ends_on < on)
    return and_(not_withdrawn, Entry.starts_on <= on, or_(Entry.ends_on.is_(None), Entry.ends_on >= on))


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """Auditors read everything; others read published public and members entries and their own
    (an entry awaiting review, or rejected, is not yet the list: only its organisation sees it)."""
    if principal.has(Role.auditor):
        return true()
    return or_(and_(Entry.visibility.in_(("public", "members")), Entry.publication == PUBLISHED),
               Entry.organisation_id == principal.organisation_id)


def may_read(principal: Principal, *, organisation_id: int, visibility: str, publication: str) -> bool:
    """The rule of ``visible_clause`` for one entry or one stored version of it."""
    return (principal.has(Role.auditor) or organisation_id == principal.organisation_id
            or (visibility in ("public", "members") and publication == PUBLISHED))


def can_see(principal: Principal, entry: Entry) -> bool:
    return may_read(principal, organisation_id=entry.organisation_id, visibility=entry.visibility,
                    publication=entry.publication)


def to_out(entry: Entry, on: date | None = None, *, review_id: str | None = None) -> EntryOut:
    return EntryOut(
        id=entry.id, organisation=entry.organisation.code, kind=entry.kind, name=entry.name,
        aliases=list(entry.aliases), country=entry.country, addresses=list(entry.addresses),
        identifiers=entry.identifiers, listing=entry.listing, grounds=entry.grounds,
        legal_basis=entry.legal_basis, decision_ref=entry.decision_ref, decided_on=entry.decided_on,
        evidence=list(entry.evidence), source=entry.source, starts_on=entry.starts_on, ends_on=entry.ends_on,
        visibility=entry.visibility, external_ref=entry.external_ref,
        status=status_of(entry, on or today()), appeal_status=entry.appeal_status,
        appeal_lodged_on=entry.appeal_lodged_on, appeal_decided_on=entry.appeal_decided_on,
        appeal_decision_ref=entry.appeal_decision_ref, publication=entry.publication or PUBLISHED,
        review_id=review_id,
        withdrawn_at=entry.withdrawn_at, withdrawal_reason=entry.withdrawal_reason, version=entry.version,
        revision=entry.revision, created_at=entry.created_at, created_by=entry.created_by,
        updated_at=entry.updated_at, updated_by=entry.updated_by)


def snapshot(entry: Entry) -> dict[str, Any]:
    """The stored form of one version: everything but the date-derived status."""
    return to_out(entry).model_dump(mode="json", exclude={"status", "revision", "review_id"})


def etag(entry: Entry) -> str:
    return f'"{entry.id}.v{entry.version}"'


def content_of(entry: Entry) -> dict[str, Any]:
    out = to_out(entry).model_dump(mode="json")
    return {name: out[name] for name in CONTENT_FIELDS}


def normalised_content(data: EntryContent) -> dict[str, Any]:
    content = data.model_dump(mode="json")
    if content["starts_on"] is None:
        content["starts_on"] = today().isoformat()
    return content


def apply_content(entry: Entry, content: dict[str, Any]) -> None:
    for name, value in content.items():
        if name in ("decided_on", "starts_on", "ends_on") and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(entry, name, value)
    entry.search_text = fold("\n".join([entry.name, *entry.aliases]))
    entry.grounds_key = "," + ",".join(entry.grounds) + ","


def record_version(tx: Tx, entry: Entry, action: str, before: dict[str, Any] | None, *,
            audit: bool = True) -> dict[str, Any]:
    """Keep the version, take a list revision at commit, and write the audit record (unless the
    calling domain writes its own record, which then carries the before and after)."""
    after = snapshot(entry)
    revision = EntryRevision(entry_id=entry.id, version=entry.version, action=action, data=after,
                             recorded_at=entry.updated_at, recorded_by=tx.actor.client_id)
    tx.session.add(revision)

    def take_revision(ledger: Ledger) -> None:
        ledger.list_revision += 1
        tx.stamp(entry, "revision", ledger.list_revision)
        tx.stamp(revision, "list_revision", ledger.list_revision)

    tx.on_seal(take_revision)
    if audit:
        tx.audit(action, "entry", entry.id, {"organisation": entry.organisation.code,
                                             "external_ref": entry.external_ref, "before": before,
                                             "after": after})
    return after


def revise(tx: Tx, principal: Principal, entry: Entry, action: str, *, content: dict[str, Any] | None = None,
           fields: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new version of ``entry`` made by another domain (a review decision, an appeal step).

    The caller writes the audit record, with the returned (before, after) snapshots in it.
    """
    before = snapshot(entry)
    if content is not None:
        apply_content(entry, content)
    for name, value in (fields or {}).items():
        setattr(entry, name, value)
    entry.version += 1
    entry.updated_at = utcnow()
    entry.updated_by = principal.client_id
    return before, record_version(tx, entry, action, before, audit=False)


def organisation_of(session: Session, principal: Principal) -> Organisation:
    org = session.get(Organisation, principal.organisation_id)
    assert org is not None  # the principal was loaded from an existing client of it
    return org


def _ensure_ref_free(session: Session, org_id: int, external_ref: str | None, own_id: str | None) -> None:
    if external_ref is None:
        return
    clash = session.execute(select(Entry.id).where(
        Entry.organisation_id == org_id, Entry.external_ref == external_ref)).scalar_one_or_none()
    if clash is not None and clash != own_id:
        raise Conflict(f"external_ref {external_ref!r} is already used by entry {clash}")


def create_entry(tx: Tx, principal: Principal, data: EntryContent, *, action: str = "entry.create") -> Entry:
    return create_entry_reviewed(tx, principal, data, action=action)[0]


def create_entry_reviewed(tx: Tx, principal: Principal, data: EntryContent, *,
                          action: str = "entry.create") -> tuple[Entry, Review | None]:
    """Create an entry; in a four-eyes organisation it waits for review (returned)."""
    _ensure_ref_free(tx.session, principal.organisation_id, data.external_ref, None)
    org = organisation_of(tx.session, principal)
    entry = new_entry(tx, principal, org)
    apply_content(entry, normalised_content(data))
    tx.session.add(entry)
    review = submit_publication(tx, entry, principal.client_id, None) if org.requires_review else None
    record_version(tx, entry, action, None)
    tx.seal()  # the answer shows the entry's list revision
    return entry, review


def new_entry(tx: Tx, principal: Principal, org: Organisation) -> Entry:
    now = utcnow()
    return Entry(id=str(uuid.uuid4()), organisation_id=org.id, organisation=org, version=1, revision=0,
                 appeal_status="none", publication=PUBLISHED, created_at=now, created_by=principal.client_id,
                 updated_at=now, updated_by=principal.client_id)


def get_visible(session: Session, principal: Principal, entry_id: str) -> Entry:
    entry = session.execute(select(Entry).where(Entry.id == entry_id)).scalar_one_or_none()
    # An entry the caller may not see is reported exactly like one that does not exist.
    if entry is None or not can_see(principal, entry):
        raise NotFound(f"entry {entry_id!r} does not exist")
    return entry


def require_visible(session: Session, principal: Principal, entry_id: str, missing: str) -> None:
    """A record attached to an entry (an appeal, a recognition) is seen by whoever may see the
    entry; to anyone else it does not exist (``missing`` says what was asked for)."""
    entry = session.execute(select(Entry).where(Entry.id == entry_id)).scalar_one_or_none()
    if entry is None or not can_see(principal, entry):
        raise NotFound(missing)


def _get_own_for_write(tx: Tx, principal: Principal, entry_id: str) -> Entry:
    entry = get_visible(tx.session, principal, entry_id)
    if entry.organisation_id != principal.organisation_id:
        raise Forbidden("contributors change only their own organisation's entries")
    return entry


def _check_if_match(entry: Entry, if_match: str | None, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise PreconditionRequired("send If-Match with the entry's ETag to change it")
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(entry) not in tags and f"W/{etag(entry)}" not in tags:
        raise PreconditionFailed(f"entry changed since: current ETag is {etag(entry)}")


def update_entry(tx: Tx, principal: Principal, entry_id: str, patch: EntryPatch, if_match: str | None) -> Entry:
    return update_entry_reviewed(tx, principal, entry_id, patch, if_match)[0]


def update_entry_reviewed(tx: Tx, principal: Principal, entry_id: str, patch: EntryPatch,
                          if_match: str | None) -> tuple[Entry, Review | None]:
    """Change an entry; a change to a published entry of a four-eyes organisation is only
    proposed (the returned review) and the entry is left as it is."""
    entry = _get_own_for_write(tx, principal, entry_id)
    _check_if_match(entry, if_match, required=True)
    if entry.withdrawn_at is not None:
        raise Conflict("a withdrawn entry cannot be changed")
    current = content_of(entry)
    try:
        merged = EntryContent.model_validate({**current, **patch.model_dump(mode="json", exclude_unset=True)})
    except ValidationError as exc:
        # Rules across fields (ends_on before the stored starts_on) only show on the merged entry.
        raise Unprocessable(describe_validation_error(exc), errors=[
            FieldError(field="body." + ".".join(str(p) for p in err["loc"]), message=err["msg"])
            for err in exc.errors()]) from None
    content = normalised_content(merged)
    if content == current:
        return entry, None
    _ensure_ref_free(tx.session, entry.organisation_id, merged.external_ref, entry.id)
    review = write_change(tx, principal, organisation_of(tx.session, principal), entry, content, "entry.update",
                           None)
    tx.seal()  # the answer shows the entry's list revision
    return entry, review


def write_change(tx: Tx, principal: Principal, org: Organisation, entry: Entry, content: dict[str, Any],
                  action: str, batch_ref: str | None) -> Review | None:
    """Apply a content change, or propose it when the entry is published and the organisation
    requires review. A change to an entry still awaiting review is applied (it stays pending,
    its writer joins the authors); a change to a rejected entry submits it again."""
    if entry.publication == PUBLISHED:
        if org.requires_review:
            return propose_change(tx, entry, content, snapshot(entry), principal.client_id, batch_ref)
        _change(tx, principal, entry, content, action)
        return None
    if entry.publication == REJECTED:
        review: Review | None = submit_publication(tx, entry, principal.client_id, batch_ref)
    else:
        review = note_author(tx.session, entry, principal.client_id)
    _change(tx, principal, entry, content, action)
    return review


def _change(tx: Tx, principal: Principal, entry: Entry, content: dict[str, Any], action: str) -> None:
    before = snapshot(entry)
    apply_content(entry, content)
    entry.version += 1
    entry.updated_at = utcnow()
    entry.updated_by = principal.client_id
    record_version(tx, entry, action, before)


def withdraw_entry(tx: Tx, principal: Principal, entry_id: str, reason: str, if_match: str | None) -> Entry:
    entry = _get_own_for_write(tx, principal, entry_id)
    _check_if_match(entry, if_match, required=False)
    if entry.withdrawn_at is not None:
        raise Conflict("entry is already withdrawn")
    before = snapshot(entry)
    entry.withdrawn_at = utcnow()
    entry.withdrawal_reason = reason
    entry.version += 1
    entry.updated_at = entry.withdrawn_at
    entry.updated_by = principal.client_id
    record_version(tx, entry, "entry.withdraw", before)
    tx.seal()  # the answer shows the entry's list revision
    return entry


@dataclass(frozen=True, slots=True)
class EntryFilters:
    organisation: str | None = None
    listing: str | None = None
    status: Status | None = None
    country: str | None = None
    grounds: str | None = None
    q: str | None = None
    updated_since: datetime | None = None


def list_entries(session: Session, principal: Principal, filters: EntryFilters, cursor: str | None,
                 limit: int) -> tuple[list[Entry], str | None]:
    query: Select[Entry] = select(Entry).where(visible_clause(principal))
    if filters.organisation:
        query = query.join(Organisation, Entry.organisation_id == Organisation.id).where(
            Organisation.code == filters.organisation)
    if filters.listing:
        query = query.where(Entry.listing == filters.listing)
    if filters.status:
        query = query.where(status_clause(filters.status, today()))
    if filters.country:
        query = query.where(Entry.country == filters.country.upper())
    if filters.grounds:
        query = query.where(Entry.grounds_key.like(f"%,{escape_like(filters.grounds)},%", escape="\\"))
    if filters.q:
        query = query.where(Entry.search_text.like(f"%{escape_like(fold(filters.q))}%", escape="\\"))
    if filters.updated_since:
        since = filters.updated_since
        # A timestamp without an offset is read as UTC (the column refuses naive datetimes).
        query = query.where(Entry.updated_at >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
    if cursor:
        query = query.where(Entry.pk > decode_cursor(cursor, "pk")["pk"])
    rows = list(session.execute(query.order_by(Entry.pk).limit(limit + 1)).scalars())
    next_cursor = encode_cursor({"pk": rows[limit - 1].pk}) if len(rows) > limit else None
    return rows[:limit], next_cursor


def list_revisions(session: Session, principal: Principal, entry_id: str) -> list[EntryRevision]:
    get_visible(session, principal, entry_id)
    query = select(EntryRevision).where(EntryRevision.entry_id == entry_id).order_by(EntryRevision.version)
    return list(session.execute(query).scalars())


def describe_validation_error(exc: ValidationError) -> str:
    return "; ".join(".".join(str(p) for p in err["loc"]) + ": " + err["msg"] for err in exc.errors()[:5])
