"""The package's layers are folders, and their arrows point one way (docs/design.md, "Layers"):
each layer imports only the layers listed before it, and only browser/ touches `js`, `pyodide`
or the JS bridge. Read from the source with `ast`, imports inside functions included."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pysrc" / "taskerino_storage"
#: layer -> the layers it may import (besides itself).
ALLOWED = {
    "errors": set(),
    "demo": set(),  # generated sessions: stdlib only
    "session": {"errors"},
    "storage": {"errors", "session"},
    "migration": {"errors", "session", "storage"},
    "browser": {"errors", "demo", "session", "storage", "migration"},  # demo: fillDemo's samples
    "testing": {"errors", "session", "storage"},
    "terminal": {"errors", "session", "storage", "migration"},  # the desktop command's edge
    "__main__": {"terminal"},  # `python -m taskerino_storage`
}
BROWSER_ONLY = {"js", "pyodide", "taskerino_bridge"}


def layer_of(module: str) -> str | None:
    """'taskerino_storage.storage.codec' -> 'storage'; the package's own __init__ -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(module: str, source: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in `source`."""
    found = []
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
                # `from .. import codec`: a name may be a module of that package, or a name in it
                found += [(node.lineno, f"{target}.{alias.name}" if is_module(f"{target}.{alias.name}") else target)
                          for alias in node.names] if node.module is None else [(node.lineno, target)]
            else:
                found.append((node.lineno, node.module or ""))
    return found


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    layer = layer_of(module)
    wrong = []
    for line, target in imports_of(module, source, is_package):
        top = target.split(".")[0]
        if top in BROWSER_ONLY and layer != "browser":
            wrong.append(f"{module}:{line} imports {target}: only browser/ may")
        if top != "taskerino_storage" or layer is None:
            continue
        target_layer = layer_of(target)
        if target_layer is None:
            wrong.append(f"{module}:{line} imports the package root (it imports every layer)")
        elif target_layer != layer and target_layer not in ALLOWED[layer]:
            wrong.append(f"{module}:{line} imports {target}: {layer} may import only "
                         f"{', '.join(sorted(ALLOWED[layer])) or 'nothing else'}")
    return wrong


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_folder_is_a_known_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    files = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert folders | files == set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_follow_the_layers(path):
    assert violations(module_name(path), path.read_text(), path.name == "__init__.py") == []


def test_the_check_catches_an_import_across_a_rule():
    assert violations("taskerino_storage.session.layout", "from ..storage import codec") == [
        "taskerino_storage.session.layout:1 imports taskerino_storage.storage: session may import only errors"]
    assert violations("taskerino_storage.storage.codec", "import js") == [
        "taskerino_storage.storage.codec:1 imports js: only browser/ may"]
    assert violations("taskerino_storage.migration.batch", "def f():\n    from .. import MemoryBackend") == [
        "taskerino_storage.migration.batch:2 imports the package root (it imports every layer)"]
    assert violations("taskerino_storage.browser.service", "from pyodide.ffi import to_js\nfrom ..migration import commands") == []


def test_no_import_cycles_between_modules():
    """Module-level imports only (a lazy import inside a function can't make a cycle at import)."""
    graph: dict[str, set[str]] = {}
    names = {module_name(p) for p in MODULES}
    for path in MODULES:
        module = module_name(path)
        tree = ast.parse(path.read_text())
        top = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[])
        targets = {t for _, t in imports_of(module, ast.unparse(top), path.name == "__init__.py")}
        graph[module] = {t if t in names else t.rpartition(".")[0] for t in targets} & names - {module}
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(node):] + [node]))
        if node in seen:
            return
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if not (child == "taskerino_storage" or node == "taskerino_storage"):
                visit(child)
        stack.pop()
        seen.add(node)

    for module in sorted(graph):
        visit(module)
