"""The ``debarlist`` command line."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.audit.cli import audit_app
from service.auth.models import ApiClient, Organisation
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.secrets import verify_secret
from service.auth.service import Refused, create_client, create_organisation, record_refusal
from service.bidderlist.cli import screen_command
from service.cli_database import NoSuchDatabase, database_url, describe
from service.config import get_settings
from service.console.cli import demo_person, people_app
from service.entries.importing import ImportRefused, ImportReport, import_file, limits_from
from service.kernel.db import make_engine, make_session_factory
from service.kernel.errors import ServiceError
from service.kernel.roles import ORGANISATION_ROLES
from service.kernel.uow import SYSTEM, Tx
from service.migrate import upgrade

app = typer.Typer(help="Debarlist: shared debarment list and supplier screening.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
orgs_app = typer.Typer(help="Participating States and organisations.", no_args_is_help=True)
clients_app = typer.Typer(help="API clients (service accounts).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(clients_app, name="clients")
app.add_typer(audit_app, name="audit")
app.add_typer(people_app, name="people")
app.command("screen")(screen_command)

console = Console(stderr=True)

DEMO_ORGS = (("WBG", "World Bank Group", "worldbank", "worldbank-ineligible-2025-07-01.xlsx"),
             ("EBRD", "European Bank for Reconstruction and Development", "ebrd", "ebrd-ineligible.csv"),
             ("IDB", "Inter-American Development Bank", "idb", "idb-sanctioned.xlsx"))


def _factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine(_database_url()))


def _database_url(*, create: bool = False) -> str:
    try:
        return database_url(create=create)
    except NoSuchDatabase as exc:
        typer.echo(f"error: {exc}", err=True)  # one line, unwrapped: scripts read it
        raise typer.Exit(code=1) from exc


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (alembic upgrade head)."""
    upgrade(_database_url(create=True))
    console.print("database schema is up to date")


@orgs_app.command("add")
def orgs_add(code: str, name: Annotated[str, typer.Option(help="Full name.")],
             kind: Annotated[str, typer.Option(help="state or organisation")] = "state",
             requires_review: Annotated[bool, typer.Option(help="Four-eyes publication.")] = False,
             requires_totp: Annotated[bool, typer.Option(
                 help="Its people must sign in to the console with a second factor (TOTP).")] = False) -> None:
    """Register a participating State or organisation (the command line is the system operator)."""
    try:
        data = OrganisationCreate(code=code, name=name, kind=kind, requires_review=requires_review,
                                  requires_totp=requires_totp)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    with _factory()() as session:
        tx = Tx(session=session, actor=SYSTEM)
        try:
            create_organisation(tx, data)
            tx.commit()
        except ServiceError as exc:
            raise _fail(exc.detail) from exc
    console.print(f"organisation {code} added")


@orgs_app.command("list")
def orgs_list() -> None:
    """List organisations."""
    with _factory()() as session:
        for org in session.execute(select(Organisation).order_by(Organisation.code)).scalars():
            typer.echo(f"{org.code}\t{org.kind}\t{org.name}")


@clients_app.command("add")
def clients_add(org: Annotated[str, typer.Option(help="Organisation code.")],
                roles: Annotated[str, typer.Option(help="Comma-separated roles: admin, contributor, screener, "
                                                        "auditor, reviewer, operator (only with "
                                                        "DEBARLIST_ALLOW_OPERATOR_CLIENTS=true).")],
                name: Annotated[str, typer.Option(help="What the client is.")] = "api client",
                as_json: Annotated[bool, typer.Option("--json", help="Print JSON credentials.")] = False) -> None:
    """Create an API client of any organisation and print its credentials (the secret is shown once)."""
    try:
        data = ClientCreate(organisation=org, name=name, roles=[r.strip() for r in roles.split(",")])
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    with _factory()() as session:
        tx = Tx(session=session, actor=SYSTEM)
        try:
            created = create_client(tx, data, operator_clients=get_settings().allow_operator_clients)
            tx.commit()
        except Refused as exc:
            tx.rollback()
            record_refusal(_factory(), SYSTEM, None, exc)
            raise _fail(exc.detail) from exc
        except ServiceError as exc:
            raise _fail(exc.detail) from exc
    if as_json:
        typer.echo(json.dumps({"client_id": created.client_id, "client_secret": created.client_secret}))
    else:
        typer.echo(f"client_id:     {created.client_id}\nclient_secret: {created.client_secret}")


