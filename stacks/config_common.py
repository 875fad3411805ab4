"""Pieces every config section shares: the strict base model, construct ids, common role fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

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
from federation_constructs.policy.managed import (
    aws_managed_policy_arn_problem,
    aws_managed_policy_name,
    aws_managed_policy_problem,
)

__all__ = [
    "BOUNDARY_ACCEPTED",
    "MAX_PROVIDERS",
    "MAX_ROLES",
    "MAX_TRUST_SUBJECTS",
    "MAX_TRUST_VALUES",
    "TRUST_POLICY_MAX_CHARACTERS",
    "TRUST_SUBJECTS_BOUND",
    "TRUST_VALUES_BOUND",
    "CdkDeployConfig",
    "ConstructId",
    "LocatedError",
    "MAX_ACKNOWLEDGEMENTS",
    "NOT_CHECKED",
    "RoleCommon",
    "RoleDefaults",
    "StatementConfig",
    "StrictModel",
    "at_most",
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
    """Unknown keys refused; no type coercion (YAML's `yes` or `2024` never silently change type).

    With `{"errors_left": N}` in the validation context (as `load_config` passes), a model whose validation
    starts after N errors were found is not checked but refused with one `not_checked` error, so a file with
    thousands of broken entries costs no more than N of them."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _error_budget(cls, value: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        context = info.context
        if not isinstance(context, dict) or "errors_left" not in context:
            return handler(value)
        if context["errors_left"] <= 0:
            raise PydanticCustomError(NOT_CHECKED, "not checked: the file has too many problems already")
        counted: list[int] = context.setdefault("_counted", [])  # errors counted inside each open model
        counted.append(0)
        found = 0
        try:
            return handler(value)
        except ValidationError as exc:
            found = exc.error_count()
            if isinstance(value, dict):  # a mapping refused (not a member of a union tried on other input)
                context["errors_left"] -= found - counted[-1]
            raise
        finally:
            counted.pop()
            if counted:
                counted[-1] += found


#: the error type of a model left unchecked once the file had too many problems
NOT_CHECKED = "not_checked"


def at_most(limit: int, what: str, *, count: Callable[[dict[Any, Any]], int] = len) -> Any:
    """A bound on a mapping's size checked before its entries are (pydantic counts a mapping's entries only
    after validating each of them: a huge one would be thousands of errors)."""

    def check(value: object) -> object:
        if isinstance(value, dict) and (size := count(value)) > limit:
            raise ValueError(f"{size:,} entries are too many; expected at most {limit:,} {what}")
        return value

    return BeforeValidator(check)


class LocatedError(ValueError):
    """A model validator's refusal of one value below the model: `loc` is the path from the model to that
    value (keys and list indexes, as in the file), so the message can name its key and its line; `str()`
    says what is wrong without repeating the path."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def check_unique_ids(section: str, providers: Sequence[Any], roles: Sequence[Any]) -> dict[str, int]:
    """Refuse a provider id or a role name given twice in section `section` (`oidc`, `saml`), at the
    second one's place; return the provider ids with their indexes."""
    ids: dict[str, int] = {}
    for index, provider in enumerate(providers):
        if provider.id in ids:
            raise LocatedError(
                ("providers", index, "id"),
                f"{provider.id!r} is already the id of {section}.providers[{ids[provider.id]}]; expected each id once",
            )
        ids[provider.id] = index
    names: dict[str, int] = {}
    for index, role in enumerate(roles):
        if role.name in names:
            raise LocatedError(
                ("roles", index, "name"),
                f"role name {role.name!r} is used twice (first by {section}.roles[{names[role.name]}]); "
                f"each name must be unique",
            )
        names[role.name] = index
    return ids


# --- list bounds: no list may be longer than what AWS could ever deploy -------------------------
# They keep a hostile or generated config from costing minutes before it is refused; each is far above
# what a real config holds, and the AWS quota behind it is named in the field's description.

#: IAM's largest trust-policy quota (characters, whitespace not counted; 2,048 unless raised)
TRUST_POLICY_MAX_CHARACTERS = 4096
#: a trust policy writes each condition value as at least `"x",` (4 characters)
MAX_TRUST_VALUES = TRUST_POLICY_MAX_CHARACTERS // 4
#: each repository, project, workspace, service account, branch, tag, ref or environment becomes at least
#: one subject of at least 10 characters (`repo:a/b:*`) plus its quotes and comma
MAX_TRUST_SUBJECTS = TRUST_POLICY_MAX_CHARACTERS // 13
#: IAM's quota of roles per account at its highest (1,000 unless raised); every role of a config is
#: deployed to each of its accounts
MAX_ROLES = 5000
#: IAM's quota of OIDC providers per account, and of SAML providers per account
MAX_PROVIDERS = 100

TRUST_SUBJECTS_BOUND = (
    f"at most {MAX_TRUST_SUBJECTS}: each becomes a subject of at least 13 characters, and a trust policy holds "
    f"at most {TRUST_POLICY_MAX_CHARACTERS:,} characters"
)
TRUST_VALUES_BOUND = (
    f"at most {MAX_TRUST_VALUES:,}: each takes at least 4 characters of a trust policy, which holds at most "
    f"{TRUST_POLICY_MAX_CHARACTERS:,}"
)


_POLICY_NAME_RE = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
BOUNDARY_ACCEPTED = (
    "a managed policy ARN (e.g. 'arn:aws:iam::111122223333:policy/ci-boundary', "
    "'arn:aws:iam::aws:policy/PowerUserAccess') or the name of a customer managed policy in the "
    "deployment's account (1-128 letters, digits and + = , . @ _ -)"
)


def boundary_problem(value: str) -> str | None:
    """Why `value` cannot name a permissions boundary, or None. An AWS managed policy's ARN must
    name a policy of the shipped list (`federation_constructs.policy.managed`)."""
    if value.startswith("arn:"):
        if not POLICY_ARN_RE.fullmatch(value):
            return BOUNDARY_ACCEPTED
        name = aws_managed_policy_name(value)
        if name is None:
            return None
        return aws_managed_policy_problem(
            name,
            prefix=_AWS_POLICY_ARN,
            attached=False,
            newer="a boundary newer than the list needs a refreshed list: scripts/refresh_managed_policies.py",
        )
    return None if _POLICY_NAME_RE.fullmatch(value) else BOUNDARY_ACCEPTED


_AWS_POLICY_ARN = "arn:aws:iam::aws:policy/"


def _check_aws_managed(value: str) -> str:
    """An entry of `managed_policies`: a listed AWS managed policy's name (with its path)."""
    problem = aws_managed_policy_problem(
        value, newer=f"a policy newer than the list: its full ARN '{_AWS_POLICY_ARN}...' in customer_managed_policies"
    )
    if problem:
        raise ValueError(f"{value!r} is not accepted; expected {problem}")
    return value


def _check_policy_arn(value: str) -> str:
    """An entry of `customer_managed_policies`: an AWS managed policy's ARN is taken as written (the
    escape hatch for a policy newer than the list) unless it can never be attached."""
    if not POLICY_ARN_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not accepted; expected a policy ARN such as 'arn:aws:iam::111122223333:policy/ci-deploy'"
        )
    name = aws_managed_policy_name(value)
    problem = aws_managed_policy_arn_problem(name, prefix=_AWS_POLICY_ARN) if name is not None else None
    if problem:
        raise ValueError(f"{value!r} is not accepted; expected {problem}")
    return value


