"""The `storage` section of the config: one user-data bucket, per-user grants, an optional broker."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from stacks.config_common import MAX_TRUST_SUBJECTS, ConstructId, LocatedError, StrictModel, at_most

__all__ = ["BrokerConfig", "GrantConfig", "StorageSection"]

CAPABILITIES = ("read", "write", "delete")
LEVELS_ACCEPTED = "'public', 'protected', 'private' or a template such as 'home/{id}/'"
_LEVEL_RE = re.compile(r"public|protected|private|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/\{id\}/")


class PrincipalTagSource(StrictModel):
    """The user id is a session tag (set by the IdP, the identity pool's principal tags, or the broker)."""

    principal_tag: str = Field(
        # `+` and max_length rather than {1,128}: a counted Unicode class costs pydantic-core ~38 ms to build.
        pattern=r"^[\w.:/=+\-@]+$",
        max_length=128,
        description="the tag key, e.g. 'user'",
    )


SOURCE_ACCEPTED = (
    "'cognito', 'saml' or {principal_tag: KEY} (KEY: 1-128 letters, digits and _.:/=+-@, not starting with 'aws:')"
)
_TAG_KEY_RE = re.compile(r"[\w.:/=+\-@]{1,128}", re.ASCII)


def _check_source(value: object) -> object:
    """One clear message for any bad source (instead of one per member of the union)."""
    if value is None or value in ("cognito", "saml") or isinstance(value, PrincipalTagSource):
        return value
    if isinstance(value, dict) and set(value) == {"principal_tag"}:
        key = value["principal_tag"]
        if isinstance(key, str) and _TAG_KEY_RE.fullmatch(key) and not key.lower().startswith("aws:"):
            return PrincipalTagSource(principal_tag=key)
    raise ValueError(f"source {value!r} is not accepted; expected {SOURCE_ACCEPTED}")


GrantSource = Annotated[Literal["cognito", "saml"] | PrincipalTagSource | None, BeforeValidator(_check_source)]


class GrantConfig(StrictModel):
    """Per-user folders for one role."""

    role: str = Field(
        description="a role of this config: an oidc or saml role name, the broker id, or "
        "'<identity pool name>/authenticated', '<identity pool name>/guest', "
        "'<identity pool name>/<mapped role>'"
    )
    source: GrantSource = Field(
        default=None,
        description="where the user id comes from: 'cognito' (identity id), 'saml' "
        "(namequalifier/sub, persistent ids only) or {principal_tag: KEY}; not "
        "needed when every level is public",
    )
    levels: Annotated[
        dict[str, Annotated[list[Literal["read", "write", "delete"]], Field(fail_fast=True)]],
        at_most(100, "levels (each adds statements to the role's inline policy)"),
    ] = Field(
        min_length=1,
        max_length=100,
        description=f"level -> capabilities; levels are {LEVELS_ACCEPTED} (at most 100: each adds statements to "
        f"the role's inline policy, which IAM limits to 10,240 characters)",
    )
    browse: bool = Field(
        default=False,
        description="also list the bucket root and level roots one level deep "
        "(s3:delimiter '/'), as the S3 console does",
    )
    allow_guest_write: bool = Field(default=False, description="let identity-pool guests write to public/")

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for level, capabilities in value.items():
            if not _LEVEL_RE.fullmatch(level):
                raise ValueError(
                    f"level {level!r} is not accepted; expected {LEVELS_ACCEPTED} (the user segment "
                    f"'{{id}}' last and followed by '/', no wildcards)"
                )
            if not capabilities:
                raise ValueError(f"level {level!r} has no capabilities; expected a list of {', '.join(CAPABILITIES)}")
        return value


class BrokerConfig(StrictModel):
    """A `FederationBrokerRole` that the named broker service assumes for one user at a time."""

    id: ConstructId
    trusted: list[str] = Field(
        min_length=1,
        max_length=MAX_TRUST_SUBJECTS,
        description=f"the broker service's IAM role (or user) ARNs (at most {MAX_TRUST_SUBJECTS}: each takes more "
        f"than 13 characters of the trust policy, which holds at most 4,096)",
    )
    user_tag: str = Field(
        default="user",
        pattern=r"^[\w.:/=+\-@]+$",
        max_length=128,
        description="the session tag key that carries the user id",
    )
    external_id: str | None = Field(default=None, description="an external id the broker must send")
    allow_account_root: bool = Field(default=False, description="accept a whole account in trusted")
    max_session_hours: int = Field(default=1, ge=1, le=12, description="1-12 hours (1 for a broker running as a role)")


class StorageSection(StrictModel):
    """One user-data bucket: secure by default, each user reaching only their own folder."""

    id: ConstructId = Field(default="UserData", description="construct id of the bucket and its grants")
    encryption: Literal["s3", "kms"] = Field(default="s3", description="SSE-S3 (default) or a KMS key created here")
    bucket_name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="a fixed bucket name; default a generated one",
    )
    noncurrent_version_days: int | None = Field(
        default=90, ge=1, description="days to keep overwritten versions (null: keep forever)"
    )
    broker: BrokerConfig | None = Field(default=None, description="a federation broker role")
    grants: list[GrantConfig] = Field(
        default_factory=list,
        max_length=450,
        description="per-user folders per role (at most 450: each granted role is placed in the bucket's stack, "
        "which holds at most 450 resources)",
    )

    @model_validator(mode="after")
    def _grants_once(self) -> StorageSection:
        seen: dict[str, int] = {}
        for index, grant in enumerate(self.grants):
            if grant.role in seen:
                raise LocatedError(
                    ("grants", index, "role"),
                    f"storage.grants names role {grant.role!r} twice; expected one entry per role with all its "
                    f"levels (the first is storage.grants[{seen[grant.role]}])",
                )
            seen[grant.role] = index
        return self