@app.command("import")
def import_list(file: Annotated[Path, typer.Argument(help="The list as downloaded.")],
                fmt: Annotated[str, typer.Option("--format", help="worldbank, ebrd, idb, jsonl or ftm")],
                org: Annotated[str, typer.Option(help="Organisation code the entries belong to.")],
                as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
                strict: Annotated[bool, typer.Option(help="Exit 3 when any row was rejected.")] = False) -> None:
    """Load a published list as it is, in one transaction; running it twice changes nothing.

    Exit status 0: imported (rows that could not be taken and exact duplicates are listed, one line
    each; with --strict a rejected row makes it 3); 1: refused, nothing imported, one line says
    why.  Bounds: DEBARLIST_IMPORT_MAX_BYTES, _MAX_ROWS, _MAX_CELL_CHARS, _MAX_DEPTH, _MAX_SECONDS.
    """
    try:
        report = _run_import(file, fmt, org)
    except ImportRefused as exc:
        report = exc.report
    except Exception as exc:  # never a traceback; the one transaction was not committed
        report = ImportReport(file=str(file), format=fmt, organisation=org)
        report.refuse(f"unexpected {type(exc).__name__}: {exc}; please report this with the file")
    _print_import_report(report, as_json)
    if report.exit_code(strict=strict):
        raise typer.Exit(code=report.exit_code(strict=strict))


def _print_import_report(report: ImportReport, as_json: bool) -> None:
    if report.error:
        typer.secho(f"error: {report.error}", err=True, fg="red")
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    if report.status != "imported":
        return
    typer.echo(f"{Path(report.file).name}: {report.rows} rows, {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected, {len(report.duplicates)} duplicates")
    for row in report.rejected:
        typer.echo(f"  {report.unit} {row['row']}: {row['error']}")
    for first, last, same_as in _runs(report.duplicates):
        where = f"{report.unit} {first}" if first == last else f"{report.unit}s {first}-{last}"
        typer.echo(f"  {where}: same as {report.unit} {same_as}; listed once")


def _runs(duplicates: list[dict[str, int]]) -> list[tuple[int, int, int]]:
    """Consecutive duplicates of one row as (first, last, same_as), so 200,000 copies are one line."""
    runs: list[tuple[int, int, int]] = []
    for item in duplicates:
        row, same_as = item["row"], item["same_as"]
        if runs and runs[-1][2] == same_as and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row, same_as)
        else:
            runs.append((row, row, same_as))
    return runs


@app.command("recognise-cross-debarments")
def recognise_cross_debarments(
        threshold: Annotated[float, typer.Option(help="Minimum match score for 'the same firm'.")] = 0.9,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False) -> None:
    """Turn the published lists' cross-debarments into recognitions of the originator's entry."""
    from service.crosslists.recognise import recognise_cross_debarments as run

    report = run(_factory(), threshold=threshold)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    typer.echo(f"{report.cross_debarments} cross-debarments, {report.matched} with the originator's entry, "
               f"{report.created} recognitions created, {report.already} already recorded")


def _run_import(file: Path, fmt: str, org: str) -> ImportReport:
    # The bar only on a terminal: piped or captured, stderr keeps to the one error line.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        return import_file(_factory(), file, fmt, org, lambda n: progress.advance(task, n),
                           limits=limits_from(get_settings()))


def demo_data_dir() -> Path | None:
    configured = os.environ.get("DEBARLIST_DEMO_DATA")
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / "../shared/data/published",
                   Path(__file__).resolve().parents[2] / "shared/data/published"]
    return next((path.resolve() for path in candidates if path.is_dir()), None)


DEMO_CLIENT = "demo client"


@dataclass(frozen=True)
class DemoClient:
    client_id: str
    client_secret: str
    reused: bool
    replaced: tuple[str, ...] = ()


