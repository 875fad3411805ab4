"""FED6: an OIDC (or Cognito) trust with no audience condition admits tokens minted for any other
application or account that uses the same issuer."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None:
            continue
        key = facts.key(facts.audience_claim)
        if not restricting(trust.statement, key):
            yield Hit(
                f"{trust.where()}::{key}",
                f"{facts.name} trust in {trust.where()} has no condition on {key}: tokens issued for other "
                f"audiences (other apps, other accounts) are admitted",
            )


RULE = Rule(
    id="FED6",
    level="error",
    title="OIDC trust without an audience condition",
    fix="Add StringEquals on <issuer>:aud (app_id for Facebook and Login with Amazon) with the audience your "
    "tokens carry, e.g. sts.amazonaws.com for GitHub Actions",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
