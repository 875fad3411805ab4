"""Every stop explained where the user looks: findings that stop `cdk synth` are named in its output.

The CDK CLI asks the app not to print the CDK's table of findings (`@aws-cdk/core:failSynthOnValidationErrors`
false) and shows that table only when the app exits 0; it passes the app's stderr on, line by line. So
`app.py` prints each open finding itself, read from the files the review wrote: rule, role, construct
path, offending value, fix, and how to acknowledge it. The pinned CLI runs on four flawed configs (in one
module fixture, in parallel): a stock AwsSolutions finding, a FederationChecks finding, a finding on a role
deployed by three Stages, and one in a StackSet's member template (which the CLI used to let pass with
exit 0). The formatter (`federation_constructs.report.findings`) is checked on hand-made rows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from federation_constructs.report.findings import (
    FIELDS,
    FINDINGS_JSON,
    OPEN_FINDINGS_LIMIT,
    VALIDATION_REPORT,
    finding_rows,
    format_open_findings,
    open_findings,
    open_findings_message,
    role_names,
)
from federation_constructs.rules.acknowledge import MIN_REASON_LENGTH
from tests.support import EXAMPLE, NODE_BIN, REPO, tool_env

METADATA = REPO / "examples" / "saml" / "adfs-example-metadata.xml"
MULTI = REPO / "examples" / "multi-account.yaml"
READ_ONLY_POLICY = "Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess"
READ_ONLY_ACK = '      acknowledgements:\n        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]": >-\n'


# --- the pinned CLI on flawed configs ------------------------------------------------------------


def _example() -> str:
    return EXAMPLE.read_text(encoding="utf-8").replace("saml/adfs-example-metadata.xml", str(METADATA))


def _without_read_only_ack(text: str, indent_of_reason: str = "          ") -> str:
    """`text` without the acknowledgement of ReadOnlyAccess (the key line and its folded reason)."""
    start = text.index(READ_ONLY_ACK)
    end = start + len(READ_ONLY_ACK)
    while text[end:].startswith(indent_of_reason):
        end = text.index("\n", end) + 1
    return text[:start] + text[end:]


def _any_branch(text: str) -> str:
    changed = text.replace(
        "      branches: [main]\n      environments: [production]\n",
        '      branches: ["*"]\n      allow_any_ref: true\n      environments: [production]\n',
    )
    assert changed != text
    return changed


def _multi(form: str) -> str:
    text = _without_read_only_ack(
        MULTI.read_text(encoding="utf-8").replace("saml/adfs-example-metadata.xml", str(METADATA))
    )
    if form == "stages":
        return re.sub(r"  organizational_units:\n    ids: \[[^\]]*\]\n", "", text)
    return re.sub(r"  accounts:\n(    - .*\n)+", "", text)


FLAWED: dict[str, Callable[[], str]] = {
    "aws_solutions": lambda: _without_read_only_ack(_example()),
    "federation": lambda: _any_branch(_example()),
    "stages": lambda: _multi("stages"),
    "stack_set": lambda: _multi("stack_set"),
}


def _cdk_synth(tmp: Path, name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    config = tmp / f"{name}.yaml"
    config.write_text(FLAWED[name](), encoding="utf-8")
    out = tmp / f"{name}.out"
    result = subprocess.run(
        [str(NODE_BIN / "cdk"), "synth", "--quiet", "--no-notices", "-o", str(out), "-c", f"config={config}"],
        cwd=REPO,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result, out


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Each flawed config through `cdk synth` as `make synth` runs it: name -> (result, output dir)."""
    tmp = tmp_path_factory.mktemp("cli-findings")
    with ThreadPoolExecutor(max_workers=max(1, min(len(FLAWED), os.cpu_count() or 1))) as pool:
        results = pool.map(lambda name: _cdk_synth(tmp, name), FLAWED)
        return dict(zip(FLAWED, results, strict=True))


