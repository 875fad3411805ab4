"""FED2: a wildcard in the owner part of a subject (`repo:*/app`, `repo:acme*/app`,
`project_path:*`) admits other owners' pipelines: anyone can create an owner named `acme-evil`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.trust import subject_patterns
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def owner_is_open(subject: str, owner_pattern: str | None) -> bool:
    """Whether `subject`'s owner part holds a wildcard (or the whole subject is wildcards)."""
    if subject.strip("*?") == "":
        return True
    if owner_pattern is None:
        return False
    match = re.match(owner_pattern.replace("[^/]*", "[^/]*?").replace("[^:]*", "[^:]*?"), subject)
    if match is None:
        # the pattern's separator is missing: a wildcard before it reaches into the owner part
        head = re.match(r"[a-z_]+:", subject)
        return head is not None and any(c in subject[head.end() :].split("/")[0] for c in "*?")
    return any(c in match.group("owner") for c in "*?")


def check(context: ResourceContext) -> Iterator[Hit]:
    for pattern in subject_patterns(context):
        if owner_is_open(pattern.subject, pattern.facts.owner_pattern):
            yield Hit(
                pattern.where(),
                f"subject pattern {pattern.subject!r} has a wildcard in the "
                f"{pattern.facts.owner_label}: {pattern.facts.name} pipelines of other owners "
                f"match it",
            )


RULE = Rule(
    id="FED2",
    level="error",
    title="Subject wildcard in the owner part (or a subject of only wildcards): other owners' pipelines match",
    fix="Write the owner (GitHub owner, GitLab group, HCP organization, EKS namespace) literally; wildcards "
    "only after it, and only where any value there is meant",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
