"""Another CDK app can `pip install` this repository and `import federation_constructs`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.support import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    # build from a copy: setuptools leaves build/ and *.egg-info beside the sources
    source = build / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "federation_constructs", source / "federation_constructs",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # --no-build-isolation: setuptools is pinned in requirements-dev.txt, so no download here
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "--disable-pip-version-check", "-w", str(out), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(build), "PIP_NO_INPUT": "1"},
    )
    (found,) = out.glob("federation_constructs-*.whl")
    return found


def test_wheel_ships_the_construct_package_and_its_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "federation_constructs/__init__.py" in names
    assert "federation_constructs/py.typed" in names
    assert "federation_constructs/rules/acknowledge.py" in names
    assert {"federation_constructs/report/vendor/dagre.min.js", "federation_constructs/report/assets/access_report.js",
            "federation_constructs/report/assets/access_report.css"} <= names
    # the app, its stacks, tests and examples are this repository's, not the library's
    assert not {n for n in names if n.split("/")[0] in {"stacks", "tests", "examples", "app.py"}}


def test_wheel_declares_its_runtime_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
    requires = {r.split(">")[0].split("<")[0].split("=")[0].strip() for r in meta.get_all("Requires-Dist")}
    assert {"aws-cdk-lib", "constructs", "cdk-nag"} <= requires
    assert meta["Requires-Python"] == ">=3.11"


def test_installed_package_imports_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    code = ("import federation_constructs as f, pathlib; "
            "assert pathlib.Path(f.__file__).parent.parent == pathlib.Path(r'%s'); "
            "print(f.__version__, sorted(f.__all__))" % target)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=False,
                            capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "acknowledge" in result.stdout
