"""Turn the validated `oidc` section into providers, roles and their outputs on a stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError, PresetValueError
from federation_constructs.federated_role import RoleOptions
from federation_constructs.oidc import (
    EksServiceAccountRole,
    GitHubActionsRole,
    GitHubRepository,
    GitLabCiRole,
    HcpTerraformRole,
    OidcIssuer,
    OidcProvider,
    OidcRole,
)
from stacks import oidc_config as cfg
from stacks.config import DeploymentConfig
from stacks.role_wiring import grant_cdk_deploy, role_options

__all__ = ["add_oidc", "issuer_for"]


def issuer_for(provider: Any) -> OidcIssuer:
    """The `OidcIssuer` a provider entry of the config describes."""
    match provider:
        case cfg.GitHubProviderConfig():
            return OidcIssuer.github_actions(enterprise_slug=provider.enterprise_slug)
        case cfg.GitLabProviderConfig():
            return OidcIssuer.gitlab(host=provider.host)
        case cfg.HcpTerraformProviderConfig():
            return OidcIssuer.hcp_terraform(host=provider.host)
        case cfg.EksProviderConfig():
            return OidcIssuer.eks(region=provider.region, cluster_id=provider.cluster_id)
        case cfg.CircleCiProviderConfig():
            return OidcIssuer.circleci(provider.org_id)
        case cfg.BitbucketProviderConfig():
            return OidcIssuer.bitbucket(workspace=provider.workspace, audience=provider.audience)
        case cfg.AppleProviderConfig():
            return OidcIssuer.apple()
        case cfg.CustomProviderConfig():
            return OidcIssuer.custom(provider.url)
    raise TypeError(f"unknown provider entry {provider!r}")


_WEB_IDENTITY = {
    "google": OidcIssuer.google,
    "facebook": OidcIssuer.facebook,
    "login_with_amazon": OidcIssuer.login_with_amazon,
}


def add_oidc(
    stack: Stack,
    section: cfg.OidcSection,
    *,
    config: DeploymentConfig,
    place: Callable[[str], Stack] | None = None,
) -> tuple[dict[str, Any], dict[str, OidcRole]]:
    """Add the section's providers and roles to `stack`; one `<name>RoleArn` output per role.

    `place(role name)` gives the stack a role goes to (default `stack`); a role in another stack
    imports its provider there by ARN. Returns the providers by id and the roles by name."""
    providers: dict[str, tuple[OidcProvider | iam.IOidcProvider, Any]] = {}
    for entry in section.providers:
        try:
            issuer = issuer_for(entry)
        except PresetValueError as err:
            raise FederationValidationError(
                f"{stack.node.path}/{entry.id}: {err.field}={err.value!r} is not accepted; expected {err.accepted}"
            ) from None
        if entry.existing:
            providers[entry.id] = (OidcProvider.from_issuer(stack, entry.id, issuer), entry)
        else:
            providers[entry.id] = (
                OidcProvider(
                    stack, entry.id, issuer=issuer, client_ids=entry.client_ids, thumbprints=entry.thumbprints
                ),
                entry,
            )
    imported: dict[tuple[str, str], tuple[Any, Any]] = {}

    def providers_in(target: Stack) -> dict[str, tuple[Any, Any]]:
        if target is stack:
            return providers
        for key, (_, entry) in providers.items():
            if (target.node.path, key) not in imported:
                imported[(target.node.path, key)] = (OidcProvider.from_issuer(target, key, issuer_for(entry)), entry)
        return {key: imported[(target.node.path, key)] for key in providers}

    roles: dict[str, OidcRole] = {}
    for spec in section.roles:
        target = place(spec.name) if place else stack
        role = _role(target, spec, providers_in(target), role_options(target, config, spec))
        grant_cdk_deploy(role, spec)
        CfnOutput(
            target, f"{spec.name}RoleArn", value=role.role_arn, description=f"{role.issuer.name} role {spec.name}"
        )
        roles[spec.name] = role
    return {key: provider for key, (provider, _) in providers.items()}, roles


def _role(stack: Stack, spec: Any, providers: dict[str, tuple[Any, Any]], options: RoleOptions) -> OidcRole:
    if isinstance(spec, cfg.WebIdentityRoleConfig):
        return OidcRole(
            stack,
            spec.name,
            issuer=_WEB_IDENTITY[spec.issuer](),
            audiences=spec.audiences,
            subjects=spec.subjects,
            conditions=spec.conditions,
            role_options=options,
        )
    provider, entry = providers[spec.provider]
    match spec:
        case cfg.GitHubRoleConfig():
            repositories = [
                r
                if isinstance(r, str)
                else GitHubRepository(
                    owner=r.name.partition("/")[0],
                    name=r.name.partition("/")[2],
                    owner_id=r.owner_id,
                    repository_id=r.repository_id,
                    subject_format=r.subject_format,
                )
                for r in spec.repositories
            ]
            return GitHubActionsRole(
                stack,
                spec.name,
                provider=provider,
                repositories=repositories,
                branches=spec.branches,
                tags=spec.tags,
                environments=spec.environments,
                pull_requests=spec.pull_requests,
                job_workflow_refs=spec.job_workflow_refs,
                enterprise_slug=entry.enterprise_slug,
                audience=spec.audience,
                allow_repository_wildcards=spec.allow_repository_wildcards,
                allow_any_ref=spec.allow_any_ref,
                allow_any_subject=spec.allow_any_subject,
                role_options=options,
            )
        case cfg.GitLabRoleConfig():
            return GitLabCiRole(
                stack,
                spec.name,
                provider=provider,
                projects=spec.projects,
                ref_type=spec.ref_type,
                refs=spec.refs,
                host=entry.host,
                audience=spec.audience,
                allow_project_wildcards=spec.allow_project_wildcards,
                allow_any_ref=spec.allow_any_ref,
                allow_any_subject=spec.allow_any_subject,
                role_options=options,
            )
        case cfg.HcpTerraformRoleConfig():
            return HcpTerraformRole(
                stack,
                spec.name,
                provider=provider,
                organization=spec.organization,
                projects=spec.projects,
                workspaces=spec.workspaces,
                run_phases=spec.run_phases,
                host=entry.host,
                audience=spec.audience,
                allow_any_workspace=spec.allow_any_workspace,
                allow_any_subject=spec.allow_any_subject,
                role_options=options,
            )
        case cfg.EksRoleConfig():
            return EksServiceAccountRole(
                stack,
                spec.name,
                provider=provider,
                cluster_region=entry.region,
                cluster_id=entry.cluster_id,
                namespace=spec.namespace,
                service_accounts=spec.service_accounts,
                allow_any_service_account=spec.allow_any_service_account,
                role_options=options,
            )
        case cfg.GenericRoleConfig():
            return OidcRole(
                stack,
                spec.name,
                issuer=issuer_for(entry),
                provider=provider,
                audiences=spec.audiences,
                subjects=spec.subjects,
                conditions=spec.conditions,
                allow_any_subject=spec.allow_any_subject,
                role_options=options,
            )
    raise TypeError(f"unknown role entry {spec!r}")
