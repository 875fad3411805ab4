"""The `identity_pool` section of the config: one Cognito identity pool, its providers and roles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from stacks.config_common import MAX_ACKNOWLEDGEMENTS, MAX_PROVIDERS, ConstructId, LocatedError, StrictModel, at_most

__all__ = ["IdentityPoolSection"]

#: Provider aliases the config uses in role mappings and principal tags.
PROVIDER_ALIASES = ("cognito", "google", "facebook", "amazon", "apple")


class CreatedUserPool(StrictModel):
    """A user pool and one app client created in this stack, with secure settings."""

    self_sign_up: bool = Field(default=True, description="users may sign themselves up")
    mfa: Literal["required", "optional"] = Field(default="required", description="multi-factor sign-in (TOTP)")
    threat_protection: bool = Field(
        default=True,
        description="the Plus feature plan with threat protection enforced (billed per active user); "
        "false needs an acknowledgement of AwsSolutions-COG8 with a reason",
    )


class ExistingUserPool(StrictModel):
    """An existing user pool app client."""

    user_pool_id: str = Field(pattern=r"^[A-Za-z0-9_-]+_[0-9a-zA-Z]+$", description="e.g. 'eu-west-1_AbCdEf123'")
    client_id: str = Field(pattern=r"^[A-Za-z0-9_+]+$", description="the app client id")


class UserPoolConfig(StrictModel):
    """The Cognito user pool whose users sign in: created here, or an existing one's app client."""

    create: CreatedUserPool | None = None
    existing: ExistingUserPool | None = None

    @model_validator(mode="after")
    def _one(self) -> UserPoolConfig:
        if (self.create is None) == (self.existing is None):
            raise ValueError("identity_pool.user_pool needs exactly one of create or existing")
        return self


class GuestStatement(StrictModel):
    """One Allow statement of the guest role."""

    actions: list[str] = Field(min_length=1, max_length=100, description="IAM actions (at most 100)")
    resources: list[str] = Field(min_length=1, max_length=100, description="ARNs (at most 100)")


class MappingRuleConfig(StrictModel):
    """Users whose token claim matches get a mapped role."""

    claim: str
    match_type: Literal["Equals", "Contains", "StartsWith", "NotEqual"]
    value: str
    role: ConstructId = Field(description="a name from mapped_roles")


class RoleMappingConfig(StrictModel):
    """How users of one provider get their role."""

    provider: Literal["cognito", "google", "facebook", "amazon", "apple"]
    type: Literal["Token", "Rules"]
    rules: list[MappingRuleConfig] = Field(default_factory=list, max_length=25)
    ambiguous: Literal["Deny", "AuthenticatedRole"] = "Deny"


class IdentityPoolSection(StrictModel):
    """A Cognito identity pool with signed-in (and, on request, guest) roles."""

    name: ConstructId = Field(default="IdentityPool", description="the construct id of the pool")
    user_pool: UserPoolConfig | None = None
    google_client_id: str | None = None
    facebook_app_id: str | None = None
    amazon_client_id: str | None = None
    apple_services_id: str | None = None
    oidc_providers: list[ConstructId] = Field(
        default_factory=list, max_length=MAX_PROVIDERS, description="ids from oidc.providers"
    )
    saml_providers: list[ConstructId] = Field(
        default_factory=list, max_length=MAX_PROVIDERS, description="ids from saml.providers"
    )
    allow_guest: bool = Field(default=False, description="let guests (not signed in) get the guest role")
    guest_policy: list[GuestStatement] = Field(
        default_factory=list,
        max_length=100,
        description="the guest role's permissions (at most 100 statements: one inline policy of at most 10,240 "
        "characters)",
    )
    allow_guest_write: bool = False
    allow_guest_wildcards: bool = False
    classic_flow: bool = False
    allow_classic_flow: bool = False
    mapped_roles: list[ConstructId] = Field(
        default_factory=list,
        max_length=250,
        description="extra roles for role mappings (at most 250: Cognito takes 10 role mappings of 25 rules each)",
    )
    role_mappings: list[RoleMappingConfig] = Field(
        default_factory=list, max_length=10, description="at most 10 (Cognito's limit per identity pool)"
    )
    principal_tags: dict[
        Literal["cognito", "google", "facebook", "amazon", "apple"],
        Annotated[dict[str, str], at_most(50, "principal tags per provider (Cognito's limit)")],
    ] = Field(
        default_factory=dict,
        description="provider -> {session tag: token claim} (ABAC; at most 50 tags per provider, Cognito's limit)",
    )
    max_session_hours: int = Field(default=1, ge=1, le=12)
    acknowledgements: Annotated[dict[str, str], at_most(MAX_ACKNOWLEDGEMENTS, "acknowledgements")] = Field(
        default_factory=dict, description="rule id -> reason, for findings on the pool's constructs"
    )

    @model_validator(mode="after")
    def _references(self) -> IdentityPoolSection:
        given = {
            "cognito": self.user_pool is not None,
            "google": self.google_client_id is not None,
            "facebook": self.facebook_app_id is not None,
            "amazon": self.amazon_client_id is not None,
            "apple": self.apple_services_id is not None,
        }
        configured = ", ".join(k for k, v in given.items() if v) or "none"
        for index, mapping in enumerate(self.role_mappings):
            if not given[mapping.provider]:
                raise LocatedError(
                    ("role_mappings", index, "provider"),
                    f"{mapping.provider!r} is not a provider of this pool; configured: {configured}",
                )
            for number, rule in enumerate(mapping.rules):
                if rule.role not in self.mapped_roles:
                    raise LocatedError(
                        ("role_mappings", index, "rules", number, "role"),
                        f"{rule.role!r} is not in mapped_roles ({', '.join(self.mapped_roles) or 'none'})",
                    )
        for provider in self.principal_tags:
            if not given[provider]:
                raise LocatedError(
                    ("principal_tags", provider),
                    f"{provider!r} is not a provider of this pool; configured: {configured}",
                )
        return self
