"""FED20: a per-user prefix whose user segment is not followed by `/` (`home/${id}*`): user `abc`
also reaches `abcd/` and every other id that starts with `abc`.

Each statement is judged on its own, once, in the resource that holds it (a role's inline policy,
or the policy resource that attaches it to one or more roles)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from federation_constructs.policy.permissions import own_documents
from federation_constructs.policy.s3 import POLICY_TYPES, VARIABLE
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_USER_KEYS = ("sub", "userid", "username", "principaltag/", "namequalifier")


def _bad_segments(text: str, *, listing: bool) -> list[str]:
    """`text` if a user variable in it is followed by something other than '/' (for an `s3:prefix`,
    also when it ends the value: that lists every id that starts with it)."""
    found = []
    for match in VARIABLE.finditer(text):
        key = match.group(1).lower()
        if not any(k in key for k in _USER_KEYS):
            continue
        rest = text[match.end() :]
        if rest.startswith("/") or rest.startswith("${"):  # next segment, or another variable (namequalifier/sub)
            continue
        if rest == "" and not listing:
            continue  # an object named exactly by the id
        found.append(text)
        break
    return found


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in own_documents(context):
        for statement in document.statements:
            values = [(v, False) for v in list(statement.resources) + list(statement.not_resources)]
            values += [(v, True) for c in statement.conditions if c.key == "s3:prefix" for v in c.values]
            for value, listing in values:
                for bad in _bad_segments(value, listing=listing):
                    yield Hit(
                        f"{document.where}::Statement{statement.index}::{re.sub(r'<[^>]*>', '<bucket>', bad)}",
                        f"{bad!r} in {document.where}: the user segment is not followed by '/', so a user "
                        f"reaches every folder whose name starts with their id",
                    )


RULE = Rule(
    id="FED20",
    level="error",
    title="Per-user prefix without a '/' after the user segment",
    fix="End the user segment with '/': arn:aws:s3:::bucket/private/${cognito-identity.amazonaws.com:sub}/* "
    "and s3:prefix private/${...}/ and private/${...}/*",
    resource_types=POLICY_TYPES,
    check=check,
)
