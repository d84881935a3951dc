"""The house keeps its shape: domains import downwards only, and nothing imports in a circle.

web and cli sit on top, workflows.py below them, the domains below that, and the declaration,
database, settings and errors at the bottom. A domain may use another one (the contact gate reads
receipts) but never one that uses it back, and never the layers above it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import consent_gateway

PACKAGE = Path(consent_gateway.__file__).resolve().parent
TOP = {"web", "cli"}
FOUNDATION = {"errors", "settings", "declaration", "db", "enrich"}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, set[str]]:
    """unit -> the units it imports (a unit is a top-level module or package of consent_gateway)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        source = _unit(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("consent_gateway"):
                targets = ([f"consent_gateway.{alias.name}" for alias in node.names]
                           if node.module == "consent_gateway" else [node.module])
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("consent_gateway")]
            else:
                continue
            for target in map(_unit, targets):
                # `from consent_gateway import create_app` names the package itself, not a unit.
                is_unit = (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").exists()
                if is_unit and target != source:
                    graph[source].add(target)
    return graph


def test_no_import_cycle_between_domains() -> None:
    graph = import_graph()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(unit: str) -> None:
        if unit in done:
            return
        assert unit not in visiting, "import cycle: " + " -> ".join([*visiting[visiting.index(unit):], unit])
        visiting.append(unit)
        for target in sorted(graph.get(unit, ())):
            visit(target)
        visiting.pop()
        done.add(unit)

    for unit in sorted(graph):
        visit(unit)


def test_domains_import_downwards_only() -> None:
    graph = import_graph()
    for unit, targets in graph.items():
        if unit in TOP or unit == "__init__":
            continue
        assert not targets & TOP, f"{unit} imports {sorted(targets & TOP)}, which sit above it"
        if unit != "workflows":
            assert "workflows" not in targets, f"{unit} imports workflows, which sits above the domains"
        if unit in FOUNDATION:
            domains = targets - FOUNDATION
            assert not domains, f"{unit} is a foundation module but imports {sorted(domains)}"
