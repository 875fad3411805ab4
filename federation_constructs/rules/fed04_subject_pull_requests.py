"""FED4: a GitHub subject pattern that admits `pull_request` tokens: workflows triggered by pull
requests (code anyone can propose) get the role."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from federation_constructs.policy.trust import subject_patterns
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_REPO = re.compile(r"repo:(?P<owner>[^/]*)/(?P<repo>[^:]*)")


def admits_pull_requests(pattern: str) -> bool:
    """Whether the glob admits `repo:OWNER/REPO:pull_request` for the repository it names."""
    match = _REPO.match(pattern)
    if match is None:
        return fnmatch.fnmatchcase("repo:x/x:pull_request", pattern.replace("[", "[[]"))
    owner = re.sub(r"[*?]+", "x", match.group("owner")) or "x"
    repo = re.sub(r"[*?]+", "x", match.group("repo")) or "x"
    return fnmatch.fnmatchcase(f"repo:{owner}/{repo}:pull_request", pattern.replace("[", "[[]"))


def check(context: ResourceContext) -> Iterator[Hit]:
    for pattern in subject_patterns(context, ("GitHub Actions",)):
        if admits_pull_requests(pattern.subject):
            yield Hit(
                pattern.where(),
                f"subject pattern {pattern.subject!r} admits pull_request tokens: a workflow "
                f"run for a pull request (code not yet reviewed) can assume the role",
            )


RULE = Rule(
    id="FED4",
    level="error",
    title="GitHub subject pattern admits pull requests",
    fix="Name the branches (repo:O/R:ref:refs/heads/main) or environments (repo:O/R:environment:prod); give "
    "pull requests their own role with read-only permissions if they need AWS at all",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
