"""Rule packs and the review: the example has no unacknowledged finding; findings are caught;
acknowledgements carry reasons; `add_federation_review` writes the reviewer's files for any app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from federation_constructs import FederationChecks, FederationValidationError, acknowledge, add_federation_review
from federation_constructs.report.findings import REPORT_FILE, acknowledged
from federation_constructs.rules.acknowledge import acknowledge_all
from stacks.federation_stack import FederationStack
from tests.support import new_app


def rule_packs(app: App) -> list[object]:
    """The packs `add_federation_review` registers, made without registering them."""
    return [AwsSolutionsChecks(app, verbose=True), FederationChecks(app, verbose=True)]


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
    app = App(
        outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
    )
    s3.Bucket(Stack(app, "Failing"), "Plain")
    review = add_federation_review(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    violations = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert "AwsSolutions-S1" in violations
    # the reviewer's files are written even though synthesis stopped, and agree with the CDK's report
    rows = json.loads((tmp_path / "findings.json").read_text())["findings"]
    assert {(r["status"], r["rule"], r["path"]) for r in rows} >= {
        ("open", "AwsSolutions-S1", "Failing/Plain/Resource")
    }
    assert {r["rule"] for r in review.open_findings} == violations
    packs = json.loads((tmp_path / REPORT_FILE).read_text())
    assert {v["ruleName"] for p in packs["unacknowledged_findings"] for v in p["violations"]} == violations


def test_acknowledged_finding_is_reported_with_its_reason(tmp_path: Path) -> None:
    app = App(
        outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
    )
    bucket = s3.Bucket(Stack(app, "Acked"), "Logs", enforce_ssl=True)
    reason = "This bucket receives the access logs; logging it to itself would loop."
    acknowledge(bucket, "AwsSolutions-S1", reason)
    review = add_federation_review(app)
    app.synth()  # passes: the only finding is acknowledged
    path = review.written[REPORT_FILE]
    assert path == tmp_path / REPORT_FILE
    report = json.loads(path.read_text())
    assert report["packs"] == ["AwsSolutions", "Federation"]
    assert report["unacknowledged_findings"] == []
    assert report["acknowledged"] == [
        {"stack": "Acked", "path": "/Acked/Logs", "rule_id": "AwsSolutions-S1", "reason": reason}
    ]


@pytest.mark.parametrize("reason", ["", "ok", "   false positive   "])
def test_acknowledgement_without_a_real_reason_is_refused(
    bucket_app: tuple[App, Stack, s3.Bucket], reason: str
) -> None:
    _, _, bucket = bucket_app
    with pytest.raises(FederationValidationError) as caught:
        acknowledge(bucket, "AwsSolutions-S1", reason)
    message = str(caught.value)
    assert message.startswith(f"Findings/Plain: reason={reason!r} is not accepted; expected a sentence")


@pytest.mark.parametrize("rule_id", ["S1", "AwsSolutions S1", "AwsSolutions-S1[", ""])
def test_acknowledgement_of_a_malformed_rule_id_is_refused(
    bucket_app: tuple[App, Stack, s3.Bucket], rule_id: str
) -> None:
    _, _, bucket = bucket_app
    with pytest.raises(FederationValidationError, match=r"Findings/Plain: rule_id=.* is not accepted"):
        acknowledge(bucket, rule_id, "A reason that is long enough to be read.")


@pytest.mark.parametrize(
    ("rule_id", "reason"), [(None, "A reason that is long enough to be read."), ("AwsSolutions-S1", 42)]
)
def test_acknowledgement_of_a_non_text_value_is_refused(
    bucket_app: tuple[App, Stack, s3.Bucket], rule_id: object, reason: object
) -> None:
    _, _, bucket = bucket_app
    with pytest.raises(FederationValidationError, match=r"Findings/Plain: (rule_id|reason)=.* is not accepted"):
        acknowledge(bucket, rule_id, reason)  # type: ignore[arg-type]


def test_acknowledge_all_checks_every_entry_before_recording_any() -> None:
    bucket = s3.Bucket(Stack(new_app(), "Findings"), "AckAll")
    good = ("AwsSolutions-S10", "A reason that is long enough to be read.")
    with pytest.raises(FederationValidationError, match=r"Findings/AckAll: reason='ok' is not accepted"):
        acknowledge_all(bucket, [good, ("AwsSolutions-S1", "ok")])
    assert not hasattr(bucket, "_federation_validations")  # nothing was recorded: no Validations looked up


def test_every_acknowledgement_in_the_example_has_a_reason(example_app: tuple[App, FederationStack]) -> None:
    app, _ = example_app
    for ack in acknowledged(app.synth().directory):
        assert len(ack.reason.strip()) >= 20, ack


def test_review_covers_stacks_in_stages_and_honours_pack_prefixed_acknowledgements(tmp_path: Path) -> None:
    """A foreign app: a top-level stack and one in a Stage; `AwsSolutions::`-prefixed acknowledgements
    (the form the CDK prints) count as the CDK counts them, though cdk-nag itself does not match them."""
    from aws_cdk import Stage

    app = App(
        outdir=str(tmp_path), context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
    )
    top = s3.Bucket(Stack(app, "Top"), "Logs", enforce_ssl=True)
    inner = s3.Bucket(Stack(Stage(app, "dev"), "Inner"), "Logs", enforce_ssl=True)
    reason = "This bucket receives the access logs; logging it to itself would loop."
    acknowledge(top, "AwsSolutions-S1", reason)
    acknowledge(inner, "AwsSolutions::AwsSolutions-S1", reason)
    review = add_federation_review(app)
    assert add_federation_review(app) is review  # once per app
    app.synth()
    assert review.open_findings == []
    report = json.loads((tmp_path / REPORT_FILE).read_text())
    assert report["stacks"] == ["Top", "dev/Inner"] and report["unacknowledged_findings"] == []
    assert {(a["stack"], a["rule_id"]) for a in report["acknowledged"]} == {
        ("Top", "AwsSolutions-S1"),
        ("dev/Inner", "AwsSolutions::AwsSolutions-S1"),
    }
    access = json.loads((tmp_path / "access-report.json").read_text())
    assert sorted(s["stack"] for s in access["stacks"]) == ["Top", "dev/Inner"]
    assert set(review.written) == {
        "rule-pack-report.json",
        "findings.json",
        "findings.csv",
        "access-report.md",
        "access-report.json",
        "access-report.html",
    }


@pytest.mark.parametrize("scope", ["app", "stack", None])
def test_review_needs_the_app(bucket_app: tuple[App, Stack, s3.Bucket], scope: str | None) -> None:
    _, stack, _ = bucket_app
    value = {"app": "app", "stack": stack, None: None}[scope]
    with pytest.raises(FederationValidationError, match=r"app=.* is not accepted; expected the CDK App"):
        add_federation_review(value)  # type: ignore[arg-type]
