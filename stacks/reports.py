"""What a reviewer reads after a synth: which rule packs ran, what they found, what was acknowledged and why.

cdk-nag 3.x writes findings to `cdk.out/validation-report.json` and lists nothing there for a
clean run or an acknowledged finding; the reasons live in each stack's metadata. This module puts
the three together in `cdk.out/rule-pack-report.json`.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from aws_cdk.cx_api import CloudAssembly

from federation_constructs.assembly import stack_entries

__all__ = ["ACCESS_REPORT_JSON", "ACCESS_REPORT_MD", "ACKNOWLEDGED_RULES", "FINDINGS_CSV", "FINDINGS_JSON",
           "REPORT_FILE", "Acknowledged", "acknowledged", "collect_opt_ins", "construct_paths", "finding_rows", "write_access_report",
           "validation_failed", "write_findings", "write_rule_pack_report"]

#: Construct metadata type under which `Validations.acknowledge` records rule ids and reasons.
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
REPORT_FILE = "rule-pack-report.json"
FINDINGS_JSON = "findings.json"
FINDINGS_CSV = "findings.csv"
ACCESS_REPORT_JSON = "access-report.json"
ACCESS_REPORT_MD = "access-report.md"
_FIELDS = ("status", "pack", "rule", "finding", "level", "stack", "path", "logical_id", "detail", "fix", "reason")


@dataclass(frozen=True, kw_only=True)
class Acknowledged:
    """One acknowledged rule: on which construct (and everything below it), and why."""

    stack: str
    path: str
    rule_id: str
    reason: str


def acknowledged(assembly: CloudAssembly) -> list[Acknowledged]:
    """Every acknowledgement recorded in `assembly`, sorted by stack, path and rule.

    Read from the assembly's files: the jsii view of stack metadata cannot serialize every entry.
    """
    found = []
    for outdir, _, artifact in stack_entries(assembly.directory):
        stack_name = artifact.get("displayName") or artifact.get("properties", {}).get("stackName", "")
        metadata = dict(artifact.get("metadata") or {})
        if extra := artifact.get("additionalMetadataFile"):
            metadata.update(json.loads((outdir / extra).read_text(encoding="utf-8")))
        for path, entries in metadata.items():
            for entry in entries:
                if entry.get("type") != ACKNOWLEDGED_RULES:
                    continue
                for qualified_id, reason in (entry.get("data") or {}).items():
                    prefix, sep, rest = qualified_id.partition("::")
                    rule_id = rest if sep and prefix.lower() == "annotation" else qualified_id
                    found.append(Acknowledged(stack=stack_name, path=path, rule_id=rule_id,
                                              reason=str(reason)))
    return sorted(found, key=lambda a: (a.stack, a.path, a.rule_id))


def validation_failed(assembly: CloudAssembly) -> bool:
    """Whether `validation-report.json` of `assembly` holds a failed plugin report.

    The CDK raises for findings in top-level stacks, but (aws-cdk-lib 2.275) only records findings in
    stacks inside a `Stage`: a caller that synthesizes stages checks this after `synth()`."""
    validation = Path(assembly.directory) / "validation-report.json"
    if not validation.exists():
        return False
    reports = json.loads(validation.read_text(encoding="utf-8")).get("pluginReports", [])
    return any(report.get("conclusion") == "failure" for report in reports)


def write_rule_pack_report(assembly: CloudAssembly, pack_names: Iterable[str]) -> Path:
    """Write `rule-pack-report.json` into the assembly directory and return its path."""
    outdir = Path(assembly.directory)
    validation = outdir / "validation-report.json"
    findings: list[Any] = []
    if validation.exists():
        findings = json.loads(validation.read_text(encoding="utf-8")).get("pluginReports", [])
    report = {
        "packs": sorted(pack_names),
        "stacks": sorted(stack.hierarchical_id for stack in assembly.stacks_recursively),
        "unacknowledged_findings": findings,
        "acknowledged": [asdict(a) for a in acknowledged(assembly)],
    }
    path = outdir / REPORT_FILE
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


_RULE_RE = re.compile(r"^(?:(?P<plugin>[A-Za-z0-9]+)::)?(?P<rule>[^\[]+?)(?:\[(?P<finding>.*)\])?$")


def _split(rule_name: str) -> tuple[str, str, str]:
    """(pack, rule, finding) of `AwsSolutions-IAM5[Resource::*]` or `Federation::Federation-FED1[...]`."""
    match = _RULE_RE.match(rule_name)
    if not match:
        return "", rule_name, ""
    rule = match.group("rule")
    return rule.split("-", 1)[0], rule, match.group("finding") or ""


def finding_rows(assembly: CloudAssembly, federation_findings: Iterable[tuple[str, Any]] = ()) -> list[dict[str, str]]:
    """One row per finding, open or acknowledged, from every pack: open ones from
    `validation-report.json`, acknowledged ones from the stacks' metadata; details (logical id,
    sentence, fix) for FederationChecks findings."""
    outdir = Path(assembly.directory)
    details = {(f"Federation-{f.rule_id}", f.finding): (stack, f) for stack, f in federation_findings}
    rows: list[dict[str, str]] = []

    def row(status: str, rule_name: str, **extra: str) -> dict[str, str]:
        pack, rule, finding = _split(rule_name)
        entry = dict.fromkeys(_FIELDS, "")
        entry.update(status=status, pack=pack, rule=rule, finding=finding, **extra)
        if (rule, finding) in details:
            _, fed = details[(rule, finding)]
            entry.update(logical_id=fed.logical_id, detail=fed.detail, fix=fed.fix, level=fed.level)
        return entry

    validation = outdir / "validation-report.json"
    if validation.exists():
        for plugin in json.loads(validation.read_text(encoding="utf-8")).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                for where in violation.get("violatingConstructs", []) or [{}]:
                    rows.append(row("open", violation.get("ruleName", ""), level=violation.get("severity", ""),
                                    path=where.get("constructPath", "")))
    for ack in acknowledged(assembly):
        rows.append(row("acknowledged", ack.rule_id, stack=ack.stack, path=ack.path, reason=ack.reason))
    return sorted(rows, key=lambda r: (r["status"] != "open", r["pack"], r["rule"], r["path"], r["finding"]))


def write_findings(assembly: CloudAssembly, federation_findings: Iterable[tuple[str, Any]] = ()) -> tuple[Path, Path]:
    """Write `findings.json` and `findings.csv` (the same rows, see `finding_rows`) into the assembly directory."""
    outdir = Path(assembly.directory)
    rows = finding_rows(assembly, federation_findings)
    json_path, csv_path = outdir / FINDINGS_JSON, outdir / FINDINGS_CSV
    json_path.write_text(json.dumps({"findings": rows}, indent=2) + "\n", encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return json_path, csv_path


def collect_opt_ins(root: Any) -> dict[str, list[str]]:
    """Role construct path -> the opt-ins its construct used (OIDC roles, identity-pool roles,
    storage grants, the broker), read from the constructs of the app."""
    found: dict[str, list[str]] = {}
    for construct in root.node.find_all():
        by_role = getattr(construct, "opt_ins_by_role", None)
        if isinstance(by_role, dict):  # constructs with several roles say which role each opt-in shapes
            for path, names in by_role.items():
                found.setdefault(path, []).extend(names)
            continue
        opt_ins = getattr(construct, "opt_ins", None)
        if isinstance(opt_ins, (tuple, list)) and opt_ins:
            found.setdefault(construct.node.path, []).extend(str(o) for o in opt_ins)
    return {path: sorted(set(names)) for path, names in found.items()}


def construct_paths(root: Any) -> dict[str, dict[str, str]]:
    """Stack (its path: the stack name, or `<stage>/<name>` in a Stage) -> logical id -> construct path,
    for templates synthesized without path metadata."""
    from aws_cdk import CfnResource, Stack

    found: dict[str, dict[str, str]] = {}
    for construct in root.node.find_all():
        if CfnResource.is_cfn_resource(construct):
            stack = Stack.of(construct)
            found.setdefault(stack.node.path, {})[stack.resolve(construct.logical_id)] = construct.node.path
    return found


def _in_stack(row: dict[str, str], key: str) -> bool:
    """Whether an open finding (known by construct path only) is in stack `key`; rows without a path
    go to every stack."""
    path = row.get("path", "")
    return not path or path == key or path.startswith(key + "/")


def write_access_report(assembly: CloudAssembly, rows: list[dict[str, str]],
                        opt_ins: dict[str, list[str]] | None = None,
                        paths: dict[str, dict[str, str]] | None = None,
                        intents: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Write `access-report.json`, `access-report.md` and `access-report.html` for every stack of the
    assembly; roles with a declared intent (`intents`, from `federation_constructs.proof.collect_intents`)
    are proved."""
    from federation_constructs.report.html import write_html
    from federation_constructs.report.access import build_access_report, to_markdown
    from federation_constructs.partitions import partition_for_region

    outdir = Path(assembly.directory)
    reports = []
    for stack in assembly.stacks_recursively:
        key = stack.hierarchical_id  # the stack name, or `<stage>/<name>` for the stack of a Stage
        env = stack.environment
        account = env.account if env.account and "unknown" not in env.account else "<account>"
        region = env.region if env.region and "unknown" not in env.region else None
        template = json.loads(Path(stack.template_full_path).read_text(encoding="utf-8"))
        stack_rows = [r for r in rows if r.get("stack") == key or not r.get("stack") and _in_stack(r, key)]
        reports.append(build_access_report(
            template, stack=key, account=account,
            partition=partition_for_region(region) if region else "aws", findings=stack_rows, opt_ins=opt_ins or {},
            paths=(paths or {}).get(key), intents=intents))
    json_path, md_path = outdir / ACCESS_REPORT_JSON, outdir / ACCESS_REPORT_MD
    json_path.write_text(json.dumps({"stacks": reports}, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(reports), encoding="utf-8")
    write_html(outdir, {"stacks": reports})  # access-report.html: the same data, with a graph
    return json_path, md_path
