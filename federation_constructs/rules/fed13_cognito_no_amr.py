"""FED13: a Cognito trust without an `amr` condition admits guests and signed-in users alike."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import COGNITO, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

AMR = f"{COGNITO}:amr"


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind != "cognito":
            continue
        usable = [
            c
            for c in trust.statement.conditions_on(AMR)
            if not c.negated and not c.if_exists and c.qualifier != "ForAllValues" and c.values
        ]
        if not usable:
            yield Hit(
                f"{trust.where()}::{AMR}",
                f"Cognito trust in {trust.where()} has no {AMR} condition (ForAnyValue:StringLike "
                f"'authenticated' or 'unauthenticated'): guests and signed-in users both get the role",
            )


RULE = Rule(
    id="FED13",
    level="error",
    title="Cognito identity pool trust without an amr condition",
    fix="Add ForAnyValue:StringLike cognito-identity.amazonaws.com:amr = authenticated (or unauthenticated "
    "for the guest role only)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
