"""FED5: a subject pattern that admits any branch, tag, ref or environment of a repository or
project, where one branch or environment was most likely meant (branch protection then no longer
decides who deploys)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.trust import subject_patterns
from federation_constructs.rules.engine import Hit, ResourceContext, Rule
from federation_constructs.rules.fed04_subject_pull_requests import admits_pull_requests

# (issuer name, regex over the pattern): the open part after a literal repository / project
_OPEN = {
    "GitHub Actions": re.compile(r"repo:[^*?:]+/[^*?:]+:(ref:refs/(heads|tags)/\*|ref:\*|environment:\*|\*)$"),
    "GitLab CI": re.compile(r"project_path:[^*?:]+/[^*?:]+:(ref_type:(branch|tag):ref:\*|ref_type:\*|\*)$"),
}


def check(context: ResourceContext) -> Iterator[Hit]:
    for pattern in subject_patterns(context, tuple(_OPEN)):
        if pattern.facts.name == "GitHub Actions" and admits_pull_requests(pattern.subject):
            continue  # FED4 reports pull requests
        if _OPEN[pattern.facts.name].match(pattern.subject):
            yield Hit(
                pattern.where(),
                f"subject pattern {pattern.subject!r} admits every branch, tag or environment "
                f"of the repository, including ones without protection rules",
            )


RULE = Rule(
    id="FED5",
    level="warning",
    title="Subject pattern admits any branch, tag or environment",
    fix="Name the branch (ref:refs/heads/main) or the environment (environment:production) that deploys; "
    "protect it; acknowledge with the reason if every branch is meant",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