def _check_role_name(value: str | None) -> str | None:
    if value is not None and role_name_problem(value):
        raise ValueError(f"{value!r} is not accepted; expected {ROLE_NAME_ACCEPTED}")
    return value


def _check_path(value: str | None) -> str | None:
    if value is not None and role_path_problem(value):
        raise ValueError(f"{value!r} is not accepted; expected {ROLE_PATH_ACCEPTED}")
    return value


def _check_boundary(value: str | None) -> str | None:
    problem = boundary_problem(value) if value is not None else None
    if problem:
        raise ValueError(f"{value!r} is not accepted; expected {problem}")
    return value


RoleName = Annotated[str | None, AfterValidator(_check_role_name)]
RolePath = Annotated[str | None, AfterValidator(_check_path)]
Boundary = Annotated[str | None, AfterValidator(_check_boundary)]


#: condition keys in one statement, and values of one key: each takes at least 8 (`"k":"v",`) and 4 (`"v",`)
#: characters of the role's inline policies, which IAM limits to 10,240
MAX_CONDITION_ENTRIES = INLINE_POLICIES_QUOTA // 8
MAX_CONDITION_VALUES = INLINE_POLICIES_QUOTA // 4
#: acknowledgements of one role or pool: far more than its findings could ever be
MAX_ACKNOWLEDGEMENTS = 1000

ConditionValues = Annotated[list[str], Field(max_length=MAX_CONDITION_VALUES, fail_fast=True)]


def _condition_entries(conditions: dict[Any, Any]) -> int:
    return sum(len(keys) if isinstance(keys, dict) else 1 for keys in conditions.values())


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
    conditions: Annotated[
        dict[str, dict[str, str | ConditionValues]],
        at_most(
            MAX_CONDITION_ENTRIES,
            "condition keys in a statement (each takes at least 8 of the 10,240 characters IAM allows a "
            "role's inline policies)",
            count=_condition_entries,
        ),
    ] = Field(default_factory=dict, description="operator -> {condition key: value or values}, as in IAM")

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


