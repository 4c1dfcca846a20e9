"""Speed benchmark: build + search on synthetic lists of 100k (and with --large 1M) entries.

Prints build time, resident memory, single-subject latency percentiles, batch throughput, and the
speed of a plain rapidfuzz WRatio scan over the same 100k list for comparison.  Not a test.

    .venv/bin/python bench/screening.py [--large] [--queries 2000]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import generate, perturb

from debarlist_match import DEFAULT_THRESHOLD, ListedRecord, MatchIndex, Query
from debarlist_match.snapshot import index_from_state, index_state


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def bench(n: int, n_queries: int, baseline: bool) -> None:
    print(f"\n=== {n:,} entries ===")
    gc.collect()
    rss0 = rss_mb()
    records: list[ListedRecord] = list(generate(n))
    t0 = time.perf_counter()
    idx = MatchIndex()
    for r in records:
        idx.add(r)
    build = time.perf_counter() - t0
    gc.collect()
    print(f"build: {build:.1f}s ({n / build:,.0f} entries/s), RSS {rss_mb():,.0f} MB (before build {rss0:,.0f} MB)")
    rng = random.Random(11)
    sample = [records[rng.randrange(n)] for _ in range(n_queries // 2)]
    queries = [Query(name=perturb(r, rng), country=r.country if rng.random() < 0.5 else None) for r in sample]
    # Half the subjects are not on the list at all (the common case in screening).
    queries += [
        Query(name=perturb(r, rng) + " Novum") for r in (records[rng.randrange(n)] for _ in range(n_queries // 4))
    ]
    queries += [Query(name=f"Company {rng.randrange(10**6)} Unlisted Trading") for _ in range(n_queries - len(queries))]
    rng.shuffle(queries)
    for q in queries[:50]:
        idx.search(q)  # warm caches
    lat: list[float] = []
    for q in queries:
        t = time.perf_counter()
        idx.search(q)
        lat.append((time.perf_counter() - t) * 1000)
    print(
        f"single-subject latency over {len(queries)} queries: p50 {pct(lat, 50):.2f} ms, "
        f"p95 {pct(lat, 95):.2f} ms, "
        f"p99 {pct(lat, 99):.2f} ms, mean {statistics.mean(lat):.2f} ms"
    )
    # The batch as the service runs it: default threshold, limit 5, a visibility filter that is a dict
    # lookup.  Three rounds; the best one is the machine's capacity, the spread shows the noise of a
    # shared 2-core box.
    visible = {r.key: True for r in records}

    def accept(key: str) -> bool:
        return visible.get(key, False)

    def batch(index: MatchIndex) -> list[float]:
        rates: list[float] = []
        for _ in range(3):
            t = time.perf_counter()
            for q in queries:
                index.search(q, threshold=DEFAULT_THRESHOLD, limit=5, accept=accept)
            rates.append(len(queries) / (time.perf_counter() - t))
        return rates

    rates = batch(idx)
    print(
        f"batch throughput: {max(rates):,.0f} subjects/s best of 3 "
        f"(median {statistics.median(rates):,.0f}; one thread, limit=5, accept=dict lookup)"
    )
    print(f"RSS after searches: {rss_mb():,.0f} MB")
    # The same index as a start brings it back from its snapshot (buffers read in place, rows decoded
    # when a search reads them), against the index built record by record above.
    t = time.perf_counter()
    state, buffers = index_state(idx)
    taken = time.perf_counter() - t
    blobs = {name: memoryview(bytes(memoryview(b).cast("B"))) for name, b in buffers.items()}
    t = time.perf_counter()
    loaded = index_from_state(pickle.loads(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)), blobs)
    restored = time.perf_counter() - t
    same = all([(m.key, m.score) for m in loaded.search(q)] == [(m.key, m.score) for m in idx.search(q)]
               for q in queries[:300])
    packed_rates = batch(loaded)
    print(f"from buffers: state taken in {taken:.1f} s, {sum(len(b) for b in blobs.values()) / 1e6:,.0f} MB of "
          f"buffers; restored in {restored:.2f} s; same answers on 300 queries: {same}; batch "
          f"{max(packed_rates):,.0f} subjects/s best of 3 = {max(packed_rates) / max(rates):.2f} of the built index")
    if baseline:
        from rapidfuzz import fuzz, process
        from rapidfuzz.utils import default_process

        choices = [default_process(n_) for r in records for n_ in (r.name, *r.aliases)]
        sub = queries[:50]
        t = time.perf_counter()
        for q in sub:
            process.extract(
                default_process(q.name), choices, scorer=fuzz.WRatio, processor=None, limit=3, score_cutoff=85
            )
        per = (time.perf_counter() - t) / len(sub) * 1000
        ours = statistics.mean(lat)
        print(
            f"baseline WRatio scan (50 queries, choices pre-processed): {per:.1f} ms/query "
            f"-> ours is {per / ours:.0f}x faster"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", action="store_true", help="also run 1,000,000 entries")
    ap.add_argument("--only-large", action="store_true")
    ap.add_argument("--queries", type=int, default=2000)
    args = ap.parse_args()
    if not args.only_large:
        bench(100_000, args.queries, baseline=True)
    if args.large or args.only_large:
        bench(1_000_000, args.queries, baseline=False)


if __name__ == "__main__":
    main()
