"""Helpers shared by the tests: one way to build apps, synthesize, lint and normalize templates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Token
from aws_cdk.assertions import Template

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "example.yaml"
NODE_BIN = REPO / "node_modules" / ".bin"

# Creation stack traces cost time on every construct and are noise in tests.
_TEST_CONTEXT = {"aws:cdk:disable-stack-trace": True}


def new_app(**context: Any) -> App:
    """An app for tests: no stack traces, no built-in CloudFormation validation (cfn-lint runs instead)."""
    return App(context={**_TEST_CONTEXT, **context}, builtin_cloud_formation_validation=False)


def cfn_lint_errors(template: dict[str, Any], region: str) -> list[str]:
    """cfn-lint's errors (rules E*) for a template, one line each; warnings are not errors."""
    from cfnlint.api import lint

    matches = lint(json.dumps(template), regions=[region])
    return [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches if m.rule.id.startswith("E")]


def cfn_lint_errors_of_many(templates: dict[str, dict[str, Any]], region: str) -> dict[str, list[str]]:
    """`cfn_lint_errors` of several templates (name -> template), linted in parallel processes: cfn-lint
    takes seconds on a large template and uses one core."""
    from concurrent.futures import ProcessPoolExecutor

    names = sorted(templates)
    with ProcessPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1) or 1) as pool:
        results = pool.map(cfn_lint_errors, [templates[n] for n in names], [region] * len(names))
        return dict(zip(names, results, strict=True))


def synth(stack: Stack) -> Template:
    """Synthesize `stack` once and lint it: every template the suite synthesizes passes cfn-lint."""
    template = Template.from_stack(stack)
    region = "us-east-1" if Token.is_unresolved(stack.region) else stack.region  # env-agnostic stacks
    errors = cfn_lint_errors(template.to_json(), region)
    assert not errors, f"cfn-lint errors in {stack.stack_name}:\n" + "\n".join(errors)
    return template


_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def normalized(template: dict[str, Any]) -> dict[str, Any]:
    """A template without what follows the CDK version rather than our code.

    Drops `CDKMetadata` (and its condition), the `BootstrapVersion` parameter and the
    `CheckBootstrapVersion` rule; masks asset hashes.
    """
    text = _ASSET_HASH.sub("<asset-hash>", json.dumps(template, sort_keys=True))
    data = json.loads(text)
    data.get("Resources", {}).pop("CDKMetadata", None)
    data.get("Conditions", {}).pop("CDKMetadataAvailable", None)
    data.get("Parameters", {}).pop("BootstrapVersion", None)
    data.get("Rules", {}).pop("CheckBootstrapVersion", None)
    for section in ("Resources", "Conditions", "Parameters", "Rules"):
        if section in data and not data[section]:
            del data[section]
    return data


def tool_env() -> dict[str, str]:
    """The environment `make` gives its targets: the pinned Node first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def check_refusal_message(message: str, prefix: str, accepted: tuple[str, ...]) -> None:
    """`message` starts with `prefix` and its accepted part names every phrase of `accepted`."""
    assert message.startswith(prefix), f"\n{message!r}\ndoes not start with\n{prefix!r}"
    rest = message[len(prefix) :]
    assert rest.strip(), "the message does not say what is accepted"
    for phrase in accepted:
        assert phrase in rest, f"{phrase!r} not in the accepted part: {rest!r}"


@contextmanager
def refused(path: str, field: str, value: object, *accepted: str) -> Iterator[Any]:
    """Expect a `FederationValidationError` naming `path`, `field` and `value` (the form of
    `federation_constructs.errors.invalid`), whose accepted part contains every phrase of `accepted`."""
    from federation_constructs.errors import FederationValidationError

    with pytest.raises(FederationValidationError) as err:
        yield err
    check_refusal_message(str(err.value), f"{path}: {field}={value!r} is not accepted; expected ", accepted)


def federation_lint(*args: str, script: Path | None = None, cwd: Path = REPO) -> tuple[int, dict[str, Any], str]:
    """`federation-lint --format json ARGS` as a user runs it (the console script of this venv, or
    `script`): (exit code, the JSON report, stderr). The pinned Node is not on PATH: linting needs none."""
    executable = script or Path(sys.executable).parent / "federation-lint"
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    result = subprocess.run(
        [str(executable), "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


def lint_keys(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(rule, resource, finding) of every Federation finding of a `federation-lint --format json` report."""
    return {(f["rule"], f["resource"], f["finding"]) for f in report.get("findings", []) if f["pack"] == "Federation"}


def review_keys(directory: Path) -> set[tuple[str, str, str]]:
    """(rule, logical id, finding) of every FederationChecks finding, open or acknowledged, that the
    synth-time review wrote to `findings.json` in `directory`."""
    rows = json.loads((directory / "findings.json").read_text())["findings"]
    return {
        (r["rule"].removeprefix("Federation-"), r["logical_id"], r["finding"])
        for r in rows
        if r["pack"] == "Federation"
    }
