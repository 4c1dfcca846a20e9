"""``debarlist screen BIDDERS``: screen a bidder list through the API and write the report.

Exit status 0: the report is written (rows that could not be screened are in it, with their
line and reason, and listed on stderr); 1: nothing written, one ``error:`` line says what to do;
130: interrupted, the finished batches are kept in the state file for the next run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.bidderlist import reading, report
from service.bidderlist.errors import BidderListError
from service.bidderlist.remote import HttpScreener
from service.bidderlist.run import MAX_BATCH, RunResult, run

console = Console(stderr=True)
LISTED_PROBLEMS = 20


def screen_command(
    bidders: Annotated[Path, typer.Argument(help="The bidder list: CSV, XLSX or JSON lines.", show_default=False)],
    url: Annotated[str, typer.Option(help="Base URL of the service.")] = "http://127.0.0.1:8000",
    client_id: Annotated[str, typer.Option(envvar="DEBARLIST_CLIENT_ID", help="Screener client id.")] = "",
    client_secret: Annotated[str, typer.Option(envvar="DEBARLIST_CLIENT_SECRET", show_default=False,
                                               help="Its secret (prefer the environment variable).")] = "",
    output: Annotated[Path | None, typer.Option("--output", "-o", show_default=False,
                                                help="Report file: .csv, .xlsx or .json (default report.csv).")]
    = None,
    fmt: Annotated[str | None, typer.Option("--format", show_default=False,
                                            help="csv, xlsx or json (default: by the output's extension).")]
    = None,
    encoding: Annotated[str, typer.Option(help="The CSV's encoding; auto: UTF-8, else Windows-1251/1252.")]
    = reading.AUTO,
    state: Annotated[Path | None, typer.Option(show_default=False, help=(
        "State file for resuming an interrupted run (default: the output's name + .state; removed when "
        "the report is written)."))] = None,
    tender_ref: Annotated[str | None, typer.Option(help="Tender reference kept with the receipts.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Valid-time date, YYYY-MM-DD (default today).")] = None,
    threshold: Annotated[float | None, typer.Option(help="Minimum score, 0 to 1 (default: calibrated).")]
    = None,
    batch_size: Annotated[int, typer.Option(help=f"Bidders a request, 1 to {MAX_BATCH}.")] = 500,
    retries: Annotated[int, typer.Option(help="Retries of a request the service did not answer.")] = 5,
) -> None:
    """Screen every bidder of a list and write a CSV, XLSX or JSON report with the screening ids."""
    try:
        written, result, path = _screen(bidders, url, client_id, client_secret, output, fmt, encoding, state,
                                        tender_ref, as_of, threshold, batch_size, retries)
    except BidderListError as exc:
        typer.echo(f"error: {exc}", err=True)  # one line, unwrapped: scripts read it
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        typer.echo("error: interrupted; the finished batches are kept in the state file: run the same command "
                   "again to continue", err=True)
        raise typer.Exit(code=130) from None
    except Exception as exc:  # never a traceback
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc}; please report this with the command",
                   err=True)
        raise typer.Exit(code=1) from None
    counts = report.summary(result)
    problems = [(row.line, row.problem or (outcome.refused if outcome else "")) for row, outcome in
                ((row, result.outcomes.get(position)) for position, row in enumerate(result.bidders.rows))
                if row.problem or (outcome is not None and outcome.refused)]
    for line, problem in problems[:LISTED_PROBLEMS]:
        typer.echo(f"  line {line}: not screened: {problem}", err=True)
    if len(problems) > LISTED_PROBLEMS:
        typer.echo(f"  ... and {len(problems) - LISTED_PROBLEMS} more rows not screened (see the report)", err=True)
    duplicates = f", {counts['duplicate_refs']} rows share a ref with another (flagged)" \
        if counts["duplicate_refs"] else ""
    typer.echo(f"{counts['rows']} rows: {counts['screened']} screened in {counts['screenings']} screenings, "
               f"{counts['with_matches']} with matches, {counts['not_screened']} not screened{duplicates}; "
               f"report ({written}) written to {path}", err=True)


def _screen(bidders: Path, url: str, client_id: str, client_secret: str, output: Path | None, fmt: str | None,
            encoding: str, state: Path | None, tender_ref: str | None, as_of: str | None,
            threshold: float | None, batch_size: int, retries: int) -> tuple[str, RunResult, Path]:
    # Everything that can be checked without the file or the network is checked first.
    if fmt is not None and output is None:
        output = Path(f"report.{fmt.strip().lower()}")
    output = output or Path("report.csv")
    written = report.choose_format(output, fmt)
    if not client_id or not client_secret:
        raise BidderListError("give --client-id (or DEBARLIST_CLIENT_ID) and DEBARLIST_CLIENT_SECRET")
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise BidderListError(f"--as-of {as_of!r} is not a date; write it YYYY-MM-DD") from None
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise BidderListError(f"--threshold {threshold} is out of range; give 0 to 1")
    if not 1 <= batch_size <= MAX_BATCH:
        raise BidderListError(f"--batch-size {batch_size} is out of range; give 1 to {MAX_BATCH}")
    if retries < 0:
        raise BidderListError("--retries must be 0 or more")
    bidder_list = reading.read_path(bidders, encoding=encoding)
    console.print(_read_line(bidder_list), highlight=False, markup=False, soft_wrap=True)
    options = {key: value for key, value in {"tender_ref": tender_ref, "as_of": as_of,
                                             "threshold": threshold}.items() if value is not None}
    state = state or output.with_name(output.name + ".state")
    with HttpScreener(url, client_id, client_secret, retries=retries) as screener, \
            Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("screen", total=len(bidder_list.screenable))
        result = run(bidder_list, screener, options=options, batch_size=batch_size, state=state,
                     progress=lambda n: progress.advance(task, n))
        report.write_report(output, written, result, screener.receipt)
    if state.exists():
        state.unlink()
    return written, result, output


def _read_line(bidders: reading.BidderList) -> str:
    encoding = f", {bidders.encoding}" if bidders.encoding else ""
    columns = ", ".join(f"{header!r} as {field}" for header, field in bidders.columns.items())
    ignored = f"; ignored columns: {', '.join(map(repr, bidders.ignored_columns))}" if bidders.ignored_columns \
        else ""
    return (f"{bidders.source}: {len(bidders.rows)} rows ({bidders.format}{encoding}), columns {columns}{ignored}; "
            f"{len(bidders.refused)} cannot be screened")
