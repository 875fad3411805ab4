"""Who can sign in to an identity pool: Cognito user pool clients, social providers, OIDC and SAML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_cognito as cognito

from federation_constructs.errors import PresetValueError

__all__ = ["CognitoLogin", "IdentityPoolLogins", "SOCIAL_PROVIDERS"]

#: Social providers: the provider name the identity pool uses, and the client id format.
SOCIAL_PROVIDERS: dict[str, tuple[str, re.Pattern[str], str]] = {
    "google_client_id": (
        "accounts.google.com",
        re.compile(r"[0-9]+-[0-9a-z]+\.apps\.googleusercontent\.com"),
        "a Google OAuth client id: DIGITS-ID.apps.googleusercontent.com",
    ),
    "facebook_app_id": ("graph.facebook.com", re.compile(r"[0-9]{5,20}"), "a Facebook app id: 5-20 digits"),
    "amazon_client_id": (
        "www.amazon.com",
        re.compile(r"amzn1\.application-oa2-client\.[0-9a-f]{32}"),
        "a Login with Amazon client id: amzn1.application-oa2-client.<32 hex>",
    ),
    "apple_services_id": (
        "appleid.apple.com",
        re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"),
        "a Sign in with Apple Services ID or bundle id in reverse-DNS form, e.g. com.example.app",
    ),
}


@dataclass(frozen=True, kw_only=True)
class CognitoLogin:
    """A Cognito user pool app client whose users can sign in to the pool."""

    #: e.g. `cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123` (`UserPool.user_pool_provider_name`)
    provider_name: str
    client_id: str
    #: Cognito checks with the user pool that the user's token was not revoked.
    server_side_token_check: bool = True

    @classmethod
    def from_user_pool(
        cls, user_pool: cognito.IUserPool, client: cognito.IUserPoolClient, *, server_side_token_check: bool = True
    ) -> CognitoLogin:
        """A client of a user pool created in (or imported into) the app."""
        return cls(
            provider_name=user_pool.user_pool_provider_name,
            client_id=client.user_pool_client_id,
            server_side_token_check=server_side_token_check,
        )

    @property
    def mapping_key(self) -> str:
        """The identity provider name a role mapping uses: `<provider name>:<client id>`."""
        return f"{self.provider_name}:{self.client_id}"


@dataclass(frozen=True, kw_only=True)
class IdentityPoolLogins:
    """The identity providers of a pool. An empty set with guests off is a pool no one can use."""

    cognito: Sequence[CognitoLogin] = ()
    google_client_id: str | None = None
    facebook_app_id: str | None = None
    amazon_client_id: str | None = None
    apple_services_id: str | None = None
    oidc_providers: Sequence[Any] = field(default_factory=tuple)
    saml_providers: Sequence[Any] = field(default_factory=tuple)

    def social(self) -> dict[str, str]:
        """`SupportedLoginProviders`: provider name -> client id, for the social providers given."""
        return {
            SOCIAL_PROVIDERS[attr][0]: getattr(self, attr)
            for attr in SOCIAL_PROVIDERS
            if getattr(self, attr) is not None
        }

    def provider_names(self) -> set[str]:
        """Every provider name a role mapping or principal tag may refer to."""
        return {c.mapping_key for c in self.cognito} | set(self.social())

    def is_empty(self) -> bool:
        return not (self.cognito or self.social() or self.oidc_providers or self.saml_providers)

    @staticmethod
    def arn_of(provider: Any) -> str:
        """The ARN of an OIDC or SAML provider (this toolkit's construct or an imported one)."""
        for attr in ("oidc_provider_arn", "saml_provider_arn"):
            value = getattr(provider, attr, None)
            if isinstance(value, str):
                return value
        raise PresetValueError(
            "IdentityPoolLogins.arn_of",
            "provider",
            provider,
            "an OIDC or SAML provider (with an oidc_provider_arn or saml_provider_arn)",
        )
