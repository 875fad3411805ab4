"""Federation-as-code for AWS: CDK constructs for SAML, OIDC, Cognito identity pools and per-user S3.

Import the constructs from here in any CDK app::

    from federation_constructs import GitHubActionsRole, OidcIssuer, OidcProvider

Names are loaded on first use, so importing the package (or `federation_constructs.partitions`)
does not start the jsii runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "FederatedRole": "federation_constructs.federated_role",
    "RoleOptions": "federation_constructs.federated_role",
    "FederationError": "federation_constructs.errors",
    "FederationValidationError": "federation_constructs.errors",
    "invalid": "federation_constructs.errors",
    "acknowledge": "federation_constructs.rules.acknowledge",
    "FederationChecks": "federation_constructs.rules.pack",
    "FederationReview": "federation_constructs.report.review",
    "add_federation_review": "federation_constructs.report.review",
    "EksServiceAccountRole": "federation_constructs.oidc",
    "GitHubActionsRole": "federation_constructs.oidc",
    "GitHubRepository": "federation_constructs.oidc",
    "GitLabCiRole": "federation_constructs.oidc",
    "HcpTerraformRole": "federation_constructs.oidc",
    "OidcIssuer": "federation_constructs.oidc",
    "OidcProvider": "federation_constructs.oidc",
    "OidcRole": "federation_constructs.oidc",
    "CognitoLogin": "federation_constructs.identity_pool",
    "IdentityPoolFederation": "federation_constructs.identity_pool",
    "IdentityPoolLogins": "federation_constructs.identity_pool",
    "MappingRule": "federation_constructs.identity_pool",
    "RoleMapping": "federation_constructs.identity_pool",
    "SamlProvider": "federation_constructs.saml",
    "SamlRole": "federation_constructs.saml",
    "AccessLevel": "federation_constructs.storage",
    "IdentitySource": "federation_constructs.storage",
    "UserPrefixStorage": "federation_constructs.storage",
    "FederationBrokerRole": "federation_constructs.storage",
    "default_role_name": "federation_constructs.naming",
}

# the same names as _EXPORTS, written out so type checkers see the exports (a test keeps them equal)
__all__ = [
    "AccessLevel",
    "CognitoLogin",
    "EksServiceAccountRole",
    "FederatedRole",
    "FederationBrokerRole",
    "FederationChecks",
    "FederationError",
    "FederationReview",
    "FederationValidationError",
    "GitHubActionsRole",
    "GitHubRepository",
    "GitLabCiRole",
    "HcpTerraformRole",
    "IdentityPoolFederation",
    "IdentityPoolLogins",
    "IdentitySource",
    "MappingRule",
    "OidcIssuer",
    "OidcProvider",
    "OidcRole",
    "RoleMapping",
    "RoleOptions",
    "SamlProvider",
    "SamlRole",
    "UserPrefixStorage",
    "acknowledge",
    "add_federation_review",
    "default_role_name",
    "invalid",
]

if TYPE_CHECKING:
    from federation_constructs.errors import FederationError, FederationValidationError, invalid
    from federation_constructs.federated_role import FederatedRole, RoleOptions
    from federation_constructs.identity_pool import (
        CognitoLogin,
        IdentityPoolFederation,
        IdentityPoolLogins,
        MappingRule,
        RoleMapping,
    )
    from federation_constructs.naming import default_role_name
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
    from federation_constructs.report.review import FederationReview, add_federation_review
    from federation_constructs.rules.acknowledge import acknowledge
    from federation_constructs.rules.pack import FederationChecks
    from federation_constructs.saml.provider import SamlProvider
    from federation_constructs.saml.role import SamlRole
    from federation_constructs.storage.broker_role import FederationBrokerRole
    from federation_constructs.storage.bucket import UserPrefixStorage
    from federation_constructs.storage.layout import AccessLevel, IdentitySource


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'federation_constructs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
