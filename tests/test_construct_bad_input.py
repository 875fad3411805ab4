"""Wrong-typed and unsafe input to every public construct and value object is one clean refusal.

Each case builds one construct with one bad value, in a fresh stack of the module's app (nothing is
synthesized), and expects exactly one `FederationValidationError`: no `AttributeError`, no bare
`TypeError`, no jsii error from deep inside the CDK, nothing chained. Its message names the
construct path (`<stack>/Deploy`), the field and the value (its repr), then what is accepted; a
value object refused on its own (`AccessLevel.custom`, `OidcIssuer.eks`, ...) names itself instead
of a path. The refusals of well-typed but unsafe values live in tests/test_*_refusals.py; these are
the wrong types (a string for a list, an int for a `Duration`, a dict for `RoleOptions`, ...) and
the few unsafe values that only a value object's own check can catch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_iam as iam

from federation_constructs.errors import FederationValidationError
from federation_constructs.identity_pool import (
    CognitoLogin,
    IdentityPoolFederation,
    IdentityPoolLogins,
    MappingRule,
    RoleMapping,
)
from federation_constructs.oidc import (
    EksServiceAccountRole,
    GitHubActionsRole,
    GitHubRepository,
    GitLabCiRole,
    HcpTerraformRole,
    OidcIssuer,
    OidcProvider,
    OidcRole,
    RoleOptions,
)
from federation_constructs.saml import SamlProvider, SamlRole
from federation_constructs.storage import AccessLevel, FederationBrokerRole, IdentitySource, UserPrefixStorage
from tests.support import EXAMPLE, check_refusal_message, new_app

ENV = Environment(account="111122223333", region="eu-west-1")
ID = "Deploy"
METADATA = EXAMPLE.parent / "saml" / "adfs-example-metadata.xml"
GOOGLE_CLIENT = "1234567890-abc.apps.googleusercontent.com"
EKS_CLUSTER = "0123456789ABCDEF0123456789ABCDEF"
USER_POOL = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
BROKER_SERVICE = "arn:aws:iam::111122223333:role/file-broker"
READ_ONLY = "ReadOnlyAccess"

#: where a refusal is raised: the construct "Deploy" (default), or the stack (a `from_*` method,
#: which names its scope)
PATH, STACK_PATH = "path", "stack"


@dataclass(frozen=True)
class Bad:
    """One bad input: `build(stack)` makes the construct (or calls the method) that must refuse
    `value` in `field`; `where` is PATH, STACK_PATH or the name of a value object's function."""

    subject: str
    field: str
    value: Any
    build: Callable[[Stack], object]
    accepted: str
    where: str = PATH


def bad(
    subject: str, field: str, value: Any, build: Callable[[Stack], object], accepted: str, where: str = PATH
) -> Any:
    ident = f"{subject}-{field}-{type(value).__name__}"
    return pytest.param(Bad(subject, field, value, build, accepted, where), id=ident)


# --- builders: a valid construct in `stack` with one argument replaced --------------------------


def github_provider(stack: Stack) -> iam.IOidcProvider:
    return OidcProvider.from_issuer(stack, "GitHub", OidcIssuer.github_actions())


def oidc_role(stack: Stack, **kwargs: Any) -> OidcRole:
    kwargs.setdefault("provider", github_provider(stack))
    kwargs.setdefault("subjects", ["repo:octo-org/app:ref:refs/heads/main"])
    return OidcRole(stack, ID, issuer=OidcIssuer.github_actions(), **kwargs)


def gha(stack: Stack, **kwargs: Any) -> GitHubActionsRole:
    kwargs.setdefault("repositories", ["octo-org/app"])
    return GitHubActionsRole(stack, ID, provider=github_provider(stack), **kwargs)


def gitlab(stack: Stack, **kwargs: Any) -> GitLabCiRole:
    kwargs.setdefault("projects", ["platform/infra"])
    return GitLabCiRole(stack, ID, provider=OidcProvider.from_issuer(stack, "GitLab", OidcIssuer.gitlab()), **kwargs)


def hcp(stack: Stack, **kwargs: Any) -> HcpTerraformRole:
    kwargs.setdefault("organization", "acme")
    kwargs.setdefault("workspaces", ["prod"])
    provider = OidcProvider.from_issuer(stack, "Hcp", OidcIssuer.hcp_terraform())
    return HcpTerraformRole(stack, ID, provider=provider, **kwargs)


