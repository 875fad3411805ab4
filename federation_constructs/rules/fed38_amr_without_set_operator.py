"""FED38: `cognito-identity.amazonaws.com:amr` tested with a plain operator (`StringEquals`,
`StringLike`) instead of `ForAnyValue:StringLike`. `amr` is multivalued: a signed-in identity carries
`authenticated` together with its login provider(s). IAM says to test multivalued keys with a set
operator; what a plain operator does with several values is not documented, and every AWS example uses
`ForAnyValue:StringLike`.

Sources: IAM keys for web identity federation, `amr`: "The key is multivalued, meaning that you test it in
a policy using condition set operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif);
"Multivalued context keys require a condition set operator"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import COGNITO, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

AMR = f"{COGNITO}:amr"


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind != "cognito":
            continue
        for condition in trust.statement.conditions_on(AMR):
            if condition.qualifier is None:
                yield Hit(
                    f"{trust.where()}::{condition.operator}::{AMR}",
                    f"{condition.operator} on the multivalued {AMR} without ForAnyValue: a signed-in identity's amr "
                    f"holds several values, and IAM documents amr only with set operators",
                )


RULE = Rule(
    id="FED38",
    level="warning",
    title="Cognito amr tested without a set operator (amr is multivalued)",
    fix="Write ForAnyValue:StringLike cognito-identity.amazonaws.com:amr = authenticated (or unauthenticated)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
