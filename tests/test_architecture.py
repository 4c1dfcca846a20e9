"""The layering of docs/architecture.md, checked on the import statements of service/.

- no import loop between packages (service.<package>);
- the kernel (service.kernel) imports nothing above it;
- the matching engine (debarlist_match) is a pure library: nothing of the service, no web
  framework, no database;
- the web framework is imported only by the web layer: routers, the request dependencies,
  middleware, problem responses, the app and its OpenAPI document.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"
ENGINE = ROOT / "matching" / "debarlist_match"
WEB = ("fastapi", "starlette")
WEB_LAYER = {"app.py", "middleware.py", "problems.py", "health.py", "openapi_doc.py", "openapi_export.py",
             "auth/deps.py", "auth/access.py", "common/routing.py", "idempotency/middleware.py",
             "workers.py"}  # access: the routes' role declarations; workers: serves the app under gunicorn


def _imports(folder: Path = SERVICE) -> dict[str, set[str]]:
    """Module path (relative to ``folder``) -> every module it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[path.relative_to(folder).as_posix()] = names
    return found


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "service" and len(parts) > 1 else None


def test_no_import_loop_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for path, names in _imports().items():
        source = path.split("/")[0].removesuffix(".py")
        for name in names:
            target = _package(name)
            if target and target != source:
                graph[source].add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
                   for nxt in graph.get(start, ()))

    loops = sorted(p for p in graph if reaches(p, p, {p}))
    assert not loops, f"packages in an import loop: {loops}"


def test_the_kernel_imports_nothing_above_it() -> None:
    wrong = {path: sorted(n for n in names if n.startswith("service") and not n.startswith("service.kernel"))
             for path, names in _imports().items() if path.startswith("kernel/")}
    assert not {p: n for p, n in wrong.items() if n}


def test_the_matching_engine_is_a_pure_library() -> None:
    modules = _imports(ENGINE)
    assert len(modules) > 5
    for path, names in modules.items():
        bad = sorted(n for n in names if n.split(".")[0] in ("service", *WEB, "sqlalchemy"))
        assert not bad, (path, bad)
    # And it imports without the service (the service depends on it, never the other way).
    loaded = subprocess.run([sys.executable, "-c", "import sys, debarlist_match; "
                             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('service', 'fastapi')))"],
                            capture_output=True, text=True, check=True, cwd=ENGINE.parent)
    assert loaded.stdout.strip() == "[]"


def test_only_the_web_layer_imports_the_web_framework() -> None:
    for path, names in _imports().items():
        if path in WEB_LAYER or path.endswith("/router.py"):
            continue
        bad = sorted(n for n in names if n.split(".")[0] in WEB)
        assert not bad, f"{path} imports {bad}: business rules live in services, HTTP in routers"
