"""What AWS STS puts in the request context of a federation call, per issuer and for the caller.

A condition on a key the request does not carry is silently false for positive operators and
silently true for negated or `...IfExists` ones. These tables say which keys exist, with where the
fact comes from; an issuer missing from `STS_EVALUATED_CLAIMS` is not judged.
"""

from __future__ import annotations

from federation_constructs.oidc.issuers import GITHUB_STS_CLAIMS

__all__ = [
    "CALLER_KEYS",
    "GITHUB_CLAIM_NAMES",
    "STS_EVALUATED_CLAIMS",
    "caller_key",
    "evaluated_claims",
]

#: Claims STS evaluates as `<issuer>:<claim>` in a trust policy, by issuer name (`IssuerFacts.name`).
#: GitHub: `aud` and `sub`, plus the provider-specific keys of the STS update of January/February 2026
#: (https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/).
#: The CI issuers without provider-specific keys: `aud` and `sub` only ("Support for custom claims
#: for OIDC is unavailable in AWS", GitHub's AWS guide; IAM reference, keys for OIDC federation).
STS_EVALUATED_CLAIMS: dict[str, frozenset[str]] = {
    # one list of GitHub's provider-specific keys: the one the OidcIssuer preset offers
    "GitHub Actions": frozenset({"aud", "sub"}) | GITHUB_STS_CLAIMS,
    "GitLab CI": frozenset({"aud", "sub"}),
    "EKS service accounts": frozenset({"aud", "sub"}),
    "HCP Terraform": frozenset({"aud", "sub"}),
    "Bitbucket Pipelines": frozenset({"aud", "sub"}),
}

#: Claim names of GitHub's OIDC token (GitHub's OIDC reference): a customized subject joins
#: `name:value` pairs of these, so a `:` followed by one of them is a claim boundary, not a value.
GITHUB_CLAIM_NAMES = frozenset(
    {
        "actor",
        "actor_id",
        "base_ref",
        "check_run_id",
        "context",
        "enterprise",
        "enterprise_id",
        "environment",
        "event_name",
        "head_ref",
        "job_workflow_ref",
        "job_workflow_sha",
        "ref",
        "ref_type",
        "repo",
        "repository_visibility",
        "repository",
        "repository_id",
        "repository_owner",
        "repository_owner_id",
        "run_id",
        "run_number",
        "run_attempt",
        "runner_environment",
        "workflow",
        "workflow_ref",
        "workflow_sha",
    }
)

#: Global keys about the calling AWS principal. `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`
#: are not signed with AWS credentials, so no calling principal exists and none of these is in the
#: request context (IAM global condition keys, "Availability"; aws/lza-universal-configuration#25).
CALLER_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:username",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
    }
)


def caller_key(key: str) -> bool:
    """Whether `key` (any case) describes the calling AWS principal."""
    low = key.lower()
    return low in CALLER_KEYS or low.startswith("aws:principaltag/")


def evaluated_claims(issuer_name: str) -> frozenset[str] | None:
    """The claims STS evaluates for this issuer, or None when the list is not known here."""
    return STS_EVALUATED_CLAIMS.get(issuer_name)
