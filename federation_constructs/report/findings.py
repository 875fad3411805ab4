"""What the rule packs found, and what was acknowledged and why: `rule-pack-report.json`,
`findings.json` and `findings.csv` in a cloud assembly directory.

cdk-nag 3.x reports open findings to the CDK (which writes `cdk.out/validation-report.json` and
lists nothing there for a clean run or an acknowledged finding); the reasons of acknowledgements live
in each stack's metadata. Everything here reads or writes files of an assembly directory: pure
Python, no jsii, usable on any app's `cdk.out`.

When findings stop synthesis, `open_findings_message(cdk_out)` (or `format_open_findings(review.rows)`)
says, a few lines each, which rule stopped it on which construct (and role), the offending value, the
fix, and how to acknowledge it: the CDK CLI does not show the CDK's own table when the app fails.
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
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
    "format_open_findings",
    "is_acknowledged",
    "open_findings",
    "open_findings_message",
    "role_names",
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
#: written by `FederationReview` (see `federation_constructs.report.review.ACCESS_REPORT_JSON`)
_ACCESS_REPORT = "access-report.json"
#: how many findings `format_open_findings` lists before it points at `findings.csv`
OPEN_FINDINGS_LIMIT = 20
#: the shortest reason an acknowledgement takes (`federation_constructs.rules.acknowledge.MIN_REASON_LENGTH`)
_MIN_REASON = 20
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


# cdk-nag's granular rules end their description with advice about its own suppressions (`appliesTo`),
# which this toolkit does not use: the acknowledgement id is `RULE[finding]`
_NAG_GRANULAR = re.compile(r"\s*This is a granular rule that returns individual findings.*$", re.DOTALL)


def _about(description: str) -> tuple[str, str]:
    """(detail, fix) of a validation report's description: `... Fix: ...` (verbose packs) split in two,
    cdk-nag's advice about its suppression API left out."""
    detail, _, fix = description.partition(" Fix: ")
    return _NAG_GRANULAR.sub("", detail).strip(), fix.strip()


