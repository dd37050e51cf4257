"""The apps' imports flow one way, as the README's Layout section draws them.

careerquiz.web ← ladder ← quiz ← careerquiz.partners ← careerquiz.analytics ← careerquiz.api ←
careerquiz (content, commands, urls): a module may import its own layer and the layers below it,
never one above. Migrations are history and are not checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    "careerquiz.web",
    "ladder",
    "quiz",
    "careerquiz.partners",
    "careerquiz.analytics",
    "careerquiz.api",
    "careerquiz",
)


def layer(module: str) -> int | None:
    """The index in LAYERS of the package `module` belongs to; None for third-party code."""
    matches = [
        i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")
    ]
    # The most specific package wins: careerquiz.partners.x is partners', not careerquiz's.
    return max(matches, key=lambda i: len(LAYERS[i])) if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # The full name of what is imported: `from careerquiz import views` is
            # careerquiz.views (top layer), `from careerquiz.partners import x` is partners'.
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


SOURCES = sorted(
    path
    for package in ("ladder", "quiz", "careerquiz")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


@pytest.mark.parametrize("path", SOURCES, ids=[module_name(p) for p in SOURCES])
def test_imports_flow_one_way(path):
    own = layer(module_name(path))
    assert own is not None
    upward = [name for name in imports(path) if (layer(name) or 0) > own]
    assert upward == [], f"{module_name(path)} imports from a layer above it"


def test_the_layers_match_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert " ← ".join(LAYERS) in readme
