"""Lint loaded templates: the FederationChecks rules in pure Python (the same `lint_template` the cdk-nag
pack calls), and on request cdk-nag's AwsSolutions pack through the CDK (which starts Node)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from federation_constructs.lint.load import LintError, Source, load_sources
from federation_constructs.report.findings import is_acknowledged
from federation_constructs.rules import lint_template

__all__ = ["LintFinding", "aws_solutions_findings", "federation_findings", "lint_files"]


@dataclass(frozen=True)
class LintFinding:
    """One finding on one resource of one template."""

    #: the template's label (its file, or `<file>#StackSet:<name>`)
    file: str
    pack: str
    rule: str
    level: str
    resource: str
    resource_type: str
    finding: str
    detail: str
    fix: str
    line: int | None
    #: the reason the CDK app gave when it acknowledged this finding (assemblies only), else None
    acknowledged: str | None = None


def _acknowledgement(source: Source, logical_id: str, rule_names: Sequence[str], pack: str) -> str | None:
    path = source.construct_path(logical_id)
    if path is None or not source.acknowledgements:
        return None
    for ack in source.acknowledgements:
        if any(is_acknowledged(pack, name, path, [ack]) for name in rule_names):
            return ack.reason
    return None


def federation_findings(source: Source) -> list[LintFinding]:
    """FederationChecks on one template: pure Python, no CDK."""
    found = []
    for finding in lint_template(source.template):
        rule = f"Federation-{finding.rule_id}"
        found.append(
            LintFinding(
                file=source.label,
                pack="Federation",
                rule=finding.rule_id,
                level=finding.level,
                resource=finding.logical_id,
                resource_type=finding.resource_type,
                finding=finding.finding,
                detail=finding.detail,
                fix=finding.fix,
                line=source.line_of(finding.logical_id),
                acknowledged=_acknowledgement(
                    source, finding.logical_id, [f"{rule}[{finding.finding}]", rule], "Federation"
                ),
            )
        )
    return found


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (the jsii Node process writes there directly) for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def aws_solutions_findings(sources: Sequence[Source]) -> list[LintFinding]:
    """cdk-nag's AwsSolutions pack on the templates, each included into one CDK app (starts Node)."""
    os.environ.setdefault("CDK_VALIDATION", "false")  # the CDK's own CloudFormation validation: not ours
    from aws_cdk import App, DefaultStackSynthesizer, Stack, Validations
    from aws_cdk import cloudformation_include as cfn_inc
    from cdk_nag import AwsSolutionsChecks

    found: list[LintFinding] = []
    with tempfile.TemporaryDirectory(prefix="federation-lint-") as outdir:
        app = App(
            outdir=outdir, context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
        )
        stacks: dict[str, Source] = {}
        for number, source in enumerate(sources, start=1):
            # the template keeps its own BootstrapVersion parameter and rule (a CDK synth output has them)
            stack = Stack(
                app, f"Template{number}", synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
            )
            copy = Path(outdir) / f"input{number}.json"
            copy.write_text(json.dumps(source.template), encoding="utf-8")
            try:
                cfn_inc.CfnInclude(stack, "T", template_file=str(copy))
            except RuntimeError as err:
                reason = str(err).splitlines()[0] if str(err) else type(err).__name__
                raise LintError(f"{source.label}: cannot be loaded for AwsSolutions: {reason}") from None
            stacks[stack.node.path] = source
        pack = AwsSolutionsChecks(app, verbose=True)
        Validations.of(app).add_plugins(pack)
        try:
            with _quiet_stderr():  # the CDK's own findings table (written by Node): this command prints its own
                app.synth()
        except RuntimeError as err:
            if "ValidationFailed" not in str(err):
                raise LintError(f"AwsSolutions could not run: {str(err).splitlines()[0]}") from None
        report_path = Path(outdir) / "validation-report.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    for plugin in report.get("pluginReports", []):
        if plugin.get("pluginName") != "AwsSolutions":
            continue
        for violation in plugin.get("violations", []):
            name = violation.get("ruleName", "")
            rule_id, _, finding_text = name.partition("[")
            for where in violation.get("violatingConstructs", []):
                parts = where.get("constructPath", "").split("/")
                if len(parts) < 3 or parts[0] not in stacks:
                    continue
                source, logical = stacks[parts[0]], parts[2]
                found.append(
                    LintFinding(
                        file=source.label,
                        pack="AwsSolutions",
                        rule=rule_id,
                        level=violation.get("severity", "error"),
                        resource=logical,
                        resource_type=where.get("constructFqn", ""),
                        finding=finding_text.rstrip("]"),
                        detail=violation.get("description", ""),
                        fix="",
                        line=source.line_of(logical),
                        acknowledged=_acknowledgement(source, logical, [name, rule_id], "AwsSolutions"),
                    )
                )
    return found


def lint_sources(sources: Sequence[Source], *, aws_solutions: bool = False) -> list[LintFinding]:
    """Every finding on `sources`, sorted by file, line and resource."""
    found = [f for source in sources for f in federation_findings(source)]
    if aws_solutions and sources:
        found += aws_solutions_findings(sources)
    return sorted(found, key=lambda f: (f.file, f.line or 0, f.resource, f.rule, f.finding))


def lint_files(paths: Sequence[str | Path], *, aws_solutions: bool = False) -> list[LintFinding]:
    """Lint every template (and cloud assembly) in `paths`; raises `LintError` for the first input that
    cannot be read (the command line reports every such input and goes on with the others)."""
    sources, errors = load_sources(paths)
    if errors:
        raise LintError(errors[0])
    return lint_sources(sources, aws_solutions=aws_solutions)
