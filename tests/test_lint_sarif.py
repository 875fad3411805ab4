"""`federation-lint --format sarif` is valid SARIF 2.1.0: checked against the OASIS schema as Microsoft's
SARIF SDK ships it (npm `@microsoft/sarif-multitool`, pinned in package.json), and by that SDK's own
validator (`sarif-multitool validate`), for findings, acknowledged findings (suppressions), StackSet
member templates and a clean run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from federation_constructs.lint import main
from tests.support import REPO

MULTITOOL = REPO / "node_modules" / "@microsoft" / "sarif-multitool-linux"
SCHEMA = MULTITOOL / "sarif-2.1.0.json"
FLAWED = REPO / "tests" / "lint_corpus" / "flawed"
CORRECT = REPO / "tests" / "lint_corpus" / "correct"


@pytest.fixture(scope="module")
def validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def sarif_of(tmp_path: Path, name: str, *inputs: str | Path) -> Path:
    out = tmp_path / f"{name}.sarif"
    main(["--format", "sarif", "--output", str(out), *map(str, inputs)])
    return out


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sarif")
    return {
        "findings": sarif_of(tmp, "findings", *sorted(FLAWED.iterdir())[:12]),
        "clean": sarif_of(tmp, "clean", sorted(CORRECT.iterdir())[0]),
    }


@pytest.mark.parametrize("name", ["findings", "clean"])
def test_output_validates_against_the_sarif_2_1_0_schema(validator: Any, logs: dict[str, Path], name: str) -> None:
    document = json.loads(logs[name].read_text())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["version"]
    if name == "findings":
        assert run["results"] and all(
            r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]
        )


def test_an_acknowledged_finding_is_a_suppression_and_still_valid(validator: Any, tmp_path: Path) -> None:
    """An assembly whose app acknowledged a finding: the result carries the reason as a suppression."""
    source = FLAWED / "01-github-aud-only.yaml"
    from federation_constructs.lint.load import load_file

    template = load_file(source).template
    role = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role")
    template["Resources"][role]["Metadata"] = {"aws:cdk:path": f"Ci/{role}/Resource"}
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "Ci.template.json").write_text(json.dumps(template))
    reason = "Only used from a sandbox account; the audience pin is the whole point of this test."
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "version": "55.0.0",
                "artifacts": {
                    "Ci": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111122223333/eu-west-1",
                        "displayName": "Ci",
                        "properties": {"templateFile": "Ci.template.json"},
                        "metadata": {
                            f"/Ci/{role}": [{"type": "aws:cdk:acknowledged-rules", "data": {"Federation-FED1": reason}}]
                        },
                    }
                },
            }
        )
    )
    log = sarif_of(tmp_path, "acknowledged", out)
    document = json.loads(log.read_text())
    assert list(validator.iter_errors(document)) == []
    fed1 = [r for r in document["runs"][0]["results"] if r["ruleId"] == "FED1"]
    assert fed1 and all(r["suppressions"] == [{"kind": "external", "justification": reason}] for r in fed1)
    assert main([str(out)]) == 0 or any(
        r["level"] == "error" and "suppressions" not in r for r in document["runs"][0]["results"]
    )


def test_microsofts_validator_finds_no_error(logs: dict[str, Path], tmp_path: Path) -> None:
    tool = MULTITOOL / "Sarif.Multitool"
    for name, log in logs.items():
        report = tmp_path / f"{name}.validation.sarif"
        result = subprocess.run(
            [str(tool), "validate", str(log), "--output", str(report), "--log", "ForceOverwrite"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={
                "PATH": "/usr/bin:/bin",
                "HOME": str(tmp_path),
                "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
                "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1",
            },
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        found = json.loads(report.read_text())["runs"][0].get("results", [])
        errors = [r["message"].get("text", r["message"]) for r in found if r.get("level") == "error"]
        assert errors == [], errors
        warnings = [r["ruleId"] for r in found if r.get("level") == "warning"]
        assert warnings == [], (name, warnings)
