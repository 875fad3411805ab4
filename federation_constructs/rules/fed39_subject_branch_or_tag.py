"""FED39: a subject pattern with a wildcard where the ref type goes (`repo:o/r:ref:refs/*/main`,
`project_path:g/p:ref_type:*:ref:main`): a tag named like the protected branch matches too. Anyone who
may push a tag (not covered by branch protection) gets the role the branch was meant to have.

Sources: GitHub's subject forms for branches and tags, `repo:ORG/REPO:ref:refs/heads/BRANCH` and
`repo:ORG/REPO:ref:refs/tags/TAG` (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims);
GitLab's `sub`, `project_path:GROUP/PROJECT:ref_type:TYPE:ref:NAME` with type `branch` or `tag`
(https://docs.gitlab.com/ci/secrets/id_token_authentication/)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from federation_constructs.policy.trust import subject_patterns
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

# the part of a subject that holds the ref type and the ref name, per issuer; `{name}` is the ref name
_TAIL = {
    "GitHub Actions": (":ref:", ("refs/heads/{name}", "refs/tags/{name}")),
    "GitLab CI": (":ref_type:", ("branch:ref:{name}", "tag:ref:{name}")),
}


def _name(tail: str) -> str:
    """A ref name the tail's pattern admits: its last segment with wildcards filled in."""
    last = re.split(r"[/:]", tail)[-1]
    return re.sub(r"[*?]+", "x", last) or "x"


def admits_branch_and_tag(subject: str, issuer: str) -> bool:
    marker, forms = _TAIL[issuer]
    if marker not in subject:
        return False
    tail = subject.split(marker, 1)[1]
    if tail.strip("*?") == "":
        return False  # any ref at all: FED5 reports it
    name = _name(tail)
    pattern = tail.replace("[", "[[]")
    return all(fnmatch.fnmatchcase(form.format(name=name), pattern) for form in forms)


def check(context: ResourceContext) -> Iterator[Hit]:
    for pattern in subject_patterns(context, tuple(_TAIL)):
        if admits_branch_and_tag(pattern.subject, pattern.facts.name):
            yield Hit(
                pattern.where(),
                f"subject pattern {pattern.subject!r} leaves the ref type open: a tag with the branch's name "
                f"matches too, and tags are not protected by branch protection",
            )


RULE = Rule(
    id="FED39",
    level="error",
    title="Subject pattern admits a tag named like the branch (wildcard in the ref type)",
    fix="Write the ref type literally: repo:O/R:ref:refs/heads/main (GitHub), "
    "project_path:G/P:ref_type:branch:ref:main (GitLab); list tags separately under refs/tags/",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
