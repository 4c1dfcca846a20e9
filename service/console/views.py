"""What each console page shows, from the same domain service functions the API calls: no rule
is written twice. Routers turn requests into these calls and the results into templates."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.appeals import service as appeals_service
from service.appeals.schemas import AppealLodge, AppealStep
from service.audit import checkpoints
from service.audit import service as audit_service
from service.audit.schemas import Order
from service.audit.verify import verify_chain
from service.bidderlist import reading
from service.bidderlist.reading import BidderList
from service.bidderlist.run import RequestRefused, RunResult, run
from service.common.routing import parse_json
from service.console.progress import Throttle
from service.decisions.models import MatchDecision
from service.entries import bulk, importing
from service.entries import service as entries_service
from service.entries.schemas import EntryCreate, EntryPatch, Ground, Withdrawal
from service.entries.states import Status, Visibility
from service.kernel.clock import today
from service.kernel.errors import NotFound, PreconditionFailed, ServiceError, Unprocessable
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx
from service.listview import Lists
from service.monitoring import alerts, decisions, watchlist
from service.monitoring.schemas import DecisionIn, ScreeningDecisionIn, WatchedSupplierIn
from service.observability.metrics import observe_screening
from service.reviews import service as reviews_service
from service.screening import service as screening_service
from service.screening.schemas import ScreenRequest

MAX_PASTED = 1000


class InProcessScreener:
    """A bidder-list ``BatchScreener`` that calls the screening service in the request's own unit
    of work (the console's), exactly as ``POST /v1/screen`` does."""

    def __init__(self, tx: Tx, principal: Principal, lists: Lists) -> None:
        self.tx, self.principal, self.lists = tx, principal, lists

    def __call__(self, body: dict[str, Any], *, key: str) -> dict[str, Any]:
        try:
            request = ScreenRequest.model_validate(body)
        except ValidationError as exc:
            raise RequestRefused(str(exc.errors()[0]["msg"])) from None
        response = screening_service.screen(self.tx, self.principal, self.lists, request)
        observe_screening(len(response.results), (m.score for r in response.results for m in r.matches))
        return response.model_dump(mode="json")


def pasted_bidders(text: str) -> BidderList:
    """One bidder a line: a name, or a name and a country separated by a tab (pasted from a sheet)."""
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        name, _, country = raw.partition("\t")
        rows.append(reading.make_row(line, {"name": name, "country": country}))
    if len(rows) > MAX_PASTED:
        raise Unprocessable(f"{len(rows):,} names pasted; paste at most {MAX_PASTED:,} or upload a bidder list")
    return reading.flag_duplicates(BidderList("pasted names", "text", None, rows, {"name": "name"}, []))


def screen_bidders(tx: Tx, principal: Principal, lists: Lists, bidders: BidderList,
                   tender_ref: str | None) -> RunResult:
    options = {"tender_ref": tender_ref} if tender_ref else {}
    return run(bidders, InProcessScreener(tx, principal, lists), options=options, batch_size=1000)


@dataclass
class ReceiptView:
    receipt: Any
    rows: list[dict[str, Any]] = field(default_factory=list)
    # (ref, entry id) -> the standing decision on that match, taken on this screening
    decisions: dict[tuple[str, str], Any] = field(default_factory=dict)
    may_decide: bool = False


def receipt_view(session: Session, principal: Principal, screening_id: str) -> ReceiptView:
    receipt = screening_service.get_receipt(session, principal, screening_id)
    subjects = receipt.request.get("subjects", [])
    rows = [{"subject": subject, "result": result.model_dump(mode="json")}
            for subject, result in zip(subjects, receipt.results, strict=False)]
    standing = session.scalars(select(MatchDecision).where(
        MatchDecision.source == "screening", MatchDecision.source_id == screening_id,
        MatchDecision.organisation_id == principal.organisation_id, MatchDecision.reversed_at.is_(None))
        .order_by(MatchDecision.position))
    decided = {(d.ref, d.entry_id): decisions.to_out(d) for d in standing}  # later ones supersede
    # Only the screening organisation's screeners decide (decisions.decide_screening says so too).
    may_decide = principal.has(Role.screener) and receipt.organisation == principal.organisation
    return ReceiptView(receipt=receipt, rows=rows, decisions=decided, may_decide=may_decide)


def decide_match(tx: Tx, principal: Principal, screening_id: str, *, ref: str, entry_id: str, decision: str,
                 note: str, action: str) -> Any:
    """A decision on one match of a screening: the monitoring service's own rule and record."""
    try:
        body = ScreeningDecisionIn(ref=ref, entry_id=entry_id, decision=decision,
                                   note=note.strip() or None, action=action.strip() or None)
    except ValidationError as exc:
        raise Unprocessable(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    return decisions.to_out(decisions.decide_screening(tx, principal, screening_id, body))


@dataclass
class EntryQuery:
    q: str | None = None
    organisation: str | None = None
    listing: str | None = None
    status: str | None = None
    cursor: str | None = None

    def params(self) -> dict[str, str]:
        return {k: v for k, v in {"q": self.q, "organisation": self.organisation, "listing": self.listing,
                                  "status": self.status}.items() if v}


LISTINGS = ("debarred", "flagged")
STATUSES = tuple(status.value for status in Status)


def entries_page(session: Session, principal: Principal, query: EntryQuery, limit: int = 50
                 ) -> tuple[list[Any], str | None]:
    if query.listing and query.listing not in LISTINGS:
        raise Unprocessable(f"listing must be one of {', '.join(LISTINGS)}")
    if query.status and query.status not in STATUSES:
        raise Unprocessable(f"status must be one of {', '.join(STATUSES)}")
    filters = entries_service.EntryFilters(organisation=query.organisation, listing=query.listing,
                                           status=Status(query.status) if query.status else None, q=query.q)
    entries, next_cursor = entries_service.list_entries(session, principal, filters, query.cursor, limit)
    on = today()
    return [entries_service.to_out(entry, on) for entry in entries], next_cursor


def entry_view(session: Session, principal: Principal, entry_id: str) -> tuple[Any, list[dict[str, Any]]]:
    """The entry as it stands, and its versions newest first, each with what it changed."""
    entry = entries_service.to_out(entries_service.get_visible(session, principal, entry_id))
    revisions = entries_service.list_revisions(session, principal, entry_id)
    history: list[dict[str, Any]] = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        data = revision.data or {}
        changes = [(key, previous.get(key), data.get(key)) for key in sorted(set(previous) | set(data))
                   if previous.get(key) != data.get(key) and key not in ("version", "updated_at")]
        history.append({"version": revision.version, "action": revision.action, "list_revision":
                        revision.list_revision, "recorded_at": revision.recorded_at,
                        "recorded_by": revision.recorded_by, "changes": changes})
        previous = data
    return entry, list(reversed(history))


def appeals_of(session: Session, principal: Principal, entry_id: str) -> list[Any]:
    return [appeals_service.to_out(session, a) for a in appeals_service.list_for_entry(session, principal, entry_id)]


def _validated(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        raise Unprocessable(f"{where}: {message}" if where else message) from None


def lodge_appeal(tx: Tx, principal: Principal, entry_id: str, *, lodged_on: str, reference: str) -> Any:
    body = _validated(AppealLodge, {"lodged_on": lodged_on, **({"reference": reference} if reference else {})})
    return appeals_service.to_out(tx.session, appeals_service.lodge(tx, principal, entry_id, body))


def record_appeal_step(tx: Tx, principal: Principal, appeal_id: str, form: dict[str, str]) -> Any:
    data: dict[str, Any] = {k: v for k, v in form.items() if v}
    body = _validated(AppealStep, data)
    return appeals_service.to_out(tx.session, appeals_service.record_step(tx, principal, appeal_id, body))


GROUNDS = tuple(ground.value for ground in Ground)
VISIBILITIES = tuple(visibility.value for visibility in Visibility)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _entry_data(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The entry's fields from the form, or the message for a field that cannot be read."""
    identifiers = []
    for line in _lines(form.get("identifiers", "")):
        scheme, sep, value = line.partition(":")
        if not sep:
            return {}, {"identifiers": f"{line[:40]!r} is not 'scheme:value' (e.g. bin:123456789012)"}
        identifiers.append({"scheme": scheme.strip().lower(), "value": value.strip()})
    data = {"kind": form.get("kind") or "company", "name": form.get("name", ""),
            "aliases": _lines(form.get("aliases", "")), "country": (form.get("country") or "").strip() or None,
            "identifiers": identifiers, "listing": form.get("listing") or "debarred",
            "grounds": list(form.get("grounds") or []),
            **{key: (form.get(key) or "").strip() or None for key in (
                "legal_basis", "decision_ref", "decided_on", "starts_on", "ends_on", "external_ref")},
            "visibility": form.get("visibility") or "members"}
    return data, {}


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field_name = str(error["loc"][0]) if error["loc"] else ""
        errors.setdefault(field_name, str(error["msg"]).removeprefix("Value error, "))
    return errors


def _service_errors(exc: ServiceError) -> dict[str, str]:
    if exc.errors:
        return {str(e.field).split(".")[0]: e.message for e in exc.errors}
    return {"": exc.detail}


def create_entry(tx: Tx, principal: Principal, form: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """The entry created from the form (through the entries service, four-eyes rule and all), or
    the messages to show beside each field, keyed by field name ("" for the form as a whole)."""
    data, errors = _entry_data(form)
    if errors:
        return None, errors
    try:
        body = EntryCreate.model_validate(data)
    except ValidationError as exc:
        return None, _field_errors(exc)
    try:
        entry, _ = entries_service.create_entry_reviewed(tx, principal, body)
    except ServiceError as exc:
        return None, _service_errors(exc)
    return entries_service.to_out(entry), {}


MAX_IMPORT_ROWS = 10_000  # as POST /v1/entries/bulk (BulkRequest)


@dataclass
class ImportRow:
    line: int  # the file's line (JSON lines) or row (a published list's spreadsheet or CSV row)
    result: str  # created, updated, unchanged, refused, or duplicate (a published list's row repeated)
    external_ref: str | None = None
    entry_id: str | None = None
    reason: str | None = None
    same_as: int | None = None  # a duplicate: the row it repeats


@dataclass
class ImportReport:
    filename: str
    rows: list[ImportRow]
    review_batch: str | None = None
    unit: str = "line"  # "row" for a published list's spreadsheet or CSV
    format: str = "entries"

    def count(self, result: str) -> int:
        return sum(1 for row in self.rows if row.result == result)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def refused(self) -> int:
        return self.count("refused")

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")


# The published lists' formats the console takes, as ``debarlist import --format`` names them (the
# importer's own ``jsonl`` is left to the command line: the console's JSON lines are the bulk shape).
PUBLISHED_FORMATS = ("worldbank", "ebrd", "idb", "ftm")


def import_published(factory: sessionmaker[Session], principal: Principal, data: bytes, filename: str, fmt: str,
                     limits: Any, progress: Callable[[int], None] | None = None,
                     request_id: str | None = None) -> ImportReport:
    """A published list's file through ``debarlist import``'s own service function
    (``entries.importing.import_file``: its hostile-file checks and limits, one transaction of its
    own committed once, idempotent by external_ref), into the contributor's organisation; each
    entry keeps the file's provenance as its ``source``. A refused file raises ``Unprocessable``
    with the importer's one-line reason, and nothing was written."""
    if fmt not in PUBLISHED_FORMATS:
        raise Unprocessable(f"choose the file's format: {', '.join(PUBLISHED_FORMATS)} or JSON lines of entries")
    # The importer reads a path (an xlsx is a zip, opened with its own bounds); the upload is written
    # to a private temporary directory under its own base name, which the importer's messages use.
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).name).lstrip(".")[:120] or "upload"
    with tempfile.TemporaryDirectory(prefix="debarlist-import-") as folder:
        path = Path(folder) / safe
        path.write_bytes(data)
        try:
            report = importing.import_file(factory, path, fmt, principal.organisation, progress, limits=limits,
                                           principal=principal, request_id=request_id)
        except importing.ImportRefused as exc:
            raise Unprocessable(exc.report.error or "the file was not imported; nothing was written") from None
    rows = [ImportRow(int(item["row"]), str(item["result"]), external_ref=item.get("external_ref"),
                      entry_id=item.get("id")) for item in report.outcomes]
    rows += [ImportRow(int(item["row"]), "refused", reason=str(item["error"])) for item in report.rejected]
    rows += [ImportRow(item["row"], "duplicate", same_as=item["same_as"]) for item in report.duplicates]
    rows.sort(key=lambda row: row.line)
    return ImportReport(filename=filename, rows=rows, review_batch=report.review_batch, unit=report.unit,
                        format=fmt)


IMPORT_CHUNK = 500  # lines written between two progress reports
_REPEATS_ROW = re.compile(r"^external_ref repeats row (\d+)$")


def _progress_of_rows(progress: Callable[[int, int | None], None] | None, total: int, *,
                      already: int) -> Callable[[int], None] | None:
    """The bulk service's count of rows handled, as (lines done, lines) every ``IMPORT_CHUNK``."""
    if progress is None:
        return None
    throttle = Throttle(progress, IMPORT_CHUNK, total)
    throttle.advance(already)
    seen = 0

    def handled(count: int) -> None:
        nonlocal seen
        throttle.advance(count - seen)
        seen = count
    return handled


def import_entries(tx: Tx, principal: Principal, data: bytes, filename: str,
                   progress: Callable[[int, int | None], None] | None = None) -> ImportReport:
    """Each line of a JSON-lines file as one row of ``POST /v1/entries/bulk`` (the bulk service,
    in one call, inside ``tx``, committed once by the caller: by external_ref, each row on its own
    terms, a repeated reference refused, four-eyes review under one batch where the organisation
    requires it), reported by line. A line that is not a JSON object is refused here with its
    reason; a file that cannot be read at all raises ``Unprocessable``. ``progress`` is told
    (lines done, lines) every ``IMPORT_CHUNK`` lines as the bulk service writes them."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable(f"the file is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    refused: list[ImportRow] = []
    lines: list[int] = []
    objects: list[dict[str, Any]] = []
    # Split on line feeds only: str.splitlines would also split inside a JSON string holding U+2028.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = parse_json(raw.removesuffix("\r").encode())
        except (ValueError, RecursionError) as exc:
            reason = str(exc.msg) if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            refused.append(ImportRow(number, "refused", reason=f"not JSON: {reason}"))
            continue
        if not isinstance(value, dict):
            refused.append(ImportRow(number, "refused", reason="not a JSON object (one entry a line)"))
            continue
        lines.append(number)
        objects.append(value)
    if len(lines) + len(refused) > MAX_IMPORT_ROWS:
        raise Unprocessable(f"{len(lines) + len(refused):,} lines: import at most {MAX_IMPORT_ROWS:,} entries "
                            "a file; split it")
    if not lines and not refused:
        raise Unprocessable("the file has no entries: one JSON object a line")
    handled = _progress_of_rows(progress, len(lines) + len(refused), already=len(refused))
    result = bulk.bulk_upsert(tx, principal, objects, progress=handled)
    rows = list(refused)
    for row in result.results:
        # The bulk service names a repeated reference's first row by its index: say its line.
        why = _REPEATS_ROW.sub(lambda found: f"external_ref repeats line {lines[int(found[1])]}", row.error or "")
        rows.append(ImportRow(lines[row.index], "refused" if row.result == "error" else row.result,
                              external_ref=row.external_ref, entry_id=row.id, reason=why or None))
    review_batch = result.review_batch
    rows.sort(key=lambda row: row.line)
    return ImportReport(filename=filename, rows=rows, review_batch=review_batch)


def entry_form_values(entry: Any) -> dict[str, Any]:
    """An entry as the form shows it (the inverse of ``_entry_data``)."""
    out = entry.model_dump(mode="json")
    return {**{key: out.get(key) or "" for key in (
        "kind", "name", "country", "listing", "legal_basis", "decision_ref", "decided_on", "starts_on", "ends_on",
        "visibility", "external_ref")},
        "aliases": "\n".join(out.get("aliases") or []), "grounds": list(out.get("grounds") or []),
        "identifiers": "\n".join(f"{i['scheme']}:{i['value']}" for i in out.get("identifiers") or [])}


def update_entry(tx: Tx, principal: Principal, entry_id: str, version_tag: str, form: dict[str, Any]
                 ) -> tuple[Any, Any, dict[str, str]]:
    """The fields the person changed, as a patch through the entries service (If-Match: the
    version the form was made from, so a change made meanwhile is not overwritten)."""
    data, errors = _entry_data(form)
    if errors:
        return None, None, errors
    current = entries_service.to_out(entries_service.get_visible(tx.session, principal, entry_id)
                                     ).model_dump(mode="json")
    patch = {key: value for key, value in data.items() if current.get(key) != value}
    if not patch:
        return None, None, {"": "nothing was changed"}
    try:
        body = EntryPatch.model_validate(patch)
    except ValidationError as exc:
        return None, None, _field_errors(exc)
    try:
        entry, review = entries_service.update_entry_reviewed(tx, principal, entry_id, body, version_tag)
    except PreconditionFailed:
        return None, None, {"": "someone changed this entry since you opened the form; reload it and try again"}
    except ServiceError as exc:
        return None, None, _service_errors(exc)
    return entries_service.to_out(entry), review, {}


def monitoring_view(session: Session, principal: Principal, status: str | None) -> tuple[list[Any], list[Any]]:
    """The organisation's alerts (new ones by default) and its watched suppliers."""
    shown = alerts.page(session, principal, status if status in ("new", "acknowledged") else None, None, None, 200)
    watched = watchlist.page(session, principal, None, 200)
    return list(shown.items), list(watched.items)


def watch_supplier(tx: Tx, principal: Principal, lists: Lists, form: dict[str, str]) -> Any:
    data = {key: form.get(key, "").strip() or None for key in ("ref", "name", "country", "contract_ref", "watch_until")}
    try:
        body = WatchedSupplierIn.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"]))
        raise Unprocessable(f"{where}: {str(error['msg']).removeprefix('Value error, ')}") from None
    return watchlist.add(tx, principal, lists, [body])[0]


WATCH_FIELDS = ("name", "aliases", "country", "contract_ref", "watch_until")


def watched(session: Session, principal: Principal, watch_id: str) -> Any:
    """One of the organisation's watched suppliers (another organisation's is not found)."""
    return watchlist.to_out(watchlist.get(session, principal, watch_id))


def watch_form_values(watch: Any) -> dict[str, str]:
    """A watched supplier as the change form shows it (aliases one a line)."""
    return {"name": watch.name, "aliases": "\n".join(watch.aliases), "country": watch.country or "",
            "contract_ref": watch.contract_ref or "", "watch_until": watch.watch_until.isoformat()
            if watch.watch_until else ""}


def change_watched(tx: Tx, principal: Principal, lists: Lists, watch_id: str, form: dict[str, str]
                   ) -> tuple[Any, dict[str, str]]:
    """The watch changed from the form through the watchlist service (as PUT /v1/watchlist/{id}:
    screened again at once, audited), or the messages to show beside each field. The form
    changes the fields it shows; the ref, identifiers and kind are kept as they are."""
    current = watched(tx.session, principal, watch_id)
    data: dict[str, Any] = {
        "ref": current.ref, "kind": current.kind,
        "identifiers": [identifier.model_dump(mode="json") for identifier in current.identifiers],
        "name": form.get("name", "").strip(), "aliases": _lines(form.get("aliases", "")),
        **{key: form.get(key, "").strip() or None for key in ("country", "contract_ref", "watch_until")}}
    try:
        body = WatchedSupplierIn.model_validate(data)
    except ValidationError as exc:
        return None, _field_errors(exc)
    try:
        changed = watchlist.replace(tx, principal, lists, watch_id, body)
    except ServiceError as exc:
        return None, _service_errors(exc)
    return watchlist.to_out(changed), {}


def unwatch(tx: Tx, principal: Principal, watch_id: str) -> None:
    """Stop watching a supplier (as DELETE /v1/watchlist/{id}; audited by the watchlist service)."""
    watchlist.remove(tx, principal, watch_id)


def decide_alert(tx: Tx, principal: Principal, alert_id: str, *, decision: str, note: str) -> Any:
    """A decision on an alert's match (the monitoring service's rule: a false positive needs its reason)."""
    body = _validated(DecisionIn, {"decision": decision, **({"note": note.strip()} if note.strip() else {})})
    return decisions.to_out(decisions.decide_alert(tx, principal, alert_id, body))


def acknowledge_alert(tx: Tx, principal: Principal, alert_id: str) -> Any:
    return alerts.to_out(alerts.acknowledge(tx, principal, alert_id))


def withdraw_entry(tx: Tx, principal: Principal, entry_id: str, *, reason: str, version_tag: str) -> Any:
    """Withdraw the entry (the entries service's rule: the listing organisation's contributors,
    with the reason kept in the audit log), If-Match from the version the page showed."""
    body = _validated(Withdrawal, {"reason": reason})
    return entries_service.to_out(entries_service.withdraw_entry(tx, principal, entry_id, body.reason,
                                                                 version_tag or None))


def review_queue(session: Session, principal: Principal) -> list[tuple[Any, str]]:
    """Pending reviews with the name of the entry each is about (the proposal's, or the entry's)."""
    queue = []
    for review in reviews_service.list_reviews(session, principal, "pending", None, 200):
        out = reviews_service.to_out(session, review)
        name = (out.proposed or {}).get("name")
        if not name:
            try:
                name = entries_service.get_visible(session, principal, out.entry_id).name
            except NotFound:
                name = out.entry_id
        queue.append((out, str(name)))
    return queue


def approve_review(tx: Tx, principal: Principal, review_id: str) -> Any:
    return reviews_service.to_out(tx.session, reviews_service.approve(tx, principal, review_id))


def reject_review(tx: Tx, principal: Principal, review_id: str, reason: str) -> Any:
    if not reason.strip():
        raise Unprocessable("give the reason for the rejection")
    return reviews_service.to_out(tx.session, reviews_service.reject(tx, principal, review_id, reason.strip()))


@dataclass
class AuditQuery:
    action: str | None = None
    actor: str | None = None
    target_id: str | None = None
    tender_ref: str | None = None
    since: date | None = None
    cursor: str | None = None

    def params(self) -> dict[str, str]:
        return {k: str(v) for k, v in {"action": self.action, "actor": self.actor, "target_id": self.target_id,
                                       "tender_ref": self.tender_ref, "since": self.since}.items() if v}


def audit_page(session: Session, principal: Principal, query: AuditQuery, limit: int = 100
               ) -> tuple[list[Any], str | None]:
    from datetime import UTC, datetime, time

    action = query.action
    if action and not action.endswith("*") and "." not in action:
        action = f"{action}.*"  # "entry" means every entry action
    filters = audit_service.AuditFilters(
        actor=query.actor, action=action, target_id=query.target_id, tender_ref=query.tender_ref,
        since=datetime.combine(query.since, time(), tzinfo=UTC) if query.since else None)
    records, next_cursor = audit_service.list_records(session, principal, filters, Order.desc, query.cursor, limit)
    return [audit_service.to_out(record) for record in records], next_cursor


def issue_checkpoint(factory: sessionmaker[Session], key: Any, issuer: str) -> Any:
    """Verify the chain since the last checkpoint and sign its head (as POST /v1/audit/checkpoints)."""
    issued = checkpoints.issue(factory, key, issuer)
    assert issued is not None  # only_if_moved=False always issues or raises
    return issued


def recent_checkpoints(session: Session, limit: int = 10) -> list[Any]:
    return checkpoints.list_checkpoints(session, limit)


def verify_audit(read: sessionmaker[Session], progress: Callable[[int, int], None] | None = None
                 ) -> dict[str, Any]:
    report: dict[str, Any] = verify_chain(read, progress=progress).as_dict()
    return report
