"""One verification: which stacks of the assembly concern the account, and each compared with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from federation_constructs.assembly import (
    StackArtifact,
    StackSetMember,
    load_assembly,
    select_stacks,
    stack_set_members,
)
from federation_constructs.verify.clients import ReadOnlyClients
from federation_constructs.verify.live import LiveAccount, LiveError, LiveStack
from federation_constructs.verify.providers import check_imported, check_oidc, check_saml
from federation_constructs.verify.report import Item, Report, StackReport
from federation_constructs.verify.resolve import Resolver
from federation_constructs.verify.roles import check_role

__all__ = ["Target", "UsageError", "check_stack", "verify"]

_PROVIDER_ARN = re.compile(r"^arn:[a-z-]+:iam::\d{12}:(oidc|saml)-provider/.+$")
_PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider")


class UsageError(Exception):
    """Input or credentials that make a verification impossible; `str()` says what and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Target:
    """A stack to compare: its deployed name, where it comes from, and its template."""

    stack: str
    source: str
    #: `stack`, or `stack-set-instance` (a StackSet member template against an instance stack)
    kind: str
    region: str
    template: dict[str, Any]
    #: False for a StackSet member with no instance in the account (nothing to describe)
    exists_possibly: bool = True


def _resources(template: dict[str, Any], *types: str) -> list[tuple[str, dict[str, Any]]]:
    resources = template.get("Resources") or {}
    return [(k, v) for k, v in resources.items() if isinstance(v, dict) and v.get("Type") in types]


def _imported(template: dict[str, Any], resolver: Resolver) -> dict[str, list[str]]:
    """Provider ARN -> the resources that name it without creating it (a trust's Federated principal,
    an identity pool's provider list)."""
    owned = {k for k, _ in _resources(template, *_PROVIDER_TYPES)}
    found: dict[str, list[str]] = {}

    def note(raw: Any, user: str) -> None:
        if isinstance(raw, dict) and (
            raw.get("Ref") in owned
            or (isinstance(raw.get("Fn::GetAtt"), list) and raw["Fn::GetAtt"][:1] and raw["Fn::GetAtt"][0] in owned)
        ):
            return
        value = resolver.resolve(raw)
        if isinstance(value, str) and _PROVIDER_ARN.match(value):
            found.setdefault(value, [])
            if user not in found[value]:
                found[value].append(user)

    for logical_id, resource in _resources(template, "AWS::IAM::Role"):
        document = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument") or {}
        statements = document.get("Statement") if isinstance(document, dict) else None
        for statement in statements if isinstance(statements, list) else [statements]:
            principal = statement.get("Principal") if isinstance(statement, dict) else None
            federated = principal.get("Federated") if isinstance(principal, dict) else None
            for raw in federated if isinstance(federated, list) else [federated]:
                note(raw, logical_id)
    for logical_id, resource in _resources(template, "AWS::Cognito::IdentityPool"):
        properties = resource.get("Properties") or {}
        for key in ("OpenIdConnectProviderARNs", "SamlProviderARNs"):
            values = properties.get(key) or []
            for raw in values if isinstance(values, list) else [values]:
                note(raw, logical_id)
    return found


def check_stack(target: Target, *, live: LiveAccount, account: str, now: datetime, solver: bool = True) -> StackReport:
    """Compare one target's providers and roles with the account."""
    stack: LiveStack | None = live.stack(target.stack) if target.exists_possibly else None
    report = StackReport(
        stack=stack.name if stack else target.stack,
        source=target.source,
        kind=target.kind,
        region=target.region,
        status="deployed" if stack else "not-deployed",
        stack_status=stack.status if stack else None,
    )
    if stack is None:
        report.notes.append(
            "not deployed in this account and region: its roles cannot be compared; its providers "
            "are checked against the account (would a deploy collide with an existing one?)"
        )
    resolver = Resolver(
        template=target.template,
        account=account,
        region=target.region,
        physical=stack.physical if stack else {},
        parameters=stack.parameters if stack else {},
        stack_name=report.stack if stack else None,
        exports=live.exports,
    )
    items: list[Item] = []
    for logical_id, resource in _resources(target.template, "AWS::IAM::OIDCProvider"):
        items.append(check_oidc(logical_id, resource, resolver=resolver, live=live, stack=stack))
    for logical_id, resource in _resources(target.template, "AWS::IAM::SAMLProvider"):
        items.append(check_saml(logical_id, resource, resolver=resolver, live=live, stack=stack, now=now))
    for arn, users in sorted(_imported(target.template, resolver).items()):
        items.append(check_imported(arn, live=live, used_by=users))
    for logical_id, resource in _resources(target.template, "AWS::IAM::Role"):
        items.append(check_role(logical_id, resource, resolver=resolver, live=live, stack=stack, solver=solver))
    report.items = items
    return report


def _region(*candidates: str | None, what: str) -> str:
    for candidate in candidates:
        if candidate:
            return candidate
    raise UsageError(f"{what} has no region: pass --region (or set one in the AWS profile or AWS_REGION)")


