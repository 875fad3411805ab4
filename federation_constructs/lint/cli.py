"""`federation-lint`: FederationChecks (and, on request, AwsSolutions) on any CloudFormation template.

    federation-lint template.yaml other.json [--aws-solutions] [--format text|json|sarif] [--output FILE]
    python -m federation_constructs.lint ...

Templates (JSON or YAML, short-form tags included) are loaded with `cloudformation_include.CfnInclude`
into one CDK app and synthesized once with the packs as validation plugins, so the rules judge exactly
what CloudFormation would get. Exit code: 0 clean (warnings only), 1 an error-level finding, 2 a file
that cannot be read or loaded (named, with the reason).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["LintError", "LintFinding", "lint_files", "main", "to_sarif", "to_text"]

_PROG = "federation-lint"


class LintError(Exception):
    """A template that cannot be linted; the message names the file and the reason."""


@dataclass(frozen=True)
class LintFinding:
    """One finding on one resource of one file."""

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


class _AnyTagLoader:
    """A YAML loader that accepts CloudFormation's short-form tags, only to check the syntax."""

    @staticmethod
    def check(text: str, path: Path) -> Any:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
            if isinstance(node, yaml.ScalarNode):
                return loader.construct_scalar(node)
            if isinstance(node, yaml.SequenceNode):
                return loader.construct_sequence(node)
            if isinstance(node, yaml.MappingNode):
                return loader.construct_mapping(node)
            raise yaml.constructor.ConstructorError(None, None, f"unexpected node after tag !{suffix}", node.start_mark)

        Loader.add_multi_constructor("!", any_tag)
        try:
            return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f":{mark.line + 1}" if mark is not None else ""
            raise LintError(f"{path}{where}: not valid YAML: {getattr(err, 'problem', err)}") from None


