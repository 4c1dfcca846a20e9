"""Several worker processes behind one port, forked after the screening index is built.

gunicorn's arbiter, with ``preload_app`` and uvicorn's worker class, rather than a pre-fork of
our own: it is the well-kept way to run ASGI apps on every core (workers restarted when they
die, graceful reloads on HUP, TTIN/TTOU to add or remove workers, heartbeat timeouts), and
preloading is exactly "build the app, then fork". uvicorn's own ``--workers`` spawns fresh
interpreters instead, each of which would build (or load) the index again with memory of its own.

The parent creates the app and warms its index (from the snapshot or the database) before it
binds the port; ``gc.freeze()`` then moves every object made so far out of the collector's
reach, so the collector in a worker never writes to (and so never copies) the pages of the
shared index. Each worker starts with that index and keeps it current from the ledger's list
revision, as a single process does; receipts and audit records are committed by the worker
that answers, before it answers. The database pool is not shared: each worker drops the
parent's connections (``dispose(close=False)``) and opens its own.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from typing import Any

from fastapi import FastAPI
from gunicorn.app.base import BaseApplication

from service.config import Settings
from service.listview.warmup import save_if_behind, warm


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _post_fork(app: FastAPI) -> Any:
    def post_fork(_server: Any, worker: Any) -> None:
        _stop_with_parent(worker.ppid)
        app.state.engine.dispose(close=False)  # the parent's connections stay the parent's
        app.state.lists.writes_snapshot = False  # the parent writes it, once, at exit
    return post_fork


def _stop_with_parent(parent: int) -> None:
    """A worker gets SIGTERM (a graceful stop) when its arbiter dies, even by SIGKILL or the OOM
    killer: uvicorn's gunicorn worker never checks its parent, so it would go on holding the port
    and its database connections with nobody left to restart or stop it (Linux's
    PR_SET_PDEATHSIG; elsewhere the arbiter's own shutdown stops the workers)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the arbiter died before the request above was in place
        os.kill(os.getpid(), signal.SIGTERM)


def _on_exit(app: FastAPI) -> Any:
    def on_exit(_server: Any) -> None:
        save_if_behind(app.state.lists, app.state.sessions, app.state.settings.index_snapshot_file)
    return on_exit


class PreforkServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn serving one preloaded app with ``workers`` uvicorn workers."""

    def __init__(self, app: FastAPI, *, host: str, port: int, workers: int, log_level: str) -> None:
        self.application = app
        self.options: dict[str, Any] = {
            "bind": f"{host}:{port}", "workers": workers, "worker_class": "uvicorn_worker.UvicornWorker",
            "preload_app": True, "loglevel": log_level.lower(), "accesslog": None,
            # A worker's event loop stays responsive during long requests (they run on its thread
            # pool), so a missed heartbeat this long means it is stuck, not busy.
            "timeout": 120, "graceful_timeout": 30,
            # No control socket: it lives at one path per user, which a second server would take over.
            "control_socket_disable": True,
            "post_fork": _post_fork(app), "on_exit": _on_exit(app),
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> FastAPI:
        return self.application


def serve_workers(app: FastAPI, settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Warm the index here, freeze it, and serve ``app`` from ``workers`` forked processes."""
    warm(app.state.lists, app.state.sessions, settings.index_snapshot_file)  # engine tables included
    gc.collect()
    gc.freeze()
    PreforkServer(app, host=host, port=port, workers=workers, log_level=settings.log_level).run()
