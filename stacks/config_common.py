"""Pieces every config section shares: the strict base model, construct ids, common role fields."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = ["ConstructId", "RoleCommon", "StrictModel"]


def _not_default(value: str) -> str:
    if value == "Default":
        raise ValueError(
            "'Default' is not accepted; expected another id: the CDK gives the id 'Default' a "
            "special meaning (its children's logical ids lose the prefix)"
        )
    return value


ConstructId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9]{0,63}$",
        description="a construct id: a letter, then letters and digits (at most 64), not 'Default'; it names "
        "the resource in the template, so renaming it replaces the resource",
    ),
    AfterValidator(_not_default),
]

_RULE_ID_RE = re.compile(r"([A-Za-z0-9]+::)?[A-Za-z0-9]+-[A-Za-z0-9.]+(\[[^\]]+\])?")


class StrictModel(BaseModel):
    """Unknown keys refused; no type coercion (YAML's `yes` or `2024` never silently change type)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RoleCommon(StrictModel):
    """Fields of every role entry."""

    name: ConstructId
    description: str | None = Field(default=None, max_length=1000, description="the role's description")
    max_session_hours: int = Field(default=1, ge=1, le=12, description="1-12 hours")
    session_tags: bool = Field(default=False, description="also allow sts:TagSession")
    trust_policy_quota: int = Field(
        default=2048,
        ge=2048,
        le=4096,
        description="the account's trust-policy quota: 2048 (IAM's default) up to 4096 if raised",
    )
    managed_policies: list[str] = Field(
        default_factory=list,
        description="names of AWS managed policies to attach, e.g. 'ReadOnlyAccess' (AwsSolutions-IAM4 "
        "will ask for an acknowledgement)",
    )
    acknowledgements: dict[str, str] = Field(
        default_factory=dict,
        description="rule id -> reason (at least 20 characters), for rule-pack findings on this role "
        "that are accepted on purpose",
    )

    @field_validator("acknowledgements")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        for rule_id, reason in value.items():
            if not _RULE_ID_RE.fullmatch(rule_id) or len(reason.strip()) < 20:
                raise ValueError(
                    f"acknowledgements[{rule_id!r}] needs a rule id such as 'AwsSolutions-IAM4' "
                    f"and a reason of at least 20 characters that says why the finding is accepted"
                )
        return value
