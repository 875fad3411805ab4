"""Rule packs: the example has no unacknowledged finding; findings are caught; acknowledgements carry reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack, aws_s3 as s3

from federation_constructs import FederationValidationError, acknowledge
from stacks.build import add_rule_packs, rule_packs
from stacks.federation_stack import FederationStack
from stacks.reports import REPORT_FILE, acknowledged, write_rule_pack_report
from tests.support import new_app


def rule_names(report: object) -> set[str]:
    return {v.rule_name for v in report.violations}  # type: ignore[attr-defined]


def test_example_has_no_unacknowledged_findings(example_app: tuple[App, FederationStack]) -> None:
    app, _ = example_app
    for pack in rule_packs(app):
        report = pack.validate_scope(app)
        assert report.success, f"{pack.read_pack_name}: {sorted(rule_names(report))}"


@pytest.fixture(scope="module")
def bucket_app() -> tuple[App, Stack, s3.Bucket]:
    app = new_app()
    stack = Stack(app, "Findings")
    return app, stack, s3.Bucket(stack, "Plain")


def test_aws_solutions_catches_a_non_compliant_bucket(bucket_app: tuple[App, Stack, s3.Bucket]) -> None:
    app, _, _ = bucket_app
    aws_solutions, federation = rule_packs(app)
    assert federation.read_pack_name == "Federation"
    report = aws_solutions.validate_scope(app)
    assert not report.success
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rule_names(report)


def test_unacknowledged_finding_fails_synthesis(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True},
              builtin_cloud_formation_validation=False)
    s3.Bucket(Stack(app, "Failing"), "Plain")
    add_rule_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    violations = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert "AwsSolutions-S1" in violations


def test_acknowledged_finding_is_reported_with_its_reason(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True},
              builtin_cloud_formation_validation=False)
    bucket = s3.Bucket(Stack(app, "Acked"), "Logs", enforce_ssl=True)
    reason = "This bucket receives the access logs; logging it to itself would loop."
    acknowledge(bucket, "AwsSolutions-S1", reason)
    packs = add_rule_packs(app)
    assembly = app.synth()  # passes: the only finding is acknowledged
    path = write_rule_pack_report(assembly, [p.read_pack_name for p in packs])
    assert path == tmp_path / REPORT_FILE
    report = json.loads(path.read_text())
    assert report["packs"] == ["AwsSolutions", "Federation"]
    assert report["unacknowledged_findings"] == []
    assert report["acknowledged"] == [
        {"stack": "Acked", "path": "/Acked/Logs", "rule_id": "AwsSolutions-S1", "reason": reason}]


@pytest.mark.parametrize("reason", ["", "ok", "   false positive   "])
def test_acknowledgement_without_a_real_reason_is_refused(
        bucket_app: tuple[App, Stack, s3.Bucket], reason: str) -> None:
    _, _, bucket = bucket_app
    with pytest.raises(FederationValidationError) as caught:
        acknowledge(bucket, "AwsSolutions-S1", reason)
    message = str(caught.value)
    assert message.startswith(f"Findings/Plain: reason={reason!r} is not accepted; expected a sentence")


@pytest.mark.parametrize("rule_id", ["S1", "AwsSolutions S1", "AwsSolutions-S1[", ""])
def test_acknowledgement_of_a_malformed_rule_id_is_refused(
        bucket_app: tuple[App, Stack, s3.Bucket], rule_id: str) -> None:
    _, _, bucket = bucket_app
    with pytest.raises(FederationValidationError, match=r"Findings/Plain: rule_id=.* is not accepted"):
        acknowledge(bucket, rule_id, "A reason that is long enough to be read.")


def test_every_acknowledgement_in_the_example_has_a_reason(example_app: tuple[App, FederationStack]) -> None:
    app, _ = example_app
    for ack in acknowledged(app.synth()):
        assert len(ack.reason.strip()) >= 20, ack
