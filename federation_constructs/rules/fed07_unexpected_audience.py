"""FED7: an audience condition that does not pin the audience: a wildcard in it, or a value other
than the one the issuer sends to AWS (GitHub Actions and EKS send `sts.amazonaws.com`)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None:
            continue
        key = facts.key(facts.audience_claim)
        for condition in restricting(trust.statement, key):
            for value in condition.values:
                if not is_literal(value):
                    continue
                if condition.wildcard and any(c in value for c in "*?"):
                    yield Hit(
                        f"{trust.where()}::{value}",
                        f"audience pattern {value!r} on {key} admits audiences of other applications",
                    )
                elif facts.expected_audience and value != facts.expected_audience:
                    yield Hit(
                        f"{trust.where()}::{value}",
                        f"{key} = {value!r}, but {facts.name} tokens for AWS carry "
                        f"{facts.expected_audience!r}: the trust admits tokens meant for something else",
                    )


RULE = Rule(
    id="FED7",
    level="error",
    title="Audience condition with a wildcard or an unexpected value",
    fix="Use StringEquals with the exact audience (sts.amazonaws.com for GitHub Actions and EKS; your client "
    "or app id otherwise)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
