"""FED25: an administrator role (AdministratorAccess, or `*` on `*`) with sessions longer than 4
hours: a leaked or forgotten console session keeps full control for most of a day."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.permissions import role_permissions
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

LIMIT_SECONDS = 4 * 3600


def is_administrator(context: ResourceContext) -> bool:
    """AdministratorAccess, or `*` on `*` without conditions, anywhere in the role's permissions."""
    permissions = role_permissions(context.index, context.logical_id)
    if "AdministratorAccess" in permissions.managed_policy_names():
        return True
    return any(
        "*" in statement.actions and "*" in statement.resources and not statement.conditions
        for _, statement in permissions.allow_statements()
    )


def check(context: ResourceContext) -> Iterator[Hit]:
    raw = context.index.flatten(context.properties.get("MaxSessionDuration", 3600))
    if not raw.isdigit() or int(raw) <= LIMIT_SECONDS or not is_administrator(context):
        return
    yield Hit(
        "MaxSessionDuration",
        f"administrator role with MaxSessionDuration {int(raw) // 3600} h "
        f"({raw} s): more than {LIMIT_SECONDS // 3600} hours of full control per session",
    )


RULE = Rule(
    id="FED25",
    level="error",
    title="Administrator role with sessions longer than 4 hours",
    fix="Keep administrator sessions at 1 hour (MaxSessionDuration 3600); people re-authenticate when they need more",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
