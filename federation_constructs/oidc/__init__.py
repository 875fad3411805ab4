"""OIDC federation: identity providers, issuer presets and claim-scoped roles."""

from federation_constructs.federated_role import DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA, RoleOptions
from federation_constructs.oidc.github import GitHubActionsRole, GitHubRepository
from federation_constructs.oidc.issuers import OidcIssuer
from federation_constructs.oidc.presets import EksServiceAccountRole, GitLabCiRole, HcpTerraformRole
from federation_constructs.oidc.provider import OidcProvider
from federation_constructs.oidc.role import OidcRole

__all__ = [
    "DEFAULT_TRUST_POLICY_QUOTA",
    "MAX_TRUST_POLICY_QUOTA",
    "EksServiceAccountRole",
    "GitHubActionsRole",
    "GitHubRepository",
    "GitLabCiRole",
    "HcpTerraformRole",
    "OidcIssuer",
    "OidcProvider",
    "OidcRole",
    "RoleOptions",
]
