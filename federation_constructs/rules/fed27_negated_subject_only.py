"""FED27: the subject is only excluded (`StringNotEquals` / `StringNotLike`), never required: every
other subject in the world is admitted."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None:
            continue
        key = facts.key("sub")
        negated = [c for c in trust.statement.conditions_on(key) if c.negated]
        if negated and not restricting(trust.statement, key):
            yield Hit(
                f"{trust.where()}::{key}",
                f"{key} is only excluded ({', '.join(c.operator for c in negated)}): every subject not listed "
                f"is admitted",
            )


RULE = Rule(
    id="FED27",
    level="error",
    title="Subject only excluded with a negated operator, never required",
    fix="Require the subjects meant with StringEquals / StringLike; keep a Not... condition only as an extra fence",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
