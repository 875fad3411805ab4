"""Turn the validated `storage` section into the user-data bucket, its per-user grants and the broker."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
from federation_constructs.identity_pool import IdentityPoolFederation
from federation_constructs.storage import FederationBrokerRole, IdentitySource, UserPrefixStorage
from stacks.role_wiring import boundary_policy
from stacks.storage_config import GrantConfig, StorageSection

__all__ = ["add_storage", "role_names"]


def role_names(
    *,
    roles: Mapping[str, object],
    pool: IdentityPoolFederation | None,
    pool_name: str | None,
    broker: FederationBrokerRole | None,
) -> dict[str, object]:
    """Every role a grant may name: oidc/saml role names, the broker id, '<pool>/authenticated',
    '<pool>/guest' and '<pool>/<mapped role>'."""
    named: dict[str, object] = dict(roles)
    if pool is not None and pool_name is not None:
        named[f"{pool_name}/authenticated"] = pool.authenticated_role
        if pool.guest_role is not None:
            named[f"{pool_name}/guest"] = pool.guest_role
        for name, mapped in pool.mapped_roles.items():
            named[f"{pool_name}/{name}"] = mapped
    if broker is not None:
        named[broker.node.id] = broker
    return named


def _source(grant: GrantConfig) -> IdentitySource | None:
    if grant.source is None:
        return None
    if grant.source == "cognito":
        return IdentitySource.cognito()
    if grant.source == "saml":
        return IdentitySource.saml()
    return IdentitySource.principal_tag(grant.source.principal_tag)  # type: ignore[union-attr]


def add_storage(
    stack: Stack,
    section: StorageSection,
    *,
    roles: Mapping[str, object],
    pool: IdentityPoolFederation | None,
    pool_name: str | None,
    role_name: str | None = None,
    role_path: str | None = None,
    permissions_boundary: str | None = None,
) -> UserPrefixStorage:
    """Add the bucket, the broker and every grant to `stack`; outputs the bucket name and broker ARN."""
    storage = UserPrefixStorage(
        stack,
        section.id,
        encryption=section.encryption,
        bucket_name=section.bucket_name,
        noncurrent_version_expiration=(
            Duration.days(section.noncurrent_version_days) if section.noncurrent_version_days is not None else None
        ),
    )
    broker = None
    if section.broker is not None:
        spec = section.broker
        broker = FederationBrokerRole(
            stack,
            spec.id,
            trusted=spec.trusted,
            user_tag=spec.user_tag,
            external_id=spec.external_id,
            allow_account_root=spec.allow_account_root,
            max_session_duration=Duration.hours(spec.max_session_hours),
            role_name=role_name,
            path=role_path,
        )
        if permissions_boundary is not None:
            iam.PermissionsBoundary.of(broker).apply(
                boundary_policy(broker, "PermissionsBoundary", permissions_boundary)
            )
        CfnOutput(stack, f"{spec.id}RoleArn", value=broker.role_arn, description="the federation broker's role")
    named = role_names(roles=roles, pool=pool, pool_name=pool_name, broker=broker)
    for index, grant in enumerate(section.grants):
        role = named.get(grant.role)
        if role is None:
            raise FederationValidationError(
                f"storage.grants[{index}].role: {grant.role!r} is not accepted; expected a role of this config: "
                f"{', '.join(sorted(named)) or '(none declared)'}"
            )
        for level, capabilities in grant.levels.items():
            storage.grant_user_prefix(
                role,
                source=_source(grant),
                level=level,
                actions=capabilities,
                browse=grant.browse,
                allow_guest_write=grant.allow_guest_write,
            )
    CfnOutput(stack, f"{section.id}BucketName", value=storage.bucket_name, description="the per-user data bucket")
    return storage
