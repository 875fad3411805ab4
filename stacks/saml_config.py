"""The `saml` section of the config: SAML identity providers and the workforce roles they sign users into."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from stacks.config_common import ConstructId, RoleCommon, StrictModel

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
        description="sign-in endpoints the IdP posts to: 'global', 'regional' (the stack's region) or "
        "region codes such as 'eu-west-1'",
    )
    attribute_conditions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="SAML keys IAM evaluates -> accepted values, e.g. {'saml:sub_type': ['persistent']}",
    )


class SamlSection(StrictModel):
    """SAML 2.0 identity providers and workforce roles."""

    providers: list[SamlProviderConfig] = Field(default_factory=list)
    roles: list[SamlRoleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> SamlSection:
        ids = [p.id for p in self.providers]
        if len(set(ids)) != len(ids):
            raise ValueError("saml.providers: each id must be unique")
        names = [r.name for r in self.roles]
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"saml.roles: role name {duplicate!r} is used twice; each name must be unique")
        for index, role in enumerate(self.roles):
            if role.provider not in ids:
                raise ValueError(
                    f"saml.roles[{index}] ({role.name}): provider {role.provider!r} is not declared "
                    f"or imported; declared providers: {', '.join(ids) or 'none'}"
                )
        return self
