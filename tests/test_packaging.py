"""Another CDK app can `pip install` this repository and `import federation_constructs`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.support import REPO, federation_lint, lint_keys, review_keys

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
    shutil.copytree(
        REPO / "federation_constructs", source / "federation_constructs", ignore=shutil.ignore_patterns("__pycache__")
    )
    # --no-build-isolation: setuptools is pinned in requirements-dev.txt, so no download here
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(build), "PIP_NO_INPUT": "1"},
    )
    (found,) = out.glob("federation_constructs-*.whl")
    return found


def test_wheel_ships_the_construct_package_and_its_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "federation_constructs/__init__.py" in names
    assert "federation_constructs/py.typed" in names
    assert "federation_constructs/rules/acknowledge.py" in names
    assert {
        "federation_constructs/report/vendor/dagre.min.js",
        "federation_constructs/report/assets/access_report.js",
        "federation_constructs/report/assets/access_report.css",
    } <= names
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
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    code = (
        "import federation_constructs as f, pathlib; "
        f"assert pathlib.Path(f.__file__).parent.parent == pathlib.Path(r'{target}'); "
        "print(f.__version__, sorted(f.__all__))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "acknowledge" in result.stdout


# --- a foreign CDK app on the installed wheel ---------------------------------------------------

LIBRARY_APP = REPO / "examples" / "library_app"
#: every role of the library example, by its construct path below the stack
LIBRARY_ROLES = {
    "ci-access": {"WebAppDeploy", "InfraPipeline", "NetworkPlan", "Exporter", "BuildkiteDeploy"},
    "people-access": {"EmployeeFiles", "AppIdentityPool/AuthenticatedRole", "Broker"},
}
REVIEW_FILES = (
    "setup.md",
    "setup.json",
    "rule-pack-report.json",
    "findings.json",
    "findings.csv",
    "access-report.md",
    "access-report.json",
    "access-report.html",
)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with the wheel installed (console scripts included).

    The wheel's dependencies come from this repository's pinned `.venv` through a `.pth` file (the
    closure is hundreds of MB; installing it again would not test the package any better). The
    package itself is only the wheel's copy: the test checks that no repository path is importable."""
    venv = tmp_path_factory.mktemp("foreign") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "-q",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (site,) = (venv / "lib").glob("python3*/site-packages")
    dependencies = sysconfig_purelib()
    (site / "repository-pins.pth").write_text(dependencies + "\n", encoding="utf-8")
    return venv


def sysconfig_purelib() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def foreign_env(venv: Path, home: Path) -> dict[str, str]:
    """A user's shell: their venv first, then the pinned Node and CDK CLI; no PYTHONPATH."""
    return {
        "PATH": f"{venv / 'bin'}:{REPO / 'node_modules' / '.bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "LANG": "C.UTF-8",
    }


def test_the_foreign_venv_imports_only_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = (
        "import importlib.util, sys, federation_constructs as f; "
        f"assert {str(REPO)!r} not in sys.path, sys.path; "
        "assert [m for m in ('stacks', 'app', 'scripts') if importlib.util.find_spec(m)] == []; "
        "print(f.__file__)"
    )
    result = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=foreign_env(installed, tmp_path),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(installed)), result.stdout
    for script in ("federation-lint", "federation-verify"):
        assert (installed / "bin" / script).exists(), script


@pytest.fixture(scope="module")
def library_synth(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library example copied outside the repository and synthesized with the pinned CDK CLI
    from the foreign venv; returns its cdk.out."""
    work = tmp_path_factory.mktemp("user-project")
    shutil.copytree(LIBRARY_APP, work / "library_app", ignore=shutil.ignore_patterns("cdk.out", "__pycache__"))
    shutil.copytree(REPO / "examples" / "saml", work / "saml")
    result = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices"],
        cwd=work / "library_app",
        capture_output=True,
        text=True,
        timeout=600,
        env=foreign_env(installed, work),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return work / "library_app" / "cdk.out"


def test_library_app_gets_the_reviewers_files_naming_every_role(library_synth: Path) -> None:
    for name in REVIEW_FILES:
        assert (library_synth / name).is_file(), name
    report = json.loads((library_synth / "access-report.json").read_text())
    roles = {stack["stack"]: {role["name"] for role in stack["roles"]} for stack in report["stacks"]}
    assert roles == LIBRARY_ROLES
    markdown = (library_synth / "access-report.md").read_text()
    for names in LIBRARY_ROLES.values():
        for name in names:
            assert name in markdown, name
    # a proof line for every role that declared its intent (every federated role of the package does)
    proofs = {role["name"]: role["proof"] for stack in report["stacks"] for role in stack["roles"]}
    unproved = {name: proof for name, proof in proofs.items() if proof is None or proof["status"] != "proved"}
    assert set(unproved) <= {"Broker"}, unproved
    packs = json.loads((library_synth / "rule-pack-report.json").read_text())
    assert packs["packs"] == ["AwsSolutions", "Federation"] and packs["unacknowledged_findings"] == []
    assert sorted(packs["stacks"]) == ["ci-access", "people-access"]


def test_the_foreign_venvs_federation_lint_reads_the_library_apps_assembly(
    installed: Path, library_synth: Path
) -> None:
    code, report, stderr = federation_lint(
        str(library_synth), script=installed / "bin" / "federation-lint", cwd=library_synth.parent
    )
    assert code == 0 and report["summary"]["errors"] == 0, stderr
    assert len(report["files"]) == 2
    assert lint_keys(report) == review_keys(library_synth)


def test_the_foreign_venv_runs_the_console_scripts(installed: Path, tmp_path: Path) -> None:
    env = foreign_env(installed, tmp_path)
    template = REPO / "tests" / "lint_corpus" / "correct" / "01-github-main-branch.yaml"
    lint = subprocess.run(
        [str(installed / "bin" / "federation-lint"), str(template)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    verify = subprocess.run(
        [str(installed / "bin" / "federation-verify"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert verify.returncode == 0 and "--assembly DIR" in verify.stdout, verify.stderr
    setup = subprocess.run(
        [str(installed / "bin" / "federation-setup"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert setup.returncode == 0 and "--outputs" in setup.stdout, setup.stderr


def test_the_library_apps_setup_sheet_names_the_fixed_role_arn(library_synth: Path) -> None:
    """A role named before deploy reaches the sheet as the ARN a workflow pastes, with cdk deploy's grant."""
    sheet = (library_synth / "setup.md").read_text()
    arn = "arn:aws:iam::111122223333:role/federation/library-federation-WebAppDeploy"
    assert f'role-to-assume: "{arn}"' in sheet
    template = json.loads((library_synth / "ci-access.template.json").read_text())
    resources = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and "WebAppDeploy" in json.dumps(r["Properties"]["Roles"])
    ]
    assert len(resources) == 1 and resources[0][0]["Action"] == "sts:AssumeRole"
    assert len(resources[0][0]["Resource"]) == 4
