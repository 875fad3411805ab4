"""FED37: a trust condition on a claim STS does not evaluate for that issuer (`gitlab.com:ref_protected`,
`token.actions.githubusercontent.com:repository_owner`, `...:runner_environment`, an EKS pod claim): the
key is never in the request context, so a positive condition never matches (the role is dead) and a
negated one never excludes anything (the fence is open).

Sources: GitHub's AWS guide ("Support for custom claims for OIDC is unavailable in AWS",
https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws); the
GitHub keys STS does evaluate since 2026
(https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/);
IAM keys for OIDC federation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.claims import evaluated_claims
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None:
            continue
        known = evaluated_claims(facts.name)
        if known is None:
            continue
        prefix = facts.key("")
        for condition in trust.statement.conditions:
            if not condition.key.startswith(prefix):
                continue
            claim = condition.key[len(prefix) :]
            if claim in known:
                continue
            opens = condition.holds_when_absent
            effect = "never excludes anything" if opens else "never matches"
            yield Hit(
                f"{trust.where()}::{condition.key}",
                f"{condition.operator} {condition.key}: STS does not evaluate the {claim!r} claim of {facts.name} "
                f"tokens (it evaluates {', '.join(sorted(known))}), so the condition {effect}",
            )


RULE = Rule(
    id="FED37",
    level="error",
    title="Condition on a token claim STS does not evaluate for that issuer (never matches, or never excludes)",
    fix="Express the restriction with a claim STS evaluates: usually <issuer>:sub (GitHub: also repository_id, ref, "
    "environment, job_workflow_ref, ...); for GitLab, pin the branch in sub and protect it in GitLab",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
