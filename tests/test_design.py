"""The package's shape: imports go one way, from the edition file to the outputs.

    edition file ─► edition, readers, assemble ─► Edition ─► render ─► writers
                                   (models: the data passed between them)

Readers know nothing of outputs; the rendering step knows nothing of the writers; a
writer renders nothing, reads no style file and reaches no stage above it. These tests
read the imports of every module (at the top and inside functions alike).
"""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

PACKAGE = ROOT / "builder"


def module_name(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    exists = (ROOT / candidate.replace(".", "/")).with_suffix(".py").exists() \
                        or (ROOT / candidate.replace(".", "/")).is_dir()
                    targets.add(candidate if exists else target)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("builder"):
                targets.add(node.module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("builder")}
        found[name] = targets - {name}
    return found


GRAPH = imports()


def reaches(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_graph_is_read():
    assert "builder.render.epub" in GRAPH["builder.render"]
    assert "builder.writers.epub" in GRAPH["builder.build"]
    assert len(GRAPH) > 40


def test_no_module_imports_itself_back():
    cycles = sorted({tuple(sorted((a, b))) for a in GRAPH for b in GRAPH[a]
                     if a in reaches(b)})
    assert cycles == []


# A stage and what it must not import (by module name prefix).
FORBIDDEN = {
    "builder.models": ("builder.",),  # plain data; only its settings
    "builder.readers": ("builder.render", "builder.writers", "builder.build",
                        "builder.printing", "builder.assets"),
    "builder.render": ("builder.writers", "builder.build", "builder.printing",
                       "builder.readers", "builder.edition", "builder.assemble"),
    "builder.writers": ("builder.render", "builder.assets", "builder.readers",
                        "builder.edition", "builder.assemble", "builder.build",
                        "builder.printing", "builder.cache", "builder.site"),
    "builder.cache": ("builder.writers", "builder.render", "builder.build"),
    "builder.site_pages": ("builder.site", "builder.build"),
}
ALLOWED = {"builder.models": {"builder.settings"}}


@pytest.mark.parametrize("stage", FORBIDDEN)
def test_no_stage_reaches_back_up(stage):
    wrong = sorted(f"{module} -> {target}" for module, targets in GRAPH.items()
                   if module == stage or module.startswith(stage + ".")
                   for target in targets
                   if target.startswith(FORBIDDEN[stage])
                   and target not in ALLOWED.get(stage, ()))
    assert wrong == []


def test_every_edition_key_is_in_the_readme_with_its_help():
    """The table of edition keys (builder/settings.py) is the one source: the README
    lists each key with the same help text."""
    from builder.settings import KEYS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in readme.splitlines()
            if line.startswith("| `")}
    assert len(KEYS) > 15
    for key in KEYS:
        assert key.name in rows, key.name
        assert f"| {key.metadata['help']} |" in rows[key.name], key.name
