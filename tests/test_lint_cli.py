"""`federation-lint` as a reviewer runs it: findings per resource with rule, level and fix, three
output formats, exit codes, and clear errors for templates that cannot be loaded.

One process runs the CLI in-process on a few small hand-written templates (each synthesis costs a
second or two); one test runs the console script as a subprocess, as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from federation_constructs.lint import LintError, lint_files, main
from tests.support import REPO, tool_env

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"

NO_SUB = textwrap.dedent(f"""\
    # GitHub trust with the audience but no subject: any repository in the world gets the role
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {{Federated: "{GITHUB}"}}
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:aud: sts.amazonaws.com
    """)

ANY_REPO = {
    "Resources": {
        "Provider": {
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]},
        },
        "DocsRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": {"Federated": {"Ref": "Provider"}},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "stringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {
                                "token.actions.githubusercontent.com:sub": "repo:acme/*:ref:refs/heads/main"
                            },
                        },
                    },
                }
            },
        },
    }
}

CLEAN = {
    "Resources": {
        "Provider": {
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]},
        },
        "DeployRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": {"Fn::GetAtt": ["Provider", "Arn"]}},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {
                                "StringEquals": {
                                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                    "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
                                }
                            },
                        }
                    ],
                }
            },
        },
    }
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    paths = {"no_sub": folder / "no-sub.yaml", "any_repo": folder / "any-repo.json", "clean": folder / "clean.json"}
    paths["no_sub"].write_text(NO_SUB)
    paths["any_repo"].write_text(json.dumps(ANY_REPO, indent=2))
    paths["clean"].write_text(json.dumps(CLEAN, indent=2))
    return paths


@pytest.fixture(scope="module")
def outputs(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Each format for all three files, in one module run (one synthesis each)."""
    out = tmp_path_factory.mktemp("out")
    found = {}
    for fmt in ("text", "json", "sarif"):
        target = out / f"report.{fmt}"
        code = main(
            [
                str(files["no_sub"]),
                str(files["any_repo"]),
                str(files["clean"]),
                "--format",
                fmt,
                "--output",
                str(target),
            ]
        )
        found[fmt] = (code, target.read_text())
    return found


def test_text_names_rule_level_resource_line_and_fix(
    outputs: dict[str, tuple[int, str]], files: dict[str, Path]
) -> None:
    code, text = outputs["text"]
    assert code == 1  # FED1 is an error
    assert f"{files['no_sub']}: 1 finding(s)" in text
    assert "  DeployRole (AWS::IAM::Role) line 4" in text
    assert "    error   FED1[Statement0::token.actions.githubusercontent.com:sub]" in text
    assert "fix: Add StringEquals" in text
    assert "    warning FED3[Statement0::repo:acme/*:ref:refs/heads/main]" in text
    assert f"{files['clean']}: no findings" in text
    assert text.rstrip().endswith("1 error(s), 1 warning(s) in 3 file(s)")


def test_json_lists_every_finding_as_data(outputs: dict[str, tuple[int, str]], files: dict[str, Path]) -> None:
    code, text = outputs["json"]
    data = json.loads(text)
    assert code == 1 and data["summary"] == {"errors": 1, "warnings": 1, "acknowledged": 0}
    assert [(f["file"], f["rule"], f["level"], f["resource"]) for f in data["findings"]] == [
        (str(files["any_repo"]), "FED3", "warning", "DocsRole"),
        (str(files["no_sub"]), "FED1", "error", "DeployRole"),
    ]


def test_sarif_is_2_1_0_with_rules_results_and_locations(
    outputs: dict[str, tuple[int, str]], files: dict[str, Path]
) -> None:
    _, text = outputs["sarif"]
    sarif = json.loads(text)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids[:3] == ["FED1", "FED2", "FED3"]
    results = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert results == {("FED1", "error"), ("FED3", "warning")}
    fed1 = next(r for r in run["results"] if r["ruleId"] == "FED1")
    location = fed1["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == files["no_sub"].as_uri()  # absolute: a file URI
    assert location["physicalLocation"]["region"] == {"startLine": 4}
    assert location["logicalLocations"] == [
        {"name": "DeployRole", "kind": "resource", "fullyQualifiedName": f"{files['no_sub']}/DeployRole"}
    ]


def test_warnings_alone_exit_zero(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(files["any_repo"])]) == 0
    assert "FED3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        (
            '{"Resources": {"A": {"Properties": {}}}}',
            "resource 'A' has no Type; expected each resource to be a mapping with a Type",
        ),
        ("Resources:\n  A: [\n", ":3: not valid YAML"),
        ('{"Resources": ', ":1: not valid JSON"),
        ("just: text\n", "has no Resources mapping"),
    ],
)
def test_unloadable_templates_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.template"
    bad.write_text(content)
    with pytest.raises(LintError) as err:
        lint_files([bad])
    assert str(err.value).startswith(str(bad)) and message in str(err.value)


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.json")]) == 2
    assert "nope.json: cannot be read" in capsys.readouterr().err


