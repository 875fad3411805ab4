"""FED16: a guest (unauthenticated) identity-pool role with write actions or wildcards: anyone on
the internet can get these credentials. Reads all of the role's permissions (inline policies, every
policy that names the role, managed policies by ARN; a managed policy of the same template is read
as its document)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.permissions import role_permissions
from federation_constructs.policy.trust import COGNITO, admits, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_READ_VERBS = ("get", "list", "describe", "head", "query", "scan", "batchget", "select", "search", "lookup", "view")


def is_guest_role(context: ResourceContext) -> bool:
    if "unauthenticated" in context.index.identity_pool_roles.get(context.logical_id, set()):
        return True
    for trust in federated_trusts(context):
        if trust.kind == "cognito" and any(
            admits(c, "unauthenticated") for c in trust.statement.conditions_on(f"{COGNITO}:amr")
        ):
            return True
    return False


def check(context: ResourceContext) -> Iterator[Hit]:
    if not is_guest_role(context):
        return
    permissions = role_permissions(context.index, context.logical_id)
    for document, statement in permissions.allow_statements():
        where = document.label
        if statement.not_actions or statement.not_resources:
            yield Hit(
                f"{where}::Statement{statement.index}::Not",
                f"guest policy {where} uses NotAction/NotResource: everything else is allowed",
            )
        for action in statement.actions:
            verb = action.split(":", 1)[-1].lower()
            if "*" in action or "?" in action:
                yield Hit(f"{where}::{action}", f"guest policy {where} allows the wildcard action {action!r}")
            elif not verb.startswith(_READ_VERBS):
                yield Hit(f"{where}::{action}", f"guest policy {where} allows {action!r}, which changes data")
        for resource in statement.resources:
            if resource == "*" or resource.endswith(":*") or resource.endswith(":::*"):
                yield Hit(f"{where}::{resource}", f"guest policy {where} applies to every resource ({resource!r})")
    for arn in permissions.managed_policy_arns:
        yield Hit(f"ManagedPolicy::{arn}", f"guest role has the managed policy {arn}: review what it allows guests")


RULE = Rule(
    id="FED16",
    level="error",
    title="Guest (unauthenticated) role with write actions, wildcards or managed policies",
    fix="Give guests read-only actions (Get*, List*, Describe*) on named resources only; acknowledge a write "
    "with the reason (e.g. an upload-only drop box)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
