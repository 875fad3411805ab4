"""Turn the validated `saml` section into SAML providers, workforce roles and their outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
from federation_constructs.saml import SamlProvider, SamlRole
from stacks.config import DeploymentConfig
from stacks.role_wiring import grant_cdk_deploy, role_options
from stacks.saml_config import SamlSection

__all__ = ["add_saml"]


def add_saml(
    stack: Stack,
    section: SamlSection,
    *,
    config: DeploymentConfig,
    place: Callable[[str], Stack] | None = None,
) -> tuple[dict[str, Any], dict[str, SamlRole]]:
    """Add the section's providers and roles to `stack`; returns providers by id and roles by name.

    Outputs per role: `<name>RoleArn`, and `<name>IdpRoleAttribute`, the value the IdP must send
    in `https://aws.amazon.com/SAML/Attributes/Role` for users who may assume the role.
    """
    providers: dict[str, SamlProvider | iam.ISamlProvider] = {}
    for entry in section.providers:
        if entry.metadata is not None:
            providers[entry.id] = SamlProvider(
                stack,
                entry.id,
                metadata_file=entry.metadata,
                name=entry.name,
                assertion_encryption=entry.assertion_encryption,
                expiry_warning_days=entry.expiry_warning_days,
            )
        elif entry.existing_name is not None:
            providers[entry.id] = SamlProvider.from_name(stack, entry.id, entry.existing_name)
        else:
            providers[entry.id] = SamlProvider.from_arn(stack, entry.id, str(entry.existing_arn))
    entries = {entry.id: entry for entry in section.providers}
    imported: dict[tuple[str, str], Any] = {}

    def provider_in(target: Stack, key: str) -> Any:
        if target is stack:
            return providers[key]
        if (target.node.path, key) not in imported:
            entry = entries[key]
            if entry.existing_arn is not None:
                imported[(target.node.path, key)] = SamlProvider.from_arn(target, key, str(entry.existing_arn))
            else:
                name = entry.existing_name or entry.name
                if name is None:
                    raise FederationValidationError(
                        f"saml.providers[{key}].name: None is not accepted here; expected a provider name: roles "
                        f"of this provider are placed in shard stack {target.stack_name}, which imports the "
                        f"provider by name"
                    )
                imported[(target.node.path, key)] = SamlProvider.from_name(target, key, name)
        return imported[(target.node.path, key)]

    roles: dict[str, SamlRole] = {}
    for spec in section.roles:
        target = place(spec.name) if place else stack
        role = SamlRole(
            target,
            spec.name,
            provider=provider_in(target, spec.provider),
            sign_in=spec.sign_in,
            attribute_conditions=spec.attribute_conditions,
            role_options=role_options(target, config, spec),
        )
        grant_cdk_deploy(role, spec)
        CfnOutput(target, f"{spec.name}RoleArn", value=role.role_arn, description=f"SAML role {spec.name}")
        CfnOutput(
            target,
            f"{spec.name}IdpRoleAttribute",
            value=role.idp_role_attribute,
            description=f"what the IdP sends in https://aws.amazon.com/SAML/Attributes/Role for {spec.name}",
        )
        roles[spec.name] = role
    return providers, roles
