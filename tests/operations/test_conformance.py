"""Schemathesis against the live app's OpenAPI document, once for each role, with every check:
no 5xx, responses and headers as documented, schema-valid requests accepted, schema-violating
ones refused, 405 with a correct Allow header.

Bounded (a few examples per operation, about two minutes in all) and run by ``.ci/run`` on its
own, once, on SQLite: ``DEBARLIST_CONFORMANCE=1 pytest tests/operations/test_conformance.py``.
``DEBARLIST_CONFORMANCE_EXAMPLES`` sets the examples per operation (default 5).
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Actor, Harness, entry_body, live_server

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ROLES = ("admin", "contributor", "screener", "auditor", "reviewer")
# The coverage phase (every boundary of every schema, deterministic) takes about 75 s a role; it
# runs for the role with the most request bodies, the random phases for every role.
COVERAGE_ROLE = "contributor"
EXAMPLES = os.environ.get("DEBARLIST_CONFORMANCE_EXAMPLES", "5")

pytestmark = pytest.mark.skipif(
    os.environ.get("DEBARLIST_CONFORMANCE") != "1",
    reason="the schemathesis run is CI's separate step (DEBARLIST_CONFORMANCE=1), once, on SQLite")


@pytest.fixture(scope="module")
def served(fresh_db_module: str, key_file: Path) -> Iterator[tuple[str, dict[str, Actor]]]:
    harness = Harness.start(fresh_db_module, key_file, checkpoint_interval_seconds=0)
    try:
        org = harness.new_org()
        actors = {role: harness.actor(role, org=org) for role in ROLES}
        # Something to find, so that reads and screenings do real work.
        for _ in range(3):
            assert harness.client.post("/v1/entries", json=entry_body(),
                                       headers=actors["contributor"].headers).status_code == 201
        with live_server(harness.app) as url:
            yield url, actors
    finally:
        harness.close()


@pytest.fixture(scope="module")
def fresh_db_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from service.migrate import scratch_database

    base = os.environ.get("DEBARLIST_DATABASE_URL")
    with scratch_database(base, tmp_path_factory.mktemp("conformance"), "conformance" + str(os.getpid())) as url:
        yield url


def _junit(path: Path) -> tuple[int, int, list[str]]:
    root = ET.parse(path).getroot()
    cases = root.iter("testcase")
    total, failed = 0, []
    for case in cases:
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(case.get("name", "?"))
    return total, len(failed), failed


@pytest.mark.parametrize("role", ROLES)
def test_the_document_holds_for_every_role(served: tuple[str, dict[str, Actor]], role: str, tmp_path: Path) -> None:
    url, actors = served
    report = tmp_path / f"{role}.xml"
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.operations.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    phases = "examples,coverage,fuzzing,stateful" if role == COVERAGE_ROLE else "examples,fuzzing,stateful"
    # One worker: with two, schemathesis's threads reach hypothesis's lambda descriptions (ast.parse)
    # at once, and CPython 3.11's AST builder keeps its recursion depth per interpreter, not per thread
    # (python/cpython#106905): a CI run failed on "SystemError: AST constructor recursion depth mismatch".
    run = subprocess.run(
        [str(Path(sys.executable).with_name("st")), "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
         "run", f"{url}/openapi.json", "--checks", "all", "--max-examples", EXAMPLES, "--workers", "1",
         "--seed", "14", "--phases", phases, "--header", f"Authorization: Bearer {actors[role].token}",
         "--report", "junit", "--report-junit-path", str(report)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)  # its .schemathesis/ cache there
    summary = run.stdout[run.stdout.rfind("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-4000:]
    print(f"{role}: {summary.strip()}")
    assert report.exists(), run.stdout[-4000:] + run.stderr[-2000:]
    operations, failed, names = _junit(report)
    assert operations > 30, summary
    assert run.returncode == 0 and failed == 0, f"{role}: {failed} of {operations} operations failed: {names}\n" + \
        run.stdout[-12000:]
