"""The CDK bootstrap roles a `cdk deploy` assumes, by name: what a CI role that deploys needs.

`cdk deploy` (CDK v2, the modern bootstrap) does not deploy with the caller's own permissions: it
assumes roles the bootstrap stack created in each target account and region, named by the bootstrap
template (`cdk bootstrap --show-template`) as ``cdk-<qualifier>-<kind>-role-<account>-<region>``:

- ``deploy``: starts the CloudFormation deployment (CloudFormation itself then uses ``cfn-exec``,
  which the caller never assumes);
- ``file-publishing`` and ``image-publishing``: upload file and container assets;
- ``lookup``: context lookups (VPCs, hosted zones) during synthesis.

A CI role that runs `cdk deploy` needs ``sts:AssumeRole`` on exactly these four roles, nothing more.
Plain Python: no CDK is imported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "BOOTSTRAP_ROLE_KINDS",
    "DEFAULT_QUALIFIER",
    "QUALIFIER_ACCEPTED",
    "bootstrap_role_arns",
    "bootstrap_role_name",
    "qualifier_problem",
]

#: the qualifier `cdk bootstrap` uses unless given `--qualifier`
DEFAULT_QUALIFIER = "hnb659fds"
#: the bootstrap roles `cdk deploy` assumes, in the order the sheet lists them
BOOTSTRAP_ROLE_KINDS = ("deploy", "file-publishing", "image-publishing", "lookup")

# The bootstrap template allows [A-Za-z0-9_-]{1,10}, but the qualifier is also part of the staging
# bucket's name (cdk-<qualifier>-assets-<account>-<region>), which S3 allows only in lower case and
# without underscores: anything else fails `cdk bootstrap` itself.
_QUALIFIER_RE = re.compile(r"[a-z0-9-]{1,10}")
QUALIFIER_ACCEPTED = (
    "a CDK bootstrap qualifier: 1-10 lower-case letters, digits and hyphens (default 'hnb659fds'; "
    "it is part of the bootstrap bucket's name, so S3's lower-case rule applies)"
)


def qualifier_problem(qualifier: object) -> str | None:
    """Why `qualifier` cannot be a bootstrap qualifier, or None."""
    if not isinstance(qualifier, str) or not _QUALIFIER_RE.fullmatch(qualifier):
        return QUALIFIER_ACCEPTED
    return None


def bootstrap_role_name(kind: str, *, qualifier: str, account: str, region: str) -> str:
    """The name the bootstrap template gives role `kind` (one of `BOOTSTRAP_ROLE_KINDS`)."""
    return f"cdk-{qualifier}-{kind}-role-{account}-{region}"


def bootstrap_role_arns(
    *, qualifier: str, accounts: Sequence[str], regions: Sequence[str], partition: str
) -> list[str]:
    """The ARNs of every bootstrap role `cdk deploy` assumes, for each account and region."""
    return [
        f"arn:{partition}:iam::{account}:role/"
        + bootstrap_role_name(kind, qualifier=qualifier, account=account, region=region)
        for account in accounts
        for region in regions
        for kind in BOOTSTRAP_ROLE_KINDS
    ]
