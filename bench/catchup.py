"""What the live index's catch-up costs a screening after a write, as the list grows.

    .venv/bin/python bench/catchup.py [--entries 100000] [--changed 5] [--database-url URL] [--repeat 20]

Before each screening the index reads the entries changed since the revision it applied
(service/listview/live.py). Method: a scratch database (SQLite file in bench/out/, or
``--database-url``: an empty PostgreSQL database) gets ``--entries`` entries by the raw insert of
bench/load.py (statistics gathered on PostgreSQL, as autovacuum would); then both forms of the
catch-up read the last ``--changed`` entries, ``--repeat`` times each, alternating: the two
queries the index runs (``changed_entries``: a revision range, and recognised ids) against the
one condition they replace (``changed_since``, in revision order), which is the baseline.
Printed: milliseconds per catch-up, median of the repeats, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load import OUT, populate
from sqlalchemy import Select, create_engine, func, select

from service.entries.models import Entry
from service.listview.live import changed_entries, changed_since


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in bench/out)")
    args = parser.parse_args()
    workdir = OUT / f"catchup-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    populate(url, args.entries)
    engine = create_engine(url)
    timings: dict[str, list[float]] = {"two queries (now)": [], "one condition (before)": []}
    with engine.connect() as conn:
        since = int(conn.execute(select(func.max(Entry.revision))).scalar_one()) - args.changed
        forms: dict[str, Callable[[], list[Select[Entry]]]] = {
            "two queries (now)": lambda: list(changed_entries(since)),
            "one condition (before)": lambda: [select(Entry).where(changed_since(since)).order_by(Entry.revision)]}
        for _ in range(3):  # compiled and cached, pages read once
            for make in forms.values():
                for query in make():
                    conn.execute(query).fetchall()
        for _ in range(args.repeat):
            for label, make in forms.items():
                started = time.perf_counter()
                rows = sum(len(conn.execute(query).fetchall()) for query in make())
                timings[label].append(time.perf_counter() - started)
                assert rows == args.changed, rows
    now, before = (statistics.median(timings[k]) * 1000 for k in timings)
    print(f"catch-up of {args.changed} changed entries in a list of {args.entries:,} ({engine.dialect.name}): "
          f"{now:.2f} ms with the two queries against {before:.2f} ms with the one condition "
          f"({before / max(now, 1e-9):.0f}x)")
    engine.dispose()


if __name__ == "__main__":
    main()