def _read(path: Path) -> Any:
    """Parse a template only to give syntax errors with a line number; CfnInclude loads it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise LintError(f"{path}: cannot be read: {err.strerror or err}") from None
    if not text.strip():
        raise LintError(f"{path}: is empty; expected a CloudFormation template (JSON or YAML)")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise LintError(f"{path}:{err.lineno}: not valid JSON: {err.msg}") from None
    else:
        data = _AnyTagLoader.check(text, path)
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict) or not data["Resources"]:
        raise LintError(f"{path}: has no Resources mapping; expected a CloudFormation template")
    return text


@contextlib.contextmanager
def _quiet_stderr() -> Any:
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


def _line_of(text: str, logical_id: str) -> int | None:
    match = re.search(rf'^\s*"?{re.escape(logical_id)}"?\s*:', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def lint_files(paths: Sequence[str | Path], *, aws_solutions: bool = False) -> list[LintFinding]:
    """Lint every template in `paths` in one synthesis; raises `LintError` for an unusable file."""
    return _lint(paths, aws_solutions=aws_solutions)[0]


def _lint(paths: Sequence[str | Path], *, aws_solutions: bool = False) -> tuple[list[LintFinding], dict[str, Any]]:
    """(findings, file -> its template as synthesized, which is what CloudFormation would get)."""
    os.environ.setdefault("CDK_VALIDATION", "false")  # the CDK's own CloudFormation validation: not ours
    files = [Path(p) for p in paths]
    texts = {path: _read(path) for path in files}

    from aws_cdk import App, DefaultStackSynthesizer, Stack, Validations
    from aws_cdk import cloudformation_include as cfn_inc
    from cdk_nag import AwsSolutionsChecks

    from federation_constructs.rules.pack import FederationChecks

    with tempfile.TemporaryDirectory(prefix="federation-lint-") as outdir:
        app = App(
            outdir=outdir, context={"aws:cdk:disable-stack-trace": True}, builtin_cloud_formation_validation=False
        )
        stacks: dict[str, Path] = {}
        for number, path in enumerate(files, start=1):
            # the template keeps its own BootstrapVersion parameter and rule (a CDK synth output has them)
            stack = Stack(
                app, f"Template{number}", synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
            )
            try:
                cfn_inc.CfnInclude(stack, "T", template_file=str(path))
            except RuntimeError as err:
                reason = str(err).splitlines()[0] if str(err) else type(err).__name__
                raise LintError(f"{path}: cannot be loaded as a CloudFormation template: {reason}") from None
            stacks[stack.node.path] = path
        federation = FederationChecks(app, verbose=True)
        packs: list[Any] = [federation] + ([AwsSolutionsChecks(app, verbose=True)] if aws_solutions else [])
        Validations.of(app).add_plugins(*packs)
        try:
            with _quiet_stderr():  # the CDK's own findings table (written by Node): this command prints its own
                app.synth()
        except RuntimeError as err:
            if "ValidationFailed" not in str(err):
                raise LintError(f"synthesis failed: {str(err).splitlines()[0]}") from None
        report_path = Path(outdir) / "validation-report.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
        synthesized = {}
        for stack_path, path in stacks.items():
            template_file = Path(outdir) / f"{stack_path}.template.json"
            if template_file.exists():
                synthesized[str(path)] = json.loads(template_file.read_text(encoding="utf-8"))

    found: list[LintFinding] = []
    for stack_path, finding in federation.findings:
        path = stacks[stack_path]
        found.append(
            LintFinding(
                file=str(path),
                pack="Federation",
                rule=finding.rule_id,
                level=finding.level,
                resource=finding.logical_id,
                resource_type=finding.resource_type,
                finding=finding.finding,
                detail=finding.detail,
                fix=finding.fix,
                line=_line_of(texts[path], finding.logical_id),
            )
        )
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
                path, logical = stacks[parts[0]], parts[2]
                found.append(
                    LintFinding(
                        file=str(path),
                        pack="AwsSolutions",
                        rule=rule_id,
                        level=violation.get("severity", "error"),
                        resource=logical,
                        resource_type=where.get("constructFqn", ""),
                        finding=finding_text.rstrip("]"),
                        detail=violation.get("description", ""),
                        fix="",
                        line=_line_of(texts[path], logical),
                    )
                )
    for error in federation.errors:
        raise LintError(f"the rule pack could not run: {error}")
    return sorted(found, key=lambda f: (f.file, f.line or 0, f.resource, f.rule, f.finding)), synthesized


def explain_template(template: dict[str, Any]) -> list[dict[str, Any]]:
    """For each federated role: who it admits in plain words, and what the solver finds: an example
    admitted request, and every claim an admitted request may leave out or fill with any value."""
    from federation_constructs.policy.template import ResourceContext, TemplateIndex
    from federation_constructs.policy.trust import federated_trusts
    from federation_constructs.proof.model import explain
    from federation_constructs.report.access import build_access_report

    index = TemplateIndex(template)
    report = build_access_report(template, stack="", account="<account>")
    explained = []
    for role in report["roles"]:
        logical = role["logical_id"]
        context = ResourceContext(
            logical_id=logical, type="AWS::IAM::Role", properties=index.properties(logical), index=index
        )
        keys: list[str] = []
        for trust in federated_trusts(context):
            facts = trust.facts
            if trust.kind == "oidc" and facts is not None:
                keys += [facts.key(claim) for claim in facts.required_claims]
            elif trust.kind == "saml":
                keys.append("saml:aud")
            elif trust.kind == "cognito":
                keys += ["cognito-identity.amazonaws.com:aud", "cognito-identity.amazonaws.com:amr"]
        result = explain(context.properties.get("AssumeRolePolicyDocument"), index.parameters, keys)
        explained.append(
            {
                "resource": logical,
                "admits": [who for door in role["doors"] for who in door["who"]],
                "admits_anything": result.admits_anything,
                "example": result.example.describe() if result.example else None,
                "unbounded": {key: witness.claims.get(key) for key, witness in sorted(result.unbounded.items())},
            }
        )
    return explained


def explain_text(explanations: Mapping[str, list[dict[str, Any]]]) -> str:
    lines = []
    for file, roles in explanations.items():
        lines.append(f"{file}: {len(roles)} federated role(s)")
        for role in roles:
            lines.append(f"  {role['resource']}")
            for who in role["admits"]:
                lines.append(f"    admits: {who}")
            if not role["admits_anything"]:
                lines.append("    solver: admits NO request at all (a dead trust)")
                continue
            for key, value in role["unbounded"].items():
                shown = "absent" if value is None else f"{str(value)[:60]!r}{'...' if len(str(value)) > 60 else ''}"
                lines.append(f"    UNBOUNDED: {key} can be any value or missing (solver example: {shown})")
            if not role["unbounded"]:
                lines.append("    solver: every claim it checks is bounded to the listed values or patterns")
            lines.append(f"    example admitted request: {role['example']}")
    return "\n".join(lines) + "\n"


# --- output -----------------------------------------------------------------------------------


def to_text(findings: Sequence[LintFinding], files: Sequence[str]) -> str:
    lines: list[str] = []
    for file in files:
        mine = [f for f in findings if f.file == file]
        lines.append(f"{file}: {'no findings' if not mine else f'{len(mine)} finding(s)'}")
        resource = None
        for f in mine:
            if f.resource != resource:
                resource = f.resource
                where = f" line {f.line}" if f.line else ""
                lines.append(f"  {f.resource} ({f.resource_type}){where}")
            lines.append(f"    {f.level:<7} {f.rule}[{f.finding}]" if f.finding else f"    {f.level:<7} {f.rule}")
            lines.append(f"            {f.detail}")
            if f.fix:
                lines.append(f"            fix: {f.fix}")
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s) in {len(files)} file(s)")
    return "\n".join(lines) + "\n"


def to_json(findings: Sequence[LintFinding], files: Sequence[str]) -> str:
    errors = sum(f.level == "error" for f in findings)
    return (
        json.dumps(
            {
                "files": list(files),
                "findings": [asdict(f) for f in findings],
                "summary": {"errors": errors, "warnings": len(findings) - errors},
            },
            indent=2,
        )
        + "\n"
    )


def to_sarif(findings: Sequence[LintFinding], files: Sequence[str]) -> str:
    """SARIF 2.1.0, one run, the Federation rules (and AwsSolutions rules that fired) as the driver's rules."""
    from federation_constructs.rules import RULES

    rules = [
        {
            "id": r.id,
            "name": r.id,
            "shortDescription": {"text": r.title},
            "help": {"text": r.fix},
            "defaultConfiguration": {"level": r.level},
        }
        for r in RULES
    ]
    known = {r.id for r in RULES}
    for f in findings:
        if f.rule not in known:
            known.add(f.rule)
            rules.append(
                {
                    "id": f.rule,
                    "name": f.rule,
                    "shortDescription": {"text": f.detail[:200]},
                    "defaultConfiguration": {"level": f.level},
                }
            )
    results = []
    for f in findings:
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": Path(f.file).as_posix()}},
            "logicalLocations": [{"name": f.resource, "kind": "resource"}],
        }
        if f.line:
            location["physicalLocation"]["region"] = {"startLine": f.line}
        results.append(
            {
                "ruleId": f.rule,
                "level": "error" if f.level == "error" else "warning",
                "message": {"text": f"{f.resource}: {f.detail}" + (f" Fix: {f.fix}" if f.fix else "")},
                "partialFingerprints": {"finding": f"{f.resource}/{f.rule}[{f.finding}]"},
                "locations": [location],
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": _PROG,
                        "informationUri": "https://example.invalid/federation-as-code",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": Path(p).as_posix()}} for p in files],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Check CloudFormation templates for identity federation mistakes (FederationChecks FED1...).",
    )
    parser.add_argument("templates", nargs="+", help="template files (JSON or YAML)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--aws-solutions", action="store_true", help="also run cdk-nag's AwsSolutions pack")
    parser.add_argument("--output", help="write the report to this file instead of stdout")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="describe what each federated trust admits (solver-backed) instead of the findings",
    )
    args = parser.parse_args(argv)
    try:
        findings, templates = _lint(args.templates, aws_solutions=args.aws_solutions)
    except LintError as err:
        print(f"{_PROG}: {err}", file=sys.stderr)
        return 2
    if args.explain:
        explanations = {str(Path(p)): explain_template(templates[str(Path(p))]) for p in args.templates}
        output = json.dumps(explanations, indent=2) + "\n" if args.format == "json" else explain_text(explanations)
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
        return (
            1
            if any(r["unbounded"] or not r["admits_anything"] for roles in explanations.values() for r in roles)
            else 0
        )
    render = {"text": to_text, "json": to_json, "sarif": to_sarif}[args.format]
    output = render(findings, [str(Path(p)) for p in args.templates])
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return 1 if any(f.level == "error" for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