def eks(stack: Stack, **kwargs: Any) -> EksServiceAccountRole:
    kwargs.setdefault("cluster_region", "eu-west-1")
    kwargs.setdefault("cluster_id", EKS_CLUSTER)
    kwargs.setdefault("namespace", "apps")
    kwargs.setdefault("service_accounts", ["deployer"])
    provider = OidcProvider.from_issuer(stack, "Eks", OidcIssuer.eks(region="eu-west-1", cluster_id=EKS_CLUSTER))
    return EksServiceAccountRole(stack, ID, provider=provider, **kwargs)


def saml_role(stack: Stack, **kwargs: Any) -> SamlRole:
    kwargs.setdefault("provider", SamlProvider.from_name(stack, "Corp", "corp-idp"))
    return SamlRole(stack, ID, **kwargs)


def pool(stack: Stack, **kwargs: Any) -> IdentityPoolFederation:
    kwargs.setdefault("logins", IdentityPoolLogins(google_client_id=GOOGLE_CLIENT))
    return IdentityPoolFederation(stack, ID, **kwargs)


def logins(stack: Stack, **kwargs: Any) -> IdentityPoolFederation:
    return IdentityPoolFederation(stack, ID, logins=IdentityPoolLogins(**kwargs))


def cognito_login(**kwargs: Any) -> CognitoLogin:
    kwargs.setdefault("provider_name", USER_POOL)
    kwargs.setdefault("client_id", "client123")
    return CognitoLogin(**kwargs)


def mapping(stack: Stack, make: Callable[[iam.Role], Any]) -> None:
    """A pool with a Cognito client and a mapped role, given the mapping `make(mapped role)`."""
    federation = IdentityPoolFederation(stack, ID, logins=IdentityPoolLogins(cognito=[cognito_login()]))
    federation.add_role_mapping(make(federation.add_mapped_role("Editors")))


def rules_mapping(*rules: Any) -> RoleMapping:
    return RoleMapping(provider=f"{USER_POOL}:client123", type="Rules", rules=list(rules))


def rule(role: Any, **kwargs: Any) -> MappingRule:
    kwargs.setdefault("claim", "groups")
    kwargs.setdefault("match_type", "Contains")
    kwargs.setdefault("value", "editors")
    return MappingRule(role=role, **kwargs)


def grant(stack: Stack, **kwargs: Any) -> iam.Grant:
    """`grant_user_prefix` on a fresh storage, to an `iam.Role` unless `grantee` says otherwise."""
    storage = UserPrefixStorage(stack, ID)
    grantee = kwargs.pop("grantee", None) or iam.Role(stack, "Users", assumed_by=iam.AccountRootPrincipal())
    kwargs.setdefault("level", "public")
    kwargs.setdefault("actions", ["read"])
    return storage.grant_user_prefix(grantee, **kwargs)


def broker(stack: Stack, **kwargs: Any) -> FederationBrokerRole:
    kwargs.setdefault("trusted", [BROKER_SERVICE])
    return FederationBrokerRole(stack, ID, **kwargs)


A_DICT = {"role_name": "deploy"}
A_REPOSITORY_TUPLE = ("octo-org", "app")
A_CUSTOM_LOGIN = cognito_login()
A_MAPPING_DICT = {"provider": f"{USER_POOL}:client123", "type": "Token"}
A_LIST_OF_NAMES = ["private"]

