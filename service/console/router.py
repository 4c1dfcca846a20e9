"""The console's HTTP side: sign-in, sessions, CSRF, role checks and the pages under /console.

Every route declares its callers like the API's do (``ConsoleAccess`` carries a ``RoleCheck`` as
its ``declaration``; the sign-in page and the static files are ``Public("anonymous")``), so the
route-table role matrix covers the console. A page is reached with the session cookie a person
got by signing in (HttpOnly, SameSite=Lax, Secure in production) or with an API client's bearer
token (no cookie, so no cross-site request can carry it and no CSRF token is asked). Every
unsafe request that comes with the cookie must carry the session's CSRF token (form field
``csrf`` or header ``X-CSRF-Token``); the sign-in form carries a double-submit token of its own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from service.auth.access import ANONYMOUS
from service.auth.deps import RoleCheck, TxDep, get_principal, record_denial
from service.bidderlist import report as bidder_report
from service.bidderlist.errors import BidderListError
from service.bidderlist.reading import read_bytes
from service.console import people, progress, rendering, views
from service.console.models import Person
from service.entries.importing import limits_from
from service.kernel.errors import Forbidden, NotFound, ServiceError, Unauthorized, Unprocessable
from service.kernel.principal import Principal
from service.kernel.roles import ORGANISATION_ROLES, Role
from service.kernel.uow import Tx

log = logging.getLogger("debarlist.console")
COOKIE = "debarlist_session"
LANGUAGE_COOKIE = "debarlist_lang"  # the language switch's choice
SIGN_IN_COOKIE = "debarlist_signin"  # the sign-in form's double-submit CSRF token
PREFIX = "/console"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_UPLOAD = 16 * 1024 * 1024
STATIC = {"console.css": "text/css", "console.js": "text/javascript"}
# Pages load nothing from elsewhere, run no inline script and cannot be framed.
SECURITY_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                                               "form-action 'self'; base-uri 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    name: str
    csrf: str  # "" for a bearer-token caller (no form of its can be forged)
    person_id: str | None
    # A person whose organisation requires the second factor and who has none yet: the session
    # reaches the account page (to enrol) and signing out, nothing else.
    must_enrol: bool = False

    def may(self, *roles: str) -> bool:
        return self.principal.has(*(Role(role) for role in roles))


class EnrolmentRequired(Forbidden):
    """The person must turn two-step sign-in on before any page but the account page: people
    are sent there (``ConsoleRoute``), API callers get a 403 problem."""


class ConsoleAccess:
    """Dependency: the signed-in person (or bearer client) holding one of ``roles``.

    ``declaration`` is the same kind of ``RoleCheck`` the API's routes declare, read by the route
    table (``service.auth.access.access_of``). ``enrolling``: the route is one a person who must
    still enrol a second factor may reach (the account page, enrolling, signing out)."""

    def __init__(self, *roles: Role, who: str | None = None, enrolling: bool = False) -> None:
        self.declaration = RoleCheck(roles, who)
        self.enrolling = enrolling

    def __call__(self, request: Request, tx: TxDep) -> Viewer:
        viewer = _viewer(request, tx)
        if viewer.must_enrol and not self.enrolling:
            tx.rollback()
            tx.close()
            record_denial(request, viewer.principal, "the organisation requires two-step sign-in; not enrolled")
            raise EnrolmentRequired(f"your organisation ({viewer.principal.organisation}) requires two-step "
                                    "sign-in: turn it on on your account page first")
        if not viewer.principal.has(*self.declaration.roles):
            tx.rollback()
            tx.close()
            record_denial(request, viewer.principal, f"requires one of: {self.declaration.allowed}")
            raise Forbidden(f"this page requires one of the roles: {self.declaration.allowed}")
        tx.actor = viewer.principal.actor
        request.state.principal = viewer.principal
        return viewer


def _viewer(request: Request, tx: Tx) -> Viewer:
    token = request.cookies.get(COOKIE)
    if token:
        with tx.read() as session:
            found = people.session_of(session, token)
            if found is not None:
                person, open_session = found
                return Viewer(people.principal_of(person), person.display_name, open_session.csrf_token, person.id,
                              must_enrol=people.must_enrol(person))
    authorization = request.headers.get("Authorization")
    if authorization:
        principal = get_principal(request, tx, authorization)
        return Viewer(principal, principal.client_id, "", None)
    raise Unauthorized("sign in at /console/sign-in", error="invalid_request")


Anyone = Annotated[Viewer, Depends(ConsoleAccess(*ORGANISATION_ROLES, Role.operator))]
# The same callers, including a person who must still enrol a second factor.
Enrolling = Annotated[Viewer, Depends(ConsoleAccess(*ORGANISATION_ROLES, Role.operator, enrolling=True))]
Screener = Annotated[Viewer, Depends(ConsoleAccess(Role.screener))]
ReceiptReader = Annotated[Viewer, Depends(ConsoleAccess(
    Role.screener, Role.auditor, who="screener of the same organisation, auditor"))]
Reader = Annotated[Viewer, Depends(ConsoleAccess(Role.contributor, Role.screener, Role.auditor, Role.reviewer))]
ReviewQueueReader = Annotated[Viewer, Depends(ConsoleAccess(
    Role.reviewer, Role.auditor, who="reviewer; auditor: every organisation"))]
Reviewer = Annotated[Viewer, Depends(ConsoleAccess(
    Role.reviewer, who="reviewer of the same organisation, not an author"))]
AuditReader = Annotated[Viewer, Depends(ConsoleAccess(
    Role.auditor, Role.admin, Role.contributor, Role.reviewer, Role.screener))]
Auditor = Annotated[Viewer, Depends(ConsoleAccess(Role.auditor))]
Administrator = Annotated[Viewer, Depends(ConsoleAccess(
    Role.admin, Role.operator, who="admin of its organisation, operator"))]


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


class ConsoleRoute(APIRoute):
    """Checks CSRF before anything else runs, and shows errors to people as pages (API callers,
    who do not ask for HTML, get the usual problem documents)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                if request.method in UNSAFE:
                    await _check_csrf(request)
                return await handler(request)
            except Unauthorized:
                if not _wants_html(request):
                    raise
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{PREFIX}/sign-in?next={quote(target)}", status_code=303)
            except EnrolmentRequired:
                if not _wants_html(request):
                    raise
                return RedirectResponse(f"{PREFIX}/account?enrol=required", status_code=303)
            except (ServiceError, RequestValidationError) as exc:
                if not _wants_html(request):
                    raise
                status = exc.status if isinstance(exc, ServiceError) else 422
                detail = exc.detail if isinstance(exc, ServiceError) else "; ".join(
                    f"{'.'.join(map(str, e.get('loc', ())[1:]))}: {e.get('msg')}" for e in exc.errors()[:3])
                return _page(request, "error.html", None, status=status, status_code=status, detail=detail)

        return route


