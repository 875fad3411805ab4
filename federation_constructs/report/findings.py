"""What the rule packs found, and what was acknowledged and why: `rule-pack-report.json`,
`findings.json` and `findings.csv` in a cloud assembly directory.

cdk-nag 3.x reports open findings to the CDK (which writes `cdk.out/validation-report.json` and
lists nothing there for a clean run or an acknowledged finding); the reasons of acknowledgements live
in each stack's metadata. Everything here reads or writes files of an assembly directory: pure
Python, no jsii, usable on any app's `cdk.out`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from federation_constructs.assembly import stack_entries
from federation_constructs.rules.engine import Finding

__all__ = [
    "ACKNOWLEDGED_RULES",
    "FINDINGS_CSV",
    "FINDINGS_JSON",
    "REPORT_FILE",
    "VALIDATION_REPORT",
    "Acknowledged",
    "acknowledged",
    "finding_rows",
    "is_acknowledged",
    "validation_failed",
    "write_findings",
    "write_rule_pack_report",
]

#: Construct metadata type under which `Validations.acknowledge` records rule ids and reasons.
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
REPORT_FILE = "rule-pack-report.json"
FINDINGS_JSON = "findings.json"
FINDINGS_CSV = "findings.csv"
#: written by the CDK after its validation plugins ran
VALIDATION_REPORT = "validation-report.json"
FIELDS = ("status", "pack", "rule", "finding", "level", "stack", "path", "logical_id", "detail", "fix", "reason")


@dataclass(frozen=True, kw_only=True)
class Acknowledged:
    """One acknowledged rule: on which construct (and everything below it), and why."""

    stack: str
    path: str
    rule_id: str
    reason: str


def acknowledged(directory: str | Path) -> list[Acknowledged]:
    """Every acknowledgement recorded in the cloud assembly in `directory` (nested Stage assemblies
    included), sorted by stack, path and rule. Read from the assembly's files."""
    found = []
    for outdir, _, artifact in stack_entries(directory):
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
                    found.append(Acknowledged(stack=stack_name, path=path, rule_id=rule_id, reason=str(reason)))
    return sorted(found, key=lambda a: (a.stack, a.path, a.rule_id))


def is_acknowledged(pack: str, rule_name: str, construct_path: str, acks: Iterable[Acknowledged]) -> bool:
    """Whether an acknowledgement covers finding `rule_name` of `pack` on `construct_path`, as the CDK
    decides it: the same rule id (optionally written `Pack::rule`), on the construct or an ancestor."""
    path = construct_path.strip("/")
    for ack in acks:
        rule_id = ack.rule_id
        prefix, sep, rest = rule_id.partition("::")
        if sep and prefix == pack:
            rule_id = rest
        where = ack.path.strip("/")
        if rule_id == rule_name and (not where or path == where or path.startswith(where + "/")):
            return True
    return False


def validation_failed(directory: str | Path) -> bool:
    """Whether `validation-report.json` of the assembly in `directory` holds a failed plugin report.

    The CDK raises for findings in top-level stacks, but (aws-cdk-lib 2.275) only records findings in
    stacks inside a `Stage`: a caller that synthesizes stages checks this after `synth()`."""
    validation = Path(directory) / VALIDATION_REPORT
    if not validation.exists():
        return False
    reports = json.loads(validation.read_text(encoding="utf-8")).get("pluginReports", [])
    return any(report.get("conclusion") == "failure" for report in reports)


def write_rule_pack_report(
    directory: str | Path,
    *,
    packs: Iterable[str],
    stacks: Iterable[str],
    open_reports: Sequence[Mapping[str, Any]],
    acks: Iterable[Acknowledged],
) -> Path:
    """Write `rule-pack-report.json` into `directory` and return its path.

    :param open_reports: one entry per pack with open findings, in the shape of
        `validation-report.json`'s `pluginReports` (`pluginName`, `conclusion`, `violations`).
    """
    report = {
        "packs": sorted(packs),
        "stacks": sorted(stacks),
        "unacknowledged_findings": list(open_reports),
        "acknowledged": [asdict(a) for a in acks],
    }
    path = Path(directory) / REPORT_FILE
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


def finding_rows(
    open_reports: Sequence[Mapping[str, Any]],
    acks: Iterable[Acknowledged],
    federation_findings: Iterable[tuple[str, Finding]] = (),
) -> list[dict[str, str]]:
    """One row per finding, open or acknowledged, from every pack: open ones from `open_reports`
    (`pluginReports` shape), acknowledged ones from the stacks' metadata; details (logical id,
    sentence, fix) for FederationChecks findings."""
    details = {(f"Federation-{f.rule_id}", f.finding): f for _, f in federation_findings}
    rows: list[dict[str, str]] = []

    def row(status: str, rule_name: str, **extra: str) -> dict[str, str]:
        pack, rule, finding = _split(rule_name)
        entry = dict.fromkeys(FIELDS, "")
        entry.update(status=status, pack=pack, rule=rule, finding=finding, **extra)
        if (rule, finding) in details:
            fed = details[(rule, finding)]
            entry.update(logical_id=fed.logical_id, detail=fed.detail, fix=fed.fix, level=fed.level)
        return entry

    for plugin in open_reports:
        for violation in plugin.get("violations", []):
            for where in violation.get("violatingConstructs", []) or [{}]:
                rows.append(
                    row(
                        "open",
                        violation.get("ruleName", ""),
                        level=violation.get("severity", ""),
                        path=where.get("constructPath", ""),
                    )
                )
    for ack in acks:
        rows.append(row("acknowledged", ack.rule_id, stack=ack.stack, path=ack.path, reason=ack.reason))
    return sorted(rows, key=lambda r: (r["status"] != "open", r["pack"], r["rule"], r["path"], r["finding"]))


def write_findings(directory: str | Path, rows: Sequence[Mapping[str, str]]) -> tuple[Path, Path]:
    """Write `findings.json` and `findings.csv` (the same rows, see `finding_rows`) into `directory`."""
    outdir = Path(directory)
    json_path, csv_path = outdir / FINDINGS_JSON, outdir / FINDINGS_CSV
    json_path.write_text(json.dumps({"findings": list(rows)}, indent=2) + "\n", encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return json_path, csv_path
