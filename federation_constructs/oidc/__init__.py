"""OIDC federation: identity providers, issuer presets and claim-scoped roles.

`issuers` is plain Python (no CDK), so the rules and `federation-lint` read the issuer presets
without starting jsii; the constructs are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from federation_constructs.oidc.issuers import OidcIssuer

_LAZY = {
    "DEFAULT_TRUST_POLICY_QUOTA": "federation_constructs.federated_role",
    "MAX_TRUST_POLICY_QUOTA": "federation_constructs.federated_role",
    "RoleOptions": "federation_constructs.federated_role",
    "GitHubActionsRole": "federation_constructs.oidc.github",
    "GitHubRepository": "federation_constructs.oidc.github",
    "EksServiceAccountRole": "federation_constructs.oidc.presets",
    "GitLabCiRole": "federation_constructs.oidc.presets",
    "HcpTerraformRole": "federation_constructs.oidc.presets",
    "OidcProvider": "federation_constructs.oidc.provider",
    "OidcRole": "federation_constructs.oidc.role",
}

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

if TYPE_CHECKING:
    from federation_constructs.federated_role import DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA, RoleOptions
    from federation_constructs.oidc.github import GitHubActionsRole, GitHubRepository
    from federation_constructs.oidc.presets import EksServiceAccountRole, GitLabCiRole, HcpTerraformRole
    from federation_constructs.oidc.provider import OidcProvider
    from federation_constructs.oidc.role import OidcRole


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'federation_constructs.oidc' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
