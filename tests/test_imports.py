"""The package's imports, read from its source (ast): no module imports itself back through
others, counting every import (at the top, inside a function, under TYPE_CHECKING), since each
is a circle a reader has to follow and a lazy one only hides it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "validators" / "ck_design"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(name: str, is_package: bool, node: ast.Import | ast.ImportFrom, top: str) -> list[str]:
    """The modules of the package an import statement names (a `from X import Y` names X.Y when
    Y is a submodule, else X)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        here = name.split(".") if is_package else name.split(".")[:-1]
        base = ".".join(here[: len(here) - node.level + 1])
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    if source != top and not source.startswith(top + "."):
        return []
    return [source] + [f"{source}.{alias.name}" for alias in node.names]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package `root` -> the modules of the package it imports."""
    files = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps.update(t for t in _targets(name, path.name == "__init__.py", node, root.name) if t in files)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # the whole package was read
    assert cycles(graph) == []


def test_a_cycle_through_a_function_local_or_type_checking_import_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .. import leaf\n")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import g\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.d\n")
    (pkg / "d.py").write_text("from . import c\n")
    (pkg / "leaf.py").write_text("import os\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert graph["pkg.sub"] == {"pkg", "pkg.leaf"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"], ["pkg.c", "pkg.d"]]


# The layers (docs/design.md): a module imports its own layer or one below, never one above or
# beside it. plan/ is shared by the wizard and the hook; scaffold/ (ck-scaffold) sits below the
# hook, which runs it after copy and update; the commands on top (the wizard, the hook,
# ck-migrate) never import each other.
LAYERS = {"spec": 0, "facts": 1, "validate": 2, "plan": 3, "scaffold": 3, "wizard": 4, "post_copy": 4, "migrate": 4}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    def layer(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None

    wrong = []
    for module, deps in sorted(graph.items()):
        here = layer(module)
        for dep in sorted(deps):
            there = layer(dep)
            if here and there and here != there and LAYERS[there] >= LAYERS[here]:
                wrong.append(f"{module} -> {dep}")
    return wrong


def test_every_import_points_down_the_layers() -> None:
    assert upward_imports(import_graph(PACKAGE)) == []


def test_an_import_up_or_across_the_layers_is_found() -> None:
    graph = {"ck_design.plan.markdown": {"ck_design.wizard.approval", "ck_design.spec.sweep"},
             "ck_design.post_copy.answers": {"ck_design.wizard.answers"},
             "ck_design.spec.sweep": set(), "ck_design.wizard.answers": {"ck_design.spec.sweep"},
             "ck_design.wizard.approval": set()}
    assert upward_imports(graph) == ["ck_design.plan.markdown -> ck_design.wizard.approval",
                                     "ck_design.post_copy.answers -> ck_design.wizard.answers"]