async def _check_csrf(request: Request) -> None:
    token = request.cookies.get(COOKIE)
    form = await request.form() if "form" in request.headers.get("content-type", "") else None
    given = request.headers.get("X-CSRF-Token") or (str(form.get("csrf") or "") if form else "")
    if request.url.path == f"{PREFIX}/sign-in":
        expected = request.cookies.get(SIGN_IN_COOKIE) or ""
        if not (expected and people.csrf_matches(expected, given)):
            # 422, not 403: nobody is signed in yet to be refused; the form itself is incomplete.
            raise Unprocessable("the sign-in form has expired (or cookies are off); reload the page and sign in "
                                "again")
        return
    if not token:
        return  # a bearer-token caller, or nobody (the access check answers 401)

    def expected_token() -> str:
        with request.app.state.sessions.read() as session:
            found = people.session_of(session, token)
            return found[1].csrf_token if found else ""

    expected = await run_in_threadpool(expected_token)
    if not expected:
        raise Unauthorized("your session has ended; sign in again")
    if not people.csrf_matches(expected, given):
        raise Forbidden("the form's security token is missing or out of date; reload the page and try again")


router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def _page(request: Request, template: str, viewer: Viewer | None, *, status_code: int = 200,
          **context: Any) -> HTMLResponse:
    html = rendering.render(template, _language(request), viewer=viewer, prefix=PREFIX, path=request.url.path,
                            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                            **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _language(request: Request) -> str:
    return rendering.choose_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))


def _cookie_flags(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": request.app.state.settings.env == "production",
            "path": PREFIX}


def _safe_next(target: str | None) -> str:
    # Only a path of the console itself: never another site (an open redirect).
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX + "/"


# --- signing in and out -------------------------------------------------------------------------