def finding_rows(
    open_reports: Sequence[Mapping[str, Any]],
    acks: Iterable[Acknowledged],
    federation_findings: Iterable[tuple[str, Finding]] = (),
) -> list[dict[str, str]]:
    """One row per finding, open or acknowledged, from every pack: open ones from `open_reports`
    (`pluginReports` shape), acknowledged ones from the stacks' metadata; details (logical id,
    sentence, fix) for FederationChecks findings, the rule's description (and its fix, if it gives one)
    for other packs' open findings."""
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
            detail, fix = _about(str(violation.get("description") or ""))
            for where in violation.get("violatingConstructs", []) or [{}]:
                rows.append(
                    row(
                        "open",
                        violation.get("ruleName", ""),
                        level=violation.get("severity", ""),
                        path=where.get("constructPath", ""),
                        detail=detail,
                        fix=fix,
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


# --- when findings stop synthesis: the open ones, a few lines each -------------------------------


def _read_json(path: Path) -> Any:
    """The JSON document at `path`, or None when it is missing or unreadable (the listing says what it can)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def role_names(directory: str | Path) -> dict[str, str]:
    """Construct path of each role in `access-report.json` of `directory` -> the role's name there
    (e.g. `example-federation/ReadOnlyConsole` -> `ReadOnlyConsole`); empty without the report."""
    report = _read_json(Path(directory) / _ACCESS_REPORT)
    stacks = report.get("stacks", []) if isinstance(report, dict) else []
    return {
        str(role["construct_path"]).strip("/"): str(role.get("name") or role["construct_path"])
        for stack in stacks
        if isinstance(stack, dict)
        for role in stack.get("roles", [])
        if isinstance(role, dict) and role.get("construct_path")
    }


def open_findings(directory: str | Path) -> list[dict[str, str]]:
    """The findings that stop synthesis of the assembly in `directory`, as rows (see `finding_rows`):
    the open rows of `findings.json`, and every violation of a failed plugin report in
    `validation-report.json` that no row covers (a plugin the review does not record, such as the
    CDK's own annotations). Empty when neither file names one."""
    outdir = Path(directory)
    written = _read_json(outdir / FINDINGS_JSON)
    found = written.get("findings", []) if isinstance(written, dict) else []
    rows = [
        {k: str(r.get(k) or "") for k in FIELDS} for r in found if isinstance(r, dict) and r.get("status") == "open"
    ]
    seen = {(r["rule"], r["finding"], r["path"].strip("/")): r for r in rows}
    validation = _read_json(outdir / VALIDATION_REPORT)
    reports = validation.get("pluginReports", []) if isinstance(validation, dict) else []
    for plugin in reports:
        if not isinstance(plugin, dict) or plugin.get("conclusion") != "failure":
            continue
        for violation in plugin.get("violations", []):
            _, rule, finding = _split(str(violation.get("ruleName", "")))
            detail, fix = _about(str(violation.get("description") or ""))
            for where in violation.get("violatingConstructs", []) or [{}]:
                path = str(where.get("constructPath") or "")
                known = seen.get((rule, finding, path.strip("/")))
                if known is not None:  # a row written before rows carried the description
                    if not known["detail"] and not known["fix"]:
                        known.update(detail=detail, fix=fix)
                    continue
                entry = dict.fromkeys(FIELDS, "")
                entry.update(
                    status="open",
                    pack=str(plugin.get("pluginName", "")),
                    rule=rule,
                    finding=finding,
                    level=str(violation.get("severity", "")),
                    path=path,
                    detail=detail,
                    fix=fix,
                )
                seen[(rule, finding, path.strip("/"))] = entry
                rows.append(entry)
    return rows


def _owner(path: str, names: Mapping[str, str]) -> str:
    """The entry of `names` (construct path -> name) whose path is `path` or its deepest ancestor."""
    parts = path.strip("/").split("/")
    for end in range(len(parts), 0, -1):
        if (name := names.get("/".join(parts[:end]))) is not None:
            return name
    return ""


def _place(path: str, acknowledge_in: Mapping[str, str]) -> str:
    """Where the config takes acknowledgements for the construct at `path`: the deepest construct id
    of the path that `acknowledge_in` names."""
    for part in reversed(path.strip("/").split("/")):
        if part in acknowledge_in:
            return acknowledge_in[part]
    return ""


def _wrapped(label: str, text: str, width: int = 100) -> list[str]:
    """`  label: text`, wrapped below the text's first column."""
    head = f"  {label}: "
    return textwrap.wrap(text, width=width, initial_indent=head, subsequent_indent=" " * len(head)) or [head]


def format_open_findings(
    rows: Iterable[Mapping[str, str]],
    *,
    roles: Mapping[str, str] | None = None,
    acknowledge_in: Mapping[str, str] | None = None,
    limit: int = OPEN_FINDINGS_LIMIT,
    more_in: str = "cdk.out/findings.csv",
) -> str:
    """The open findings among `rows` (see `finding_rows`, `FederationReview.rows`, `open_findings`), a
    few lines each: the rule and level, the role (or construct) it is on, the construct path, the
    offending value (the finding id), what is wrong and the fix, and how to acknowledge it. Pure
    Python; empty string when nothing is open.

    The same finding on the same role in several places (one role deployed by several Stages) is one
    entry that lists the places.

    :param roles: construct path of a role -> its name (see `role_names`); a finding on that construct
        or below it is said to be on that role.
    :param acknowledge_in: construct id -> where a config takes acknowledgements for it and everything
        below it (e.g. `{"ReadOnlyConsole": "saml.roles entry ReadOnlyConsole"}`); with it, the config's
        `acknowledgements:` form is shown before the Python one.
    :param limit: entries listed before the rest are counted and pointed to `more_in`.
    :param more_in: where the full list is (`findings.csv` of the assembly).
    """
    names = {path.strip("/"): name for path, name in (roles or {}).items()}
    groups: dict[tuple[str, ...], list[Mapping[str, str]]] = {}
    for row in rows:
        if row.get("status", "open") != "open":
            continue
        path = row.get("path", "").strip("/")
        role = _owner(path, names) if names else ""
        key = (row.get("rule", ""), row.get("finding", ""), role or path, row.get("detail", ""), row.get("fix", ""))
        groups.setdefault(key, []).append(row)
    blocks: list[str] = []
    entries = list(groups.values())
    for group in entries[: max(limit, 0)]:
        blocks.append("\n".join(_entry(group, names, acknowledge_in or {})))
    hidden = sum(len(group) for group in entries[max(limit, 0) :])
    if hidden:
        blocks.append(f"... and {hidden} more finding{'s' if hidden != 1 else ''}: see {more_in}")
    return "\n\n".join(blocks)


def _entry(
    group: Sequence[Mapping[str, str]], names: Mapping[str, str], acknowledge_in: Mapping[str, str]
) -> list[str]:
    """The lines of one entry of `format_open_findings`: one finding, in one or more places."""
    first = group[0]
    rule, finding, level = first.get("rule", ""), first.get("finding", ""), first.get("level", "")
    paths = sorted({r.get("path", "").strip("/") for r in group} - {""})
    role = _owner(paths[0], names) if paths and names else ""
    on = f"role {role}" if role else (paths[0] if paths else "the app")
    lines = [f"{rule}{f' ({level})' if level else ''} on {on}"]
    if paths:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        lines.append(f"  construct: {shown}")
    if finding:
        lines.append(f"  value: {finding}")
    if first.get("detail"):
        lines.extend(_wrapped("problem", first.get("detail", "")))
    if first.get("fix"):
        lines.extend(_wrapped("fix", first.get("fix", "")))
    ident = json.dumps(f"{rule}[{finding}]" if finding else rule)
    # a placeholder too short to pass as a reason: pasted as it is, it is refused, not accepted
    why = json.dumps("<why>")
    place = _place(paths[0], acknowledge_in) if paths and acknowledge_in else ""
    if place:
        lines.append(f"  acknowledge it in the config ({place}), with a reason of at least {_MIN_REASON} characters:")
        lines.append("      acknowledgements:")
        lines.append(f"        {ident}: {why}")
        lines.append(f"    or in Python: acknowledge(construct, {ident}, {why})")
    else:
        lines.append(f"  acknowledge it, with a reason of at least {_MIN_REASON} characters, in Python:")
        lines.append(f"    acknowledge(construct, {ident}, {why})")
    return lines


def open_findings_message(
    directory: str | Path,
    *,
    acknowledge_in: Mapping[str, str] | None = None,
    limit: int = OPEN_FINDINGS_LIMIT,
) -> str:
    """`format_open_findings` of the assembly in `directory`, read from the files the review and the
    CDK wrote there (`findings.json`, `validation-report.json`, `access-report.json` for role names)."""
    outdir = Path(directory)
    return format_open_findings(
        open_findings(outdir),
        roles=role_names(outdir),
        acknowledge_in=acknowledge_in,
        limit=limit,
        more_in=str(outdir / FINDINGS_CSV),
    )
