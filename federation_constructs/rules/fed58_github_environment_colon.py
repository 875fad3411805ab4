"""FED58: a GitHub subject whose environment name contains `:` (`repo:o/r:environment:prod:eu`). GitHub
writes a `:` inside a claim value as `%3A` (`environment:prod%3Aeu`), so the subject never matches and the
role is dead (until someone widens it to `environment:*`).

Source: GitHub's OIDC reference, "Filtering for metadata containing `:`": "Any `:` within the metadata
values will be replaced with `%3A` in the subject claim"
(https://docs.github.com/en/actions/reference/security/oidc#filtering-for-metadata-containing-)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.claims import GITHUB_CLAIM_NAMES
from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts, restricting
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def colon_in_environment(subject: str) -> str | None:
    """The environment name when it holds a literal `:` that is not a claim boundary of a customized subject."""
    if not subject.startswith("repo:") or ":environment:" not in subject:
        return None
    rest = subject.split(":environment:", 1)[1]
    name, colon, after = rest.partition(":")
    if not colon or not after or any(c in after.split(":")[0] for c in "*?"):
        return None
    if after.split(":")[0] in GITHUB_CLAIM_NAMES:
        return None  # a customized subject continues with the next claim
    return rest


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        facts = trust.facts
        if trust.kind != "oidc" or facts is None or facts.name != "GitHub Actions":
            continue
        for condition in restricting(trust.statement, facts.key("sub")):
            for value in condition.values:
                environment = colon_in_environment(value) if is_literal(value) else None
                if environment:
                    yield Hit(
                        f"{trust.where()}::{value}",
                        f"subject {value!r} names environment {environment!r}; GitHub writes ':' in a value as %3A "
                        f"({environment.replace(':', '%3A')!r}), so no token ever matches",
                    )


RULE = Rule(
    id="FED58",
    level="error",
    title="GitHub subject with ':' in the environment name (GitHub sends %3A: never matches)",
    fix="Write the colon as %3A in the subject (environment:prod%3Aeu), or rename the environment",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
