"""Pieces every config section shares: the strict base model, construct ids, common role fields."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from federation_constructs.cdk_deploy import DEFAULT_QUALIFIER, QUALIFIER_ACCEPTED, qualifier_problem
from federation_constructs.naming import (
    POLICY_ARN_RE,
    ROLE_NAME_ACCEPTED,
    ROLE_PATH_ACCEPTED,
    role_name_problem,
    role_path_problem,
)
from federation_constructs.policy.actions import (
    INLINE_POLICIES_QUOTA,
    MANAGED_POLICIES_PER_ROLE,
    MAX_MANAGED_POLICIES_PER_ROLE,
    RESOURCE_ACCEPTED,
    action_problem,
    is_all_actions,
    policy_size,
    statement_problems,
)

__all__ = [
    "BOUNDARY_ACCEPTED",
    "CdkDeployConfig",
    "ConstructId",
    "RoleCommon",
    "RoleDefaults",
    "StatementConfig",
    "StrictModel",
    "boundary_problem",
]


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


_POLICY_NAME_RE = re.compile(r"[\w+=,.@-]{1,128}")
BOUNDARY_ACCEPTED = (
    "a managed policy ARN (e.g. 'arn:aws:iam::111122223333:policy/ci-boundary', "
    "'arn:aws:iam::aws:policy/PowerUserAccess') or the name of a customer managed policy in the "
    "deployment's account (1-128 letters, digits and + = , . @ _ -)"
)


def boundary_problem(value: str) -> str | None:
    """Why `value` cannot name a permissions boundary, or None."""
    if value.startswith("arn:"):
        return None if POLICY_ARN_RE.fullmatch(value) else BOUNDARY_ACCEPTED
    return None if _POLICY_NAME_RE.fullmatch(value) else BOUNDARY_ACCEPTED


def _check_role_name(value: str | None) -> str | None:
    if value is not None and role_name_problem(value):
        raise ValueError(f"{value!r} is not accepted; expected {ROLE_NAME_ACCEPTED}")
    return value


def _check_path(value: str | None) -> str | None:
    if value is not None and role_path_problem(value):
        raise ValueError(f"{value!r} is not accepted; expected {ROLE_PATH_ACCEPTED}")
    return value


def _check_boundary(value: str | None) -> str | None:
    if value is not None and boundary_problem(value):
        raise ValueError(f"{value!r} is not accepted; expected {BOUNDARY_ACCEPTED}")
    return value


RoleName = Annotated[str | None, AfterValidator(_check_role_name)]
RolePath = Annotated[str | None, AfterValidator(_check_path)]
Boundary = Annotated[str | None, AfterValidator(_check_boundary)]


class StatementConfig(StrictModel):
    """One inline policy statement: actions IAM knows, on resources named by ARN (or `*`)."""

    sid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,100}$", description="a statement id")
    effect: Literal["Allow", "Deny"] = "Allow"
    actions: list[str] = Field(
        min_length=1,
        max_length=100,
        description="IAM actions 'service:Action' (wildcards in the action name, e.g. 's3:Get*'); checked "
        "against IAM's service authorization data",
    )
    resources: list[str] = Field(
        min_length=1, max_length=100, description="ARNs, or '*' (AwsSolutions-IAM5 then asks for an acknowledgement)"
    )
    conditions: dict[str, dict[str, str | list[str]]] = Field(
        default_factory=dict, description="operator -> {condition key: value or values}, as in IAM"
    )

    @field_validator("actions")
    @classmethod
    def _actions(cls, value: list[str]) -> list[str]:
        for action in value:
            problem = action_problem(action)
            if problem is not None:
                raise ValueError(f"action {action!r} is not accepted; expected {problem}")
        return value

    @field_validator("resources")
    @classmethod
    def _resources(cls, value: list[str]) -> list[str]:
        for _field, resource, _accepted in statement_problems({"Resource": value}):
            raise ValueError(f"resource {resource!r} is not accepted; expected {RESOURCE_ACCEPTED}")
        return value


class CdkDeployConfig(StrictModel):
    """Let the role run `cdk deploy`: assume exactly the CDK bootstrap roles of these accounts and regions."""

    qualifier: str = Field(default=DEFAULT_QUALIFIER, description=QUALIFIER_ACCEPTED)
    accounts: list[Annotated[str, Field(pattern=r"^\d{12}$")]] | None = Field(
        default=None,
        min_length=1,
        description="12-digit account ids (quoted) the role deploys to; default: the account the role is deployed in",
    )
    regions: list[Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]] | None = Field(
        default=None, min_length=1, description="region codes; default: the deployment's region"
    )

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        if qualifier_problem(value):
            raise ValueError(f"{value!r} is not accepted; expected {QUALIFIER_ACCEPTED}")
        return value


def statements_size(statements: list[StatementConfig]) -> int:
    """The size IAM counts for the inline policy `statements` become (as the CDK renders it: one
    action or resource as a string, several as a list; whitespace not counted)."""
    if not statements:
        return 0

    def one_or_many(values: list[str]) -> str | list[str]:
        return values[0] if len(values) == 1 else values

    rendered = [
        {
            **({"Sid": s.sid} if s.sid else {}),
            "Effect": s.effect,
            "Action": one_or_many(s.actions),
            "Resource": one_or_many(s.resources),
            **({"Condition": s.conditions} if s.conditions else {}),
        }
        for s in statements
    ]
    return policy_size(
        {"PolicyName": "Permissions", "PolicyDocument": {"Statement": rendered, "Version": "2012-10-17"}}
    )


class RoleDefaults(StrictModel):
    """Defaults for every role of the deployment (a role's own field wins)."""

    name_prefix: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9+=,.@_-]{1,54}$",
        description="role names are '<name_prefix>-<role name>' (default prefix: the config's name); see "
        "docs/config.md for the scheme when that is longer than 64 characters",
    )
    path: RolePath = Field(default=None, description="every role's IAM path, e.g. '/federation/' (default '/')")
    permissions_boundary: Boundary = Field(
        default=None, description="a permissions boundary for every federated role: " + BOUNDARY_ACCEPTED
    )


