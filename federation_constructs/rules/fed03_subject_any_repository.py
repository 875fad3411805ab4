"""FED3: a subject that admits every repository (or project) of one owner: any repository anyone in
the organisation creates later can assume the role."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.trust import subject_patterns
from federation_constructs.rules.engine import Hit, ResourceContext, Rule
from federation_constructs.rules.fed02_subject_owner_wildcard import owner_is_open

# the part right after the owner: repository (GitHub), project (GitLab), project/workspace (HCP)
_AFTER_OWNER = {
    "GitHub Actions": re.compile(r"repo:[^/*?]+/(?P<rest>[^:]*)"),
    "GitLab CI": re.compile(r"project_path:[^/*?]+/(?P<rest>[^:]*)"),
    "HCP Terraform": re.compile(r"organization:[^:*?]+:project:(?P<rest>[^:]*)"),
}


def check(context: ResourceContext) -> Iterator[Hit]:
    for pattern in subject_patterns(context, tuple(_AFTER_OWNER)):
        if owner_is_open(pattern.subject, pattern.facts.owner_pattern):
            continue  # FED2 reports an open owner
        match = _AFTER_OWNER[pattern.facts.name].match(pattern.subject)
        if match and any(c in match.group("rest") for c in "*?"):
            yield Hit(
                pattern.where(),
                f"subject pattern {pattern.subject!r} admits every repository or project whose "
                f"name matches {match.group('rest')!r}, including ones created later",
            )


RULE = Rule(
    id="FED3",
    level="warning",
    title="Subject wildcard across repositories or projects of one owner",
    fix="List the repositories/projects by name; if every one is meant, acknowledge with the reason",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
