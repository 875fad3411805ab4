"""FED56: a role assumed with an OIDC or other web identity token (a CI pipeline, a workload) that may
`sts:AssumeRole` every role: `Resource: *`, a `NotResource`, or every role of an account
(`arn:<partition>:iam::<account or *>:role/*`, written literally or with `Fn::Sub` / `Fn::Join` and
`${AWS::Partition}` / `${AWS::AccountId}`), through any action that covers it (`sts:AssumeRole`,
`sts:Assume*`, `sts:*`, `*`, a `NotAction` that leaves it out). One stolen CI token then reaches every
role in the account whose trust admits the account, the strongest included: the OIDC trust's `sub` and
`aud` fences stop guarding anything beyond the first hop. A condition on the statement does not excuse
it (it is reported with the finding): the fix is to name the roles.

Not a finding: exact role ARNs, or a role-name pattern with a fixed, non-empty name (or path) prefix
before any wildcard, such as the CDK bootstrap roles (`role/cdk-hnb659fds-*`); a `Deny`; roles only
SAML trusts (workforce roles, out of scope here).
(Until issue 19 this rule was a warning that also flagged any wildcard role name; it is now an error
for the web-identity (CI) case and counts patterns with no fixed name prefix, `role/*-deploy`, and
the bare `*` action.)

Sources: IAM, role chaining
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining);
IAM, "Grant a user permissions to switch roles", which names the role ARN in Resource
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html); AWS CDK,
bootstrapping: the roles `cdk deploy` assumes, `cdk-<qualifier>-<kind>-role-<account>-<region>`
(https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from federation_constructs.cdk_deploy import BOOTSTRAP_ROLE_KINDS, DEFAULT_QUALIFIER
from federation_constructs.policy.document import Statement, is_literal
from federation_constructs.policy.roles import granted_actions, is_web_identity_role, on_every_resource, role_statements
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

ACTION = "sts:AssumeRole"
_PLACEHOLDER = re.compile(r"<[^>]*>")
_ROLE = "role/"
#: a role ARN's resource part with a name no fixed prefix would admit
_ANY_ROLE = "role/any-role-name"
#: the roles `cdk deploy` assumes, as the fix names them (`federation_constructs.cdk_deploy`)
BOOTSTRAP_ROLES = (
    ", ".join(f"cdk-<qualifier>-{kind}-role-<account>-<region>" for kind in BOOTSTRAP_ROLE_KINDS)
    + f" (arn:<partition>:iam::<account>:role/<name>; qualifier {DEFAULT_QUALIFIER} unless bootstrapped with "
    "--qualifier; in this toolkit: grant_cdk_deploy, or cdk_deploy: true in the config), or at most the prefix "
    "role/cdk-<qualifier>-*"
)


def every_role_pattern(resource: str) -> bool:
    """Whether a Resource value admits every role of an account: `*`, or an IAM ARN whose resource part
    has no fixed, non-empty role name (or path) before its first wildcard (`role/*`, `role/*-deploy`,
    `*`). An exact ARN, `role/cdk-hnb659fds-*` or `role/ci/*` has one; an unresolved name (a parameter
    without a default) is not judged."""
    if resource == "*":
        return True
    parts = _PLACEHOLDER.sub("x", resource).split(":", 5)
    # arn:partition:service:region:account:resource, the service (and empty region) possibly a wildcard
    if len(parts) < 6 or parts[0] != "arn" or not fnmatch.fnmatchcase("iam", parts[2]):
        return False
    if not fnmatch.fnmatchcase("", parts[3]):
        return False
    tail = parts[5]
    wildcards = [i for i in (tail.find("*"), tail.find("?")) if i >= 0]
    if not wildcards:
        return False
    fixed = tail[: min(wildcards)]
    if fixed == _ROLE:
        return True
    return _ROLE.startswith(fixed) and fnmatch.fnmatchcase(_ANY_ROLE, tail.replace("[", "[[]"))


def _assume_actions(statement: Statement) -> list[str]:
    """How the statement grants sts:AssumeRole: its Action patterns (the bare `*` included), or its
    NotAction when that leaves sts:AssumeRole in."""
    if statement.not_actions:
        return [f"NotAction {', '.join(statement.not_actions)}"] if statement.allows_action(ACTION) else []
    found = granted_actions(statement, ACTION)
    return found + ["*"] if "*" in statement.actions else found


def _every_role_resources(statement: Statement) -> list[str]:
    """The statement's resources that admit every role (`*` and `NotResource` through `on_every_resource`)."""
    if on_every_resource(statement):
        return [f"NotResource {', '.join(statement.not_resources)}"] if statement.not_resources else ["*"]
    return [r for r in statement.resources if every_role_pattern(r)]


def _role_label(context: ResourceContext) -> str:
    name = context.properties.get("RoleName")
    label = f"Role {context.logical_id}" + (f" (RoleName {name})" if is_literal(name) else "")
    issuers = sorted({t.host_path or str(t.federated) for t in federated_trusts(context) if t.kind != "saml"})
    return f"{label}, assumed with web identity tokens of {', '.join(issuers)}," if issuers else label


def check(context: ResourceContext) -> Iterator[Hit]:
    if not is_web_identity_role(context):
        return
    for where, statement in role_statements(context):
        actions = _assume_actions(statement)
        if not actions:
            continue
        resources = _every_role_resources(statement)
        if not resources:
            continue
        keys = sorted({c.key for c in statement.conditions})
        condition = (
            f" (its Condition on {', '.join(keys)} does not name the roles, so it does not narrow this)" if keys else ""
        )
        how = "" if actions == [ACTION] else f" (through {', '.join(actions)})"
        yield Hit(
            f"{where}::Statement{statement.index}",
            f"{_role_label(context)} is allowed {ACTION}{how} on {', '.join(resources)} ({where} "
            f"Statement{statement.index}){condition}: one stolen CI token reaches every role whose trust admits this "
            f"account, administrators included (role chaining). List the exact role ARNs instead; for cdk deploy, "
            f"the account's bootstrap roles {BOOTSTRAP_ROLES}",
        )


RULE = Rule(
    id="FED56",
    level="error",
    title="OIDC/web-identity role may sts:AssumeRole every role of an account (Resource *, role/*)",
    fix="List the exact role ARNs it assumes; for cdk deploy the four bootstrap roles of each target account and "
    "region: arn:aws:iam::ACCOUNT:role/cdk-QUALIFIER-deploy-role-ACCOUNT-REGION, "
    "...-file-publishing-role-..., ...-image-publishing-role-..., ...-lookup-role-... (role.grant_cdk_deploy(), "
    "or cdk_deploy: true in the config; at most the prefix role/cdk-QUALIFIER-*)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