CASES = [
    # --- OidcProvider
    bad("OidcProvider", "issuer", 42, lambda s: OidcProvider(s, ID, issuer=42), "an OidcIssuer preset"),
    bad(
        "OidcProvider",
        "client_ids",
        7,
        lambda s: OidcProvider(s, ID, issuer=OidcIssuer.github_actions(), client_ids=7),
        "a list of audiences",
    ),
    bad(
        "OidcProvider",
        "thumbprints",
        5,
        lambda s: OidcProvider(s, ID, issuer=OidcIssuer.github_actions(), thumbprints=5),
        "a list of SHA-1 thumbprints",
    ),
    bad(
        "OidcProvider",
        "removal_policy",
        "retain",
        lambda s: OidcProvider(s, ID, issuer=OidcIssuer.github_actions(), removal_policy="retain"),
        "a RemovalPolicy",
    ),
    bad(
        "OidcProvider.from_issuer",
        "issuer",
        None,
        lambda s: OidcProvider.from_issuer(s, ID, None),
        "an OidcIssuer preset",
        where=STACK_PATH,
    ),
    # --- OidcRole and RoleOptions (every federated role checks them in FederatedRole)
    bad("OidcRole", "role_options", A_DICT, lambda s: oidc_role(s, role_options=A_DICT), "RoleOptions(...)"),
    bad(
        "OidcRole",
        "role_options.max_session_duration",
        13,
        lambda s: oidc_role(s, role_options=RoleOptions(max_session_duration=13)),
        "a Duration of 1 to 12 hours",
    ),
    bad(
        "OidcRole",
        "role_options.managed_policies",
        READ_ONLY,
        lambda s: oidc_role(s, role_options=RoleOptions(managed_policies=READ_ONLY)),
        "a list of iam.IManagedPolicy",
    ),
    bad(
        "OidcRole",
        "role_options.managed_policies",
        READ_ONLY,
        lambda s: oidc_role(s, role_options=RoleOptions(managed_policies=[READ_ONLY])),
        "iam.IManagedPolicy objects",
    ),
    bad(
        "OidcRole",
        "role_options.session_tags",
        "yes",
        lambda s: oidc_role(s, role_options=RoleOptions(session_tags="yes")),
        "True or False",
    ),
    bad(
        "OidcRole",
        "role_options.permissions_boundary",
        "arn:aws:iam::aws:policy/PowerUserAccess",
        lambda s: oidc_role(
            s, role_options=RoleOptions(permissions_boundary="arn:aws:iam::aws:policy/PowerUserAccess")
        ),
        "an iam.IManagedPolicy",
    ),
    bad(
        "OidcRole",
        "role_options.inline_policies",
        ["ReadBuckets"],
        lambda s: oidc_role(s, role_options=RoleOptions(inline_policies=["ReadBuckets"])),
        "a dict of policy name",
    ),
    bad(
        "OidcRole",
        "role_options.inline_policies['Read']",
        "s3:GetObject",
        lambda s: oidc_role(s, role_options=RoleOptions(inline_policies={"Read": "s3:GetObject"})),
        "an iam.PolicyDocument",
    ),
    bad(
        "OidcRole",
        "role_options.role_name",
        "deploy role",
        lambda s: oidc_role(s, role_options=RoleOptions(role_name="deploy role")),
        "an IAM role name",
    ),
    bad(
        "OidcRole",
        "role_options.description",
        5,
        lambda s: oidc_role(s, role_options=RoleOptions(description=5)),
        "a description of at most 1000",
    ),
    bad(
        "OidcRole",
        "role_options.trust_policy_quota",
        "4096",
        lambda s: oidc_role(s, role_options=RoleOptions(trust_policy_quota="4096")),
        "2048 (IAM's default)",
    ),
    bad(
        "OidcRole",
        "provider",
        "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        lambda s: oidc_role(s, provider="arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"),
        "an OidcProvider, or an iam.IOidcProvider",
    ),
    bad("OidcRole", "provider", 42, lambda s: oidc_role(s, provider=42), "an OidcProvider"),
    bad("OidcRole", "allow_any_subject", "no", lambda s: oidc_role(s, allow_any_subject="no"), "True or False"),
    bad("OidcRole", "audiences", 5, lambda s: oidc_role(s, audiences=5), "a list of audiences"),
    bad("OidcRole", "subjects", None, lambda s: oidc_role(s, subjects=None), "a list of subjects"),
    bad(
        "OidcRole",
        "conditions",
        ["repository"],
        lambda s: oidc_role(s, conditions=["repository"]),
        "a dict of claim -> value(s)",
    ),
    bad(
        "OidcRole",
        "conditions['repository']",
        7,
        lambda s: oidc_role(s, conditions={"repository": 7}),
        "a list of values",
    ),
    # --- GitHubActionsRole
    bad("GitHubActionsRole", "tags", 1, lambda s: gha(s, tags=1), "a list of tags"),
    bad(
        "GitHubActionsRole",
        "environments",
        {"prod": True},
        lambda s: gha(s, environments={"prod": True}),
        "a list of environments",
    ),
    bad("GitHubActionsRole", "pull_requests", "yes", lambda s: gha(s, pull_requests="yes"), "True or False"),
    bad(
        "GitHubActionsRole",
        "allow_repository_wildcards",
        1,
        lambda s: gha(s, allow_repository_wildcards=1),
        "True or False",
    ),
    bad("GitHubActionsRole", "enterprise_slug", 7, lambda s: gha(s, enterprise_slug=7), "the enterprise's URL slug"),
    bad("GitHubActionsRole", "audience", None, lambda s: gha(s, audience=None), "the audience the workflow requests"),
    bad(
        "GitHubActionsRole",
        "job_workflow_refs",
        5,
        lambda s: gha(s, job_workflow_refs=5),
        "a list of OWNER/REPO/.github/workflows/FILE.yml@REF",
    ),
    bad(
        "GitHubActionsRole",
        "conditions",
        "repository_id=1",
        lambda s: gha(s, conditions="repository_id=1"),
        "a dict of claim -> value(s)",
    ),
    bad(
        "GitHubActionsRole",
        "role_options.max_session_duration",
        13,
        lambda s: gha(s, role_options=RoleOptions(max_session_duration=13)),
        "a Duration",
    ),
    # --- GitHubRepository (through the role that reads it, and its own parse)
    bad(
        "GitHubRepository",
        "repositories.owner",
        1,
        lambda s: gha(s, repositories=[GitHubRepository(owner=1, name="app")]),
        "the repository owner, a string",
    ),
    bad(
        "GitHubRepository",
        "repositories.name",
        None,
        lambda s: gha(s, repositories=[GitHubRepository(owner="octo-org", name=None)]),
        "the repository name",
    ),
    bad(
        "GitHubRepository",
        "repositories.owner_id",
        "123",
        lambda s: gha(
            s, repositories=[GitHubRepository(owner="octo-org", name="app", owner_id="123", repository_id=456)]
        ),
        "a positive integer",
    ),
    bad(
        "GitHubRepository",
        "repositories",
        A_REPOSITORY_TUPLE,
        lambda s: gha(s, repositories=[A_REPOSITORY_TUPLE]),
        "'OWNER/REPO'",
    ),
    bad(
        "GitHubRepository",
        "value",
        42,
        lambda s: GitHubRepository.parse(42),
        "'OWNER/REPO'",
        where="GitHubRepository.parse",
    ),
    # --- GitLabCiRole
    bad("GitLabCiRole", "refs", 5, lambda s: gitlab(s, refs=5), "a non-empty list of ref names"),
    bad("GitLabCiRole", "host", 443, lambda s: gitlab(s, host=443), "a host name"),
    bad("GitLabCiRole", "allow_any_ref", "true", lambda s: gitlab(s, allow_any_ref="true"), "True or False"),
    bad(
        "GitLabCiRole",
        "audience",
        ["https://gitlab.com"],
        lambda s: gitlab(s, audience=["https://gitlab.com"]),
        "the audience the job requests",
    ),
    bad(
        "GitLabCiRole",
        "role_options.session_tags",
        1,
        lambda s: gitlab(s, role_options=RoleOptions(session_tags=1)),
        "True or False",
    ),
    # --- HcpTerraformRole
    bad("HcpTerraformRole", "workspaces", 7, lambda s: hcp(s, workspaces=7), "a non-empty list of workspace names"),
    bad("HcpTerraformRole", "run_phases", 5, lambda s: hcp(s, run_phases=5), "'plan' and/or 'apply'"),
    bad("HcpTerraformRole", "host", None, lambda s: hcp(s, host=None), "a host name"),
    bad("HcpTerraformRole", "allow_any_workspace", 1, lambda s: hcp(s, allow_any_workspace=1), "True or False"),
    bad("HcpTerraformRole", "organization", 5, lambda s: hcp(s, organization=5), "the literal organization name"),
    # --- EksServiceAccountRole
    bad("EksServiceAccountRole", "cluster_region", None, lambda s: eks(s, cluster_region=None), "an AWS region code"),
    bad("EksServiceAccountRole", "cluster_id", 123, lambda s: eks(s, cluster_id=123), "the 32 hexadecimal"),
    bad(
        "EksServiceAccountRole",
        "namespace",
        ["apps"],
        lambda s: eks(s, namespace=["apps"]),
        "a literal Kubernetes namespace",
    ),
    bad(
        "EksServiceAccountRole",
        "allow_any_service_account",
        "false",
        lambda s: eks(s, allow_any_service_account="false"),
        "True or False",
    ),
    bad(
        "EksServiceAccountRole",
        "service_accounts",
        3,
        lambda s: eks(s, service_accounts=3),
        "a non-empty list of Kubernetes service-account names",
    ),
    # --- OidcIssuer presets: on their own they name themselves; a role that calls one names its path
    bad(
        "OidcIssuer",
        "region",
        5,
        lambda s: OidcIssuer.eks(region=5, cluster_id=EKS_CLUSTER),
        "an AWS region code",
        where="OidcIssuer.eks",
    ),
    bad("OidcIssuer", "host", None, lambda s: OidcIssuer.gitlab(host=None), "a host name", where="OidcIssuer.gitlab"),
    bad(
        "OidcIssuer", "org_id", 5, lambda s: OidcIssuer.circleci(5), "the organization id", where="OidcIssuer.circleci"
    ),
    bad(
        "OidcIssuer",
        "workspace",
        5,
        lambda s: OidcIssuer.bitbucket(workspace=5, audience="x"),
        "the workspace slug",
        where="OidcIssuer.bitbucket",
    ),
    bad("OidcIssuer", "url", 5, lambda s: OidcIssuer.custom(5), "an https issuer URL", where="OidcIssuer.custom"),
    bad(
        "OidcIssuer",
        "required_claims",
        "aud",
        lambda s: OidcIssuer.custom("https://idp.example.com", required_claims="aud"),
        "('aud', 'sub') or ('aud',)",
        where="OidcIssuer.custom",
    ),
    bad(
        "OidcIssuer",
        "default_audience",
        5,
        lambda s: OidcIssuer.custom("https://idp.example.com", default_audience=5),
        "a non-empty string",
        where="OidcIssuer.custom",
    ),
    bad(
        "OidcIssuer",
        "audience",
        None,
        lambda s: OidcIssuer.google().with_default_audience(None),
        "a non-empty audience string",
        where="OidcIssuer.with_default_audience",
    ),
    # --- SamlProvider
    bad("SamlProvider", "metadata_file", 42, lambda s: SamlProvider(s, ID, metadata_file=42), "the path of the IdP's"),
    bad(
        "SamlProvider",
        "removal_policy",
        "RETAIN",
        lambda s: SamlProvider(s, ID, metadata_file=METADATA, removal_policy="RETAIN"),
        "a RemovalPolicy",
    ),
    bad(
        "SamlProvider",
        "expiry_warning_days",
        "30",
        lambda s: SamlProvider(s, ID, metadata_file=METADATA, expiry_warning_days="30"),
        "a whole number of days",
    ),
    bad(
        "SamlProvider",
        "name",
        5,
        lambda s: SamlProvider(s, ID, metadata_file=METADATA, name=5),
        "an IAM SAML provider name",
    ),
    bad(
        "SamlProvider.from_arn",
        "arn",
        42,
        lambda s: SamlProvider.from_arn(s, ID, 42),
        "a SAML provider ARN",
        where=STACK_PATH,
    ),
    bad(
        "SamlProvider.from_arn",
        "arn",
        "corp-idp",
        lambda s: SamlProvider.from_arn(s, ID, "corp-idp"),
        "a SAML provider ARN",
        where=STACK_PATH,
    ),
    # --- SamlRole
    bad(
        "SamlRole",
        "provider",
        "arn:aws:iam::111122223333:saml-provider/corp",
        lambda s: saml_role(s, provider="arn:aws:iam::111122223333:saml-provider/corp"),
        "a SamlProvider",
    ),
    bad("SamlRole", "sign_in", 5, lambda s: saml_role(s, sign_in=5), "a non-empty list of 'global'"),
    bad(
        "SamlRole",
        "attribute_conditions",
        ["saml:sub_type"],
        lambda s: saml_role(s, attribute_conditions=["saml:sub_type"]),
        "a dict of SAML key -> value(s)",
    ),
    bad(
        "SamlRole",
        "attribute_conditions['saml:sub_type']",
        5,
        lambda s: saml_role(s, attribute_conditions={"saml:sub_type": 5}),
        "a list of values",
    ),
    bad(
        "SamlRole",
        "role_options.managed_policies",
        READ_ONLY,
        lambda s: saml_role(s, role_options=RoleOptions(managed_policies=READ_ONLY)),
        "a list of iam.IManagedPolicy",
    ),
    bad(
        "SamlRole",
        "role_options.max_session_duration",
        8,
        lambda s: saml_role(s, role_options=RoleOptions(max_session_duration=8)),
        "a Duration",
    ),
    # --- IdentityPoolFederation
    bad(
        "IdentityPoolFederation",
        "logins",
        {"google_client_id": GOOGLE_CLIENT},
        lambda s: pool(s, logins={"google_client_id": GOOGLE_CLIENT}),
        "IdentityPoolLogins(...)",
    ),
    bad("IdentityPoolFederation", "allow_guest", "false", lambda s: pool(s, allow_guest="false"), "True or False"),
    bad("IdentityPoolFederation", "classic_flow", 0, lambda s: pool(s, classic_flow=0), "True or False"),
    bad(
        "IdentityPoolFederation",
        "max_session_duration",
        13,
        lambda s: pool(s, max_session_duration=13),
        "a Duration of 1 to 12 hours",
    ),
    bad(
        "IdentityPoolFederation",
        "max_session_duration",
        "86400 seconds",
        lambda s: pool(s, max_session_duration=Duration.days(1)),
        "1 to 12 hours",
    ),
    bad(
        "IdentityPoolFederation",
        "guest_statements",
        "s3:GetObject",
        lambda s: pool(s, allow_guest=True, guest_statements="s3:GetObject"),
        "a list of iam.PolicyStatement",
    ),
    bad(
        "IdentityPoolFederation",
        "guest_statements",
        {"Action": "s3:GetObject"},
        lambda s: pool(s, allow_guest=True, guest_statements=[{"Action": "s3:GetObject"}]),
        "iam.PolicyStatement objects",
    ),
    bad(
        "IdentityPoolFederation",
        "principal_tags",
        ["accounts.google.com"],
        lambda s: pool(s, principal_tags=["accounts.google.com"]),
        "a dict of provider name",
    ),
    bad(
        "IdentityPoolFederation",
        "principal_tags['accounts.google.com']",
        "email",
        lambda s: pool(s, principal_tags={"accounts.google.com": "email"}),
        "a dict of session tag key",
    ),
    bad(
        "IdentityPoolFederation",
        "identity_pool_name",
        5,
        lambda s: pool(s, identity_pool_name=5),
        "1-128 letters, digits",
    ),
    bad("IdentityPoolFederation", "id", 5, lambda s: pool(s).add_mapped_role(5), "a construct id"),
    bad(
        "IdentityPoolFederation", "id", "Team/Editors", lambda s: pool(s).add_mapped_role("Team/Editors"), "without '/'"
    ),
    bad(
        "IdentityPoolFederation",
        "description",
        5,
        lambda s: pool(s).add_mapped_role("Editors", description=5),
        "a description",
    ),
    # --- CognitoLogin and IdentityPoolLogins (through the pool that reads them)
    bad(
        "IdentityPoolLogins",
        "logins.cognito",
        A_CUSTOM_LOGIN,
        lambda s: logins(s, cognito=A_CUSTOM_LOGIN),
        "a list of CognitoLogin",
    ),
    bad(
        "IdentityPoolLogins",
        "logins.cognito[0]",
        f"{USER_POOL}:client123",
        lambda s: logins(s, cognito=[f"{USER_POOL}:client123"]),
        "CognitoLogin(provider_name=...",
    ),
    bad(
        "IdentityPoolLogins",
        "logins.oidc_providers",
        "arn:aws:iam::111122223333:oidc-provider/idp.example.com",
        lambda s: logins(s, oidc_providers=["arn:aws:iam::111122223333:oidc-provider/idp.example.com"]),
        "OidcProvider or iam.IOidcProvider objects",
    ),
    bad(
        "IdentityPoolLogins",
        "logins.saml_providers",
        "corp",
        lambda s: logins(s, saml_providers="corp"),
        "a list of SamlProvider",
    ),
    bad(
        "IdentityPoolLogins",
        "logins.google_client_id",
        1234567890,
        lambda s: logins(s, google_client_id=1234567890),
        "a Google OAuth client id",
    ),
    bad(
        "CognitoLogin",
        "logins.cognito[0].provider_name",
        5,
        lambda s: logins(s, cognito=[cognito_login(provider_name=5)]),
        "a non-empty string",
    ),
    bad(
        "CognitoLogin",
        "logins.cognito[0].client_id",
        None,
        lambda s: logins(s, cognito=[cognito_login(client_id=None)]),
        "a non-empty string",
    ),
    bad(
        "CognitoLogin",
        "logins.cognito[0].server_side_token_check",
        "yes",
        lambda s: logins(s, cognito=[cognito_login(server_side_token_check="yes")]),
        "True or False",
    ),
    # --- RoleMapping and MappingRule (through add_role_mapping)
    bad(
        "RoleMapping",
        "role_mappings",
        A_MAPPING_DICT,
        lambda s: mapping(s, lambda role: A_MAPPING_DICT),
        "a RoleMapping(",
    ),
    bad(
        "RoleMapping",
        "role_mappings.provider",
        5,
        lambda s: mapping(s, lambda role: RoleMapping(provider=5, type="Token")),
        "a provider of this pool",
    ),
    bad(
        "RoleMapping",
        "role_mappings.rules",
        "groups",
        lambda s: mapping(s, lambda role: RoleMapping(provider=f"{USER_POOL}:client123", type="Rules", rules="groups")),
        "a list of MappingRule",
    ),
    bad(
        "MappingRule",
        "role_mappings.rules",
        "groups",
        lambda s: mapping(s, lambda role: rules_mapping("groups")),
        "MappingRule(claim=",
    ),
    bad(
        "MappingRule",
        "role_mappings.rules.claim",
        5,
        lambda s: mapping(s, lambda role: rules_mapping(rule(role, claim=5))),
        "the claim, a string",
    ),
    bad(
        "MappingRule",
        "role_mappings.rules.role",
        "arn:aws:iam::111122223333:role/editors",
        lambda s: mapping(s, lambda role: rules_mapping(rule("arn:aws:iam::111122223333:role/editors"))),
        "a role from add_mapped_role()",
    ),
    # --- UserPrefixStorage
    bad(
        "UserPrefixStorage",
        "encryption_key",
        "alias/aws/s3",
        lambda s: UserPrefixStorage(s, ID, encryption="kms", encryption_key="alias/aws/s3"),
        "a kms.IKey",
    ),
    bad(
        "UserPrefixStorage",
        "noncurrent_version_expiration",
        90,
        lambda s: UserPrefixStorage(s, ID, noncurrent_version_expiration=90),
        "a Duration of whole days",
    ),
    bad(
        "UserPrefixStorage",
        "noncurrent_version_expiration",
        "129600 seconds",
        lambda s: UserPrefixStorage(s, ID, noncurrent_version_expiration=Duration.hours(36)),
        "a Duration of whole days",
    ),
    bad(
        "UserPrefixStorage",
        "access_logs_bucket",
        "my-logs",
        lambda s: UserPrefixStorage(s, ID, access_logs_bucket="my-logs"),
        "an s3.IBucket",
    ),
    bad(
        "UserPrefixStorage",
        "access_logs_prefix",
        5,
        lambda s: UserPrefixStorage(s, ID, access_logs_prefix=5),
        "a prefix ending with '/'",
    ),
    bad("UserPrefixStorage", "bucket_name", 5, lambda s: UserPrefixStorage(s, ID, bucket_name=5), "an S3 bucket name"),
    bad(
        "UserPrefixStorage.from_bucket_name",
        "bucket_name",
        5,
        lambda s: UserPrefixStorage.from_bucket_name(s, ID, 5),
        "an S3 bucket name",
    ),
    bad(
        "UserPrefixStorage.from_bucket_name",
        "bucket_name",
        None,
        lambda s: UserPrefixStorage.from_bucket_name(s, ID, None),
        "an S3 bucket name",
    ),
    bad(
        "UserPrefixStorage.from_bucket_name",
        "encryption_key",
        "arn:aws:kms:eu-west-1:111122223333:key/x",
        lambda s: UserPrefixStorage.from_bucket_name(
            s, ID, "legacy-data", encryption_key="arn:aws:kms:eu-west-1:111122223333:key/x"
        ),
        "a kms.IKey",
    ),
    bad(
        "UserPrefixStorage.grant_user_prefix",
        "grantee",
        "arn:aws:iam::111122223333:role/users",
        lambda s: grant(s, grantee="arn:aws:iam::111122223333:role/users"),
        "an iam.IGrantable",
    ),
    bad("UserPrefixStorage.grant_user_prefix", "actions", 5, lambda s: grant(s, actions=5), "a list such as"),
    bad(
        "UserPrefixStorage.grant_user_prefix",
        "actions",
        ["read"],
        lambda s: grant(s, actions=[["read"]]),
        "read, write and/or delete",
    ),
    bad("UserPrefixStorage.grant_user_prefix", "browse", "yes", lambda s: grant(s, browse="yes"), "True or False"),
    bad(
        "UserPrefixStorage.grant_user_prefix",
        "allow_guest_write",
        1,
        lambda s: grant(s, allow_guest_write=1),
        "True or False",
    ),
    bad(
        "UserPrefixStorage.grant_user_prefix",
        "level",
        A_LIST_OF_NAMES,
        lambda s: grant(s, level=A_LIST_OF_NAMES),
        "an AccessLevel or 'public'",
    ),
    # --- FederationBrokerRole
    bad("FederationBrokerRole", "trusted", 5, lambda s: broker(s, trusted=5), "a non-empty list of the broker"),
    bad(
        "FederationBrokerRole",
        "allow_account_root",
        "yes",
        lambda s: broker(s, allow_account_root="yes"),
        "True or False",
    ),
    bad(
        "FederationBrokerRole",
        "max_session_duration",
        13,
        lambda s: broker(s, max_session_duration=13),
        "a Duration of 1 to 12 hours",
    ),
    bad("FederationBrokerRole", "role_name", 5, lambda s: broker(s, role_name=5), "an IAM role name"),
    bad(
        "FederationBrokerRole",
        "description",
        "x" * 1001,
        lambda s: broker(s, description="x" * 1001),
        "a description of at most 1000 characters",
    ),
    bad("FederationBrokerRole", "external_id", 123456, lambda s: broker(s, external_id=123456), "2-1224 characters"),
    # --- AccessLevel: on its own it names itself; a grant names the storage's path
    bad("AccessLevel", "layout", 5, lambda s: AccessLevel.custom(5), "a prefix template", where="AccessLevel.custom"),
    bad(
        "AccessLevel",
        "layout",
        None,
        lambda s: AccessLevel.custom(None),
        "a prefix template",
        where="AccessLevel.custom",
    ),
    bad(
        "AccessLevel",
        "layout",
        "home/{id}/{id}/x/",
        lambda s: AccessLevel.custom("home/{id}/{id}/x/"),
        "a template that ends with '{id}/'",
        where="AccessLevel.custom",
    ),
    bad(
        "AccessLevel",
        "level",
        A_LIST_OF_NAMES,
        lambda s: AccessLevel.named(A_LIST_OF_NAMES),
        "public, protected",
        where="AccessLevel.named",
    ),
    bad(
        "AccessLevel",
        "layout",
        "{id}/",
        lambda s: grant(s, level="{id}/", source=IdentitySource.cognito()),
        "a root of letters",
    ),
    # --- IdentitySource: on its own it names itself; the broker names its path
    bad(
        "IdentitySource",
        "principal_tag",
        5,
        lambda s: IdentitySource.principal_tag(5),
        "a session tag key",
        where="IdentitySource.principal_tag",
    ),
    bad(
        "IdentitySource",
        "identity_source",
        5,
        lambda s: IdentitySource.variable_of(5),
        "a condition key",
        where="IdentitySource.variable_of",
    ),
    bad(
        "IdentitySource",
        "allow_caller_chosen_id",
        "yes",
        lambda s: IdentitySource.variable_of("aws:userid", allow_caller_chosen_id="yes"),
        "True or False",
        where="IdentitySource.variable_of",
    ),
    bad("IdentitySource", "user_tag", 5, lambda s: broker(s, user_tag=5), "a session tag key"),
    bad(
        "IdentitySource",
        "source",
        "saml",
        lambda s: grant(s, level="private", source="saml"),
        "IdentitySource.cognito()",
    ),
]