_BOOTSTRAP_BOUND = (
    "each adds four bootstrap-role ARNs of 60 or more characters to the role's policy, which IAM limits to "
    "10,240 characters"
)


class CdkDeployConfig(StrictModel):
    """Let the role run `cdk deploy`: assume exactly the CDK bootstrap roles of these accounts and regions."""

    qualifier: str = Field(default=DEFAULT_QUALIFIER, description=QUALIFIER_ACCEPTED)
    accounts: list[Annotated[str, Field(pattern=r"^[0-9]{12}$")]] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="12-digit account ids (quoted) the role deploys to; default: the account the role is deployed "
        "in (at most 50: " + _BOOTSTRAP_BOUND + ")",
    )
    regions: list[Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="region codes; default: the deployment's region (at most 50: " + _BOOTSTRAP_BOUND + ")",
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
    managed_policies: list[Annotated[str, AfterValidator(_check_aws_managed)]] = Field(
        default_factory=list,
        description="names of AWS managed policies to attach, with their path where they have one, e.g. "
        "'ReadOnlyAccess', 'service-role/AWSLambdaBasicExecutionRole' (checked against the list the package "
        "ships; AwsSolutions-IAM4 will ask for an acknowledgement)",
    )
    customer_managed_policies: list[
        # The pattern is checked by _check_policy_arn with POLICY_ARN_RE (ASCII, as IAM's); a `pattern=` here
        # would build a Unicode-class DFA in pydantic-core at every config load (35 ms). Editors still see it.
        Annotated[str, Field(json_schema_extra={"pattern": POLICY_ARN_RE.pattern}), AfterValidator(_check_policy_arn)]
    ] = Field(
        default_factory=list,
        description="ARNs of customer managed policies to attach, e.g. 'arn:aws:iam::111122223333:policy/ci-deploy' "
        "(an AWS managed policy newer than the package's list by its full ARN, 'arn:aws:iam::aws:policy/NAME')",
    )
    managed_policy_quota: int = Field(
        default=MANAGED_POLICIES_PER_ROLE,
        ge=MANAGED_POLICIES_PER_ROLE,
        le=MAX_MANAGED_POLICIES_PER_ROLE,
        description="the account's managed-policies-per-role quota: 10 (IAM's default) up to 20 if raised",
    )
    statements: list[StatementConfig] = Field(
        default_factory=list,
        max_length=100,
        description="inline policy statements (one inline policy; at most 100: IAM holds at most 10,240 characters "
        "of inline policy per role, about 200 of the smallest statements)",
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

    acknowledgements: Annotated[dict[str, str], at_most(MAX_ACKNOWLEDGEMENTS, "acknowledgements")] = Field(
        default_factory=dict,
        description="rule id -> reason (at least 20 characters), for rule-pack findings on this role "
        f"that are accepted on purpose (at most {MAX_ACKNOWLEDGEMENTS:,})",
    )

    @model_validator(mode="before")
    @classmethod
    def _few_policies(cls, value: Any) -> Any:
        """More policies than IAM could ever attach are refused before each one is looked up."""
        if isinstance(value, dict):
            for key in ("managed_policies", "customer_managed_policies"):
                given = value.get(key)
                if isinstance(given, list) and len(given) > MAX_MANAGED_POLICIES_PER_ROLE:
                    raise LocatedError(
                        (key,),
                        f"{len(given):,} entries are too many; expected at most {MAX_MANAGED_POLICIES_PER_ROLE} "
                        f"(IAM's highest quota of managed policies per role)",
                    )
        return value

    @model_validator(mode="after")
    def _permissions(self) -> RoleCommon:
        if self.role_name is not None and self.path is not None:
            problem = role_name_problem(self.role_name, self.path)
            if problem:
                raise LocatedError(
                    ("role_name",),
                    f"role_name {self.role_name!r} is not accepted with path {self.path!r}; expected {problem}",
                )
        size = statements_size(self.statements)
        if size > INLINE_POLICIES_QUOTA:
            raise LocatedError(
                ("statements",),
                f"{size} characters is not accepted; expected at most {INLINE_POLICIES_QUOTA:,} characters "
                f"for the role's inline policy, whitespace not counted (IAM's quota for all inline policies of a "
                f"role): move statements into a customer managed policy (customer_managed_policies)",
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
                    raise LocatedError(
                        ("statements", index, "actions"),
                        f"{action!r} (every action of every service) is not accepted "
                        f"without an acknowledgement; expected actions of named services, or acknowledgements: "
                        f"{{{finding!r}: 'why this role needs every action'}}",
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
