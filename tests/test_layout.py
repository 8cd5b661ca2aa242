"""The code's layout rules, checked on the source: no import circle between modules (type-hint-only imports
included), and the library layers (media, analyzers, dialogue) never reach into the server."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "media", "analyzers", "dialogue")
LIBRARY_LAYERS = ("media", "analyzers", "dialogue")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every project module ``path`` imports, wherever the import stands (functions and TYPE_CHECKING blocks too)."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(path, name, known) for name, path in known.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None. Package ``__init__`` modules that only hold a
    docstring do not count as importing their children, so a circle is always between real modules."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_back_through_others():
    circle = _cycle(_graph())
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_library_layers_do_not_import_the_server():
    offenders = sorted(f"{name} imports {target}" for name, targets in _graph().items()
                       if name.split(".")[0] in LIBRARY_LAYERS
                       for target in targets if target.split(".")[0] == "server")
    assert offenders == []


def test_no_file_keeps_an_unresolved_merge_conflict():
    """A merge left half-done shows readers both sides (it happened once, in docs/ARCHITECTURE.md)."""
    marker = re.compile(r"^(<<<<<<< |>>>>>>> |=======$)", re.MULTILINE)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".js", ".html", ".css", ".toml", ".yaml", ".yml", ".txt", ".sh"}:
            continue
        if path.is_file() and marker.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(name)
    assert found == []