#: every public construct (its constructor, `from_*` and `grant_*` methods) and value object
SUBJECTS = {
    "OidcProvider",
    "OidcProvider.from_issuer",
    "OidcRole",
    "GitHubActionsRole",
    "GitLabCiRole",
    "HcpTerraformRole",
    "EksServiceAccountRole",
    "SamlProvider",
    "SamlProvider.from_arn",
    "SamlRole",
    "IdentityPoolFederation",
    "UserPrefixStorage",
    "UserPrefixStorage.from_bucket_name",
    "UserPrefixStorage.grant_user_prefix",
    "FederationBrokerRole",
    "GitHubRepository",
    "OidcIssuer",
    "CognitoLogin",
    "IdentityPoolLogins",
    "RoleMapping",
    "MappingRule",
    "AccessLevel",
    "IdentitySource",
}


@pytest.fixture(scope="module")
def app() -> App:
    return new_app()


def _stack(app: App, request: pytest.FixtureRequest) -> Stack:
    """A fresh stack for this case, named after it."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.callspec.id).strip("-")
    return Stack(app, f"Bad-{name}", env=ENV)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_federation_validation_error(app: App, request: pytest.FixtureRequest, case: Bad) -> None:
    stack = _stack(app, request)
    with pytest.raises(FederationValidationError) as caught:
        case.build(stack)
    error = caught.value
    # one clean refusal: not also a TypeError or AttributeError, not a jsii error, nothing chained
    assert not isinstance(error, (TypeError, AttributeError, RuntimeError)), type(error).__mro__
    assert type(error).__module__.startswith("federation_constructs."), type(error)
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__, repr(error.__context__)
    where = {PATH: f"{stack.node.path}/{ID}", STACK_PATH: stack.node.path}.get(case.where, case.where)
    check_refusal_message(
        str(error), f"{where}: {case.field}={case.value!r} is not accepted; expected ", (case.accepted,)
    )


def test_every_public_construct_and_value_object_has_three_bad_inputs() -> None:
    counts = Counter(param.values[0].subject for param in CASES)
    assert set(counts) == SUBJECTS
    # the `from_*` methods of the providers are extras, with fewer cases
    assert {
        s: counts[s] for s in SUBJECTS - {"OidcProvider.from_issuer", "SamlProvider.from_arn"} if counts[s] < 3
    } == {}


def test_a_bad_value_leaves_no_half_built_role_behind(app: App) -> None:
    """The options are checked before the IAM role is created: a refused role has no `Role` child."""
    stack = Stack(app, "Bad-no-half-role", env=ENV)
    with pytest.raises(FederationValidationError):
        oidc_role(stack, role_options=RoleOptions(max_session_duration=13))
    refused = stack.node.find_child(ID)
    assert refused.node.try_find_child("Role") is None
