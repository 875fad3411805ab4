"""FED50: per-user DynamoDB access keyed with `ForAllValues:StringEquals dynamodb:LeadingKeys =
${...sub}` in a statement that also allows `dynamodb:Scan`. A Scan names no partition key, the key set
is empty, and `ForAllValues` is true for an empty set: every user reads every user's items.

Sources: IAM condition set operators: "If the key values in the request resolve to an empty data set
..., a condition operator modified by ForAllValues returns true"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html); IAM
example "Allows item-level access to DynamoDB based on an Amazon Cognito ID", which grants item and
Query actions, not Scan
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_dynamodb_items.html)."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.s3 import POLICY_TYPES, documents
from federation_constructs.rules.engine import Hit, ResourceContext, Rule

KEY = "dynamodb:leadingkeys"


def check(context: ResourceContext) -> Iterator[Hit]:
    for document in documents(context):
        for statement in document.statements:
            if not statement.allow or not statement.allows_action("dynamodb:Scan"):
                continue
            keyed = [c for c in statement.conditions_on(KEY) if c.qualifier == "ForAllValues" and not c.negated]
            guarded = any(
                c.base == "null" and any(v.lower() == "false" for v in c.values) for c in statement.conditions_on(KEY)
            )
            if keyed and not guarded:
                yield Hit(
                    f"{document.where}::Statement{statement.index}",
                    f"{document.where} Statement{statement.index} keys items with ForAllValues on "
                    f"dynamodb:LeadingKeys but also allows dynamodb:Scan: a Scan has no leading keys, ForAllValues "
                    f"is true for none, so each user reads the whole table",
                )


RULE = Rule(
    id="FED50",
    level="error",
    title="Per-user DynamoDB statement (ForAllValues on dynamodb:LeadingKeys) that also allows Scan",
    fix="Drop dynamodb:Scan (and wildcards that cover it) from the per-user statement, or add "
    "Null dynamodb:LeadingKeys = false to it",
    resource_types=POLICY_TYPES,
    check=check,
)
