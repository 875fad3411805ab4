"""FED1: an OIDC trust for a CI or workload issuer with no subject restriction admits every
pipeline of every customer of that issuer (any GitHub repository in the world, say).

For GitHub Actions, STS also evaluates provider-specific claims in a trust (FACTS.md: `repository`,
`repository_id`, `ref`, `environment`, `job_workflow_ref`, ...). A trust that pins the repository
(`repository_id` or `repository`, owner written literally) together with what runs in it (`ref`,
`environment` or `job_workflow_ref`) pins the subject as `sub` would. A repository alone does not:
every `sub` form carries the ref, the environment or `pull_request`, so a repository-only trust is
`repo:OWNER/REPO:*`: every branch, tag and pull-request workflow of the repository."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.trust import federated_trusts, open_subject
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        reason = open_subject(trust)
        if reason and trust.facts:
            yield Hit(f"{trust.where()}::{trust.facts.key('sub')}", reason)


RULE = Rule(
    id="FED1",
    level="error",
    title="OIDC trust without a subject restriction: every workload of every customer of the issuer is admitted",
    fix="Add StringEquals (or StringLike without a wildcard in the owner part) on <issuer>:sub listing the "
    "repositories/projects and branches or environments meant, e.g. repo:OWNER/REPO:ref:refs/heads/main (for "
    "GitHub, or pin repository_id together with ref, environment or job_workflow_ref)",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
