"""Turn the validated `identity_pool` section into a user pool (if asked), the pool and its roles."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam

from federation_constructs.identity_pool import (
    CognitoLogin,
    IdentityPoolFederation,
    IdentityPoolLogins,
    MappingRule,
    RoleMapping,
)
from federation_constructs.rules.acknowledge import acknowledge
from stacks.identity_pool_config import IdentityPoolSection
from stacks.role_wiring import boundary_policy

__all__ = ["add_identity_pool"]

_SOCIAL_NAMES = {
    "google": "accounts.google.com",
    "facebook": "graph.facebook.com",
    "amazon": "www.amazon.com",
    "apple": "appleid.apple.com",
}


def _user_pool_login(stack: Stack, section: IdentityPoolSection) -> tuple[CognitoLogin | None, Any]:
    config = section.user_pool
    if config is None:
        return None, None
    if config.existing is not None:
        region = config.existing.user_pool_id.split("_", 1)[0]
        return CognitoLogin(
            provider_name=f"cognito-idp.{region}.{stack.url_suffix}/{config.existing.user_pool_id}",
            client_id=config.existing.client_id,
        ), None
    created = config.create
    assert created is not None
    users = cognito.UserPool(
        stack,
        f"{section.name}Users",
        self_sign_up_enabled=created.self_sign_up,
        sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        mfa=cognito.Mfa.REQUIRED if created.mfa == "required" else cognito.Mfa.OPTIONAL,
        mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        password_policy=cognito.PasswordPolicy(
            min_length=12,
            require_digits=True,
            require_lowercase=True,
            require_uppercase=True,
            require_symbols=True,
            temp_password_validity=Duration.days(3),
        ),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        deletion_protection=True,
        feature_plan=cognito.FeaturePlan.PLUS if created.threat_protection else cognito.FeaturePlan.ESSENTIALS,
        standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION
        if created.threat_protection
        else None,
        removal_policy=RemovalPolicy.RETAIN,
    )
    client = users.add_client(
        "AppClient",
        auth_flows=cognito.AuthFlow(user_srp=True),
        generate_secret=False,
        prevent_user_existence_errors=True,
        disable_o_auth=True,
    )
    CfnOutput(stack, f"{section.name}UserPoolId", value=users.user_pool_id)
    CfnOutput(stack, f"{section.name}UserPoolClientId", value=client.user_pool_client_id)
    return CognitoLogin.from_user_pool(users, client), users


def add_identity_pool(
    stack: Stack,
    section: IdentityPoolSection,
    *,
    oidc_providers: dict[str, Any],
    saml_providers: dict[str, Any],
    role_name_prefix: str | None = None,
    role_path: str | None = None,
    permissions_boundary: str | None = None,
) -> IdentityPoolFederation:
    """Add the identity pool, its roles, mappings and outputs to `stack`."""
    login, users = _user_pool_login(stack, section)
    logins = IdentityPoolLogins(
        cognito=[login] if login else [],
        google_client_id=section.google_client_id,
        facebook_app_id=section.facebook_app_id,
        amazon_client_id=section.amazon_client_id,
        apple_services_id=section.apple_services_id,
        oidc_providers=[oidc_providers[i] for i in section.oidc_providers],
        saml_providers=[saml_providers[i] for i in section.saml_providers],
    )
    names = {**_SOCIAL_NAMES, **({"cognito": login.mapping_key} if login else {})}
    tag_names = {**_SOCIAL_NAMES, **({"cognito": login.provider_name} if login else {})}
    federation = IdentityPoolFederation(
        stack,
        section.name,
        logins=logins,
        allow_guest=section.allow_guest,
        guest_statements=[iam.PolicyStatement(actions=s.actions, resources=s.resources) for s in section.guest_policy],
        allow_guest_write=section.allow_guest_write,
        allow_guest_wildcards=section.allow_guest_wildcards,
        classic_flow=section.classic_flow,
        allow_classic_flow=section.allow_classic_flow,
        principal_tags={tag_names[p]: tags for p, tags in section.principal_tags.items()},
        max_session_duration=Duration.hours(section.max_session_hours),
        role_name_prefix=role_name_prefix,
        role_path=role_path,
    )
    if permissions_boundary is not None:
        iam.PermissionsBoundary.of(federation).apply(
            boundary_policy(federation, "PermissionsBoundary", permissions_boundary)
        )
    mapped = {name: federation.add_mapped_role(name) for name in section.mapped_roles}
    for mapping in section.role_mappings:
        federation.add_role_mapping(
            RoleMapping(
                provider=names[mapping.provider],
                type=mapping.type,
                ambiguous=mapping.ambiguous,
                rules=[
                    MappingRule(claim=r.claim, match_type=r.match_type, value=r.value, role=mapped[r.role])
                    for r in mapping.rules
                ],
            )
        )
    for rule_id, reason in section.acknowledgements.items():
        for construct in (federation, users):
            if construct is not None:
                acknowledge(construct, rule_id, reason)
    CfnOutput(stack, f"{section.name}Id", value=federation.identity_pool_id)
    CfnOutput(stack, f"{section.name}AuthenticatedRoleArn", value=federation.authenticated_role.role_arn)
    if federation.guest_role is not None:
        CfnOutput(stack, f"{section.name}GuestRoleArn", value=federation.guest_role.role_arn)
    return federation
