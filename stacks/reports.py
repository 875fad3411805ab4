"""What a reviewer reads after a synth: which rule packs ran, what they found, what was acknowledged and why.

cdk-nag 3.x writes findings to `cdk.out/validation-report.json` and lists nothing there for a
clean run or an acknowledged finding; the reasons live in each stack's metadata. This module puts
the three together in `cdk.out/rule-pack-report.json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from aws_cdk.cx_api import CloudAssembly

__all__ = ["ACKNOWLEDGED_RULES", "REPORT_FILE", "Acknowledged", "acknowledged", "write_rule_pack_report"]

#: Construct metadata type under which `Validations.acknowledge` records rule ids and reasons.
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
REPORT_FILE = "rule-pack-report.json"


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
    outdir = Path(assembly.directory)
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    found = []
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        stack_name = artifact.get("properties", {}).get("stackName") or artifact.get("displayName", "")
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


def write_rule_pack_report(assembly: CloudAssembly, pack_names: Iterable[str]) -> Path:
    """Write `rule-pack-report.json` into the assembly directory and return its path."""
    outdir = Path(assembly.directory)
    validation = outdir / "validation-report.json"
    findings: list[Any] = []
    if validation.exists():
        findings = json.loads(validation.read_text(encoding="utf-8")).get("pluginReports", [])
    report = {
        "packs": sorted(pack_names),
        "stacks": sorted(stack.stack_name for stack in assembly.stacks),
        "unacknowledged_findings": findings,
        "acknowledged": [asdict(a) for a in acknowledged(assembly)],
    }
    path = outdir / REPORT_FILE
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path
