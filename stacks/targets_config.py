"""The `targets` section: the accounts and organisational units one config deploys to.

Without `targets` the config deploys one stack to its own `account`/`region`. With it:

- `accounts`: one CDK `Stage` per listed account (each holds the same federation stack, under the
  config's `name`, in that account and region), deployable with `cdk deploy '**'` or added to a
  CDK pipeline;
- `organizational_units`: one service-managed CloudFormation StackSet, created in the config's own
  `account`/`region` (the organisation's management account or a delegated StackSets administrator),
  with automatic deployment on, so every account in (or later moved into) the OUs gets the stack.

IAM is global: an account holds one OIDC provider per issuer and one SAML provider per name, so each
account is deployed to in exactly one region.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from stacks.config_common import LocatedError, StrictModel

__all__ = ["AccountTarget", "OrganizationalUnits", "TargetsSection", "OU_ACCEPTED"]

_ACCOUNT_RE = re.compile(r"[0-9]{12}")
_OU_RE = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}")
_STAGE_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")

OU_ACCEPTED = (
    "an organisational unit id such as 'ou-ab12-cd34ef56' or the organisation root id such as "
    "'r-ab12' (from `aws organizations list-roots` / `list-organizational-units-for-parent`)"
)
TARGET_ACCOUNT_ACCEPTED = 'a 12-digit AWS account id written as a quoted string, e.g. "222233334444"'
STAGE_NAME_ACCEPTED = (
    "a stage name: a letter, then letters, digits and hyphens, at most 64 characters, e.g. 'prod' "
    "(it names the CDK Stage: `cdk deploy 'prod/*'`)"
)


def _check(pattern: re.Pattern[str], accepted: str):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not accepted; expected {accepted}")
        return value

    return check


class AccountTarget(StrictModel):
    """One account that gets the federation stack, through a CDK Stage of its own."""

    account: Annotated[str, AfterValidator(_check(_ACCOUNT_RE, TARGET_ACCOUNT_ACCEPTED))] = Field(
        description=TARGET_ACCOUNT_ACCEPTED
    )
    region: str | None = Field(
        default=None, description="the region of this account's stack; default: the config's region (same partition)"
    )
    name: Annotated[str, AfterValidator(_check(_STAGE_RE, STAGE_NAME_ACCEPTED))] | None = Field(
        default=None, description=STAGE_NAME_ACCEPTED + "; default: 'account-<id>'"
    )

    @property
    def stage_name(self) -> str:
        """The CDK Stage id of this target."""
        return self.name or f"account-{self.account}"


class OrganizationalUnits(StrictModel):
    """A service-managed StackSet over organisational units, with automatic deployment."""

    ids: list[Annotated[str, AfterValidator(_check(_OU_RE, OU_ACCEPTED))]] = Field(
        min_length=1, max_length=100, description=f"1-100 ids, each {OU_ACCEPTED}"
    )
    region: str | None = Field(
        default=None, description="the one region the stack instances go to; default: the config's region"
    )
    retain_stacks_on_account_removal: bool = Field(
        default=False,
        description="keep the stack (and so the roles) in an account that leaves the OUs; default false: an "
        "account that leaves loses the federation access this config gives it",
    )
    delegated_admin: bool = Field(
        default=False,
        description="the config's account is a delegated StackSets administrator, not the management account "
        "(CloudFormation CallAs: DELEGATED_ADMIN)",
    )
    max_concurrent_percentage: int = Field(
        default=25, ge=1, le=100, description="percentage of accounts deployed to at once (1-100)"
    )
    failure_tolerance_percentage: int = Field(
        default=0,
        ge=0,
        le=100,
        description="percentage of accounts that may fail before the operation stops (0-100; default 0)",
    )

    @model_validator(mode="after")
    def _unique(self) -> OrganizationalUnits:
        seen: set[str] = set()
        for index, ou in enumerate(self.ids):
            if ou in seen:
                raise LocatedError(("ids", index), f"{ou!r} is listed twice; expected each OU once")
            seen.add(ou)
        return self


class TargetsSection(StrictModel):
    """Where the federation stack goes besides (instead of) the config's own account."""

    accounts: list[AccountTarget] = Field(
        default_factory=list,
        max_length=200,
        description="accounts that each get a CDK Stage with the federation stack (at most 200)",
    )
    organizational_units: OrganizationalUnits | None = Field(
        default=None, description="organisational units that get the stack through a service-managed StackSet"
    )

    @model_validator(mode="after")
    def _one_region_per_account(self) -> TargetsSection:
        accounts: dict[str, int] = {}
        stages: dict[str, int] = {}
        for index, target in enumerate(self.accounts):
            if target.account in accounts:
                raise LocatedError(
                    ("accounts", index, "account"),
                    f"{target.account!r} is already accounts[{accounts[target.account]}]; expected each account "
                    f"once: IAM is global, so a second region would try to create the same OIDC/SAML providers again",
                )
            accounts[target.account] = index
            if target.stage_name in stages:
                raise LocatedError(
                    ("accounts", index, "name"),
                    f"{target.stage_name!r} is already the name of accounts[{stages[target.stage_name]}]; expected a "
                    f"unique stage name",
                )
            stages[target.stage_name] = index
        if not self.accounts and self.organizational_units is None:
            raise ValueError(
                "targets needs `accounts`, `organizational_units` or both; expected e.g. "
                'accounts: [{account: "222233334444"}]'
            )
        return self
