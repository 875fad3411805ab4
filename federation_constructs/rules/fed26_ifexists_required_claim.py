"""FED26: `...IfExists` on a claim the trust relies on (`sub`, `aud`, `amr`, `SAML:aud`): a token
without the claim passes the condition."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import COGNITO, federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        if trust.kind == "saml":
            keys = {"saml:aud", "saml:sub", "saml:sub_type"}
        elif trust.kind == "cognito":
            keys = {f"{COGNITO}:aud", f"{COGNITO}:amr"}
        else:
            facts = trust.facts
            keys = {facts.key(c) for c in facts.required_claims} if facts else set()
        for condition in trust.statement.conditions:
            if condition.if_exists and condition.key in keys:
                yield Hit(
                    f"{trust.where()}::{condition.operator}::{condition.key}",
                    f"{condition.operator} on {condition.key}: a token without {condition.key} passes",
                )


RULE = Rule(
    id="FED26",
    level="error",
    title="IfExists on a claim the trust relies on",
    fix="Drop the IfExists suffix: the claim must be present and match",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
