"""The package stands alone: it imports only the standard library, itself and its declared dependencies,
and never this repository's app (`stacks/`, `app.py`, `scripts/`, `tests/`, `bench/`)."""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGE = REPO / "federation_constructs"
REPOSITORY_ONLY = {"stacks", "app", "scripts", "tests", "bench"}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in `path`, function-level ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


@functools.cache
def providers() -> dict[str, list[str]]:
    """Import name -> the installed distributions that provide it (read once: it scans site-packages)."""
    return dict(packages_distributions())


@functools.cache
def declared_distributions() -> set[str]:
    """Normalized names of the distributions `pyproject.toml` declares."""
    requirements = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].strip().lower().replace("_", "-") for r in requirements}


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_walk_sees_every_module() -> None:
    assert len(MODULES) > 60 and PACKAGE / "report" / "review.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_module_imports_only_stdlib_the_package_and_declared_dependencies(path: Path) -> None:
    declared = declared_distributions()
    for line, module in imports(path):
        where = f"{path.relative_to(REPO)}:{line}: import {module}"
        assert module not in REPOSITORY_ONLY, f"{where}: the package must not import this repository's app"
        if module in sys.stdlib_module_names or module == "federation_constructs" or module == "__future__":
            continue
        distributions = {d.lower().replace("_", "-") for d in providers().get(module, [])}
        assert distributions & declared, (
            f"{where}: provided by {sorted(distributions) or 'nothing installed'}, which pyproject.toml does not "
            f"declare"
        )


def test_no_module_mentions_the_app_in_an_import() -> None:
    """The textual check of the issue: no `import stacks` / `from stacks` anywhere (strings included)."""
    pattern = re.compile(r"^\s*(from|import)\s+(stacks|app|scripts)\b", re.MULTILINE)
    offenders = [p.relative_to(REPO).as_posix() for p in MODULES if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_checker_catches_an_undeclared_and_a_repository_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import json\n\ndef f():\n    import yaml\n    from stacks.build import build_stacks\n")
    assert imports(bad) == [(1, "json"), (4, "yaml"), (5, "stacks")]
    assert "pyyaml" in declared_distributions()  # federation-lint reads YAML templates


def test_the_written_out_exports_are_the_lazily_loaded_ones() -> None:
    import federation_constructs

    assert sorted(federation_constructs.__all__) == sorted(federation_constructs._EXPORTS)
    for name in ("add_federation_review", "FederationChecks", "acknowledge", "RoleOptions"):
        assert name in federation_constructs.__all__, name
