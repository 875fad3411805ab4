"""`access-report.html` in headless Chromium: the example as `app.py` writes it draws a graph node for
every role, with no console or page error and no request leaving the file; a hostile report runs no
injected script. Needs /usr/bin/chromium (`make browser` installs it) and playwright-core from
node_modules; skips with the reason otherwise."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.report.html import write_html
from tests.support import NODE_BIN, REPO, tool_env
from tests.test_access_html import HOSTILE, hostile_report

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
UNAVAILABLE = REPO / ".venv" / ".browser-unavailable"
SCRIPT = REPO / "tests" / "browser" / "check_report.mjs"
ARTIFACTS = REPO / "test-artifacts"


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        if UNAVAILABLE.is_file() and UNAVAILABLE.read_text().strip():
            return UNAVAILABLE.read_text().strip()
        return "no /usr/bin/chromium (run `make browser`)"
    if not (REPO / "node_modules" / "playwright-core" / "package.json").is_file():
        return "node_modules has no playwright-core (run `make setup`)"
    return None


@pytest.fixture(scope="module", autouse=True)
def browser_available() -> None:
    if reason := _skip_reason():
        pytest.skip(reason)


def check(html: Path, screenshot: Path) -> dict[str, Any]:
    """Run tests/browser/check_report.mjs on `html`; its one JSON line."""
    result = subprocess.run(
        [str(NODE_BIN / "node"), str(SCRIPT), str(html), str(screenshot)],
        cwd=REPO,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdk.out of the example, written once by `app.py` as `make synth` runs it."""
    outdir = tmp_path_factory.mktemp("browser") / "cdk.out"
    env = tool_env()
    env["CDK_OUTDIR"] = str(outdir)
    env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(REPO / "examples" / "example.yaml")})
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return outdir


def test_example_report_draws_every_role_without_errors_or_requests(synthesized: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "access-report.png"
    seen = check(synthesized / "access-report.html", screenshot)
    report = json.loads((synthesized / "access-report.json").read_text())
    roles = [role["name"] for stack in report["stacks"] for role in stack["roles"]]
    assert len(roles) == 7 and sorted(seen["roles"]) == sorted(roles)
    assert seen["console_errors"] == [] and seen["page_errors"] == []
    assert seen["external_requests"] == [] and seen["dialogs"] == []
    assert screenshot.stat().st_size > 10_000  # kept in test-artifacts/ for review
    shutil.copy(synthesized / "access-report.html", ARTIFACTS / "access-report.html")


def test_hostile_report_runs_no_injected_script(tmp_path: Path) -> None:
    html = write_html(tmp_path, hostile_report())
    seen = check(html, tmp_path / "hostile.png")
    assert seen["dialogs"] == [] and seen["page_errors"] == [] and seen["console_errors"] == []
    assert seen["external_requests"] == []
    assert sorted(seen["roles"]) == sorted([HOSTILE, "Broker/UserRole", "Workforce"])
