"""FED59: a per-user listing condition `StringEquals s3:prefix = "private/${...sub}/*"`: under
`StringEquals` the `*` is a literal star, so only a request for the prefix spelled with a star matches
and the user can never list their own folder (then `s3:prefix` gets dropped "to make it work", which
lists everyone's files). The IAM examples use `StringLike` for prefix patterns.

Sources: IAM string condition operators: StringEquals is exact matching, StringLike supports `*` and `?`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String);
IAM per-user example with StringLike s3:prefix
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.s3 import POLICY_TYPES, documents, per_user
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in documents(context):
        if not per_user(document):
            continue
        for statement in document.statements:
            for condition in statement.conditions_on("s3:prefix"):
                if condition.base not in ("stringequals", "stringequalsignorecase"):
                    continue
                stars = [v for v in condition.values if is_literal(v) and ("*" in v or "?" in v)]
                if stars:
                    yield Hit(
                        f"{document.where}::Statement{statement.index}::s3:prefix",
                        f"{condition.operator} s3:prefix = {', '.join(stars)}: the '*' is compared literally, so "
                        f"listing the folder it was meant for never matches; StringLike was meant",
                    )


RULE = Rule(
    id="FED59",
    level="warning",
    title="Wildcard in s3:prefix under StringEquals in a per-user policy (the listing never matches)",
    fix="Use StringLike for the s3:prefix patterns (private/${id}/ and private/${id}/*)",
    resource_types=POLICY_TYPES,
    check=check,
)