CASES = {
    # name: (rule id, role name, offending value, where the config acknowledges it)
    "aws_solutions": ("AwsSolutions-IAM4", "ReadOnlyConsole", READ_ONLY_POLICY, "saml.roles, role ReadOnlyConsole"),
    "federation": (
        "Federation-FED5",
        "WebAppDeploy",
        "repo:octo-org/web-app:ref:refs/heads/*",
        "oidc.roles, role WebAppDeploy",
    ),
    "stages": ("AwsSolutions-IAM4", "ReadOnly", READ_ONLY_POLICY, "saml.roles, role ReadOnly"),
    "stack_set": ("AwsSolutions-IAM4", "ReadOnly", READ_ONLY_POLICY, "saml.roles, role ReadOnly"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_cdk_synth_names_the_finding_that_stopped_it(
    cli: dict[str, tuple[subprocess.CompletedProcess[str], Path]], name: str
) -> None:
    result, out = cli[name]
    output = result.stdout + result.stderr
    rule, role, value, place = CASES[name]
    assert result.returncode != 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "synthesis stopped: rule-pack findings are not acknowledged" in result.stderr
    assert "see the table above" not in output
    assert f"{rule} (" in result.stderr and f"on role {role}\n" in result.stderr, result.stderr
    assert value in result.stderr
    assert f"acknowledge it in the config ({place})" in result.stderr
    # the acknowledgement as printed is valid YAML naming the finding exactly as the CDK reports it
    member = out / "stackset-member" if name == "stack_set" else out
    report = json.loads((member / VALIDATION_REPORT).read_text())
    (reported,) = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    snippet = re.search(r"^( +acknowledgements:\n +.*)$", result.stderr, re.MULTILINE)
    assert snippet, result.stderr
    (acknowledged, reason), *_ = yaml.safe_load(textwrap.dedent(snippet.group(1)))["acknowledgements"].items()
    assert acknowledged == reported and len(reason) < MIN_REASON_LENGTH  # the placeholder is refused as is


@pytest.mark.slow
def test_a_role_of_three_stages_is_one_entry_with_its_three_places(
    cli: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, _ = cli["stages"]
    assert "(3 open findings)" in result.stderr
    assert result.stderr.count("AwsSolutions-IAM4 (error) on role ReadOnly\n") == 1
    assert (
        "construct: dev/org-federation/ReadOnly/Role/Resource, prod/org-federation/ReadOnly/Role/Resource, "
        "staging/org-federation/ReadOnly/Role/Resource" in result.stderr
    )


@pytest.mark.slow
def test_a_finding_in_a_stack_sets_member_template_stops_cdk_synth(
    cli: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, out = cli["stack_set"]
    assert result.returncode != 0
    assert f"in {out / 'stackset-member'} (the StackSet's member template):" in result.stderr
    assert "org-federation/ReadOnly/Role/Resource" in result.stderr
    assert "rule-pack report:" not in result.stderr  # nothing claims a finished synthesis


@pytest.mark.slow
def test_the_federation_finding_carries_its_sentence_and_fix(
    cli: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, _ = cli["federation"]
    stderr = " ".join(result.stderr.split())  # wrapped lines joined
    assert "construct: example-federation/WebAppDeploy/Role/Resource" in stderr
    assert "problem: subject pattern 'repo:octo-org/web-app:ref:refs/heads/*' admits every branch" in stderr
    assert "fix: Name the branch (ref:refs/heads/main)" in stderr


# --- the formatter, on hand-made rows ------------------------------------------------------------


def row(**values: str) -> dict[str, str]:
    entry = dict.fromkeys(FIELDS, "")
    entry.update(status="open", **values)
    return entry


FED5 = row(
    pack="Federation",
    rule="Federation-FED5",
    finding="Statement0::repo:acme/app:ref:refs/heads/*",
    level="warning",
    path="demo/Deploy/Role/Resource",
    detail="subject pattern 'repo:acme/app:ref:refs/heads/*' admits every branch",
    fix="Name the branch (ref:refs/heads/main) that deploys",
)


def test_an_entry_names_rule_role_place_value_problem_fix_and_acknowledgement() -> None:
    text = format_open_findings([FED5], roles={"demo/Deploy": "Deploy"})
    assert text.splitlines() == [
        "Federation-FED5 (warning) on role Deploy",
        "  construct: demo/Deploy/Role/Resource",
        "  value: Statement0::repo:acme/app:ref:refs/heads/*",
        "  problem: subject pattern 'repo:acme/app:ref:refs/heads/*' admits every branch",
        "  fix: Name the branch (ref:refs/heads/main) that deploys",
        "  acknowledge it, with a reason of at least 20 characters, in Python:",
        '    acknowledge(construct, "Federation-FED5[Statement0::repo:acme/app:ref:refs/heads/*]", "<why>")',
    ]


def test_with_the_config_the_acknowledgement_is_a_yaml_snippet_for_that_role() -> None:
    text = format_open_findings(
        [FED5], roles={"demo/Deploy": "Deploy"}, acknowledge_in={"Deploy": "oidc.roles, role Deploy"}
    )
    lines = text.splitlines()
    start = lines.index(
        "  acknowledge it in the config (oidc.roles, role Deploy), with a reason of at least 20 characters:"
    )
    snippet = "\n".join(line[6:] for line in lines[start + 1 : start + 3])
    assert yaml.safe_load(snippet) == {
        "acknowledgements": {"Federation-FED5[Statement0::repo:acme/app:ref:refs/heads/*]": "<why>"}
    }
    assert lines[start + 3].startswith("    or in Python: acknowledge(construct, ")


def test_without_roles_the_construct_path_is_named() -> None:
    first = format_open_findings([row(rule="AwsSolutions-COG7", level="error", path="/demo/Pool/Resource")])
    assert first.splitlines()[0] == "AwsSolutions-COG7 (error) on demo/Pool/Resource"
    assert "value:" not in first  # a rule without a granular finding: acknowledged by its rule id alone
    assert 'acknowledge(construct, "AwsSolutions-COG7", "<why>")' in first


def test_a_finding_below_a_role_construct_is_on_that_role_and_the_deepest_config_place_wins() -> None:
    finding = row(rule="AwsSolutions-IAM5", finding="Resource::*", path="demo/Pool/AuthenticatedRole/Policy/Resource")
    text = format_open_findings(
        [finding],
        roles={"demo/Pool/AuthenticatedRole": "Pool/AuthenticatedRole", "demo/Pool": "not a role"},
        acknowledge_in={"demo": "nowhere", "Pool": "identity_pool"},
    )
    assert text.splitlines()[0] == "AwsSolutions-IAM5 on role Pool/AuthenticatedRole"
    assert "acknowledge it in the config (identity_pool)" in text


def test_acknowledged_rows_are_left_out_and_nothing_open_is_an_empty_string() -> None:
    done = {**FED5, "status": "acknowledged", "reason": "Every branch deploys to the sandbox account."}
    assert format_open_findings([done]) == ""
    assert format_open_findings([]) == ""


def test_one_role_in_many_places_is_one_entry() -> None:
    rows = [{**FED5, "path": f"{stage}/demo/Deploy/Role/Resource"} for stage in ("a", "b", "c", "d", "e")]
    roles = {f"{stage}/demo/Deploy": "Deploy" for stage in ("a", "b", "c", "d", "e")}
    text = format_open_findings(rows, roles=roles)
    assert text.count("on role Deploy") == 1
    assert (
        "  construct: a/demo/Deploy/Role/Resource, b/demo/Deploy/Role/Resource, c/demo/Deploy/Role/Resource "
        "and 2 more" in text
    )


def test_the_listing_stops_at_the_limit_and_points_at_the_full_list() -> None:
    rows = [{**FED5, "finding": f"Statement{n}::x", "path": f"demo/Role{n:02}/Role/Resource"} for n in range(25)]
    text = format_open_findings(rows, more_in="out/findings.csv")
    assert text.count("Federation-FED5 (warning)") == OPEN_FINDINGS_LIMIT == 20
    assert text.endswith("\n\n... and 5 more findings: see out/findings.csv")
    assert format_open_findings(rows[:2], limit=1).endswith("... and 1 more finding: see cdk.out/findings.csv")


def test_long_sentences_are_wrapped_under_their_label() -> None:
    text = format_open_findings([{**FED5, "detail": "word " * 60}])
    problem = [line for line in text.splitlines() if line.startswith("  problem:") or line.startswith(" " * 11)]
    assert len(problem) >= 3 and all(len(line) <= 100 for line in problem)


# --- the rows, from a pack's report and from an assembly's files ----------------------------------

NAG_DESCRIPTION = (
    "The IAM user, role, or group uses AWS managed policies. Replace AWS managed policies with system specific "
    "(customer) managed policies.This is a granular rule that returns individual findings that can be suppressed "
    "with 'appliesTo'. Example: appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/foo']."
)


def _report(plugin: str, rule_name: str, description: str, path: str) -> dict[str, Any]:
    return {
        "pluginName": plugin,
        "conclusion": "failure",
        "violations": [
            {
                "ruleName": rule_name,
                "description": description,
                "severity": "error",
                "violatingConstructs": [{"constructPath": path}],
            }
        ],
    }


def test_open_rows_of_other_packs_carry_the_rules_description_without_cdk_nags_suppression_advice() -> None:
    report = _report("AwsSolutions", f"AwsSolutions-IAM4[{READ_ONLY_POLICY}]", NAG_DESCRIPTION, "demo/Ro/Role/Resource")
    (found,) = finding_rows([report], [])
    assert found["detail"] == (
        "The IAM user, role, or group uses AWS managed policies. Replace AWS managed policies with system specific "
        "(customer) managed policies."
    )
    assert found["fix"] == "" and found["finding"] == READ_ONLY_POLICY
    other = _report("Mine", "Mine-R1[x]", "Something is wrong Fix: Do the right thing", "demo/Ro")
    (mine,) = finding_rows([other], [])
    assert (mine["detail"], mine["fix"]) == ("Something is wrong", "Do the right thing")


def _assembly(tmp_path: Path, rows: list[dict[str, str]], reports: list[dict[str, Any]]) -> Path:
    (tmp_path / FINDINGS_JSON).write_text(json.dumps({"findings": rows}))
    (tmp_path / VALIDATION_REPORT).write_text(json.dumps({"pluginReports": reports}))
    access = {
        "stacks": [
            {
                "roles": [
                    {"name": "Ro", "construct_path": "demo/Ro"},
                    {"name": "Deploy", "construct_path": "demo/Deploy"},
                ]
            }
        ]
    }
    (tmp_path / "access-report.json").write_text(json.dumps(access))
    return tmp_path


def test_open_findings_of_an_assembly_add_what_only_the_cdk_reported_and_fill_old_rows(tmp_path: Path) -> None:
    old_row = row(
        pack="AwsSolutions",
        rule="AwsSolutions-IAM4",
        finding=READ_ONLY_POLICY,
        level="error",
        path="demo/Ro/Role/Resource",
    )
    done = {**FED5, "status": "acknowledged"}
    reports = [
        _report("AwsSolutions", f"AwsSolutions-IAM4[{READ_ONLY_POLICY}]", NAG_DESCRIPTION, "demo/Ro/Role/Resource"),
        _report("Annotations", "Annotations-Error", "A construct reported an error", "demo/Deploy/Thing"),
        {**_report("Passing", "Passing-W1", "only a warning", "demo/Deploy"), "conclusion": "success"},
    ]
    directory = _assembly(tmp_path, [old_row, done], reports)
    rows = open_findings(directory)
    assert [(r["rule"], r["path"]) for r in rows] == [
        ("AwsSolutions-IAM4", "demo/Ro/Role/Resource"),
        ("Annotations-Error", "demo/Deploy/Thing"),
    ]
    assert rows[0]["detail"].startswith("The IAM user, role, or group uses AWS managed policies.")
    assert role_names(directory) == {"demo/Ro": "Ro", "demo/Deploy": "Deploy"}
    text = open_findings_message(directory, acknowledge_in={"Ro": "saml.roles, role Ro"})
    assert "AwsSolutions-IAM4 (error) on role Ro\n" in text and "Annotations-Error (error) on role Deploy\n" in text
    assert "acknowledge it in the config (saml.roles, role Ro)" in text


def test_an_assembly_without_the_files_has_no_open_findings(tmp_path: Path) -> None:
    assert open_findings(tmp_path) == [] and role_names(tmp_path) == {}
    (tmp_path / FINDINGS_JSON).write_text("{not json")
    assert open_findings_message(tmp_path) == ""
