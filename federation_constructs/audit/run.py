"""Audit one account: read it (`audit.read`), write it as a template (`audit.template`), run the
FederationChecks rules and the solver's explanations over it, and build the access report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from federation_constructs.audit.read import AccountRead, read_account
from federation_constructs.audit.template import AuditTemplate, to_template
from federation_constructs.verify.clients import ReadOnlyClients

__all__ = ["AccountAudit", "AuditFinding", "audit_account", "audit_read"]

_PROVIDER_ARN = re.compile(r"arn:[a-z-]+:iam::(?P<account>[0-9]{12}):(?P<kind>oidc|saml)-provider/(?P<name>.+)")


@dataclass(frozen=True, kw_only=True)
class AuditFinding:
    """One finding on one resource of the account."""

    rule: str
    level: str
    #: the template's logical id (stable within one run)
    resource: str
    #: what the account calls it: `role/<path><name>`, `oidc-provider/<host>`, ...
    label: str
    resource_type: str
    finding: str
    detail: str
    fix: str


@dataclass(kw_only=True)
class AccountAudit:
    """What the audit found in one account."""

    account: str
    partition: str
    regions: list[str]
    read: AccountRead
    template: AuditTemplate
    findings: list[AuditFinding] = field(default_factory=list)
    #: resource label -> sentences: what could not be read or used (not rule findings)
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: the access report (the same document `add_federation_review` writes per stack)
    access: dict[str, Any] = field(default_factory=dict)
    #: role label -> the solver's explanation (as `federation-lint --explain` gives it)
    explanations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(f.level == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level != "error" for f in self.findings)

    def note(self, label: str, sentence: str) -> None:
        self.notes.setdefault(label, []).append(sentence)


def _missing_providers(audit: AccountAudit) -> list[AuditFinding]:
    """FED32 with the account known: a trust that names a provider ARN of another account, or of this
    account but a provider that does not exist (after `to_template`, this account's existing providers
    are references, so every provider ARN left literal is one of these)."""
    from federation_constructs.rules import rule

    fed32 = rule("FED32")
    found = []
    for role in audit.read.roles:
        logical = audit.template.role_ids[role.name]
        trust = audit.template.template["Resources"][logical]["Properties"]["AssumeRolePolicyDocument"]
        statements = trust.get("Statement") if isinstance(trust, dict) else None
        for number, statement in enumerate(statements if isinstance(statements, list) else [statements]):
            principal = statement.get("Principal") if isinstance(statement, dict) else None
            federated = principal.get("Federated") if isinstance(principal, dict) else None
            for value in federated if isinstance(federated, list) else [federated]:
                match = _PROVIDER_ARN.fullmatch(value) if isinstance(value, str) else None
                if match is None:
                    continue
                if match.group("account") != audit.account:
                    why = f"it names account {match.group('account')}, and STS looks the provider up in {audit.account}"
                else:
                    why = f"account {audit.account} has no such {match.group('kind').upper()} provider"
                found.append(
                    AuditFinding(
                        rule="FED32",
                        level=fed32.level,
                        resource=logical,
                        label=f"role{role.path}{role.name}",
                        resource_type="AWS::IAM::Role",
                        finding=f"Statement{number}::{value}",
                        detail=f"Statement {number} trusts {value!r}, but {why}: this trust can never be used",
                        fix=fed32.fix,
                    )
                )
    return found


def _notes(audit: AccountAudit) -> None:
    read = audit.read
    for sentence in read.notes:
        audit.note(f"account {read.account}", sentence)
    for role in read.roles:
        label = f"role{role.path}{role.name}"
        for problem in role.problems:
            audit.note(label, f"not read: {problem}")
        if not role.permissions_known:
            audit.note(label, "its permissions are not fully known: the report shows only what could be read")
    for arn, policy in read.policies.items():
        if policy.problem:
            audit.note(f"policy {arn}", f"not read: {policy.problem}")
    for oidc in read.oidc:
        if not oidc.thumbprints:
            audit.note(
                f"oidc-provider/{oidc.url}",
                "no thumbprints: IAM then trusts the issuer's TLS certificate through its own library of root "
                "CAs (accepted for providers created since July 2024); nothing to fix unless the issuer's "
                "certificate is self-signed",
            )
    for pool in read.pools:
        label = f"identity-pool/{pool.id}"
        for problem in pool.problems:
            audit.note(label, f"not read: {problem}")
        for kind, arn in sorted(pool.roles.items()):
            if arn.lower() not in read.all_role_arns:
                audit.note(
                    label,
                    f"its {kind} role {arn} does not exist: the pool cannot hand out {kind} credentials "
                    f"(GetCredentialsForIdentity fails) until a role is set",
                )
        for provider, mapping in sorted(pool.role_mappings.items()):
            rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
            for entry in rules:
                arn = str(entry.get("RoleARN", ""))
                if arn and arn.lower() not in read.all_role_arns:
                    audit.note(label, f"a role mapping of {provider} names role {arn}, which does not exist")


def audit_read(read: AccountRead, *, explain: bool = True) -> AccountAudit:
    """The audit of an account already read: rules, notes, access report and explanations."""
    from federation_constructs.report.access import build_access_report
    from federation_constructs.rules import lint_template

    template = to_template(read)
    audit = AccountAudit(
        account=read.account, partition=read.partition, regions=read.regions, read=read, template=template
    )
    seen: set[tuple[str, str, str]] = set()
    for finding in lint_template(template.template):
        key = (finding.rule_id, finding.logical_id, finding.finding)
        seen.add(key)
        audit.findings.append(
            AuditFinding(
                rule=finding.rule_id,
                level=finding.level,
                resource=finding.logical_id,
                label=template.labels.get(finding.logical_id, finding.logical_id),
                resource_type=finding.resource_type,
                finding=finding.finding,
                detail=finding.detail,
                fix=finding.fix,
            )
        )
    audit.findings += [f for f in _missing_providers(audit) if (f.rule, f.resource, f.finding) not in seen]
    audit.findings.sort(key=lambda f: (f.label, f.rule, f.finding))
    _notes(audit)
    stack = f"account {read.account}"
    rows = [
        {
            "status": "open",
            "pack": "Federation",
            "rule": f.rule,
            "finding": f.finding,
            "level": f.level,
            "detail": f.detail,
            "reason": "",
            "path": f"/{stack}/{f.label}",
        }
        for f in audit.findings
    ]
    audit.access = build_access_report(
        template.template,
        stack=stack,
        account=read.account,
        partition=read.partition,
        findings=rows,
        paths={logical: f"{stack}/{label}" for logical, label in template.labels.items()},
    )
    for role in audit.access["roles"]:
        role["notes"] = audit.notes.get(role["name"], [])
    if explain:
        from federation_constructs.lint.explain import explain_template

        for entry in explain_template(template.template):
            audit.explanations[template.labels.get(entry["resource"], entry["resource"])] = entry
    return audit


def audit_account(
    session: Any, *, regions: list[str], account: str | None = None, explain: bool = True
) -> AccountAudit:
    """Read the account of `session`'s credentials (read-only clients, standard retry mode) and audit it.
    Raises `AuditUsageError` (credentials, account mismatch) with a one-line message."""
    from botocore.config import Config

    clients = ReadOnlyClients(session=session, config=Config(retries={"mode": "standard", "max_attempts": 10}))
    return audit_read(read_account(clients, regions=regions, account=account), explain=explain)
