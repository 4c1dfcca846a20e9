"""``debarlist screen BIDDERS.csv``: screen a whole bidder list through the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.screening.bidders import BidderFileError, read_bidders, write_report

console = Console(stderr=True)
MAX_BATCH = 1000


def screen_command(
    bidders: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV of bidders.")],
    url: Annotated[str, typer.Option(help="Base URL of the service.")] = "http://127.0.0.1:8000",
    client_id: Annotated[str, typer.Option(envvar="DEBARLIST_CLIENT_ID", help="Screener client id.")] = "",
    client_secret: Annotated[str, typer.Option(envvar="DEBARLIST_CLIENT_SECRET", show_default=False,
                                               help="Its secret (prefer the environment variable).")] = "",
    output: Annotated[Path, typer.Option("--output", "-o", help="Report: .csv or .json.")] = Path("report.csv"),
    tender_ref: Annotated[str | None, typer.Option(help="Tender reference kept with the receipts.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Valid-time date, YYYY-MM-DD (default today).")] = None,
    threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=MAX_BATCH)] = 500,
) -> None:
    """Screen every bidder of a CSV file and write a CSV or JSON report."""
    if not client_id or not client_secret:
        raise _fail("give --client-id and DEBARLIST_CLIENT_SECRET (or --client-secret)")
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError as exc:
            raise _fail("--as-of must be YYYY-MM-DD") from exc
    try:
        subjects = list(read_bidders(bidders))
    except BidderFileError as exc:
        raise _fail(str(exc)) from exc
    if not subjects:
        raise _fail(f"{bidders} has no bidders")
    answers: list[dict[str, Any]] = []
    with httpx.Client(base_url=url, timeout=120) as http:
        headers = {"Authorization": f"Bearer {_token(http, client_id, client_secret)}"}
        with Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as progress:
            task = progress.add_task("screen", total=len(subjects))
            for start in range(0, len(subjects), batch_size):
                batch = subjects[start:start + batch_size]
                body = {"subjects": batch, "tender_ref": tender_ref, "as_of": as_of, "threshold": threshold}
                response = http.post("/v1/screen", json=body, headers=headers)
                if response.status_code != 200:
                    raise _fail(f"screening failed ({response.status_code}): {_detail(response)}")
                answers.append(response.json())
                progress.advance(task, len(batch))
    write_report(output, answers, subjects)
    flagged = sum(1 for answer in answers for result in answer["results"] if result["matches"])
    console.print(f"{len(subjects)} bidders screened, {flagged} with matches; report written to {output}")


def _token(http: httpx.Client, client_id: str, client_secret: str) -> str:
    response = http.post("/v1/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                            "client_secret": client_secret})
    if response.status_code != 200:
        raise _fail(f"token request refused ({response.status_code}): {_detail(response)}")
    return str(response.json()["access_token"])


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or response.text)
    except ValueError:
        return response.text[:200]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)
