"""Console page load times on the demo's data (issue 11).

Method: a scratch SQLite database loaded like ``debarlist serve --demo`` (the published World
Bank, EBRD and IDB lists under WBG, EBRD, IDB; ../shared/data/published), a person holding every
role, the real app served by uvicorn on loopback; an HTTP client signs in with the form and
times each page from request to the last byte (``--repeat`` times, median and max):

- the screening page with a 1,000-bidder CSV uploaded (half the names taken from the list, so
  the result page shows real matches), its receipt page and its PDF;
- the entries list (first page, a search) and the audit page (newest records).

Baseline, same run: the API doing the same work (``POST /v1/screen`` with the 1,000 subjects as
JSON, ``GET /v1/screenings/{id}``, ``GET /v1/entries``, ``GET /v1/audit``), so the figures show
what the pages add. Output: printed, and bench/out/console.txt.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.console.people import create_person
from service.entries.importing import import_file
from service.entries.models import Entry
from service.kernel.roles import ORGANISATION_ROLES
from service.kernel.uow import SYSTEM, Tx
from service.migrate import upgrade

OUT = Path(__file__).parent / "out"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "published"
LISTS = (("WBG", "worldbank", "worldbank-ineligible-2025-07-01.xlsx"), ("EBRD", "ebrd", "ebrd-ineligible.csv"),
         ("IDB", "idb", "idb-sanctioned.xlsx"))


def timed(repeat: int, call: Callable[[], httpx.Response]) -> tuple[float, float, int]:
    """Median and max seconds of ``repeat`` calls, and the last answer's size."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        response.read()
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        size = len(response.content)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bidders", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-console-"))
    url = f"sqlite:///{workdir / 'demo.db'}"
    upgrade(url)
    key = workdir / "key.pem"
    key.write_text(generate_pem())
    settings = Settings(database_url=url, signing_key_file=key, env="development", monitoring_interval_seconds=0,
                        log_level="WARNING")
    app = create_app(settings)
    factory = app.state.session_factory
    with factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        for code, _, _ in LISTS:
            create_organisation(tx, OrganisationCreate(code=code, name=code, kind="organisation"))
        create_organisation(tx, OrganisationCreate(code="DEMO", name="Demo procurement office", kind="state"))
        client = create_client(tx, ClientCreate(organisation="DEMO", name="bench", roles=list(ORGANISATION_ROLES)))
        officer = create_person(tx, organisation="DEMO", username="bench", display_name="Bench officer",
                                roles=[r.value for r in ORGANISATION_ROLES])
        tx.commit()
    started = time.perf_counter()
    for code, fmt, filename in LISTS:
        import_file(factory, DATA / filename, fmt, code, lambda n: None)
    with factory() as session:
        listed = list(session.execute(select(Entry.name)).scalars())
    print(f"loaded {len(listed):,} entries in {time.perf_counter() - started:.1f} s")
    rng = random.Random(11)
    names = [rng.choice(listed) if i % 2 == 0 else f"Bidder {i} Construction LLP" for i in range(args.bidders)]
    upload = io.StringIO()
    writer = csv.writer(upload)
    writer.writerow(["ref", "name"])
    writer.writerows((f"b{i}", name) for i, name in enumerate(names))
    subjects = [{"ref": f"b{i}", "name": name} for i, name in enumerate(names)]

    from fastapi.testclient import TestClient

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support import live_server  # the suite's uvicorn-on-loopback helper

    lines = []
    with TestClient(app), live_server(app) as base:  # TestClient: the lifespan builds the index
        page = httpx.Client(base_url=base, headers={"Accept": "text/html"}, timeout=300)
        form = page.get("/console/sign-in").text
        csrf = form.split('name="csrf" value="')[1].split('"')[0]
        assert page.post("/console/sign-in", data={"username": "bench", "password": officer.password,
                                                   "csrf": csrf}).status_code == 303
        csrf = page.get("/console/screen").text.split('name="csrf" value="')[1].split('"')[0]
        api = httpx.Client(base_url=base, timeout=300)
        token = api.post("/v1/token", data={"grant_type": "client_credentials", "client_id": client.client_id,
                                            "client_secret": client.client_secret}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"

        def screen_page() -> httpx.Response:
            return page.post("/console/screen", data={"csrf": csrf, "tender_ref": "BENCH"},
                             files={"bidders": ("bidders.csv", upload.getvalue().encode(), "text/csv")})

        answer = screen_page()
        screening_id = answer.text.split("/console/receipts/")[1].split('"')[0]
        flagged = answer.text.count('<tr class="hit">')
        rows = [
            (f"screening page, {args.bidders:,} bidders uploaded ({flagged} with matches)", screen_page,
             lambda: api.post("/v1/screen", json={"subjects": subjects, "tender_ref": "BENCH"}),
             "POST /v1/screen"),
            ("receipt page", lambda: page.get(f"/console/receipts/{screening_id}"),
             lambda: api.get(f"/v1/screenings/{screening_id}"), "GET /v1/screenings/{id}"),
            ("receipt PDF", lambda: page.get(f"/console/receipts/{screening_id}/pdf"), None, ""),
            ("entries list, first 50", lambda: page.get("/console/entries"),
             lambda: api.get("/v1/entries", params={"limit": 50}), "GET /v1/entries?limit=50"),
            ("entries search q=construction", lambda: page.get("/console/entries", params={"q": "construction"}),
             lambda: api.get("/v1/entries", params={"limit": 50, "q": "construction"}), "GET /v1/entries?q="),
            ("audit page, newest 100", lambda: page.get("/console/audit"),
             lambda: api.get("/v1/audit", params={"limit": 100, "order": "desc"}), "GET /v1/audit?limit=100"),
        ]
        header = f"{'page':58} {'median':>8} {'max':>8} {'bytes':>10}   baseline (API, same run)"
        print(header)
        lines.append(header)
        for label, call, baseline, what in rows:
            median, worst, size = timed(args.repeat, call)
            text = f"{label:58} {median * 1000:7.0f}ms {worst * 1000:7.0f}ms {size:10,}"
            if baseline is not None:
                b_median, b_worst, b_size = timed(args.repeat, baseline)
                text += f"   {what}: {b_median * 1000:.0f} ms median, {b_worst * 1000:.0f} ms max, {b_size:,} bytes"
            print(text, flush=True)
            lines.append(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "console.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    app.state.engine.dispose()


if __name__ == "__main__":
    main()
