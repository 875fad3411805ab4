"""`federation-lint` reports: text for people, JSON for scripts, SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from federation_constructs import __version__
from federation_constructs.lint.run import LintFinding

__all__ = ["to_json", "to_sarif", "to_text"]

_PROG = "federation-lint"


def _uri(label: str) -> str:
    """The file of a template label (a StackSet member template, `<file>#StackSet:<name>`, is in its file):
    a relative path as given (code scanning resolves it against the checkout), an absolute one as a
    `file://` URI (SARIF allows no relative reference that begins with '/')."""
    path = Path(label.split("#StackSet:", 1)[0])
    return path.as_uri() if path.is_absolute() else path.as_posix()


def _counts(findings: Sequence[LintFinding]) -> tuple[int, int, int]:
    """(errors, warnings, acknowledged): acknowledged findings count in neither of the first two."""
    open_ = [f for f in findings if f.acknowledged is None]
    errors = sum(f.level == "error" for f in open_)
    return errors, len(open_) - errors, len(findings) - len(open_)


def to_text(findings: Sequence[LintFinding], files: Sequence[str]) -> str:
    """Per file, per resource (with its line): each finding, its detail and fix."""
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
            if f.acknowledged is not None:
                lines.append(f"            acknowledged in the app: {f.acknowledged}")
    errors, warnings, acknowledged = _counts(findings)
    also = f", {acknowledged} acknowledged" if acknowledged else ""
    lines.append(f"{errors} error(s), {warnings} warning(s){also} in {len(files)} file(s)")
    return "\n".join(lines) + "\n"


def to_json(findings: Sequence[LintFinding], files: Sequence[str]) -> str:
    """One document: the files, every finding as data, and the counts."""
    errors, warnings, acknowledged = _counts(findings)
    return (
        json.dumps(
            {
                "files": list(files),
                "findings": [asdict(f) for f in findings],
                "summary": {"errors": errors, "warnings": warnings, "acknowledged": acknowledged},
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
                    "shortDescription": {"text": f.detail[:200]},
                    "defaultConfiguration": {"level": f.level},
                }
            )
    results = []
    for f in findings:
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}},
            "logicalLocations": [
                {"name": f.resource, "kind": "resource", "fullyQualifiedName": f"{f.file}/{f.resource}"}
            ],
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
                **(
                    {"suppressions": [{"kind": "external", "justification": f.acknowledged}]}
                    if f.acknowledged is not None
                    else {}
                ),
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
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://example.invalid/federation-as-code",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": uri}} for uri in dict.fromkeys(_uri(p) for p in files)],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"
