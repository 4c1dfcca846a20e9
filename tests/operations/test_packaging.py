"""The package as an operator installs it: a regular (non-editable) install migrates from any
directory; commands say which database they use and never create one by accident; the
container image's commands work (checked against a fresh venv when no Docker daemon runs)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.auth.keys import generate_pem
from service.cli import app as cli
from service.config import get_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "*.pyc")


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}


def _copy(names: list[str], dest: Path) -> None:
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=IGNORED)
        else:
            shutil.copy2(source, dest / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip install --target``: a regular install of a copy of the sources, no checkout around it."""
    base = tmp_path_factory.mktemp("pip")
    source, target = base / "source", base / "site"
    source.mkdir()
    _copy(["pyproject.toml", "README.md", "service"], source)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(source)],
                   check=True, capture_output=True, timeout=300)
    return target


def test_an_installed_package_migrates_from_any_directory(installed: Path, tmp_path: Path) -> None:
    assert sorted(p.name for p in (installed / "service" / "migrations" / "versions").glob("0001_*.py"))
    elsewhere, data = tmp_path / "elsewhere", tmp_path / "data"
    elsewhere.mkdir()
    data.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "DEBARLIST_DATABASE_URL": f"sqlite:///{data / 'prod.db'}"}
    where = subprocess.run([sys.executable, "-c", "import service; print(service.__file__)"], env=env, cwd=elsewhere,
                           capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(installed)), where.stdout  # the installed copy, not the checkout
    upgraded = subprocess.run([str(installed / "bin" / "debarlist"), "db", "upgrade"], env=env, cwd=elsewhere,
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database: sqlite:///{data / 'prod.db'} (new: creating it)" in upgraded.stderr.splitlines()
    assert {"entries", "audit_log", "ledger", "alembic_version"} <= _tables(data / "prod.db")
    assert list(elsewhere.iterdir()) == []  # nothing written where the command ran
    again = subprocess.run([str(installed / "bin" / "debarlist"), "db", "upgrade"], env=env, cwd=elsewhere,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and f"database: sqlite:///{data / 'prod.db'}" in again.stderr.splitlines()


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEBARLIST_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("command", [["orgs", "list"], ["clients", "add", "--org", "KZ", "--roles", "screener"],
                                     ["orgs", "add", "KZ", "--name", "Kazakhstan"], ["audit", "verify"],
                                     ["recognise-cross-debarments"]])
def test_commands_never_create_a_database_where_they_run(empty_dir: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert f"no database at {empty_dir / 'debarlist.db'}" in result.stderr
    assert "DEBARLIST_DATABASE_URL" in result.stderr and "Traceback" not in result.output
    assert list(empty_dir.iterdir()) == []


def test_commands_name_the_database_they_use(empty_dir: Path, fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", fresh_db)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["orgs", "list"])
    assert result.exit_code == 0, result.output
    named = [line for line in result.stderr.splitlines() if line.startswith("database: ")]
    assert len(named) == 1, result.stderr
    if fresh_db.startswith("sqlite"):
        assert named == [f"database: sqlite:///{Path(fresh_db.split(':///', 1)[1]).resolve()}"]
    else:
        assert named[0].startswith("database: postgresql") and fresh_db.rsplit("/", 1)[1] in named[0]


# -- the container image -------------------------------------------------------------------------

def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip() if " " in line else "")
            for line in (raw.strip() for raw in text.splitlines()) if line and not line.startswith("#")]


def test_the_image_runs_as_a_non_root_user() -> None:
    steps = _instructions()
    users = [(i, arg) for i, (op, arg) in enumerate(steps) if op == "USER"]
    assert users, "the Dockerfile has no USER: the service would run as root"
    last_user = users[-1][1]
    assert last_user not in ("root", "0", "0:0")
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    created = re.search(r"useradd\b[^&]*--uid\s+(\d+)[^&]*\s(\S+)\s*(&&|$)", runs)
    assert created and int(created.group(1)) != 0 and created.group(2) == last_user
    cmd = max(i for i, (op, _) in enumerate(steps) if op == "CMD")
    assert users[-1][0] < cmd


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _docker_daemon() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


DOCKER = _docker_daemon()


@pytest.mark.skipif(not DOCKER, reason="no Docker daemon: the next test runs the Dockerfile's commands instead")
def test_the_image_builds_and_runs_as_non_root() -> None:
    tag = "debarlist-test:packaging"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ROOT)], check=True, capture_output=True, timeout=1800)
    uid = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True,
                         check=True, timeout=120)
    assert uid.stdout.strip() not in ("", "0")


@pytest.mark.skipif(DOCKER, reason="a Docker daemon builds the image itself (previous test)")
def test_the_image_commands_install_and_serve_in_a_fresh_venv(tmp_path: Path) -> None:
    """What ``docker build`` would do, step by step: COPY the same files into an /app of its own,
    RUN the same pip install in a fresh venv, then run the CMD and the HEALTHCHECK against it.
    Dependencies are lent from the test venv (a .pth line), so the check needs no network."""
    steps = _instructions()
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    for op, arg in steps:
        if op == "COPY":
            *sources, _ = arg.split()
            _copy(sources, app_dir)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "dependencies.pth").write_text(next(p for p in sys.path if p.endswith("site-packages")) + "\n")
    install = next(arg for op, arg in steps if op == "RUN" and "pip install" in arg).split("&&")[0].split()
    assert install[:2] == ["pip", "install"], install
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", *install[2:]], cwd=app_dir, check=True,
                   capture_output=True, timeout=300)
    key = tmp_path / "key.pem"
    key.write_text(generate_pem())
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DEBARLIST_")},
           "DEBARLIST_ENV": "production", "DEBARLIST_DATABASE_URL": f"sqlite:///{tmp_path / 'data.db'}",
           "DEBARLIST_SIGNING_KEY_FILE": str(key), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    cmd = re.findall(r'"([^"]*)"', next(arg for op, arg in steps if op == "CMD"))
    assert cmd[:2] == ["debarlist", "serve"]
    cmd = [c if c != "8000" else str(port) for c in cmd]
    cmd = [c if c != "0.0.0.0" else "127.0.0.1" for c in cmd]
    server = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "the image's CMD did not serve within 60 s"
            time.sleep(0.2)
        healthcheck = next(arg for op, arg in steps if op == "HEALTHCHECK")
        probe = healthcheck.split(" CMD ", 1)[1].split(" || ")[0].replace("8000", str(port))
        assert subprocess.run(probe, shell=True, cwd=app_dir, env=env, timeout=30).returncode == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
