"""From a role entry of the config to the `RoleOptions` of its construct, and its `cdk deploy` grant.

Shared by the OIDC and SAML wiring: names (the role's own, or the deployment's scheme), path,
permissions boundary (the role's, else `role_defaults`), AWS and customer managed policies, inline
statements (one inline policy, `Permissions`) and acknowledgements.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from federation_constructs.federated_role import FederatedRole, RoleOptions
from stacks.config import DeploymentConfig
from stacks.config_common import RoleCommon

__all__ = ["boundary_policy", "grant_cdk_deploy", "role_options"]

#: the name of the inline policy that holds a role's `statements`
INLINE_POLICY_NAME = "Permissions"


def boundary_policy(scope: IConstruct, id: str, value: str) -> iam.IManagedPolicy:
    """The managed policy a config's `permissions_boundary` names: an ARN, or a customer managed
    policy's name in the deployment's account."""
    if value.startswith("arn:"):
        return iam.ManagedPolicy.from_managed_policy_arn(scope, id, value)  # type: ignore[arg-type]
    return iam.ManagedPolicy.from_managed_policy_name(scope, id, value)  # type: ignore[arg-type]


def role_options(stack: Stack, config: DeploymentConfig, spec: RoleCommon) -> RoleOptions:
    """The `RoleOptions` of role entry `spec` of `config`, for a role placed in `stack`."""
    boundary = spec.permissions_boundary or config.role_defaults.permissions_boundary
    managed: list[iam.IManagedPolicy] = [
        iam.ManagedPolicy.from_aws_managed_policy_name(n) for n in spec.managed_policies
    ]
    managed += [
        iam.ManagedPolicy.from_managed_policy_arn(stack, f"{spec.name}Policy{index}", arn)
        for index, arn in enumerate(spec.customer_managed_policies)
    ]
    inline = None
    if spec.statements:
        inline = {
            INLINE_POLICY_NAME: iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid=statement.sid,
                        effect=iam.Effect.ALLOW if statement.effect == "Allow" else iam.Effect.DENY,
                        actions=list(statement.actions),
                        resources=list(statement.resources),
                        conditions=_conditions(statement.conditions) or None,
                    )
                    for statement in spec.statements
                ]
            )
        }
    return RoleOptions(
        max_session_duration=Duration.hours(spec.max_session_hours),
        session_tags=spec.session_tags,
        trust_policy_quota=spec.trust_policy_quota,
        description=spec.description,
        managed_policies=managed,
        managed_policy_quota=spec.managed_policy_quota,
        inline_policies=inline,
        permissions_boundary=boundary_policy(stack, f"{spec.name}Boundary", boundary) if boundary else None,
        role_name=config.role_name(spec),
        path=config.role_path(spec),
        acknowledgements=dict(spec.acknowledgements) or None,
    )


def _conditions(conditions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {operator: dict(keys) for operator, keys in conditions.items()}


def grant_cdk_deploy(role: FederatedRole, spec: RoleCommon) -> None:
    """Give `role` what `cdk deploy` needs when its entry says `cdk_deploy` (default accounts and
    regions: the stack's own)."""
    options = spec.cdk_deploy
    if options is None:
        return
    role.grant_cdk_deploy(
        qualifier=options.qualifier,
        accounts=list(options.accounts) if options.accounts else None,
        regions=list(options.regions) if options.regions else None,
    )
