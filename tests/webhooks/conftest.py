"""Webhook tests: their own app on the suite's database (admitting loopback receivers), with the
shared app's delivery loop paused while they run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Harness
from tests.webhooks.support import shared_worker_paused, start_hooks_harness


@pytest.fixture(scope="module")
def hooks(db_url: str, key_file: Path, harness: Harness) -> Iterator[Harness]:
    with shared_worker_paused(harness):
        h = start_hooks_harness(db_url, key_file)
        yield h
        h.close()
