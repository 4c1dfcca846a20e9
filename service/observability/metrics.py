"""Prometheus metrics: the process-wide request and screening counters, and ``Gauges``, the
registry of values read at scrape time that any domain adds to (``app.state.gauges.add``).

With several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode): counters and histograms are then summed over the workers at each scrape.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

log = logging.getLogger("debarlist")

REGISTRY = CollectorRegistry(auto_describe=True)

# Label values are route templates ("/v1/entries/{entry_id}"), never raw paths, so the number
# of series stays bounded whatever clients request; unmatched paths share one value.
UNMATCHED_ROUTE = "unmatched"

HTTP_REQUESTS = Counter("debarlist_http_requests_total", "HTTP requests answered, by route template and status.",
                        ["method", "route", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram("debarlist_http_request_duration_seconds",
                         "Time from request to the end of the response, by route template.",
                         ["method", "route"], registry=REGISTRY,
                         buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
SCREENINGS = Counter("debarlist_screenings_total", "Screenings run (one per POST /v1/screen).", registry=REGISTRY)
SUBJECTS = Counter("debarlist_screening_subjects_total", "Bidders screened.", registry=REGISTRY)
MATCHES = Counter("debarlist_screening_matches_total",
                  "Matches reported, by score band: high >= 0.95, medium >= 0.85, low below.",
                  ["band"], registry=REGISTRY)


def score_band(score: float) -> str:
    return "high" if score >= 0.95 else "medium" if score >= 0.85 else "low"


def observe_screening(subjects: int, scores: Iterable[float]) -> None:
    SCREENINGS.inc()
    SUBJECTS.inc(subjects)
    for score in scores:
        MATCHES.labels(score_band(score)).inc()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


Reading = float | Mapping[tuple[str, ...], float]


@dataclass(frozen=True, slots=True)
class _Gauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[], Reading]


class Gauges(Collector):
    """Values read when Prometheus scrapes (index revision, lag, audit head, outbox depth...).

    ``add(name, documentation, read)``: ``read()`` returns a number, or, with ``labels``, a
    mapping from label values to numbers. A reading that fails is left out of that scrape
    (and logged) rather than failing the scrape."""

    def __init__(self) -> None:
        self._gauges: dict[str, _Gauge] = {}

    def add(self, name: str, documentation: str, read: Callable[[], Reading],
            labels: tuple[str, ...] = ()) -> None:
        if name in self._gauges:
            raise ValueError(f"gauge {name} is already registered")
        self._gauges[name] = _Gauge(name, documentation, labels, read)

    def names(self) -> list[str]:
        return sorted(self._gauges)

    def collect(self) -> Iterable[Metric]:
        for gauge in self._gauges.values():
            try:
                value = gauge.read()
            except Exception:
                log.warning("metrics: reading %s failed", gauge.name, exc_info=True)
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels or None)
            if isinstance(value, Mapping):
                for label_values, number in value.items():
                    family.add_metric(list(label_values), float(number))
            else:
                family.add_metric([], float(value))
            yield family


def render(gauges: Gauges) -> bytes:
    """The exposition text: counters and histograms (summed over workers in multiprocess
    mode), then the scrape-time gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
    else:
        counters = REGISTRY
    values = CollectorRegistry(auto_describe=False)
    values.register(gauges)
    return generate_latest(counters) + generate_latest(values)