@router.get("/sign-in", dependencies=[ANONYMOUS])
def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = _page(request, "sign_in.html", None, csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(SIGN_IN_COOKIE, token, max_age=3600, **_cookie_flags(request))
    return response


@router.post("/sign-in", dependencies=[ANONYMOUS])
def sign_in(request: Request, tx: TxDep, username: Annotated[str, Form(max_length=64)],
            password: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form(max_length=2000)] = "",
            code: Annotated[str, Form(max_length=12)] = "") -> Response:
    try:
        signed = people.sign_in(tx, username=username, password=password, code=code)
    except people.SignInRefused:
        # The unit of work still commits: the failure counts towards the lockout and is audited.
        return _page(request, "sign_in.html", None, status_code=401, csrf=request.cookies.get(SIGN_IN_COOKIE),
                     next=_safe_next(next), error=True)
    # Whose organisation requires a second factor they have not enrolled: to the account page first.
    target = f"{PREFIX}/account?enrol=required" if people.must_enrol(signed.person) else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, signed.token, max_age=int(people.SESSION_LIFETIME.total_seconds()),
                        **_cookie_flags(request))
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(request: Request, tx: TxDep, viewer: Enrolling) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        people.sign_out(tx, token)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/language", dependencies=[ANONYMOUS])
def language(request: Request, to: str, next: str | None = None) -> Response:
    """The language switch: remembered in a cookie (a preference, nothing to forge), then back."""
    if to not in rendering.LANGUAGES:
        raise Unprocessable(f"language must be one of {', '.join(rendering.LANGUAGES)}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, to, max_age=365 * 86400, **_cookie_flags(request))
    return response


@router.get("/static/{name}", dependencies=[ANONYMOUS])
def static(name: str) -> FileResponse:
    media_type = STATIC.get(name)
    if media_type is None:
        raise NotFound(f"no console asset {name!r}")
    return FileResponse(rendering.STATIC / name, media_type=media_type,
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


@router.get("/")
def home(request: Request, viewer: Anyone) -> HTMLResponse:
    return _page(request, "home.html", viewer)


# --- the person's own account: the optional second factor --------------------------------------

def _person(tx: Tx, viewer: Viewer) -> Person:
    person = tx.session.get(Person, viewer.person_id) if viewer.person_id else None
    if person is None:
        raise NotFound("this page is for people signed in with a password, not for API clients")
    return person


@router.get("/account")
def account(request: Request, tx: TxDep, viewer: Enrolling) -> HTMLResponse:
    person = _person(tx, viewer)
    secret = None if person.totp_secret else people.new_totp_secret()
    return _page(request, "account.html", viewer, person=person, secret=secret,
                 uri=people.totp_uri(person, secret) if secret else None,
                 required=bool(person.organisation.requires_totp), error=None)


@router.post("/account/totp")
def enable_totp(request: Request, tx: TxDep, viewer: Enrolling, secret: Annotated[str, Form(max_length=64)],
                code: Annotated[str, Form(max_length=12)]) -> Response:
    person = _person(tx, viewer)
    try:
        people.enable_totp(tx, person, secret=secret, code=code)
    except Unprocessable as exc:
        # The same key again (the authenticator may hold it already), the message beside the code.
        secret = secret if people.TOTP_SECRET.match(secret) else people.new_totp_secret()
        return _page(request, "account.html", viewer, status_code=422, person=person, secret=secret,
                     uri=people.totp_uri(person, secret), required=bool(person.organisation.requires_totp),
                     error=exc.detail)
    return RedirectResponse(f"{PREFIX}/account", status_code=303)


@router.post("/account/totp/disable")
def disable_totp(tx: TxDep, viewer: Anyone, code: Annotated[str, Form(max_length=12)]) -> Response:
    people.disable_totp(tx, _person(tx, viewer), code=code)
    return RedirectResponse(f"{PREFIX}/account", status_code=303)


# --- screening ----------------------------------------------------------------------------------

@router.get("/screen")
def screen_page(request: Request, viewer: Screener) -> HTMLResponse:
    return _page(request, "screen.html", viewer, result=None, error=None)


@router.post("/screen")
async def screen(request: Request, tx: TxDep, viewer: Screener,
                 names: Annotated[str, Form(max_length=500_000)] = "",
                 tender_ref: Annotated[str, Form(max_length=200)] = "",
                 bidders: UploadFile | None = None) -> HTMLResponse:
    data = await bidders.read(MAX_UPLOAD + 1) if bidders is not None and bidders.filename else b""
    filename = bidders.filename if bidders is not None else None
    return await run_in_threadpool(_screen, request, tx, viewer, names, tender_ref.strip() or None, data, filename)


def _screen(request: Request, tx: Tx, viewer: Viewer, names: str, tender_ref: str | None, data: bytes,
            filename: str | None) -> HTMLResponse:
    try:
        if len(data) > MAX_UPLOAD:
            raise BidderListError(f"the file is over {MAX_UPLOAD // (1024 * 1024)} MiB; split it")
        if data:
            bidders = read_bytes(data, source=filename or "upload")
        elif names.strip():
            bidders = views.pasted_bidders(names)
        else:
            raise BidderListError("paste names or choose a bidder list to upload")
        result = views.screen_bidders(tx, viewer.principal, request.app.state.lists, bidders, tender_ref)
    except BidderListError as exc:
        return _page(request, "screen.html", viewer, status_code=422, result=None, error=str(exc))
    rows = list(bidder_report.as_document(result, lambda sid: f"{PREFIX}/receipts/{sid}")["rows"])
    return _page(request, "screen.html", viewer, result=result, rows=rows, summary=bidder_report.summary(result),
                 error=None)


@router.get("/receipts/{screening_id}")
def receipt(request: Request, screening_id: str, tx: TxDep, viewer: ReceiptReader, decided: str | None = None
            ) -> HTMLResponse:
    view = views.receipt_view(tx.session, viewer.principal, screening_id)
    return _page(request, "receipt.html", viewer, view=view, decided=bool(decided),
                 verify_url=str(request.base_url).rstrip("/") + f"/v1/screenings/{screening_id}")


@router.post("/receipts/{screening_id}/decisions")
def decide(screening_id: str, tx: TxDep, viewer: Screener, ref: Annotated[str, Form(max_length=200)],
           entry_id: Annotated[str, Form(max_length=36)], decision: Annotated[str, Form(max_length=16)],
           note: Annotated[str, Form(max_length=2000)] = "", action: Annotated[str, Form(max_length=500)] = ""
           ) -> Response:
    views.decide_match(tx, viewer.principal, screening_id, ref=ref, entry_id=entry_id, decision=decision,
                       note=note, action=action)
    return RedirectResponse(f"{PREFIX}/receipts/{screening_id}?decided=1", status_code=303)


@router.get("/receipts/{screening_id}/pdf")
def receipt_pdf(request: Request, screening_id: str, tx: TxDep, viewer: ReceiptReader) -> Response:
    view = views.receipt_view(tx.session, viewer.principal, screening_id)
    html = rendering.render("receipt_pdf.html", _language(request), view=view, prefix=PREFIX,
                            verify_url=str(request.base_url).rstrip("/") + f"/v1/screenings/{screening_id}")
    return Response(rendering.pdf(html), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="screening-{screening_id}.pdf"', "Cache-Control": "no-store"})


# --- monitoring ---------------------------------------------------------------------------------

@router.get("/monitoring")
def monitoring(request: Request, tx: TxDep, viewer: Screener, status: str | None = "new",
               watch: str | None = None) -> HTMLResponse:
    shown, watched = views.monitoring_view(tx.session, viewer.principal, status)
    return _page(request, "monitoring.html", viewer, alerts=shown, watched=watched, status=status,
                 done=watch if watch in ("changed", "removed") else None)


@router.post("/monitoring/watch")
def watch(request: Request, tx: TxDep, viewer: Screener, ref: Annotated[str, Form(max_length=200)],
          name: Annotated[str, Form(max_length=500)], country: Annotated[str, Form(max_length=2)] = "",
          contract_ref: Annotated[str, Form(max_length=200)] = "",
          watch_until: Annotated[str, Form(max_length=10)] = "") -> Response:
    views.watch_supplier(tx, viewer.principal, request.app.state.lists, {
        "ref": ref, "name": name, "country": country, "contract_ref": contract_ref, "watch_until": watch_until})
    return RedirectResponse(f"{PREFIX}/monitoring?status=new", status_code=303)


WatchScreener = Annotated[Viewer, Depends(ConsoleAccess(Role.screener, who="screener of the watch's organisation"))]


def _watch_form(request: Request, viewer: Viewer, watch: Any, values: dict[str, str], errors: dict[str, str],
                status_code: int = 200) -> HTMLResponse:
    return _page(request, "watch_form.html", viewer, status_code=status_code, watch=watch, values=values,
                 errors=errors)


@router.get("/monitoring/watch/{watch_id}/edit")
def edit_watch(request: Request, watch_id: str, tx: TxDep, viewer: WatchScreener) -> HTMLResponse:
    watch = views.watched(tx.session, viewer.principal, watch_id)
    return _watch_form(request, viewer, watch, views.watch_form_values(watch), {})


@router.post("/monitoring/watch/{watch_id}/edit")
def change_watch(request: Request, watch_id: str, tx: TxDep, viewer: WatchScreener,
                 name: Annotated[str, Form(max_length=1000)] = "",
                 aliases: Annotated[str, Form(max_length=20_000)] = "",
                 country: Annotated[str, Form(max_length=100)] = "",
                 contract_ref: Annotated[str, Form(max_length=1000)] = "",
                 watch_until: Annotated[str, Form(max_length=100)] = "") -> Response:
    values = {"name": name, "aliases": aliases, "country": country, "contract_ref": contract_ref,
              "watch_until": watch_until}
    _, errors = views.change_watched(tx, viewer.principal, request.app.state.lists, watch_id, values)
    if errors:
        tx.rollback()  # nothing of a refused change is kept
        return _watch_form(request, viewer, views.watched(tx.session, viewer.principal, watch_id), values, errors,
                           status_code=422)
    return RedirectResponse(f"{PREFIX}/monitoring?status=new&watch=changed#watched", status_code=303)


@router.post("/monitoring/watch/{watch_id}/remove")
def remove_watch(watch_id: str, tx: TxDep, viewer: WatchScreener) -> Response:
    views.unwatch(tx, viewer.principal, watch_id)
    return RedirectResponse(f"{PREFIX}/monitoring?status=new&watch=removed#watched", status_code=303)


@router.post("/alerts/{alert_id}/decision")
def decide_alert(alert_id: str, tx: TxDep, viewer: Screener, decision: Annotated[str, Form(max_length=16)],
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    views.decide_alert(tx, viewer.principal, alert_id, decision=decision, note=note)
    return RedirectResponse(f"{PREFIX}/monitoring?status=", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: str, tx: TxDep, viewer: Screener) -> Response:
    views.acknowledge_alert(tx, viewer.principal, alert_id)
    return RedirectResponse(f"{PREFIX}/monitoring?status=new", status_code=303)


# --- entries ------------------------------------------------------------------------------------

@router.get("/entries")
def entries(request: Request, tx: TxDep, viewer: Reader, q: str | None = None, organisation: str | None = None,
            listing: str | None = None, status: str | None = None, cursor: str | None = None) -> HTMLResponse:
    query = views.EntryQuery(q=_bounded(q, 200), organisation=_bounded(organisation, 16), listing=listing or None,
                             status=status or None, cursor=_bounded(cursor, 500))
    items, next_cursor = views.entries_page(tx.session, viewer.principal, query)
    more = f"?{urlencode({**query.params(), 'cursor': next_cursor})}" if next_cursor else None
    return _page(request, "entries.html", viewer, items=items, query=query, more=more,
                 listings=views.LISTINGS, statuses=views.STATUSES)


Contributor = Annotated[Viewer, Depends(ConsoleAccess(Role.contributor))]
ListingContributor = Annotated[Viewer, Depends(ConsoleAccess(
    Role.contributor, who="contributor of the listing organisation"))]
ENTRY_FIELDS = ("kind", "name", "aliases", "country", "identifiers", "listing", "legal_basis", "decision_ref",
                "decided_on", "starts_on", "ends_on", "visibility", "external_ref")


def _entry_form(request: Request, viewer: Viewer, values: dict[str, Any], errors: dict[str, str],
                status_code: int = 200, *, editing: Any = None, version_tag: str = "") -> HTMLResponse:
    return _page(request, "entry_form.html", viewer, status_code=status_code, values=values, errors=errors,
                 grounds=views.GROUNDS, listings=views.LISTINGS, visibilities=views.VISIBILITIES,
                 editing=editing, version_tag=version_tag)


@router.get("/entries/{entry_id}/edit")
def edit_entry(request: Request, entry_id: str, tx: TxDep, viewer: ListingContributor) -> HTMLResponse:
    found, _ = views.entry_view(tx.session, viewer.principal, entry_id)
    if found.organisation != viewer.principal.organisation:
        # The form is not offered to whom the entries service would refuse the change.
        raise Forbidden("only the listing organisation's contributors change an entry")
    return _entry_form(request, viewer, views.entry_form_values(found), {}, editing=found,
                       version_tag=str(found.version))


@router.post("/entries/{entry_id}/edit")
async def update_entry(request: Request, entry_id: str, tx: TxDep, viewer: ListingContributor) -> Response:
    form = await request.form()
    values: dict[str, Any] = {key: str(form.get(key) or "")[:10_000] for key in ENTRY_FIELDS}
    values["grounds"] = [str(g)[:64] for g in form.getlist("grounds")][:20]
    version = str(form.get("version_tag") or "")[:20]
    # The version the form was made from, as the entry's ETag (If-Match for the entries service).
    version_tag = f'"{entry_id}.v{version}"' if version.isdigit() else ""
    return await run_in_threadpool(_update_entry, request, tx, viewer, entry_id, version_tag, values)


def _update_entry(request: Request, tx: Tx, viewer: Viewer, entry_id: str, version_tag: str,
                  values: dict[str, Any]) -> Response:
    _, review, errors = views.update_entry(tx, viewer.principal, entry_id, version_tag, values)
    if errors:
        tx.rollback()
        found, _ = views.entry_view(tx.session, viewer.principal, entry_id)
        return _entry_form(request, viewer, values, errors, status_code=422, editing=found,
                           version_tag=version_tag.rsplit(".v", 1)[-1].strip('"'))
    return RedirectResponse(f"{PREFIX}/entries/{entry_id}?{'proposed' if review else 'updated'}=1",
                            status_code=303)


@router.get("/entries/import")
def import_page(request: Request, viewer: Contributor) -> HTMLResponse:
    return _import_page(request, viewer, fmt="entries")


def _import_page(request: Request, viewer: Viewer, *, fmt: str, status_code: int = 200,
                 report: views.ImportReport | None = None, error: str | None = None) -> HTMLResponse:
    return _page(request, "entries_import.html", viewer, status_code=status_code, report=report, error=error,
                 fmt=fmt, formats=views.PUBLISHED_FORMATS)


@router.post("/entries/import")
async def import_entries(request: Request, tx: TxDep, viewer: Contributor, entries: UploadFile | None = None,
                         format: Annotated[str, Form(max_length=16)] = "entries") -> Response:
    data = await entries.read(MAX_UPLOAD + 1) if entries is not None and entries.filename else b""
    filename = ((entries.filename if entries is not None else None) or "upload")[:200]
    fmt = format if format in views.PUBLISHED_FORMATS else "entries"
    if not data or len(data) > MAX_UPLOAD:
        detail = (f"the file is over {MAX_UPLOAD // (1024 * 1024)} MiB; split it" if data
                  else "choose a file of entries to import")
        return _import_page(request, viewer, fmt=fmt, status_code=422, error=detail)
    # The import runs in a unit of work of its own, in its own thread, reporting its progress to the
    # page (service/console/progress.py says why); this request's own writes nothing (it commits once,
    # empty, before the page is sent).
    state = request.app.state
    principal = viewer.principal
    request_id = getattr(request.state, "request_id", None)

    def work(report: progress.Report) -> views.ImportReport:
        if fmt != "entries":
            # `debarlist import`'s own function; its transaction is committed once, inside it.
            throttle = progress.Throttle(report, every=1000)
            return views.import_published(state.sessions.write, principal, data, filename, fmt,
                                          limits_from(state.settings), throttle.advance, request_id=request_id)
        own = Tx(sessions=state.sessions, actor=principal.actor, request_id=request_id)
        try:
            result = views.import_entries(own, principal, data, filename, report)
            own.commit()
            return result
        except BaseException:
            own.rollback()
            raise
        finally:
            own.close()

    def finish(job: progress.Job | None) -> tuple[dict[str, Any], int]:
        error = job.error if job is not None else None
        if isinstance(error, Unprocessable):
            return {"fmt": fmt, "error": error.detail, "outcome": "refused"}, 422
        if error is not None:
            log.error("console import failed", exc_info=error)
            failure = ("the import was stopped: nothing was imported" if isinstance(error, progress.Abandoned)
                       else f"the import failed ({type(error).__name__}); nothing was imported, try again")
            return {"fmt": fmt, "error": failure, "outcome": "refused"}, 500
        return {"fmt": fmt, "report": job.result if job else None, "outcome": "done"}, 200

    return await _with_progress(request, viewer, "entries_import.html", work, finish, kind="import-" + (
        "rows" if fmt != "entries" else "lines"), defaults={"fmt": fmt, "formats": views.PUBLISHED_FORMATS,
                                                             "report": None, "error": None})


async def _with_progress(request: Request, viewer: Viewer, template: str, work: Callable[[progress.Report], Any],
                         finish: Callable[[progress.Job], tuple[dict[str, Any], int]], *, kind: str,
                         defaults: dict[str, Any]) -> Response:
    """``work`` with its progress on the page (service/console/progress.py): one ordinary page when
    it ends within ``progress.PREFLIGHT`` seconds, else the page streamed as the work proceeds."""
    language = _language(request)
    job = progress.Job(work)
    await job.wait(progress.PREFLIGHT)

    def line(done: int, total: int | None) -> str:
        return rendering.render("progress_step.html", language, kind=kind, done=done, total=total)

    def page(context: dict[str, Any], *, streaming: bool = False) -> str:
        return rendering.render(template, language, viewer=viewer, prefix=PREFIX, path=request.url.path,
                                here=request.url.path, progress_kind=kind, streaming=streaming,
                                steps=[line(*step) for step in job.steps] if not streaming else [],
                                **{**defaults, **context})

    if job.finished:
        context, status = finish(job)
        return HTMLResponse(page(context), status_code=status, headers=SECURITY_HEADERS)
    head = page({"outcome": None}, streaming=True).split(progress.MARK)[0]

    def tail(done: progress.Job) -> str:
        context, _ = finish(done)
        return page(context).split(progress.MARK, 1)[1]

    return StreamingResponse(job.stream(head, line, tail), media_type="text/html; charset=utf-8",
                             headers={**SECURITY_HEADERS, "X-Accel-Buffering": "no"})


@router.get("/entries/new")
def new_entry(request: Request, viewer: Contributor) -> HTMLResponse:
    return _entry_form(request, viewer, {"kind": "company", "listing": "debarred", "visibility": "members",
                                         "grounds": []}, {})


@router.post("/entries/new")
async def create_entry(request: Request, tx: TxDep, viewer: Contributor) -> Response:
    form = await request.form()
    values: dict[str, Any] = {key: str(form.get(key) or "")[:10_000] for key in ENTRY_FIELDS}
    values["grounds"] = [str(g)[:64] for g in form.getlist("grounds")][:20]
    return await run_in_threadpool(_create_entry, request, tx, viewer, values)


def _create_entry(request: Request, tx: Tx, viewer: Viewer, values: dict[str, Any]) -> Response:
    created, errors = views.create_entry(tx, viewer.principal, values)
    if errors:
        tx.rollback()  # nothing of a refused entry is kept
        return _entry_form(request, viewer, values, errors, status_code=422)
    return RedirectResponse(f"{PREFIX}/entries/{created.id}?created=1", status_code=303)


@router.get("/entries/{entry_id}")
def entry(request: Request, entry_id: str, tx: TxDep, viewer: Reader, created: str | None = None,
          updated: str | None = None, proposed: str | None = None) -> HTMLResponse:
    found, history = views.entry_view(tx.session, viewer.principal, entry_id)
    appeals = views.appeals_of(tx.session, viewer.principal, entry_id)
    # The forms only for whom the appeals service lets act: the listing organisation's contributors.
    may_appeal = viewer.may("contributor") and found.organisation == viewer.principal.organisation
    return _page(request, "entry.html", viewer, entry=found, history=history, created=bool(created),
                 updated=bool(updated), proposed=bool(proposed),
                 appeals=appeals, may_appeal=may_appeal, steps=("under_review", "upheld", "overturned", "varied"))


@router.post("/entries/{entry_id}/withdraw")
def withdraw(entry_id: str, tx: TxDep, viewer: ListingContributor, reason: Annotated[str, Form(max_length=2000)],
             version: Annotated[str, Form(max_length=20)] = "") -> Response:
    version_tag = f'"{entry_id}.v{version}"' if version.isdigit() else ""
    views.withdraw_entry(tx, viewer.principal, entry_id, reason=reason, version_tag=version_tag)
    return RedirectResponse(f"{PREFIX}/entries/{entry_id}?updated=1", status_code=303)


@router.post("/entries/{entry_id}/appeals")
def lodge_appeal(entry_id: str, tx: TxDep, viewer: ListingContributor,
                 lodged_on: Annotated[str, Form(max_length=10)], reference: Annotated[str, Form(max_length=200)] = ""
                 ) -> Response:
    views.lodge_appeal(tx, viewer.principal, entry_id, lodged_on=lodged_on, reference=reference.strip())
    return RedirectResponse(f"{PREFIX}/entries/{entry_id}#appeals", status_code=303)


@router.post("/appeals/{appeal_id}/steps")
def appeal_step(appeal_id: str, tx: TxDep, viewer: ListingContributor, step: Annotated[str, Form(max_length=16)],
                date: Annotated[str, Form(max_length=10)], entry_id: Annotated[str, Form(max_length=36)],
                decision_ref: Annotated[str, Form(max_length=200)] = "",
                ends_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    views.record_appeal_step(tx, viewer.principal, appeal_id, {"step": step, "date": date,
                                                               "decision_ref": decision_ref.strip(),
                                                               "ends_on": ends_on})
    return RedirectResponse(f"{PREFIX}/entries/{entry_id}#appeals", status_code=303)


# --- reviews ------------------------------------------------------------------------------------

@router.get("/reviews")
def reviews(request: Request, tx: TxDep, viewer: ReviewQueueReader, done: str | None = None) -> HTMLResponse:
    return _page(request, "reviews.html", viewer, reviews=views.review_queue(tx.session, viewer.principal),
                 done=_bounded(done, 100))


@router.post("/reviews/{review_id}/approve")
def approve(review_id: str, tx: TxDep, viewer: Reviewer) -> Response:
    views.approve_review(tx, viewer.principal, review_id)
    return RedirectResponse(f"{PREFIX}/reviews?done=approved", status_code=303)


@router.post("/reviews/{review_id}/reject")
def reject(review_id: str, tx: TxDep, viewer: Reviewer, reason: Annotated[str, Form(max_length=2000)] = ""
           ) -> Response:
    views.reject_review(tx, viewer.principal, review_id, reason)
    return RedirectResponse(f"{PREFIX}/reviews?done=rejected", status_code=303)


# --- audit --------------------------------------------------------------------------------------

@router.get("/audit")
def audit(request: Request, tx: TxDep, viewer: AuditReader, action: str | None = None, actor: str | None = None,
          target_id: str | None = None, tender_ref: str | None = None, since: str | None = None,
          cursor: str | None = None) -> HTMLResponse:
    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise Unprocessable("'since' is a date, YYYY-MM-DD") from None
    query = views.AuditQuery(action=_bounded(action, 64), actor=_bounded(actor, 64),
                             target_id=_bounded(target_id, 64), tender_ref=_bounded(tender_ref, 200), since=day,
                             cursor=_bounded(cursor, 500))
    records, next_cursor = views.audit_page(tx.session, viewer.principal, query)
    more = f"?{urlencode({**query.params(), 'cursor': next_cursor})}" if next_cursor else None
    return _page(request, "audit.html", viewer, records=records, query=query, more=more, report=None)


@router.get("/audit/verify")
async def audit_verify(request: Request, tx: TxDep, viewer: Auditor) -> Response:
    tx.release()  # the chain is read through short sessions of its own
    read = request.app.state.sessions.read

    def recent() -> list[Any]:
        with read() as session:
            return views.recent_checkpoints(session)

    issued = await run_in_threadpool(recent)

    def work(report: progress.Report) -> dict[str, Any]:
        return views.verify_audit(read, report)

    def finish(job: progress.Job) -> tuple[dict[str, Any], int]:
        if job.error is not None:
            log.error("console verification failed", exc_info=job.error)
            return {"report": None, "failure": type(job.error).__name__, "outcome": "failed"}, 500
        return {"report": job.result, "outcome": "done"}, 200

    return await _with_progress(request, viewer, "verify.html", work, finish, kind="verify",
                                defaults={"checkpoints": issued, "report": None, "failure": None})


@router.post("/audit/checkpoints")
def issue_checkpoint(request: Request, tx: TxDep, viewer: Auditor) -> Response:
    """Sign the chain's head now and hand the checkpoint over as a file to keep."""
    tx.release()  # issuing verifies and writes through sessions of its own
    state = request.app.state
    issued = views.issue_checkpoint(state.session_factory, state.signing_key, state.settings.issuer)
    return Response(issued.jws + "\n", media_type="application/jose", headers={
        "Content-Disposition": f'attachment; filename="debarlist-checkpoint-{issued.seq}.jws"',
        "Cache-Control": "no-store"})


# --- people -------------------------------------------------------------------------------------

@router.get("/people")
def people_page(request: Request, tx: TxDep, viewer: Administrator) -> HTMLResponse:
    return _page(request, "people.html", viewer, people=people.list_people(tx.session, viewer.principal),
                 roles=[role.value for role in ORGANISATION_ROLES], created=None, error=None)


@router.post("/people")
def add_person(request: Request, tx: TxDep, viewer: Administrator,
               username: Annotated[str, Form(max_length=64)], display_name: Annotated[str, Form(max_length=200)],
               roles: Annotated[list[str], Form()], organisation: Annotated[str, Form(max_length=16)] = ""
               ) -> HTMLResponse:
    created = people.create_person(tx, organisation=organisation or viewer.principal.organisation,
                                   username=username, display_name=display_name, roles=roles,
                                   by=viewer.principal)
    listed: list[Person] = people.list_people(tx.session, viewer.principal)
    # The password is shown once, on this page, to the admin who added the person.
    return _page(request, "people.html", viewer, people=listed, roles=[r.value for r in ORGANISATION_ROLES],
                 created=created, error=None)


def _bounded(value: str | None, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > limit:
        raise Unprocessable(f"a filter of at most {limit} characters")
    return value.strip()
