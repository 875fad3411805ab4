"""FED24: a trust policy longer than IAM's default quota of 2,048 characters (whitespace not
counted): the deploy fails unless the account's quota was raised (at most 4,096)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from federation_constructs.rules.engine import Hit, ResourceContext, Rule

DEFAULT_QUOTA = 2048
MAX_QUOTA = 4096


def check(context: ResourceContext) -> Iterator[Hit]:
    document = context.properties.get("AssumeRolePolicyDocument")
    if not isinstance(document, dict):
        return
    text = json.dumps(document, separators=(",", ":"))
    size = len(re.sub(r"\s", "", text))
    if size <= DEFAULT_QUOTA:
        return
    about = " (about: intrinsics are counted as written)" if '"Ref"' in text or '"Fn::' in text else ""
    beyond = ", over the 4,096 maximum too: it can never deploy" if size > MAX_QUOTA else ""
    yield Hit(
        "AssumeRolePolicyDocument",
        f"the trust policy is {size} characters without whitespace{about}, over the default quota of "
        f"{DEFAULT_QUOTA}{beyond}",
    )


RULE = Rule(
    id="FED24",
    level="warning",
    title="Trust policy over 2,048 characters",
    fix="Split the subjects over several roles, use StringLike for a family of subjects, or raise the account's "
    "quota (up to 4,096) and acknowledge with the quota",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
