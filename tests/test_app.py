"""The entry points as a user runs them: `app.py`, the pinned CDK CLI and the Makefile's Node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import NODE_BIN, REPO, federation_lint, lint_keys, review_keys, tool_env

pytestmark = pytest.mark.slow

NODE_WARNING_WORDS = ("end-of-life", "deprecat", "not supported", "untested")


def run_app(tmp_path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = tool_env()
    env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
    env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(config)})
    return subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_app_synthesizes_the_example_with_reports(tmp_path: Path) -> None:
    result = run_app(tmp_path, REPO / "examples" / "example.yaml")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "cdk.out"
    assert (out / "example-federation.template.json").is_file()
    assert (out / "validation-report.json").is_file()
    report = json.loads((out / "rule-pack-report.json").read_text())
    assert report["packs"] == ["AwsSolutions", "Federation"] and report["unacknowledged_findings"] == []
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert findings and all(row["status"] == "acknowledged" and row["reason"] for row in findings)
    assert (out / "findings.csv").read_text().splitlines()[0].startswith("status,pack,rule,finding,level")
    access = (out / "access-report.md").read_text()
    for name in (
        "WebAppDeploy",
        "InfraPipeline",
        "ReadOnlyConsole",
        "Administrator",
        "EmployeeFiles",
        "AppIdentityPool/AuthenticatedRole",
        "AppIdentityPool/GuestRole",
    ):
        assert f"### {name}\n" in access
    assert json.loads((out / "access-report.json").read_text())["stacks"][0]["summary"]["roles"] == 7
    assert not any(word in result.stderr.lower() for word in NODE_WARNING_WORDS), result.stderr
    # federation-lint on the assembly, as a user runs it: no error, the same findings as the synth-time pack
    code, report, stderr = federation_lint(str(out))
    assert code == 0 and report["summary"]["errors"] == 0, stderr
    assert report["files"] == [str(out / "example-federation.template.json")]
    assert lint_keys(report) == review_keys(out)


def test_app_with_a_bad_config_prints_one_message_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: demo\naccount: "111122223333"\nregion: eu-west-1\noidcc: {}\n')
    result = run_app(tmp_path, bad)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"config error: {bad}:4: oidcc: unknown key (did you mean 'oidc'?); accepted keys here: "
        "name, account, region, tags, oidc, saml, identity_pool, storage, sharding, role_defaults, targets"
    )
    assert not (tmp_path / "cdk.out" / "demo.template.json").exists()


def test_app_fails_on_a_federation_finding_and_names_rule_resource_and_fix(tmp_path: Path) -> None:
    """A 12-hour SAML administrator role (FED25) is not acknowledged: exit 1, the finding in
    validation-report.json with the construct and the fix."""
    config = tmp_path / "wide.yaml"
    metadata = REPO / "examples" / "saml" / "adfs-example-metadata.xml"
    config.write_text(
        'name: wide\naccount: "111122223333"\nregion: eu-west-1\n'
        f"saml:\n  providers:\n    - {{id: Corp, metadata: '{metadata}', name: corp}}\n"
        "  roles:\n    - name: Admin\n      provider: Corp\n      max_session_hours: 12\n"
        "      managed_policies: [AdministratorAccess]\n      acknowledgements:\n"
        "        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]': "
        "'The break-glass role needs AdministratorAccess by definition'\n"
    )
    result = run_app(tmp_path, config)
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    federation = [p for p in report["pluginReports"] if p["pluginName"] == "Federation"][0]
    names = [v["ruleName"] for v in federation["violations"]]
    assert names == ["Federation-FED25[MaxSessionDuration]"], names
    violation = federation["violations"][0]
    assert violation["violatingConstructs"][0]["constructPath"] == "wide/Admin/Role/Resource"
    assert "Fix:" in violation["description"]


def test_cdk_cli_with_unknown_key_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: demo\naccount: "111122223333"\nregion: eu-west-1\nstorage:\n  buckets: []\n')
    result = subprocess.run(
        [str(NODE_BIN / "cdk"), "synth", "--quiet", "--no-notices", "-o", str(tmp_path / "out"), "-c", f"config={bad}"],
        cwd=REPO,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert f"config error: {bad}:5: storage.buckets: unknown key" in result.stderr


def test_make_targets_run_the_pinned_node_24() -> None:
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "node-version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.strip().startswith("v24."), result.stdout
