"""FED28: `*` or `?` in a value under `StringEquals` (not `StringLike`): IAM compares it literally,
so the condition never matches the tokens the author meant (a dead trust that someone will later
"fix" by loosening something else). The GitHub and AWS guides use StringLike for patterns."""

from __future__ import annotations

from collections.abc import Iterator

from federation_constructs.policy.document import is_literal
from federation_constructs.policy.trust import federated_trusts
from federation_constructs.rules.engine import Hit, ResourceContext, Rule


def check(context: ResourceContext) -> Iterator[Hit]:
    for trust in federated_trusts(context):
        for condition in trust.statement.conditions:
            if condition.base not in ("stringequals", "stringequalsignorecase"):
                continue
            for value in condition.values:
                if is_literal(value) and ("*" in value or "?" in value):
                    yield Hit(
                        f"{trust.where()}::{condition.key}::{value}",
                        f"{condition.operator} {condition.key} = {value!r}: the '*' is compared literally, so "
                        f"no real token matches; StringLike was probably meant",
                    )


RULE = Rule(
    id="FED28",
    level="warning",
    title="Wildcard characters under StringEquals (compared literally: the condition never matches)",
    fix="Use StringLike for a pattern (and keep the owner part literal), or remove the wildcard",
    resource_types=("AWS::IAM::Role",),
    check=check,
)
