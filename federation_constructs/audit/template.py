"""The account as read, written as one CloudFormation template: the input the rules already take.

The rules are pure functions over templates (`lint_template`), so the audit shows them the account the
way a CDK app would have written it: providers, roles, customer managed policies and identity pools as
resources, and every value that names one of them (a trust's `Federated` provider ARN, a pool id in a
`cognito-identity.amazonaws.com:aud` condition, a pool's role ARN) as a `Ref`/`Fn::GetAtt` to it. Other
ARNs stay literal, with the account's id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from federation_constructs.audit.read import AccountRead, LiveRole

__all__ = ["AuditTemplate", "to_template"]


@dataclass(kw_only=True)
class AuditTemplate:
    """The template and how its logical ids map back to the account."""

    template: dict[str, Any]
    #: logical id -> what a reader calls it: `role/<path><name>`, `oidc-provider/<host>`, `identity-pool/<id>`
    labels: dict[str, str] = field(default_factory=dict)
    #: role name -> logical id
    role_ids: dict[str, str] = field(default_factory=dict)


def _logical(prefix: str, name: str, taken: set[str]) -> str:
    base = prefix + (re.sub(r"[^A-Za-z0-9]", "", name)[:200] or "X")
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    taken.add(candidate)
    return candidate


def _rewrite(value: Any, refs: Mapping[str, Any]) -> Any:
    """`value` with every string that names a resource of the template replaced by its reference."""
    if isinstance(value, str):
        return refs.get(value, value)
    if isinstance(value, list):
        return [_rewrite(v, refs) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, refs) for k, v in value.items()}
    return value


def _role_properties(role: LiveRole, refs: Mapping[str, Any], policy_ids: Mapping[str, str]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "RoleName": role.name,
        "Path": role.path,
        "AssumeRolePolicyDocument": _rewrite(role.trust, refs) if role.trust is not None else {},
    }
    if role.max_session_seconds is not None:
        props["MaxSessionDuration"] = role.max_session_seconds
    if role.description:
        props["Description"] = role.description
    inline = [{"PolicyName": name, "PolicyDocument": doc} for name, doc in role.inline.items() if doc is not None]
    if inline:
        props["Policies"] = inline
    if role.attached:
        props["ManagedPolicyArns"] = [
            {"Ref": policy_ids[arn]} if arn in policy_ids else arn for _, arn in role.attached
        ]
    if role.boundary:
        props["PermissionsBoundary"] = role.boundary
    if role.tags:
        props["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(role.tags.items())]
    return props


def to_template(read: AccountRead) -> AuditTemplate:
    """The CloudFormation template of what `read` found (see the module's docstring)."""
    resources: dict[str, Any] = {}
    out = AuditTemplate(template={"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    taken: set[str] = set()
    refs: dict[str, Any] = {}
    for oidc in read.oidc:
        logical = _logical("OidcProvider", oidc.url, taken)
        resources[logical] = {
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": {
                "Url": oidc.url if oidc.url.startswith("https://") else f"https://{oidc.url}",
                "ClientIdList": list(oidc.client_ids),
                "ThumbprintList": list(oidc.thumbprints),
            },
        }
        refs[oidc.arn] = {"Fn::GetAtt": [logical, "Arn"]}
        out.labels[logical] = f"oidc-provider/{oidc.url.removeprefix('https://')}"
    for saml in read.saml:
        logical = _logical("SamlProvider", saml.name, taken)
        resources[logical] = {
            "Type": "AWS::IAM::SAMLProvider",
            "Properties": {"Name": saml.name, "SamlMetadataDocument": saml.metadata},
        }
        refs[saml.arn] = {"Ref": logical}
        out.labels[logical] = f"saml-provider/{saml.name}"
    policy_ids: dict[str, str] = {}
    for arn, policy in sorted(read.policies.items()):
        if policy.document is None:
            continue
        logical = _logical("Policy", policy.name, taken)
        policy_ids[arn] = logical
        resources[logical] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"ManagedPolicyName": policy.name, "Path": policy.path, "PolicyDocument": policy.document},
        }
        out.labels[logical] = f"policy{policy.path}{policy.name}"
    for role in read.roles:
        logical = _logical("Role", role.name, taken)
        out.role_ids[role.name] = logical
        out.labels[logical] = f"role{role.path}{role.name}"
        refs[role.arn] = {"Fn::GetAtt": [logical, "Arn"]}
    pool_ids: dict[str, str] = {}
    for pool in read.pools:
        logical = _logical("IdentityPool", pool.name or pool.id, taken)
        pool_ids[pool.id] = logical
        refs[pool.id] = {"Ref": logical}
        out.labels[logical] = f"identity-pool/{pool.id} ({pool.name})" if pool.name else f"identity-pool/{pool.id}"
    for role in read.roles:
        resources[out.role_ids[role.name]] = {
            "Type": "AWS::IAM::Role",
            "Properties": _role_properties(role, refs, policy_ids),
        }
    for pool in read.pools:
        logical = pool_ids[pool.id]
        props: dict[str, Any] = {
            "IdentityPoolName": pool.name,
            "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
            "AllowClassicFlow": pool.allow_classic_flow,
        }
        if pool.supported_login_providers:
            props["SupportedLoginProviders"] = dict(pool.supported_login_providers)
        if pool.developer_provider_name:
            props["DeveloperProviderName"] = pool.developer_provider_name
        if pool.oidc_provider_arns:
            props["OpenIdConnectProviderARNs"] = _rewrite(pool.oidc_provider_arns, refs)
        if pool.saml_provider_arns:
            props["SamlProviderARNs"] = _rewrite(pool.saml_provider_arns, refs)
        if pool.cognito_providers:
            props["CognitoIdentityProviders"] = [
                {k: v for k, v in p.items() if k in ("ProviderName", "ClientId", "ServerSideTokenCheck")}
                for p in pool.cognito_providers
            ]
        resources[logical] = {"Type": "AWS::Cognito::IdentityPool", "Properties": props}
        if pool.roles or pool.role_mappings:
            attachment: dict[str, Any] = {"IdentityPoolId": {"Ref": logical}}
            if pool.roles:
                attachment["Roles"] = _rewrite(dict(pool.roles), refs)
            if pool.role_mappings:
                attachment["RoleMappings"] = {
                    re.sub(r"[^A-Za-z0-9]", "", provider)[:100] or f"Mapping{number}": {
                        "IdentityProvider": provider,
                        **_rewrite({k: v for k, v in mapping.items()}, refs),
                    }
                    for number, (provider, mapping) in enumerate(sorted(pool.role_mappings.items()), start=1)
                }
            resources[f"{logical}Roles"] = {
                "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
                "Properties": attachment,
            }
            out.labels[f"{logical}Roles"] = f"{out.labels[logical]} roles"
        for number, (provider, tags) in enumerate(sorted(pool.principal_tags.items()), start=1):
            tag_id = f"{logical}PrincipalTags{number}"
            resources[tag_id] = {
                "Type": "AWS::Cognito::IdentityPoolPrincipalTag",
                "Properties": {
                    "IdentityPoolId": {"Ref": logical},
                    "IdentityProviderName": provider,
                    "UseDefaults": bool(tags.get("UseDefaults")),
                    "PrincipalTags": dict(tags.get("PrincipalTags") or {}),
                },
            }
            out.labels[tag_id] = f"{out.labels[logical]} principal tags of {provider}"
    return out
