"""cfn-lint: every template the suite synthesizes goes through `tests.support.synth`, which lints it."""

from __future__ import annotations

from aws_cdk.assertions import Template

from tests.support import cfn_lint_errors


def test_example_template_has_no_cfn_lint_errors(example_template: Template) -> None:
    assert cfn_lint_errors(example_template.to_json(), "eu-west-1") == []


def test_lint_reports_a_broken_template() -> None:
    broken = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"MaxSessionDuration": 99999}}}}
    errors = cfn_lint_errors(broken, "eu-west-1")
    assert any("AssumeRolePolicyDocument" in e for e in errors)
    assert any("MaxSessionDuration" in e for e in errors)
