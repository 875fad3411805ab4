"""FED11: a federated principal with `sts:AssumeRole` (or `sts:*`, `*`) instead of
`sts:AssumeRoleWithWebIdentity` / `sts:AssumeRoleWithSAML`: the author meant federation, the
statement says something else (and a wildcard action also allows every other STS entry point)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_EXPECTED = {
    "oidc": "sts:AssumeRoleWithWebIdentity",
    "cognito": "sts:AssumeRoleWithWebIdentity",
    "saml": "sts:AssumeRoleWithSAML",
}


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        expected = _EXPECTED[trust.kind]
        statement = trust.statement
        for action in statement.actions:
            low = action.lower()
            if low in ("*", "sts:*", "sts:assume*", "sts:assumerole*"):
                yield Hit(
                    f"{trust.where()}::{action}",
                    f"{trust.where()} allows {action!r} to a federated principal; only {expected} is meant",
                )
            elif low == "sts:assumerole":
                yield Hit(
                    f"{trust.where()}::{action}",
                    f"{trust.where()} allows sts:AssumeRole to a federated principal: federation uses {expected}",
                )
            elif low in ("sts:assumerolewithsaml", "sts:assumerolewithwebidentity") and low != expected.lower():
                yield Hit(
                    f"{trust.where()}::{action}",
                    f"{trust.where()} allows {action} to a {trust.kind.upper()} principal; it takes {expected}",
                )
        if statement.not_actions:
            yield Hit(
                f"{trust.where()}::NotAction",
                f"{trust.where()} uses NotAction with a federated principal: every other STS action is allowed",
            )


RULE = Rule(
    id="FED11",
    level="error",
    title="Federated principal with the wrong assume action (sts:AssumeRole, a wildcard, or the other federation call)",
    fix="Use Action sts:AssumeRoleWithWebIdentity for OIDC and Cognito, sts:AssumeRoleWithSAML for SAML "
    "(plus sts:TagSession only where session tags are meant)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
