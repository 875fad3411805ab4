"""Cognito identity pool federation: guest and signed-in roles that trust exactly one pool."""

from federation_constructs.identity_pool.federation import (
    COGNITO_IDENTITY,
    IdentityPoolFederation,
    MappingRule,
    RoleMapping,
    guest_statement_problem,
)
from federation_constructs.identity_pool.logins import SOCIAL_PROVIDERS, CognitoLogin, IdentityPoolLogins

__all__ = [
    "COGNITO_IDENTITY",
    "SOCIAL_PROVIDERS",
    "CognitoLogin",
    "IdentityPoolFederation",
    "IdentityPoolLogins",
    "MappingRule",
    "RoleMapping",
    "guest_statement_problem",
]
