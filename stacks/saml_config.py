"""The `saml` section of the config: SAML identity providers and the workforce roles they sign users into."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from stacks.config_common import (
    MAX_PROVIDERS,
    MAX_ROLES,
    MAX_TRUST_VALUES,
    TRUST_VALUES_BOUND,
    ConstructId,
    LocatedError,
    RoleCommon,
    StrictModel,
    at_most,
    check_unique_ids,
)

__all__ = ["SamlProviderConfig", "SamlRoleConfig", "SamlSection"]


class SamlProviderConfig(StrictModel):
    """A SAML IdP: its metadata file (a new provider), or an existing provider by name or ARN."""

    id: ConstructId
    metadata: str | None = Field(
        default=None, description="path of the IdP's metadata XML, relative to this config file"
    )
    name: str | None = Field(default=None, description="the provider's IAM name (default: generated)")
    existing_name: str | None = Field(default=None, description="an existing provider in the account, by name")
    existing_arn: str | None = Field(default=None, description="an existing provider, by ARN")
    assertion_encryption: Literal["Allowed", "Required"] | None = Field(
        default=None, description="IAM's AssertionEncryptionMode for a new provider"
    )
    expiry_warning_days: int = Field(
        default=30, ge=0, le=3650, description="warn when a signing certificate expires within this many days"
    )

    @field_validator("metadata")
    @classmethod
    def _relative_to_config(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("config_dir")
        if value is None or base is None or Path(value).is_absolute():
            return value
        return str(Path(base) / value)

    @model_validator(mode="after")
    def _one_source(self) -> SamlProviderConfig:
        given = [k for k in ("metadata", "existing_name", "existing_arn") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"saml provider {self.id!r} needs exactly one of metadata (a new provider), "
                f"existing_name or existing_arn; got {', '.join(given) or 'none'}"
            )
        if given[0] != "metadata" and (self.name or self.assertion_encryption):
            raise ValueError(
                f"saml provider {self.id!r}: name and assertion_encryption apply only to a new provider (with metadata)"
            )
        return self


class SamlRoleConfig(RoleCommon):
    """A workforce role the IdP's users assume from the console or the CLI."""

    provider: ConstructId = Field(description="the id of a provider in saml.providers")
    sign_in: list[str] = Field(
        default_factory=lambda: ["global"],
        min_length=1,
        max_length=100,
        description="sign-in endpoints the IdP posts to: 'global', 'regional' (the stack's region) or "
        "region codes such as 'eu-west-1' (at most 100: AWS has fewer regions)",
    )
    attribute_conditions: Annotated[
        dict[str, Annotated[list[str], Field(max_length=MAX_TRUST_VALUES, fail_fast=True)]],
        at_most(MAX_TRUST_VALUES, "SAML keys (each takes at least 4 characters of a trust policy)"),
    ] = Field(
        default_factory=dict,
        description="SAML keys IAM evaluates -> accepted values, e.g. {'saml:sub_type': ['persistent']} "
        f"({TRUST_VALUES_BOUND})",
    )


class SamlSection(StrictModel):
    """SAML 2.0 identity providers and workforce roles."""

    providers: list[SamlProviderConfig] = Field(
        default_factory=list,
        max_length=MAX_PROVIDERS,
        description=f"SAML identity providers (at most {MAX_PROVIDERS}: IAM's quota per account)",
    )
    roles: list[SamlRoleConfig] = Field(
        default_factory=list,
        max_length=MAX_ROLES,
        description=f"workforce roles (at most {MAX_ROLES:,}: IAM's highest quota of roles per account)",
    )

    @model_validator(mode="after")
    def _references(self) -> SamlSection:
        ids = check_unique_ids("saml", self.providers, self.roles)
        for index, role in enumerate(self.roles):
            if role.provider not in ids:
                raise LocatedError(
                    ("roles", index, "provider"),
                    f"provider {role.provider!r} of role {role.name!r} is not declared or imported; declared "
                    f"providers: {', '.join(ids) or 'none'}",
                )
        return self