def test_console_script_runs_with_aws_solutions(files: dict[str, Path]) -> None:
    """As a user runs it: `python -m federation_constructs.lint`, AwsSolutions on request too."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "federation_constructs.lint",
            "--aws-solutions",
            "--format",
            "json",
            str(files["clean"]),
        ],
        cwd=REPO,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(result.stdout)
    assert {f["pack"] for f in data["findings"]} <= {"AwsSolutions"}
    assert result.returncode == (1 if data["summary"]["errors"] else 0)
    assert "Traceback" not in result.stderr


def test_console_script_is_declared() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'federation-lint = "federation_constructs.lint:main"' in pyproject


def test_the_cdk_nag_pack_and_the_linter_agree_on_the_whole_corpus(tmp_path: Path) -> None:
    """One rule engine: FederationChecks as a cdk-nag pack inside a CDK app (every corpus template
    included with CfnInclude, the pack a validation plugin judging the synthesized templates) finds
    exactly what `federation-lint` finds on the parsed files, YAML short forms included."""
    from aws_cdk import App, DefaultStackSynthesizer, Stack, Validations
    from aws_cdk import cloudformation_include as cfn_inc

    from federation_constructs.rules.pack import FederationChecks
    from tests.test_lint_corpus import CORRECT, FLAWED, corpus_files

    paths = corpus_files(FLAWED) + corpus_files(CORRECT)
    app = App(
        outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
    )
    stacks: dict[str, Path] = {}
    for number, path in enumerate(paths):
        stack = Stack(
            app, f"Corpus{number}", synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
        )
        cfn_inc.CfnInclude(stack, "T", template_file=str(path))
        stacks[stack.node.path] = path
    pack = FederationChecks(app, verbose=True)
    Validations.of(app).add_plugins(pack)
    with pytest.raises(RuntimeError, match="ValidationFailed"):  # the flawed half fails synthesis
        app.synth()
    assert pack.errors == []
    via_pack = {(stacks[stack].name, f.rule_id, f.logical_id, f.finding) for stack, f in pack.findings}
    via_lint = {(Path(f.file).name, f.rule, f.resource, f.finding) for f in lint_files(paths)}
    assert via_pack == via_lint
    flawed = {p.name for p in corpus_files(FLAWED)}
    assert {name for name, *_ in via_lint} >= flawed


def test_explain_says_what_each_trust_admits_and_flags_the_unbounded(files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "explain.json"
    code = main(
        [
            str(files["no_sub"]),
            str(files["any_repo"]),
            str(files["clean"]),
            "--explain",
            "--format",
            "json",
            "--output",
            str(target),
        ]
    )
    explained = json.loads(target.read_text())
    assert code == 1  # something is unbounded
    (no_sub,) = explained[str(files["no_sub"])]
    assert no_sub["admits"] == ["ANY GitHub Actions token with audience `sts.amazonaws.com`"]
    assert no_sub["unbounded"] == {"token.actions.githubusercontent.com:sub": None}  # the solver leaves it out
    (any_repo,) = explained[str(files["any_repo"])]
    assert any_repo["admits"] == [
        "GitHub Actions: workflows of repository `acme/*` on branch `main` "
        "(pattern: `*` matches anything, `/` and `:` included)"
    ]
    assert list(any_repo["unbounded"]) == ["token.actions.githubusercontent.com:sub"]
    assert len(any_repo["unbounded"]["token.actions.githubusercontent.com:sub"]) > 40
    (clean,) = explained[str(files["clean"])]
    assert clean["unbounded"] == {} and clean["admits_anything"]
    assert "sub='repo:acme/app:ref:refs/heads/main'" in clean["example"]


def test_explain_text(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(files["clean"]), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "admits: GitHub Actions: workflows of repository `acme/app` on branch `main`" in out
    assert "solver: every claim it checks is bounded" in out


def test_a_cdk_synthesized_template_with_its_bootstrap_parameter_and_rule_lints(
    example_template: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `make lint` reads after `make synth`: CDK output keeps its BootstrapVersion parameter and
    CheckBootstrapVersion rule; linting it must not collide with the linter's own stack."""
    template = example_template.to_json()  # type: ignore[attr-defined]
    assert "BootstrapVersion" in template["Parameters"] and "CheckBootstrapVersion" in template["Rules"]
    path = tmp_path / "example-federation.template.json"
    path.write_text(json.dumps(template))
    code = main(["--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["summary"]["errors"] == 0, report
    # a bare template carries none of the app's acknowledgements: UserPrefixStorage's bucket-policy Deny
    # (FED34, acknowledged in the app with its reason) shows as the warnings it is
    assert {(f["rule"], f["level"]) for f in report["findings"]} == {("FED34", "warning")}
