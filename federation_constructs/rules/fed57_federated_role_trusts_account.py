"""FED57: a federated role whose trust also admits a whole AWS account (`arn:aws:iam::ACCOUNT:root` or a
bare account ID) without conditions. Every IAM user and role of that account that is allowed
`sts:AssumeRole` on it gets the role, past the `sub`/`aud`/`SAML:aud` fences the federated statement sets
up: the federation conditions no longer decide who uses the role.

Source: IAM, "AWS JSON policy elements: Principal", AWS account principals: specifying the account
delegates the decision to the account's identity policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, trust_statements
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_ACCOUNT = re.compile(r"(\d{12}|<AWS::AccountId>|arn:(<[^>]*>|[^:]*):iam::(\d{12}|<AWS::AccountId>):root)")


def check(context: ResourceContext) -> Iterator[Hit]:
    if not any(True for _ in federated_trusts(context)):
        return
    for statement in trust_statements(context):
        if not statement.allow or statement.not_principal or statement.conditions:
            continue
        if not statement.allows_action("sts:AssumeRole"):
            continue
        accounts = [p for p in statement.principal_values("aws") if _ACCOUNT.fullmatch(p)]
        if accounts:
            yield Hit(
                f"Statement{statement.index}::{accounts[0]}",
                f"Statement{statement.index} also lets account {accounts[0]} assume this federated role with no "
                f"condition: any principal there with sts:AssumeRole on it bypasses the federation conditions",
            )


RULE = Rule(
    id="FED57",
    level="warning",
    title="Federated role also trusts a whole AWS account without conditions",
    fix="Trust the specific role that needs it (arn:aws:iam::ACCOUNT:role/NAME), or give it a role of its own",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
