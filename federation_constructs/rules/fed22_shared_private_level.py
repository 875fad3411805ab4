"""FED22: object access to a whole owner-only level (`private/*`, `home/*`) without a policy
variable, in a policy that otherwise keys folders by user: every user reaches every user's folder.
The per-user levels are read from every policy of the same role (inline, attached, managed): a
grant in one policy covers folders that another one keys by user."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from federation_constructs.policy.permissions import own_documents, shared_documents
from federation_constructs.policy.s3 import POLICY_TYPES, is_s3_object_statement, s3_object_resources, user_variables
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

_PER_USER_ROOT = re.compile(r"/(?P<root>[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)/\$\{")


def check(context: ResourceContext) -> Iterator[Hit]:
    shared = [s for d in shared_documents(context) for s in d.statements]
    roots: set[str] = {"private"}
    for statement in shared:
        for resource in s3_object_resources(statement):
            match = _PER_USER_ROOT.search(resource)
            if match and is_s3_object_statement(statement):
                roots.add(match.group("root"))
    # per-user object resources, with their level (None: the user folders sit at the top of the bucket)
    keyed = [
        (r, m.group("root") if (m := _PER_USER_ROOT.search(r)) else None)
        for st in shared
        if st.allow and is_s3_object_statement(st)
        for r in s3_object_resources(st)
        if user_variables(r)
    ]
    for document in own_documents(context):
        for statement in document.statements:
            if not statement.allow or not is_s3_object_statement(statement):
                continue
            writes = any(not a.lower().startswith("s3:get") for a in statement.actions)
            for resource in s3_object_resources(statement) + [r for r in statement.resources if r == "*"]:
                if user_variables(resource):
                    continue
                for root in sorted(roots):
                    if resource.endswith(f"/{root}/*") and (writes or root == "private"):
                        yield Hit(
                            f"{document.where}::Statement{statement.index}::{root}",
                            f"{document.where} Statement{statement.index} gives {', '.join(statement.actions)} on "
                            f"all of {root}/ without a policy variable: every user reaches every user's folder",
                        )
                # a wider grant (the whole bucket, `*`) that covers the per-user folders themselves
                for keyed_resource, keyed_root in keyed:
                    if (writes or keyed_root in (None, "private")) and fnmatch.fnmatchcase(
                        keyed_resource, resource.replace("[", "[[]")
                    ):
                        actions = ", ".join(statement.actions)
                        yield Hit(
                            f"{document.where}::Statement{statement.index}::{keyed_root or 'bucket'}",
                            f"{document.where} Statement{statement.index} gives {actions} on {resource!r}, "
                            f"which covers the per-user {keyed_resource!r} of every user",
                        )


RULE = Rule(
    id="FED22",
    level="error",
    title="A per-user level granted without a policy variable",
    fix="Key the resource by the user: .../private/${cognito-identity.amazonaws.com:sub}/* (read-all is meant only "
    "for a protected level, and never write)",
    resource_types=POLICY_TYPES,
    check=check,
)
