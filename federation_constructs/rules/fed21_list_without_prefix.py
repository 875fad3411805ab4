"""FED21: `s3:ListBucket` allowed without an `s3:prefix` condition in a policy that gives users
their own folders: every user can list every other user's file names. The per-user folders may be
given by any policy of the same role (inline, attached, managed): IAM adds them up."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.permissions import own_documents, shared_documents
from federation_constructs.policy.s3 import POLICY_TYPES, per_user
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    if not any(per_user(d) for d in shared_documents(context)):
        return
    for document in own_documents(context):
        for statement in document.statements:
            if not statement.allow or not statement.allows_action("s3:ListBucket"):
                continue
            # a StringLike value of only wildcards ("*") admits every prefix: no restriction at all
            prefixes = [
                c
                for c in statement.conditions_on("s3:prefix")
                if not c.negated
                and not c.if_exists
                and c.qualifier != "ForAllValues"
                and c.values
                and not (c.wildcard and any(is_literal(v) and v.strip("*?") == "" for v in c.values))
            ]
            if not prefixes:
                yield Hit(
                    f"{document.where}::Statement{statement.index}",
                    f"{document.where} Statement{statement.index} allows s3:ListBucket without an s3:prefix "
                    f"condition next to per-user folders: every user lists every other user's file names",
                )


RULE = Rule(
    id="FED21",
    level="error",
    title="s3:ListBucket without an s3:prefix condition in a per-user policy",
    fix="Allow s3:ListBucket only with StringLike s3:prefix = [private/${id}/, private/${id}/*] (plus '' and level "
    "roots only together with StringEquals s3:delimiter = '/')",
    resource_types=POLICY_TYPES,
    check=check,
)