def demo_credentials_file() -> Path:
    """Where the demo keeps its client's credentials: beside its SQLite database."""
    _, path = describe(get_settings().database_url)
    return (path.parent if path else Path.cwd()) / "demo-credentials.json"


def _saved_credentials(file: Path) -> dict[str, str] | None:
    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(saved, dict) and all(isinstance(saved.get(k), str) for k in ("client_id", "client_secret"))
    return saved if ok else None


def _write_private(file: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (0600), also when the file was there before."""
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def demo_client(factory: sessionmaker[Session], credentials_file: Path) -> DemoClient:
    """The demo's client holding every role: the one in ``credentials_file`` while it still works,
    else a new one (written there, 0600), every other enabled demo client disabled and named."""
    saved = _saved_credentials(credentials_file)
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        existing = set(session.execute(select(Organisation.code)).scalars())
        for code, name, _, _ in DEMO_ORGS:
            if code not in existing:
                create_organisation(tx, OrganisationCreate(code=code, name=name, kind="organisation"))
        if "DEMO" not in existing:
            create_organisation(tx, OrganisationCreate(code="DEMO", name="Demo procurement office",
                                                       kind="state"))
        if saved is not None:
            known = session.get(ApiClient, saved["client_id"])
            if (known is not None and not known.disabled and known.name == DEMO_CLIENT
                    and verify_secret(known.secret_hash, saved["client_secret"])):
                tx.commit()
                return DemoClient(saved["client_id"], saved["client_secret"], reused=True)
        # One live demo client at a time: the ones the file no longer names stop working.
        replaced = []
        for old in session.execute(select(ApiClient).where(ApiClient.name == DEMO_CLIENT,
                                                           ApiClient.disabled.is_(False))).scalars():
            old.disabled = True
            tx.audit("client.disable", "client", old.id, {"reason": "replaced by a new demo client"})
            replaced.append(old.id)
        created = create_client(tx, ClientCreate(organisation="DEMO", name=DEMO_CLIENT,
                                                 roles=list(ORGANISATION_ROLES)))
        tx.commit()
    _write_private(credentials_file, json.dumps({"client_id": created.client_id,
                                                 "client_secret": created.client_secret}, indent=2) + "\n")
    return DemoClient(created.client_id, created.client_secret, reused=False, replaced=tuple(replaced))


def prepare_demo(credentials_file: Path, data_dir: Path | None) -> DemoClient:
    """Load the published lists under WBG, EBRD and IDB and make (or reuse) the demo client."""
    factory = _factory()
    client = demo_client(factory, credentials_file)
    if data_dir is None:
        console.print("[yellow]published lists not found (set DEBARLIST_DEMO_DATA); starting empty[/yellow]")
    else:
        for code, _, fmt, filename in DEMO_ORGS:
            report = _run_import(data_dir / filename, fmt, code)
            console.print(f"{code}: {report.rows} rows, {report.created} created, {report.updated} updated, "
                          f"{report.unchanged} unchanged, {len(report.rejected)} rejected")
        from service.crosslists.recognise import recognise_cross_debarments as cross

        found = cross(factory)
        console.print(f"cross-debarments: {found.matched} of {found.cross_debarments} matched the originator's "
                      f"entry, {found.created} recognitions created")
    return client


def demo_banner(client: DemoClient, credentials_file: Path, host: str, port: int) -> str:
    """What the demo prints: where the credentials are, never the secret itself (terminals get
    recorded, and this goes to the same stream as the log)."""
    if client.reused:
        origin = "reused: still valid"
    elif client.replaced:
        origin = f"new; replaced and disabled the previous demo client {', '.join(client.replaced)}"
    else:
        origin = "new"
    secret = f"$(python3 -c 'import json; print(json.load(open(\"{credentials_file}\"))[\"client_secret\"])')"
    return (f"\nDemo client (every role; {origin})\n  client_id:     {client.client_id}\n"
            f"  client_secret: in {credentials_file} (readable by you only)\n"
            f"  docs:          http://{host}:{port}/docs\n"
            f"  token:         curl -s -d grant_type=client_credentials -d client_id={client.client_id} "
            f"-d client_secret=\"{secret}\" http://{host}:{port}/v1/token\n")


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@app.command("serve")
def serve(host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
          demo: Annotated[bool, typer.Option(help="Load the published lists and print demo credentials.")] = False,
          migrate: Annotated[bool, typer.Option(help="Apply migrations before starting.")] = True,
          workers: Annotated[int | None, typer.Option(
              help="Worker processes, forked after the index is built (default DEBARLIST_WORKERS, "
                   "else one per core).", min=1, max=64)] = None) -> None:
    """Run the HTTP service (uvicorn; gunicorn with uvicorn workers when more than one)."""
    import uvicorn

    from service.app import create_app

    settings = get_settings()
    # Before anything is changed: a second demo on a busy port must not disable the first one's client.
    if not _port_free(host, port):
        typer.echo(f"error: {host}:{port} is already in use (another debarlist serve?); nothing was changed. "
                   "Stop it, or pass --port.", err=True)
        raise typer.Exit(code=1)
    if migrate:
        upgrade(_database_url(create=True))
    else:
        _database_url()
    if demo:
        credentials_file = demo_credentials_file()
        client = prepare_demo(credentials_file, demo_data_dir())
    application = create_app(settings)
    if demo:
        console.print(demo_banner(client, credentials_file, host, port), highlight=False, markup=False, soft_wrap=True)
        # Printed to the terminal (not through logging, so no log keeps it); kept 0600 beside the data.
        username, password = demo_person(_factory(), credentials_file.with_name("demo-person.json"), "DEMO")
        console.print(f"Demo person (every role of DEMO)\n  console:  http://{host}:{port}/console/\n"
                      f"  username: {username}\n  password: {password}\n", highlight=False, markup=False,
                      soft_wrap=True)
    from service.workers import default_workers, serve_workers

    count = workers or settings.workers or default_workers()
    if count > 1:
        console.print(f"serving with {count} workers (index built first, then forked)")
        serve_workers(application, settings, host=host, port=port, workers=count)
        return
    # The app's request log (service.observability) replaces uvicorn's access lines, and uvicorn's
    # own records go through the app's JSON logging (log_config=None keeps its handlers away).
    uvicorn.run(application, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                log_config=None)


@app.command("worker")
def worker() -> None:
    """Run the background work (monitoring of watchlists, webhook delivery) without serving HTTP:
    for deployments with several replicas, where serve may run with
    DEBARLIST_MONITORING_INTERVAL_SECONDS=0 and DEBARLIST_WEBHOOK_INTERVAL_SECONDS=0. Any number
    of workers may run at once: each monitoring run and each delivery batch is claimed."""
    import signal
    import threading

    from service.app import create_app
    from service.monitoring.runner import MonitorLoop
    from service.webhooks.delivery import DeliveryLoop, Policy

    describe(_database_url())
    settings = get_settings()
    application = create_app(settings)
    for hook in application.state.startup_hooks:  # builds the index; starts the loops if configured
        hook(application)
    # A loop switched off for serve (interval 0) still runs here, every second.
    own_monitoring = MonitorLoop(application.state.session_factory, application.state.lists,
                                 settings.monitoring_interval_seconds or 1.0, application.state.sessions.read)
    own_delivery = DeliveryLoop(application.state.session_factory, Policy.of(settings),
                                settings.webhook_interval_seconds or 1.0, application.state.sessions.read)
    if not settings.monitoring_interval_seconds:
        own_monitoring.start()
    if not settings.webhook_interval_seconds:
        own_delivery.start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo("worker running (monitoring, webhook delivery); stop with Ctrl-C", err=True)
    stop.wait()
    own_delivery.stop()
    own_monitoring.stop()
    for hook in application.state.shutdown_hooks:
        hook(application)


@app.command("openapi")
def openapi_document(output: Annotated[Path | None, typer.Option(help="File to write; stdout if omitted.")]
                     = None) -> None:
    """Print or write the OpenAPI document generated from the app (openapi/openapi.json)."""
    from service.openapi_export import build, render

    text = render(build())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


if __name__ == "__main__":
    app()
