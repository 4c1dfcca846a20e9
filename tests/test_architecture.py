"""The layering of docs/architecture.md, checked on the import statements of service/.

- no import loop between packages (service.<package>);
- the kernel (service.kernel) imports nothing above it;
- the matching engine (service.matching) is a pure library: nothing of the service, no web
  framework, no database;
- the web framework is imported only by the web layer: routers, the request dependencies,
  middleware, problem responses, the app and its OpenAPI document.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[1] / "service"
WEB = ("fastapi", "starlette")
WEB_LAYER = {"app.py", "middleware.py", "problems.py", "health.py", "openapi_doc.py", "openapi_export.py",
             "auth/deps.py", "common/routing.py", "idempotency/middleware.py"}


def _imports() -> dict[str, set[str]]:
    """Module path (relative to service/) -> every module it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in SERVICE.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[path.relative_to(SERVICE).as_posix()] = names
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
    for path, names in _imports().items():
        if path.startswith("matching/"):
            bad = sorted(n for n in names if (n.startswith("service") and not n.startswith("service.matching"))
                         or n.split(".")[0] in (*WEB, "sqlalchemy"))
            assert not bad, (path, bad)


def test_only_the_web_layer_imports_the_web_framework() -> None:
    for path, names in _imports().items():
        if path in WEB_LAYER or path.endswith("/router.py"):
            continue
        bad = sorted(n for n in names if n.split(".")[0] in WEB)
        assert not bad, f"{path} imports {bad}: business rules live in services, HTTP in routers"
