"""Monitoring after award (issue 10): re-screening watched suppliers after a bulk list change.

Method: the real app (``create_app``, monitoring loop off) on a scratch database (SQLite, or
PostgreSQL with ``--database-url``); ``--watched`` suppliers are inserted raw into the watchlist
(their first screening is not what is measured), ``--changes`` new entries are posted in one
bulk, each a variant of one watched supplier's name (exact, a typo, Cyrillic with the Kazakh
legal form, words swapped, another legal form) or, one in six, a name nobody watches; then one
monitoring run (``service.monitoring.runner.run_once``: the inverse search, then the re-screen
of its shortlist) is timed from the bulk's commit to the commit of its last alert.

Baseline, same run and same changes: the old per-watch method (one search of the changed
entries per watched supplier, as ``monitor`` did before the inverse search), timed for the
candidate selection alone (the old run re-screened the same candidates after it, so the old run
took at least that long). Recall: the watches the old method found (every watch a changed entry
matches by forward screening) that the inverse shortlist also holds; it must be 100 %.
Memory: the process's peak RSS. Output: bench/out/monitoring.txt (or --out).
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from debarlist_match import DEFAULT_THRESHOLD
from service.app import create_app
from service.auth.keys import generate_pem
from service.auth.models import Organisation
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.entries.models import Entry
from service.entries.policy import screened_partitions
from service.kernel.clock import today, utcnow
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx
from service.listview.facts import ListedFacts
from service.migrate import scratch_database
from service.monitoring.inverse import SHORTLIST_THRESHOLD, entry_query, watch_index
from service.monitoring.models import Alert, WatchedSupplier
from service.monitoring.runner import run_once
from service.monitoring.watchlist import MATCH_LIMIT, to_query

OUT = Path(__file__).parent / "out"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(7)).capitalize()


def _names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{_word(rng)} {_word(rng)} {rng.choice(['LLP', 'JSC', 'Ltd'])}" for _ in range(n)]


_CYRILLIC = dict(zip("abcdefghijklmnopqrstuvwxyz",
                     ["а", "б", "ц", "д", "е", "ф", "г", "х", "и", "й", "к", "л", "м", "н", "о", "п", "к", "р",
                      "с", "т", "у", "в", "в", "кс", "ы", "з"], strict=True))


def _variant(name: str, i: int, rng: random.Random) -> str:
    """The name a changed entry carries: a variant of a watched name the engine should still match,
    or (one in six) a name nobody watches."""
    words, form = name.rsplit(" ", 1)[0].split(), name.rsplit(" ", 1)[1]
    kind = i % 6
    if kind == 1:  # a typo in one word
        w = rng.randrange(len(words))
        pos = rng.randrange(1, len(words[w]))
        words[w] = words[w][:pos] + rng.choice(string.ascii_lowercase) + words[w][pos + 1:]
    elif kind == 2:  # Cyrillic script, Kazakh legal form first
        cyr = " ".join("".join(_CYRILLIC[c] for c in w.lower()).capitalize() for w in words)
        return f"ТОО «{cyr}»"
    elif kind == 3:
        words.reverse()
    elif kind == 4:
        form = {"LLP": "Ltd", "Ltd": "JSC", "JSC": "LLP"}[form]
    elif kind == 5:
        return f"{_word(rng)} {_word(rng)} {form}"
    return f"{' '.join(words)} {form}"


def _old_candidates(session: Session, view: Any, changed: set[str]) -> set[str]:
    """The old per-watch method (before the inverse search): every watch searched against the
    changed entries, plus the watches whose last matches hold one (the code ``monitor`` ran)."""
    on = today()
    found: set[str] = set()
    watches = session.scalars(select(WatchedSupplier).where(
        (WatchedSupplier.watch_until.is_(None)) | (WatchedSupplier.watch_until >= on))
        .order_by(WatchedSupplier.organisation_id, WatchedSupplier.position)).all()
    for w in watches:
        org = w.organisation_id

        def among_changed(facts: ListedFacts, org: int = org) -> bool:
            return facts.entry_id in changed and facts.screenable_by(org) and facts.in_force_on(on)

        if any(m["entry_id"] in changed for m in w.last_matches) or view.search(
                to_query(w), threshold=DEFAULT_THRESHOLD, limit=MATCH_LIMIT, accept=among_changed,
                partitions=screened_partitions(org, include_inactive=False)):
            found.add(w.id)
    return found


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _entry(name: str, ref: str) -> dict[str, Any]:
    return {"kind": "company", "name": name, "aliases": [], "country": "KZ", "identifiers": [],
            "listing": "debarred", "grounds": ["fraud"], "legal_basis": "Act, art. 12", "decision_ref": ref,
            "decided_on": "2026-03-02", "evidence": [{"title": "Decision", "url": "https://example.gov/d.pdf"}],
            "starts_on": "2026-03-15", "ends_on": None, "visibility": "members", "external_ref": ref}


def _token(client: TestClient, app: Any, roles: list[Role]) -> dict[str, str]:
    with app.state.session_factory() as session:
        tx = Tx(session=session, actor=SYSTEM)
        created = create_client(tx, ClientCreate(organisation="BENCH", name="bench", roles=roles))
        tx.commit()
    token = client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": created.client_id,
                                           "client_secret": created.client_secret}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def run(watched: int, change_sizes: list[int], background: int, database_url: str | None,
        baseline: set[int]) -> list[str]:
    backend = "PostgreSQL" if database_url and database_url.startswith("postgresql") else "SQLite"
    lines = [f"{backend}, {watched:,} watched suppliers, {background:,} entries listed before them, "
             f"shortlist threshold {SHORTLIST_THRESHOLD:.2f} (screening {DEFAULT_THRESHOLD})"]
    print(lines[0], flush=True)

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url, Path(tmp), "bench_mon") as url:
        key = Path(tmp) / "key.pem"
        key.write_text(generate_pem())
        app = create_app(Settings(database_url=url, signing_key_file=key, env="development", log_level="WARNING",
                                  monitoring_interval_seconds=0))
        with TestClient(app) as client:
            with app.state.session_factory() as session:
                tx = Tx(session=session, actor=SYSTEM)
                create_organisation(tx, OrganisationCreate(code="BENCH", name="Bench", kind="state"))
                tx.commit()
            lister = _token(client, app, [Role.contributor])
            names = _names(watched + background, seed=11)
            watch_names, background_names = names[:watched], names[watched:]
            for first in range(0, background, 1000):
                rows = [_entry(n, f"bg-{first + i}") for i, n in enumerate(background_names[first:first + 1000])]
                assert client.post("/v1/entries/bulk", json={"entries": rows}, headers=lister).status_code == 200
            with app.state.session_factory() as session:
                org_id = session.scalar(select(Organisation.id).where(Organisation.code == "BENCH"))
                now = utcnow()
                for first in range(0, watched, 10_000):
                    session.execute(insert(WatchedSupplier), [
                        {"id": str(uuid.uuid4()), "organisation_id": org_id, "ref": f"w-{i}",
                         "subject": {"name": n, "aliases": [], "country": "KZ", "identifiers": [], "kind": None},
                         "contract_ref": None, "watch_until": None, "last_matches": [], "last_revision": 0,
                         "created_at": now, "updated_at": now}
                        for i, n in enumerate(watch_names[first:first + 10_000], start=first)])
                session.commit()
            start = time.perf_counter()
            run_once(app.state.session_factory, app.state.lists)  # the cursor catches up with the fill
            say(f"first run (builds the watch index of {len(watch_index(app.state.lists)):,} watches): "
                f"{time.perf_counter() - start:.2f} s, peak RSS {_rss():.0f} MiB")
            rng = random.Random(5)
            offset = 0
            for changes in change_sizes:
                rows = [_entry(_variant(n, i, rng), f"ch-{offset + i}")
                        for i, n in enumerate(watch_names[offset:offset + changes])]
                offset += changes
                posted = client.post("/v1/entries/bulk", json={"entries": rows}, headers=lister)
                assert posted.status_code == 200, posted.text[:300]
                start = time.perf_counter()
                raised = run_once(app.state.session_factory, app.state.lists)
                took = time.perf_counter() - start
                say(f"{changes:>6} changes x {watched:,} watched: commit -> last alert {took:8.2f} s, "
                    f"{raised} alerts, {raised / took:8.1f} alerts/s, peak RSS {_rss():.0f} MiB")
                if changes not in baseline:
                    continue
                with app.state.session_factory() as session:
                    view = app.state.lists.live(session)
                    entries = session.scalars(select(Entry).where(
                        Entry.external_ref.in_([r["external_ref"] for r in rows]))).all()
                    changed = {e.id for e in entries}
                    start = time.perf_counter()
                    old = _old_candidates(session, view, changed)
                    old_took = time.perf_counter() - start
                    index = watch_index(app.state.lists)
                    start = time.perf_counter()
                    index.sync(session)
                    short = index.shortlist(entry_query(e) for e in entries) | index.holding(changed)
                    new_took = time.perf_counter() - start
                kept = len(old & short)
                say(f"       baseline, old per-watch method: candidate selection alone {old_took:8.2f} s "
                    f"({old_took / took:.1f}x the whole new run); inverse shortlist {new_took:.2f} s")
                say(f"       recall of the shortlist: {kept}/{len(old)} forward-matched watches "
                    f"= {100 * kept / max(len(old), 1):.1f} %; shortlist {len(short)} watches "
                    f"(precision {100 * kept / max(len(short), 1):.0f} %)")
            with app.state.session_factory() as session:
                total_alerts = session.query(Alert).count()
            say(f"alerts written in all: {total_alerts}; list: {background + offset:,} entries; "
                f"peak RSS {_rss():.0f} MiB")
        app.state.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watched", type=int, default=100_000)
    parser.add_argument("--changes", type=int, nargs="+", default=[1000, 10, 1])
    parser.add_argument("--background", type=int, default=5000, help="entries listed before the watches")
    parser.add_argument("--baseline", type=int, nargs="*", default=[1000, 1],
                        help="change sizes the old per-watch method is also timed for (it is slow)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server's URL (default: SQLite)")
    parser.add_argument("--out", type=Path, default=OUT / "monitoring.txt")
    args = parser.parse_args()
    lines = run(args.watched, args.changes, args.background, args.database_url, set(args.baseline))
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