def _caller_account(clients: ReadOnlyClients, region: str) -> str:
    from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

    try:
        return str(clients.client("sts", region=region).get_caller_identity()["Account"])
    except (NoCredentialsError, PartialCredentialsError) as err:
        raise UsageError(
            f"no usable AWS credentials (sts GetCallerIdentity: {err}); configure them as for the "
            f"AWS CLI: --profile NAME, AWS_PROFILE, or environment variables"
        ) from None
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "error")
        raise UsageError(
            f"sts GetCallerIdentity failed: {code}: {err.response.get('Error', {}).get('Message', '')}"
            f" (are the credentials valid and current?)"
        ) from None


def _stack_set_targets(
    member: StackSetMember, *, regions: list[str], accounts: dict[str, LiveAccount], clients: ReadOnlyClients
) -> list[Target]:
    source = f"StackSet {member.name} (declared in {member.declared_in})"
    targets: list[Target] = []
    for region in regions:
        live = accounts.setdefault(region, LiveAccount(clients, region=region))
        names = live.stack_names(prefix=member.instance_prefix)
        targets += [
            Target(stack=n, source=source, kind="stack-set-instance", region=region, template=member.template)
            for n in names
        ]
        if not names:
            targets.append(
                Target(
                    stack=f"{member.instance_prefix}*",
                    source=source,
                    kind="stack-set-instance",
                    region=region,
                    template=member.template,
                    exists_possibly=False,
                )
            )
    return targets


def verify(
    *,
    assembly: str | Path,
    session: Any,
    account: str | None = None,
    region: str | None = None,
    stack_set: bool = False,
    now: datetime | None = None,
    solver: bool = True,
    label: str | None = None,
) -> Report:
    """Compare the assembly in `assembly` with the account of `session`'s credentials (read-only).

    `account` must equal the credentials' account when given. `region` overrides every stack's
    region. `stack_set` compares every StackSet member template with its instances in the account;
    without it, members are compared where the account has none of the assembly's stacks, or where a
    stack of the assembly is not deployed but the StackSet's instance is.
    Raises `UsageError`, `AssemblyError` or `LiveError` with a one-line message."""
    from botocore.exceptions import BotoCoreError

    now = now or datetime.now(UTC)
    stacks = load_assembly(assembly)
    clients = ReadOnlyClients(session=session)
    try:
        return _verify(
            stacks,
            clients=clients,
            session=session,
            account=account,
            region=region,
            stack_set=stack_set,
            now=now,
            solver=solver,
            label=label or str(assembly),
        )
    except BotoCoreError as err:  # no endpoint, expired token, throttled beyond retries, ...
        service, operation = clients.last_call or ("aws", "call")
        raise LiveError(f"{service} {operation} failed: {type(err).__name__}: {err}") from None


def _verify(
    stacks: list[StackArtifact],
    *,
    clients: ReadOnlyClients,
    session: Any,
    account: str | None,
    region: str | None,
    stack_set: bool,
    now: datetime,
    solver: bool,
    label: str,
) -> Report:
    members = stack_set_members(stacks)
    sts_region = region or next((s.region for s in stacks if s.region), None) or session.region_name or "us-east-1"
    caller = _caller_account(clients, sts_region)
    if account is not None and account != caller:
        raise UsageError(
            f"--account {account} is not the credentials' account ({caller}): the live side would be "
            f"the wrong account; use credentials for {account} (e.g. --profile)"
        )
    selected = select_stacks(stacks, account=caller)
    if not selected and not members:
        known = ", ".join(sorted({f"{s.display_name} ({s.account})" for s in stacks})) or "none"
        raise UsageError(
            f"the assembly has no stack for account {caller} (its stacks: {known}); use credentials for "
            f"one of those accounts, or synthesize a config that targets {caller}"
        )
    accounts: dict[str, LiveAccount] = {}
    report = Report(account=caller, assembly=label)
    covered: set[str] = set()
    for artifact in selected:
        target_region = _region(region, artifact.region, session.region_name, what=f"stack {artifact.display_name}")
        live = accounts.setdefault(target_region, LiveAccount(clients, region=target_region))
        target = Target(
            stack=artifact.stack_name,
            source=artifact.display_name,
            kind="stack",
            region=target_region,
            template=artifact.template,
        )
        checked = check_stack(target, live=live, account=caller, now=now, solver=solver)
        member = next((m for m in members if m.name == artifact.stack_name), None)
        if checked.status == "not-deployed" and member is not None and live.stack_names(prefix=member.instance_prefix):
            covered.add(member.name)  # the account got this stack from the StackSet: compare the instances
            for instance in _stack_set_targets(member, regions=[target_region], accounts=accounts, clients=clients):
                report.stacks.append(check_stack(instance, live=live, account=caller, now=now, solver=solver))
                report.stacks[-1].notes.insert(
                    0, f"no stack named {artifact.stack_name} here: compared the StackSet instance instead"
                )
            continue
        report.stacks.append(checked)
    for member in members:
        if member.name in covered or (selected and not stack_set):
            continue  # without --stack-set, members are compared only where the account has no stack of the assembly
        regions = (
            [region]
            if region
            else list(member.regions) or [_region(session.region_name, what=f"StackSet {member.name}")]
        )
        for target in _stack_set_targets(member, regions=regions, accounts=accounts, clients=clients):
            report.stacks.append(
                check_stack(target, live=accounts[target.region], account=caller, now=now, solver=solver)
            )
    return report
