"""FED1: an OIDC trust for a CI or workload issuer with no subject restriction admits every
pipeline of every customer of that issuer (any GitHub repository in the world, say)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None or "sub" not in facts.required_claims:
            continue
        if not trust.statement.names_action("sts:AssumeRoleWithWebIdentity") and not trust.statement.allows_action(
            "sts:AssumeRoleWithWebIdentity"
        ):
            continue
        if any(c.negated for c in trust.statement.conditions_on(facts.key("sub"))):
            continue  # FED27 reports a subject that is only excluded
        if not restricting(trust.statement, facts.key("sub")):
            yield Hit(
                f"{trust.where()}::{facts.key('sub')}",
                f"{facts.name} trust in {trust.where()} has no condition on {facts.key('sub')}: any "
                f"{facts.name} token with the right audience is admitted, whoever's pipeline sent it",
            )


RULE = Rule(
    id="FED1",
    level="error",
    title="OIDC trust without a subject restriction: every workload of every customer of the issuer is admitted",
    fix="Add StringEquals (or StringLike without a wildcard in the owner part) on <issuer>:sub listing the "
    "repositories/projects and branches or environments meant, e.g. repo:OWNER/REPO:ref:refs/heads/main",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
