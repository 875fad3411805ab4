"""The result of a verification: per stack, one item per provider and role; as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DRIFT", "Item", "Report", "StackReport", "to_json", "to_text"]

#: item and stack statuses that are drift (exit code 1)
DRIFT = frozenset(
    {
        "missing",
        "exists-outside-stack",
        "client-ids-differ",
        "duplicate-issuer",
        "metadata-differs",
        "expired",
        "trust-differs",
        "session-differs",
        "not-deployed",
    }
)


@dataclass(kw_only=True)
class Item:
    """One provider or role of one stack."""

    #: oidc-provider, saml-provider or role
    kind: str
    #: the template's logical id; None for a provider the template only references (imported)
    logical_id: str | None
    #: the issuer (OIDC, without https://), the provider name (SAML) or the live role name
    name: str
    arn: str | None = None
    #: every status that applies, drift first; empty means ok
    problems: list[str] = field(default_factory=list)
    #: not drift, shown: `expiring` (a SAML certificate within 30 days of expiry), `cannot-compare`
    #: (part of the synthesized value is known only to CloudFormation)
    warnings: list[str] = field(default_factory=list)
    #: sentences that explain the statuses and say what to do
    details: list[str] = field(default_factory=list)
    #: the role's trust diff lines, grouped: [{"statement": ..., "lines": [...]}]
    diff: list[dict[str, Any]] = field(default_factory=list)
    #: kind-specific facts (client ids, certificates, session lengths, the solver's verdicts)
    facts: dict[str, Any] = field(default_factory=dict)
    #: a provider the template references by ARN instead of creating it
    imported: bool = False
    #: False when nothing could be compared (a role of a stack that is not deployed)
    compared: bool = True

    @property
    def status(self) -> str:
        """The first problem; else `not-compared`, the first warning, or `ok`."""
        if self.problems:
            return self.problems[0]
        if not self.compared:
            return "not-compared"
        return self.warnings[0] if self.warnings else "ok"

    @property
    def drift(self) -> bool:
        return any(p in DRIFT for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "logical_id": self.logical_id,
            "name": self.name,
            "arn": self.arn,
            "imported": self.imported,
            "status": self.status,
            "drift": self.drift,
            "problems": self.problems,
            "warnings": self.warnings,
            "details": self.details,
            "diff": self.diff,
            "facts": self.facts,
        }


@dataclass(kw_only=True)
class StackReport:
    """One stack as synthesized, compared with the account."""

    #: the deployed stack's name (for a StackSet member: the instance's name, or `StackSet-<name>-*`)
    stack: str
    #: the assembly's display name, or `StackSet <name> (declared in <stack>)`
    source: str
    #: `stack` or `stack-set-instance`
    kind: str
    region: str
    #: `deployed` or `not-deployed`
    status: str
    stack_status: str | None = None
    notes: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return self.status in DRIFT or any(i.drift for i in self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "source": self.source,
            "kind": self.kind,
            "region": self.region,
            "status": self.status,
            "stack_status": self.stack_status,
            "drift": self.drift,
            "notes": self.notes,
            "items": [i.to_json() for i in self.items],
        }


@dataclass(kw_only=True)
class Report:
    account: str
    assembly: str
    stacks: list[StackReport] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return any(s.drift for s in self.stacks)

    @property
    def exit_code(self) -> int:
        return 1 if self.drift else 0

    def summary(self) -> dict[str, int]:
        items = [i for s in self.stacks for i in s.items]
        return {
            "stacks": len(self.stacks),
            "stacks_not_deployed": sum(s.status == "not-deployed" for s in self.stacks),
            "items": len(items),
            "ok": sum(i.status == "ok" for i in items),
            "drift": sum(i.drift for i in items),
            "warnings": sum(bool(i.warnings) for i in items),
            "not_compared": sum(not i.compared for i in items),
            "exit_code": self.exit_code,
        }


def to_json(report: Report) -> str:
    """The report as a JSON document (keys documented in `federation_constructs.verify`)."""
    document = {
        "version": 1,
        "account": report.account,
        "assembly": report.assembly,
        "drift": report.drift,
        "stacks": [s.to_json() for s in report.stacks],
        "summary": report.summary(),
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def _marker(item: Item) -> str:
    if item.drift:
        return "DRIFT"
    if not item.compared:
        return "SKIP "
    return "WARN " if item.warnings else "OK   "


def to_text(report: Report) -> str:
    """The report for a person: per stack, one block per provider and role, then a summary line."""
    lines = [f"federation-verify: account {report.account}, assembly {report.assembly}"]
    for stack in report.stacks:
        state = (
            "deployed" + (f" ({stack.stack_status})" if stack.stack_status else "")
            if stack.status == "deployed"
            else "NOT DEPLOYED"
        )
        lines += [
            "",
            f"{'DRIFT' if stack.drift else 'OK   '} stack {stack.stack} in {stack.region}: {state}  [{stack.source}]",
        ]
        lines += [f"      {note}" for note in stack.notes]
        for item in stack.items:
            label = {"oidc-provider": "OIDC provider", "saml-provider": "SAML provider", "role": "role"}[item.kind]
            # roles by logical id (their live names are generated and long), providers by issuer or name
            name = item.logical_id if item.kind == "role" else f"{item.name} ({item.logical_id or 'imported'})"
            statuses = item.problems + item.warnings or [item.status]
            lines.append(f"  {_marker(item)} {label} {name}: {', '.join(statuses)}")
            if item.kind == "role" and item.drift and item.name != item.logical_id:
                lines.append(f"          live role: {item.name}")
            if item.kind == "role" and item.arn and (not item.compared or "missing" in item.problems):
                lines.append(f"          role ARN: {item.arn}")  # from the template's RoleName and Path
            for group in item.diff:
                lines.append(f"          {group['statement']}:")
                lines += [f"            {line}" for line in group["lines"]]
            lines += [f"          {detail}" for detail in item.details]
    summary = report.summary()
    lines += [
        "",
        f"summary: {summary['stacks']} stack(s) ({summary['stacks_not_deployed']} not deployed), "
        f"{summary['items']} provider(s)/role(s): {summary['ok']} ok, {summary['drift']} drift, "
        f"{summary['warnings']} with warnings, {summary['not_compared']} not compared -> "
        f"{'DRIFT' if report.drift else 'no drift'} (exit {report.exit_code})",
    ]
    return "\n".join(lines) + "\n"
