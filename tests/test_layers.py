"""The tree is the architecture: transforms/ in layers whose imports run one way.

cli → lake / quality → parser, quality may read the lake, and nothing in transforms/ imports
Dagster or orchestration/ except the two commands that start it (`ogi run`, `ogi ui`), which
import orchestration/ only inside the command, so `ogi parse` never loads Dagster. Every module imports cleanly (no module may be skipped by a
try/except around its import: a broken one must fail here).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from transforms.lake.settings import REPO_ROOT

TRANSFORMS = REPO_ROOT / "transforms"
# layer -> the layers it may import from (besides itself)
ALLOWED = {
    "parser": set(),
    "lake": {"parser"},
    "quality": {"lake", "parser"},
    "cli": {"lake", "parser", "quality"},
}


def _modules() -> list[Path]:
    return sorted(p for p in TRANSFORMS.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO_ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_every_module_sits_in_a_layer() -> None:
    loose = [p.name for p in TRANSFORMS.glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    assert sorted(p.name for p in TRANSFORMS.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(TRANSFORMS)))
def test_imports_run_one_way(path: Path) -> None:
    rel = path.relative_to(TRANSFORMS).parts
    layer = rel[0] if len(rel) > 1 else None
    wrong = []
    starts_dagster = path.relative_to(TRANSFORMS).as_posix() in {"cli/run.py", "cli/ui.py"}
    for name in _imports(path, top_level_only=starts_dagster):
        top = name.split(".")[0]
        if top in {"dagster", "dagster_dbt", "orchestration"}:
            wrong.append(name)
        if name.startswith("transforms.") and layer is not None:
            target = name.split(".")[1]
            if target in ALLOWED and target != layer and target not in ALLOWED[layer]:
                wrong.append(name)
    assert wrong == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(TRANSFORMS)))
def test_every_module_imports(path: Path) -> None:
    importlib.import_module(_module_name(path))