def _boolean_too(schema: dict[str, Any]) -> None:
    """The schema of `cdk_deploy` also takes `true`/`false` (the shorthand the validator expands)."""
    options = schema.setdefault("anyOf", [])
    if isinstance(options, list):
        options.insert(0, {"type": "boolean"})


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
    role_name: RoleName = Field(
        default=None,
        description="the role's IAM name, known before deploy (default: '<role_defaults.name_prefix or config "
        "name>-<name>'): " + ROLE_NAME_ACCEPTED,
    )
    path: RolePath = Field(default=None, description="the role's IAM path (default: role_defaults.path, else '/')")
    managed_policies: list[str] = Field(
        default_factory=list,
        description="names of AWS managed policies to attach, e.g. 'ReadOnlyAccess' (AwsSolutions-IAM4 "
        "will ask for an acknowledgement)",
    )
    customer_managed_policies: list[Annotated[str, Field(pattern=POLICY_ARN_RE.pattern)]] = Field(
        default_factory=list,
        description="ARNs of customer managed policies to attach, e.g. 'arn:aws:iam::111122223333:policy/ci-deploy'",
    )
    managed_policy_quota: int = Field(
        default=MANAGED_POLICIES_PER_ROLE,
        ge=MANAGED_POLICIES_PER_ROLE,
        le=MAX_MANAGED_POLICIES_PER_ROLE,
        description="the account's managed-policies-per-role quota: 10 (IAM's default) up to 20 if raised",
    )
    statements: list[StatementConfig] = Field(
        default_factory=list, max_length=100, description="inline policy statements (one inline policy)"
    )
    permissions_boundary: Boundary = Field(
        default=None, description="the role's permissions boundary (default: role_defaults.permissions_boundary)"
    )
    cdk_deploy: CdkDeployConfig | None = Field(
        default=None,
        description="true (or a mapping with qualifier, accounts, regions): the role may run `cdk deploy`, "
        "assuming exactly the CDK bootstrap roles",
        json_schema_extra=_boolean_too,
    )

    @field_validator("cdk_deploy", mode="before")
    @classmethod
    def _cdk_deploy_shorthand(cls, value: object) -> object:
        """`true` is the defaults, `false` none: one model behind both, so one error per mistake."""
        if value is True:
            return CdkDeployConfig()
        if value is False:
            return None
        return value

    acknowledgements: dict[str, str] = Field(
        default_factory=dict,
        description="rule id -> reason (at least 20 characters), for rule-pack findings on this role "
        "that are accepted on purpose",
    )

    @model_validator(mode="after")
    def _permissions(self) -> RoleCommon:
        if self.role_name is not None and self.path is not None:
            problem = role_name_problem(self.role_name, self.path)
            if problem:
                raise ValueError(
                    f"role_name {self.role_name!r} is not accepted with path {self.path!r}; expected {problem}"
                )
        size = statements_size(self.statements)
        if size > INLINE_POLICIES_QUOTA:
            raise ValueError(
                f"statements: {size} characters is not accepted; expected at most {INLINE_POLICIES_QUOTA:,} characters "
                f"for the role's inline policy, whitespace not counted (IAM's quota for all inline policies of a "
                f"role): move statements into a customer managed policy (customer_managed_policies)"
            )
        count = len(self.managed_policies) + len(self.customer_managed_policies)
        if count > self.managed_policy_quota:
            raise ValueError(
                f"{count} managed policies (managed_policies and customer_managed_policies) is not accepted; "
                f"expected at most {self.managed_policy_quota} per role (IAM's quota; set managed_policy_quota "
                f"up to {MAX_MANAGED_POLICIES_PER_ROLE} where the account's was raised)"
            )
        for index, statement in enumerate(self.statements):
            for action in statement.actions:
                finding = f"AwsSolutions-IAM5[Action::{action}]"
                if (
                    is_all_actions(action)
                    and statement.effect == "Allow"
                    and not (finding in self.acknowledgements or "AwsSolutions-IAM5" in self.acknowledgements)
                ):
                    raise ValueError(
                        f"statements[{index}].actions: {action!r} (every action of every service) is not accepted "
                        f"without an acknowledgement; expected actions of named services, or acknowledgements: "
                        f"{{{finding!r}: 'why this role needs every action'}}"
                    )
        return self

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
