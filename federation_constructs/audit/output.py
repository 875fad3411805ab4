"""`federation-audit` reports: text, Markdown, JSON, SARIF and the HTML access report, over one or many
accounts (a section per account, a summary table, and the accounts that could not be reached)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from federation_constructs.audit.run import AccountAudit

__all__ = ["Unreachable", "to_html", "to_json", "to_markdown", "to_sarif", "to_text"]


@dataclass(frozen=True)
class Unreachable:
    """An account the audit could not read, and why."""

    account: str
    reason: str


def _summary(audit: AccountAudit) -> dict[str, Any]:
    read = audit.read
    return {
        "account": audit.account,
        "roles_listed": read.roles_listed,
        "federated_roles": len(read.roles),
        "oidc_providers": len(read.oidc),
        "saml_providers": len(read.saml),
        "identity_pools": len(read.pools),
        "errors": audit.errors,
        "warnings": audit.warnings,
        "not_read": sum(1 for sentences in audit.notes.values() for s in sentences if s.startswith("not read")),
    }


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_text(audits: Sequence[AccountAudit], unreachable: Sequence[Unreachable] = ()) -> str:
    """Per account: the counts, each finding with its fix, and the notes."""
    lines: list[str] = []
    for audit in audits:
        s = _summary(audit)
        lines.append(
            f"account {audit.account}: {s['federated_roles']} federated role(s) of {s['roles_listed']}, "
            f"{s['oidc_providers']} OIDC and {s['saml_providers']} SAML provider(s), {s['identity_pools']} "
            f"identity pool(s) in {', '.join(audit.regions)}"
        )
        label = None
        for f in audit.findings:
            if f.label != label:
                label = f.label
                lines.append(f"  {f.label}")
            lines.append(f"    {f.level:<7} {f.rule}[{f.finding}]")
            lines.append(f"            {f.detail}")
            lines.append(f"            fix: {f.fix}")
        for where, sentences in sorted(audit.notes.items()):
            for sentence in sentences:
                lines.append(f"  note: {where}: {sentence}")
        lines.append(f"  {audit.errors} error(s), {audit.warnings} warning(s)")
    for gone in unreachable:
        lines.append(f"account {gone.account}: not audited: {gone.reason}")
    return "\n".join(lines) + "\n"


def to_markdown(audits: Sequence[AccountAudit], unreachable: Sequence[Unreachable] = ()) -> str:
    """A summary table of every account, then a section per account: findings by resource, and notes."""
    out = ["# Federation audit", ""]
    out += [
        "| account | federated roles | OIDC providers | SAML providers | identity pools | errors | warnings | not read |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for audit in audits:
        s = _summary(audit)
        out.append(
            f"| {audit.account} | {s['federated_roles']} of {s['roles_listed']} | {s['oidc_providers']} | "
            f"{s['saml_providers']} | {s['identity_pools']} | {s['errors']} | {s['warnings']} | {s['not_read']} |"
        )
    for gone in unreachable:
        out.append(f"| {gone.account} | not audited: {_md(gone.reason)} | | | | | | |")
    for audit in audits:
        out += ["", f"## Account {audit.account}", ""]
        if audit.findings:
            out += ["| resource | level | rule | finding | fix |", "|---|---|---|---|---|"]
            for f in audit.findings:
                out.append(f"| `{_md(f.label)}` | {f.level} | {f.rule} | {_md(f.detail)} | {_md(f.fix)} |")
        else:
            out.append("No findings.")
        if audit.notes:
            out += ["", "What could not be read or used:", ""]
            for where, sentences in sorted(audit.notes.items()):
                out += [f"- `{_md(where)}`: {_md(s)}" for s in sentences]
        if audit.explanations:
            out += ["", "What each federated trust admits (solver):", ""]
            for label, entry in sorted(audit.explanations.items()):
                admits = "; ".join(entry["admits"]) or "nothing"
                free = ", ".join(sorted(entry["unbounded"])) or "none"
                dead = "" if entry["admits_anything"] else " **admits no request**"
                out.append(f"- `{_md(label)}`: {_md(admits)}; claims left free: {_md(free)}{dead}")
    if unreachable:
        out += ["", "## Accounts not audited", ""]
        out += [f"- {gone.account}: {_md(gone.reason)}" for gone in unreachable]
    return "\n".join(out) + "\n"


def to_json(audits: Sequence[AccountAudit], unreachable: Sequence[Unreachable] = ()) -> str:
    """One document: per account its summary, findings, notes and explanations; the unreachable accounts."""
    accounts = [
        {
            **_summary(audit),
            "partition": audit.partition,
            "regions": audit.regions,
            "method": audit.read.method,
            "findings": [asdict(f) for f in audit.findings],
            "notes": audit.notes,
            "explanations": audit.explanations,
        }
        for audit in audits
    ]
    errors = sum(a.errors for a in audits)
    document = {
        "version": 1,
        "accounts": accounts,
        "unreachable": [asdict(u) for u in unreachable],
        "summary": {
            "accounts": len(audits),
            "unreachable": len(unreachable),
            "errors": errors,
            "warnings": sum(a.warnings for a in audits),
            "exit_code": exit_code(audits, unreachable),
        },
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def to_sarif(audits: Sequence[AccountAudit], unreachable: Sequence[Unreachable] = ()) -> str:
    """SARIF 2.1.0 as `federation-lint` writes it; each account is an artifact `account-<id>`."""
    from federation_constructs.lint.output import to_sarif as lint_sarif
    from federation_constructs.lint.run import LintFinding

    findings = [
        LintFinding(
            file=f"account-{audit.account}",
            pack="Federation",
            rule=f.rule,
            level=f.level,
            resource=f.label,
            resource_type=f.resource_type,
            finding=f.finding,
            detail=f.detail,
            fix=f.fix,
            line=None,
        )
        for audit in audits
        for f in audit.findings
    ]
    return lint_sarif(findings, [f"account-{audit.account}" for audit in audits])


def to_html(audits: Sequence[AccountAudit]) -> str:
    """The HTML access report (with its graph), a section per account."""
    from federation_constructs.report.html import render_html

    return render_html({"stacks": [audit.access for audit in audits]}, title="Federation audit", setup_link=False)


def exit_code(audits: Sequence[AccountAudit], unreachable: Sequence[Unreachable] = ()) -> int:
    """1 when an error-level finding exists; else 2 when an account could not be audited; else 0."""
    if any(a.errors for a in audits):
        return 1
    return 2 if unreachable else 0
