"""FED40: a `job_workflow_ref` condition that admits the reusable workflow at any branch
(`org/deploy/.github/workflows/deploy.yml@*`, `...@refs/heads/*`, or no `@ref` part under a wildcard):
whoever can push a branch to the workflow's repository runs their own version of the "reviewed" workflow
with the role.

Source: GitHub, "Using OpenID Connect with reusable workflows": `job_workflow_ref` is the path to the
reusable workflow *and its ref* (`octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main`); pin
the ref to trust only the reviewed version
(https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_PROBE = "refs/heads/any-unreviewed-branch"


def admits_any_branch(value: str) -> bool:
    path, at, ref = value.rpartition("@")
    if not at:  # no ref part: only a trailing wildcard reaches past the path into `@<ref>`
        return value.endswith("*")
    return fnmatch.fnmatchcase(_PROBE, ref.replace("[", "[[]"))


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None or facts.name != "GitHub Actions":
            continue
        for condition in restricting(trust.statement, facts.key("job_workflow_ref")):
            if not condition.wildcard:
                continue
            for value in condition.values:
                if is_literal(value) and admits_any_branch(value):
                    yield Hit(
                        f"{trust.where()}::{value}",
                        f"job_workflow_ref pattern {value!r} admits the reusable workflow from any branch: anyone "
                        f"who can push a branch to that repository runs their own copy with this role",
                    )


RULE = Rule(
    id="FED40",
    level="warning",
    title="job_workflow_ref admits the reusable workflow at any branch",
    fix="Pin the ref: OWNER/REPO/.github/workflows/FILE.yml@refs/heads/main, or a protected tag pattern such as "
    "@refs/tags/v*",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
