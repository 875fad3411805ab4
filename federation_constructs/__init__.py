"""Federation-as-code for AWS: CDK constructs for SAML, OIDC, Cognito identity pools and per-user S3.

Import the constructs from here in any CDK app::

    from federation_constructs import GitHubActionsRole, OidcIssuer, OidcProvider
"""

from federation_constructs.errors import FederationError, FederationValidationError, invalid
from federation_constructs.nag import acknowledge
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

__all__ = [
    "EksServiceAccountRole",
    "FederationError",
    "FederationValidationError",
    "GitHubActionsRole",
    "GitHubRepository",
    "GitLabCiRole",
    "HcpTerraformRole",
    "OidcIssuer",
    "OidcProvider",
    "OidcRole",
    "acknowledge",
    "invalid",
]

__version__ = "0.1.0"
